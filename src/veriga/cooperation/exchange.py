"""Exchange packages: a selection of a case, signed by the sending organisation and
encrypted to the receiving one, with a signed receipt going back.

Keys. Each organisation holds one key pair for signing (Ed25519) and one for receiving
(X25519) (:func:`generate`); the private halves stay in a file readable by its owner only
(:func:`write_private`), the public halves travel as a *bundle* (:func:`public_bundle`)
named by its fingerprint, the SHA-256 of both public keys.

A package file is one line of JSON, the *header* (format, version, package id, the
fingerprints of sender and recipient, an ephemeral X25519 public key, the nonce and the
length of what follows), then the AES-256-GCM ciphertext of the *inner* zip. The key is
X25519(ephemeral, recipient) through HKDF-SHA256; the header bytes are the associated data,
so no header byte can change unnoticed. The inner zip holds ``manifest.json`` (package id,
sender and recipient with their fingerprints, legal basis, purpose, conditions of use,
expiry, counts and the SHA-256 of every other member), ``manifest.sig`` (the sender's
Ed25519 signature of the manifest's bytes) and the members.

:func:`open_package` refuses, with one line saying why, a package that is cut short, not
addressed to this organisation, from a sender whose key is not registered, altered
(authentication fails, a member differs from its signed hash, the signature fails against
the sender's registered key), or expired. Because the manifest names the recipient, a
recipient cannot pass a package on re-encrypted as if it had been sent to a third party.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import secrets
import stat
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from veriga.errors import VerigaError

FORMAT = "veriga-exchange"
VERSION = 1
PUBLIC_FORMAT = "veriga-org-public-key"
PRIVATE_FORMAT = "veriga-org-private-key"
RECEIPT_FORMAT = "veriga-exchange-receipt"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
#: A header longer than this is no header.
MAX_HEADER = 64 * 1024
#: The largest member a package may unpack to (a guard against zip bombs).
MAX_MEMBER = 1 << 30
#: The largest inner archive one package holds (AES-GCM's limit per message, less its tag).
MAX_INNER = 2**31 - 1 - 16
#: A key bundle or receipt is a small JSON document.
MAX_SMALL = 1 << 20
_KDF_INFO = b"veriga-exchange/1"


class PackageRefused(VerigaError):
    """A package (or receipt) that may not be used: cut short, altered, misaddressed, from
    an unknown sender, expired or already imported."""


class KeyProblem(VerigaError):
    """A key file or bundle that cannot be used."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str, size: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        raise KeyProblem(f"{what} is not base64") from None
    if size is not None and len(raw) != size:
        raise KeyProblem(f"{what} is {len(raw)} bytes, not {size}")
    return raw


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(value: Any) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


# -- keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKeys:
    """An organisation's public keys: Ed25519 (verifying) and X25519 (encrypting to)."""

    sign: bytes
    box: bytes

    @property
    def fingerprint(self) -> str:
        return sha256(b"veriga-org-key\x00" + self.sign + self.box)

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.sign)

    @classmethod
    def from_text(cls, sign: str, box: str) -> PublicKeys:
        return cls(_unb64(sign, "the signing key", 32), _unb64(box, "the encryption key", 32))

    def to_text(self) -> tuple[str, str]:
        return _b64(self.sign), _b64(self.box)


@dataclass(frozen=True)
class PrivateKeys:
    """An organisation's private keys (never stored in the case store, never logged)."""

    sign: Ed25519PrivateKey
    box: X25519PrivateKey

    @property
    def public(self) -> PublicKeys:
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        return PublicKeys(self.sign.public_key().public_bytes(*raw),
                          self.box.public_key().public_bytes(*raw))

    def __repr__(self) -> str:  # never print a private key by accident
        return f"PrivateKeys(fingerprint={self.public.fingerprint})"


def generate() -> PrivateKeys:
    return PrivateKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def write_private(keys: PrivateKeys, path: Path) -> None:
    """Write the private keys to a new file readable by its owner only (never overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = json.dumps({"format": PRIVATE_FORMAT, "version": VERSION,
                       "fingerprint": keys.public.fingerprint,
                       "sign": _b64(_raw_private(keys.sign)),
                       "box": _b64(_raw_private(keys.box))}, indent=1)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body + "\n")


def read_private(path: Path) -> PrivateKeys:
    """The private keys in ``path``; refused if others may read the file."""
    if not path.is_file():
        raise KeyProblem(f"no private key at {path} (make one with 'veriga org key generate')")
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise KeyProblem(f"{path} may be read by others: make it readable by its owner only "
                         "(chmod 600)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != PRIVATE_FORMAT:
            raise KeyProblem(f"{path} is not a Veriga private key file")
        keys = PrivateKeys(
            Ed25519PrivateKey.from_private_bytes(_unb64(data["sign"], "the signing key", 32)),
            X25519PrivateKey.from_private_bytes(_unb64(data["box"], "the encryption key", 32)))
    except (ValueError, KeyError, AttributeError):
        raise KeyProblem(f"{path} is not a readable private key file") from None
    if keys.public.fingerprint != data.get("fingerprint"):
        raise KeyProblem(f"{path}: the keys do not match the fingerprint written with them")
    return keys


def public_bundle(keys: PublicKeys, org: Mapping[str, Any]) -> dict[str, Any]:
    """What a partner registers: the organisation, its public keys and their fingerprint."""
    sign, box = keys.to_text()
    return {"format": PUBLIC_FORMAT, "version": VERSION,
            "org": {"name": org["name"], "country": org["country"], "type": org["type"]},
            "sign_public": sign, "box_public": box, "fingerprint": keys.fingerprint}


def read_bundle(path: Path) -> tuple[dict[str, str], PublicKeys]:
    """The organisation and public keys of a partner's bundle, checked against its
    fingerprint (compare that with the partner by another channel before trusting it)."""
    try:
        if path.stat().st_size > MAX_SMALL:
            raise KeyProblem(f"{path.name} is too large to be a public key bundle")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != PUBLIC_FORMAT:
            raise KeyProblem(f"{path.name} is not a Veriga public key bundle")
        keys = PublicKeys.from_text(data["sign_public"], data["box_public"])
        org = {k: str(data["org"][k]).strip() for k in ("name", "country", "type")}
    except (OSError, ValueError, KeyError, TypeError):
        raise KeyProblem(f"{path.name} is not a readable public key bundle") from None
    if keys.fingerprint != data.get("fingerprint"):
        raise KeyProblem(f"{path.name}: the keys do not match the bundle's fingerprint "
                         "(altered or damaged)")
    return org, keys


# -- packages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """A package decrypted and verified: what was signed, and the members it lists."""

    header: dict[str, Any]
    manifest: dict[str, Any]
    manifest_sha256: str
    members: dict[str, bytes]

    @property
    def package_id(self) -> str:
        return str(self.manifest["package_id"])


def new_package_id() -> str:
    return "pkg-" + secrets.token_hex(12)


def seal(members: Mapping[str, bytes], manifest: Mapping[str, Any], sender: PrivateKeys,
         recipient: PublicKeys) -> tuple[bytes, dict[str, Any], str]:
    """The package file's bytes, its full manifest and the manifest's SHA-256.

    ``manifest`` (package id, sender and recipient organisations, legal basis, purpose,
    conditions, expiry, counts) is completed with the format, both fingerprints and the
    hash of every member, signed by ``sender`` and encrypted to ``recipient``."""
    if {MANIFEST, SIGNATURE} & set(members):
        raise VerigaError(f"{MANIFEST} and {SIGNATURE} are written by the package itself")
    full = {**manifest, "format": FORMAT, "version": VERSION,
            "sender": {**manifest["sender"], "fingerprint": sender.public.fingerprint},
            "recipient": {**manifest["recipient"], "fingerprint": recipient.fingerprint},
            "members": {name: sha256(data) for name, data in sorted(members.items())}}
    manifest_bytes = json.dumps(full, indent=1, ensure_ascii=False, sort_keys=True).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, _b64(sender.sign.sign(manifest_bytes)))
        for name, data in sorted(members.items()):
            zf.writestr(name, data)
    if buffer.tell() > MAX_INNER:
        raise VerigaError(f"the selection makes {buffer.tell() / 2**30:.1f} GiB, over the "
                          "2 GiB one package holds: send it in parts (--entity)")
    header = {"format": FORMAT, "version": VERSION, "package_id": full["package_id"],
              "sender": sender.public.fingerprint, "recipient": recipient.fingerprint}
    return encrypt(buffer.getvalue(), header, recipient), full, sha256(manifest_bytes)


def encrypt(inner: bytes, header: Mapping[str, Any], recipient: PublicKeys) -> bytes:
    """``inner`` encrypted to ``recipient`` under a fresh ephemeral key, after the header
    line (completed with the ephemeral key, nonce and length) that authenticates with it."""
    ephemeral = X25519PrivateKey.generate()
    epk = ephemeral.public_key().public_bytes(serialization.Encoding.Raw,
                                              serialization.PublicFormat.Raw)
    nonce = secrets.token_bytes(12)
    line = canonical({**header, "epk": _b64(epk), "nonce": _b64(nonce),
                      "size": len(inner) + 16})
    key = _derive(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.box)),
                  epk, recipient.box)
    return line + b"\n" + AESGCM(key).encrypt(nonce, inner, line)


def _derive(shared: bytes, epk: bytes, recipient_box: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_KDF_INFO + epk + recipient_box).derive(shared)


def read_header(data: bytes) -> tuple[dict[str, Any], bytes, memoryview]:
    """The header, its exact bytes and the ciphertext after it (a view, not a copy);
    refuses what is no package of this version or is cut short."""
    end = data.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise PackageRefused("not a Veriga exchange package, or cut short before the end of "
                             "its header")
    line = data[:end]
    try:
        header = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise PackageRefused("not a Veriga exchange package (its header is not JSON)") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise PackageRefused("not a Veriga exchange package")
    if header.get("version") != VERSION:
        raise PackageRefused(f"package version {header.get('version')!r}; this installation "
                             f"reads version {VERSION}")
    for field in ("package_id", "sender", "recipient", "epk", "nonce", "size"):
        if field not in header:
            raise PackageRefused(f"altered: its header has no {field}")
    body = memoryview(data)[end + 1:]
    size = header["size"]
    if not isinstance(size, int) or len(body) > size or size > MAX_INNER + 16:
        raise PackageRefused("altered: bytes after the end the header states")
    if len(body) < size:
        raise PackageRefused(f"cut short: {len(body):,} of {size:,} bytes of its content")
    return header, line, body


def decrypt(data: bytes, own: PrivateKeys) -> tuple[dict[str, Any], bytes]:
    """The header and the inner zip of a package encrypted to ``own``."""
    header, line, body = read_header(data)
    mine = own.public
    if header["recipient"] != mine.fingerprint:
        raise PackageRefused(f"not addressed to this organisation: it is for the key "
                             f"{_short(header['recipient'])}, ours is {_short(mine.fingerprint)}")
    try:
        epk = _unb64(header["epk"], "the ephemeral key", 32)
        nonce = _unb64(header["nonce"], "the nonce", 12)
        key = _derive(own.box.exchange(X25519PublicKey.from_public_bytes(epk)), epk, mine.box)
        return header, AESGCM(key).decrypt(nonce, body, line)
    except (KeyProblem, ValueError, InvalidTag):
        raise PackageRefused("altered: its encryption does not authenticate (a byte of the "
                             "header or content was changed)") from None


def open_package(data: bytes, own: PrivateKeys,
                 sender_key: Callable[[str], PublicKeys | None],
                 today: date | None = None) -> Opened:
    """Decrypt and verify a package; :class:`PackageRefused` says why one may not be used.

    ``sender_key`` gives the registered public keys of a fingerprint (None: unknown)."""
    header, _, _ = read_header(data)
    if header["recipient"] != own.public.fingerprint:
        decrypt(data, own)  # refuses it as misaddressed
    sender = sender_key(str(header["sender"]))
    if sender is None:
        raise PackageRefused(f"from an unknown sender (key {_short(header['sender'])}): "
                             "register the sender's public key first (veriga org key add)")
    header, inner = decrypt(data, own)
    manifest_bytes, signature, members = _unzip(inner)
    try:
        sender.verifier().verify(_unb64(signature.strip().decode("ascii"), "the signature"),
                                 manifest_bytes)
    except (InvalidSignature, KeyProblem, UnicodeDecodeError):
        raise PackageRefused("altered or forged: the signature does not verify against the "
                             "sender's registered key") from None
    try:
        manifest = json.loads(manifest_bytes)
        expires = date.fromisoformat(manifest["expires"]) if manifest.get("expires") else None
    except (ValueError, KeyError, TypeError):
        raise PackageRefused("its signed manifest cannot be read") from None
    if (manifest.get("package_id") != header["package_id"]
            or manifest.get("sender", {}).get("fingerprint") != header["sender"]
            or manifest.get("recipient", {}).get("fingerprint") != header["recipient"]):
        raise PackageRefused("altered: the header and the signed manifest disagree")
    listed: dict[str, str] = manifest.get("members", {})
    if set(listed) != set(members):
        extra = sorted(set(members) ^ set(listed))
        raise PackageRefused(f"altered: member(s) {', '.join(extra)} not as signed")
    for name, digest in listed.items():
        if sha256(members[name]) != digest:
            raise PackageRefused(f"altered: member {name} differs from its signed hash")
    if expires is not None and expires < (today or datetime.now(UTC).date()):
        raise PackageRefused(f"expired on {expires}: the sender allowed its import until then")
    return Opened(header, manifest, sha256(manifest_bytes), members)


def _unzip(inner: bytes) -> tuple[bytes, bytes, dict[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(inner)) as zf:
            found: dict[str, bytes] = {}
            for info in zf.infolist():
                if info.file_size > MAX_MEMBER or info.is_dir():
                    raise PackageRefused(f"member {info.filename} is too large or no file")
                with zf.open(info) as fh:
                    found[info.filename] = fh.read(MAX_MEMBER + 1)
                if len(found[info.filename]) > MAX_MEMBER:
                    raise PackageRefused(f"member {info.filename} is too large")
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        raise PackageRefused("altered: its content is not a readable archive") from None
    if MANIFEST not in found or SIGNATURE not in found:
        raise PackageRefused("altered: no signed manifest")
    manifest, signature = found.pop(MANIFEST), found.pop(SIGNATURE)
    return manifest, signature, found


def _short(fingerprint: Any) -> str:
    text = str(fingerprint)
    return text[:16] if len(text) >= 16 else text


# -- receipts --------------------------------------------------------------------------------


def make_receipt(opened: Opened, own: PrivateKeys, recipient: Mapping[str, Any],
                 counts: Mapping[str, int], received_at: datetime) -> bytes:
    """The recipient's signed acknowledgement of a package it imported."""
    body = {"format": RECEIPT_FORMAT, "version": VERSION, "package_id": opened.package_id,
            "manifest_sha256": opened.manifest_sha256, "counts": dict(counts),
            "received_at": received_at.isoformat(timespec="seconds"),
            "sender": opened.manifest["sender"]["fingerprint"],
            "recipient": {"name": recipient["name"], "country": recipient["country"],
                          "fingerprint": own.public.fingerprint}}
    signed = {"receipt": body, "signature": _b64(own.sign.sign(canonical(body)))}
    return json.dumps(signed, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"


def read_receipt(data: bytes, signer_key: Callable[[str], PublicKeys | None]
                 ) -> dict[str, Any]:
    """The body of a receipt whose signature verifies against the recipient's registered
    key."""
    try:
        signed = json.loads(data[:MAX_SMALL])
        body = signed["receipt"]
        if body.get("format") != RECEIPT_FORMAT or body.get("version") != VERSION:
            raise PackageRefused("not a Veriga exchange receipt of this version")
        fingerprint = str(body["recipient"]["fingerprint"])
        signature = _unb64(signed["signature"], "the signature", 64)
    except (ValueError, KeyError, TypeError, AttributeError, KeyProblem):
        raise PackageRefused("not a readable Veriga exchange receipt") from None
    key = signer_key(fingerprint)
    if key is None:
        raise PackageRefused(f"receipt signed by an unknown key ({_short(fingerprint)})")
    try:
        key.verifier().verify(signature, canonical(body))
    except InvalidSignature:
        raise PackageRefused("altered or forged: the receipt's signature does not verify "
                             "against the recipient's registered key") from None
    return dict(body)
