"""Hit/no-hit match filters: which of my identifiers does another party's case hold, and
nothing else.

A party *publishes* a filter of its case's identifiers, each a keyed hash under a key the
parties of a joint investigation share (:func:`new_key`); another party *matches* its own
records against the filter locally and learns only which of its own identifiers are hits.

What a filter holds, per person or company record of the publishing case
(:func:`veriga.resolve.records.build_records` reads them from the entities):

==========  ===========================================================================
kind        the value hashed
==========  ===========================================================================
phone       the E.164 number
iban        the normalised IBAN
document    a person's ID, passport, tax or registration number (letters and digits,
            upper-case)
company     a company's registration or tax number
person      birth date and romanised, folded name (``1990-04-03|olena shevchenko``)
email       the lower-cased address
==========  ===========================================================================

Each is HMAC-SHA256 under the key of ``kind`` and value, cut to 16 bytes. For names that are
spelt differently (scripts, endings, typos, swapped order), each person record also gets a
Bloom-filter encoding of its name (bigrams of its romanised name tokens, :data:`BLOOM_BITS`
bits, :data:`BLOOM_HASHES` keyed positions per bigram, the "cryptographic long-term key" of
privacy-preserving record linkage), its birth year as a keyed hash (zero when unknown) and
the keyed hashes of its tokens' phonetic codes to find candidates by. Two encodings match
when their Dice coefficient reaches the threshold and their birth years do not differ.

The file is one line of JSON (the header: version, key id, label, expiry, counts, the
SHA-256 of the body and an HMAC of header and body under the key), then the body: the exact
hashes, sorted, then the name encodings. A filter made under another key, of another
version, altered, cut short or expired is refused with one line saying which.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from veriga.errors import VerigaError

FORMAT = "veriga-hit-filter"
VERSION = 1
KEY_BYTES = 32
DIGEST_BYTES = 16
BLOOM_BITS = 1024
BLOOM_BYTES = BLOOM_BITS // 8
BLOOM_HASHES = 20
BLOCK_BYTES = 8
#: Dice coefficient of two name encodings at or above which they are a fuzzy hit.
MIN_DICE = 0.8
#: A name is encoded for fuzzy matching when it has at least this many parts.
MIN_TOKENS = 2
#: A header longer than this is no header (a filter is refused before it is read whole).
MAX_HEADER = 64 * 1024
KINDS = ("phone", "iban", "document", "company", "person", "email")
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


class FilterRefused(VerigaError):
    """A filter that may not be used: another key or version, altered, short or expired."""


@dataclass(frozen=True)
class Identifier:
    """One identifier of a record, as hashed into a filter."""

    record_id: str
    kind: str
    value: str


@dataclass(frozen=True)
class Encoding:
    """A person's name as a Bloom filter, with its keyed birth year and candidate keys."""

    record_id: str
    name: str
    bloom: bytes
    year: bytes
    blocks: tuple[bytes, ...]


@dataclass
class MatchFilter:
    """A published filter as read back: its header and its keyed hashes."""

    header: dict[str, Any]
    exact: set[bytes]
    blooms: np.ndarray  # (n, BLOOM_BYTES) uint8
    years: np.ndarray  # (n,) uint64: the keyed birth years, 0 where unknown
    ones: np.ndarray  # (n,) the bits set in each encoding
    by_block: dict[bytes, np.ndarray] = field(default_factory=dict)  # rows of each key


@dataclass(frozen=True)
class Hit:
    """One identifier of the matching party's record that the filter holds."""

    record_id: str
    kind: str  # one of KINDS, or "name" for a fuzzy name hit
    value: str
    score: float = 1.0  # the Dice coefficient of a name hit


# -- keys ------------------------------------------------------------------------------------


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def write_key(key: bytes, path: Path) -> None:
    """Write a key file readable by its owner only (refusing to overwrite one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.b64encode(key).decode("ascii") + "\n")


def read_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = base64.b64decode(text, validate=True)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VerigaError(f"{path.name}: not a key file ({exc.__class__.__name__})") from None
    if len(key) != KEY_BYTES:
        raise VerigaError(f"{path.name}: a key is {KEY_BYTES} bytes, this one {len(key)}")
    return key


def key_id(key: bytes) -> str:
    """A name for the key that tells nothing about it (both sides compare it)."""
    return hmac.new(key, b"veriga/hit-filter/key-id", hashlib.sha256).hexdigest()[:16]


def digest(key: bytes, kind: str, value: str) -> bytes:
    return hmac.digest(key, f"{kind}\x1f{value}".encode(), "sha256")[:DIGEST_BYTES]


# -- reading identifiers from resolution records ---------------------------------------------


def identifiers(records: pa.Table) -> Iterator[Identifier]:
    """The identifiers of resolution records (:data:`KINDS`), each once per record."""
    cols = records.select(["record_id", "kind", "name_key", "birth_date", "phones", "ibans",
                           "reg_numbers", "emails"]).to_pylist()
    for row in cols:
        rid = row["record_id"]
        seen: set[tuple[str, str]] = set()
        numbers = "document" if row["kind"] == "person" else "company"
        pairs = [("phone", v) for v in row["phones"] or ()]
        pairs += [("iban", v) for v in row["ibans"] or ()]
        pairs += [(numbers, v) for v in row["reg_numbers"] or ()]
        pairs += [("email", v) for v in row["emails"] or ()]
        if row["kind"] == "person" and row["birth_date"] and row["name_key"]:
            pairs.append(("person", f"{row['birth_date']}|{row['name_key']}"))
        for pair in pairs:
            if pair not in seen:
                seen.add(pair)
                yield Identifier(rid, *pair)


def encodings(records: pa.Table, key: bytes) -> Iterator[Encoding]:
    """The Bloom-filter encodings of the person records' names."""
    cols = records.select(["record_id", "kind", "name", "tokens", "phonetic",
                           "birth_date"]).to_pylist()
    positions: dict[str, tuple[int, ...]] = {}  # bigrams recur: each is hashed once
    for row in cols:
        if row["kind"] != "person" or len(row["tokens"] or ()) < MIN_TOKENS:
            continue  # a given name alone would hit every namesake
        year = row["birth_date"][:4] if row["birth_date"] else None
        yield Encoding(row["record_id"], row["name"] or "", bloom(key, row["tokens"], positions),
                       _year(key, year),
                       tuple(sorted({_block(key, p) for p in row["phonetic"] or () if p})))


def bloom(key: bytes, tokens: Sequence[str],
          cache: dict[str, tuple[int, ...]] | None = None) -> bytes:
    """The name's bigrams (each token padded with ``_``) at keyed positions of a bit array;
    ``cache`` keeps each bigram's positions (under this key only)."""
    cache = {} if cache is None else cache
    bits = bytearray(BLOOM_BYTES)
    for token in tokens:
        padded = f"_{token}_"
        for i in range(len(padded) - 1):
            gram = padded[i:i + 2]
            found = cache.get(gram)
            if found is None:
                h = hmac.digest(key, b"bloom\x1f" + gram.encode(), "sha256")
                h1, h2 = struct.unpack_from(">QQ", h)
                h2 |= 1
                found = cache[gram] = tuple((h1 + k * h2) % BLOOM_BITS
                                            for k in range(BLOOM_HASHES))
            for pos in found:
                bits[pos >> 3] |= 1 << (pos & 7)
    return bytes(bits)


def _year(key: bytes, year: str | None) -> bytes:
    if not year:
        return bytes(BLOCK_BYTES)
    return hmac.digest(key, b"year\x1f" + year.encode(), "sha256")[:BLOCK_BYTES]


def _block(key: bytes, code: str) -> bytes:
    return hmac.digest(key, b"phonetic\x1f" + code.encode(), "sha256")[:BLOCK_BYTES]


# -- writing and reading a filter ------------------------------------------------------------


def write_filter(path: Path, key: bytes, ids: Iterable[Identifier], names: Iterable[Encoding],
                 label: str = "", expires: date | None = None) -> dict[str, Any]:
    """Write the filter of ``ids`` and ``names``; returns its header (nothing in it names a
    record: the counts per kind, the label the publisher chose, the key id and expiry)."""
    counts = dict.fromkeys(KINDS, 0)
    hashes: set[bytes] = set()
    for ident in ids:
        d = digest(key, ident.kind, ident.value)
        if d not in hashes:
            hashes.add(d)
            counts[ident.kind] += 1
    parts = [b"".join(sorted(hashes))]
    n_names = 0
    for enc in names:
        parts.append(enc.year + enc.bloom + bytes([min(len(enc.blocks), 255)])
                     + b"".join(enc.blocks[:255]))
        n_names += 1
    body = b"".join(parts)
    header: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "key_id": key_id(key), "label": label,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "expires": expires.isoformat() if expires else None,
        "counts": {k: v for k, v in counts.items() if v}, "exact": len(hashes),
        "names": n_names, "bloom": {"bits": BLOOM_BITS, "hashes": BLOOM_HASHES, "q": 2},
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    header["mac"] = _mac(key, header, body)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as fh:
        fh.write(json.dumps(header, sort_keys=True).encode() + b"\n")
        fh.write(body)
    tmp.replace(path)
    return header


def _mac(key: bytes, header: dict[str, Any], body: bytes) -> str:
    signed = json.dumps({k: v for k, v in header.items() if k != "mac"}, sort_keys=True)
    return hmac.new(key, b"mac\x1f" + signed.encode() + b"\x1f" + body,
                    hashlib.sha256).hexdigest()


def read_filter(path: Path, key: bytes, today: date | None = None) -> MatchFilter:
    """Read and check a filter: refused (:class:`FilterRefused`) unless it is of this
    version, made under ``key``, whole and unaltered, and not expired."""
    name = path.name
    with path.open("rb") as fh:
        line = fh.readline(MAX_HEADER + 1)
        if not line.endswith(b"\n"):
            raise FilterRefused(f"{name}: not a hit/no-hit filter (no header line)")
        try:
            header = json.loads(line)
        except ValueError:
            raise FilterRefused(f"{name}: not a hit/no-hit filter (its header is no "
                                "JSON)") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise FilterRefused(f"{name}: not a hit/no-hit filter")
        if header.get("version") != VERSION:
            raise FilterRefused(f"{name}: filter version {header.get('version')!r}; this "
                                f"Veriga reads version {VERSION}")
        if header.get("key_id") != key_id(key):
            raise FilterRefused(f"{name}: made under another key (key id "
                                f"{header.get('key_id')}, yours {key_id(key)})")
        try:
            n_exact, n_names = int(header["exact"]), int(header["names"])
            expected = str(header["body_sha256"])
            mac = str(header["mac"])
        except (KeyError, TypeError, ValueError):
            raise FilterRefused(f"{name}: its header lacks the counts or checksums") from None
        body = fh.read()
    if hashlib.sha256(body).hexdigest() != expected:
        raise FilterRefused(f"{name}: cut short or altered (its body does not match its "
                            "checksum)")
    if not hmac.compare_digest(_mac(key, header, body), mac):
        raise FilterRefused(f"{name}: altered (its authentication code does not match)")
    expires = header.get("expires")
    if expires and date.fromisoformat(expires) < (today or date.today()):
        raise FilterRefused(f"{name}: expired on {expires}; ask the publisher for a new one")
    return _parse(name, body, n_exact, n_names, header)


def _parse(name: str, body: bytes, n_exact: int, n_names: int,
           header: dict[str, Any]) -> MatchFilter:
    end = n_exact * DIGEST_BYTES
    if end > len(body):
        raise FilterRefused(f"{name}: shorter than its header says")
    exact = {body[i:i + DIGEST_BYTES] for i in range(0, end, DIGEST_BYTES)}
    blooms = np.zeros((n_names, BLOOM_BYTES), dtype=np.uint8)
    years = np.zeros(n_names, dtype=np.uint64)
    rows_of: dict[bytes, list[int]] = {}
    pos = end
    fixed = BLOCK_BYTES + BLOOM_BYTES + 1
    for i in range(n_names):
        if pos + fixed > len(body):
            raise FilterRefused(f"{name}: shorter than its header says")
        years[i] = int.from_bytes(body[pos:pos + BLOCK_BYTES], "big")
        blooms[i] = np.frombuffer(body, np.uint8, BLOOM_BYTES, pos + BLOCK_BYTES)
        n_blocks = body[pos + fixed - 1]
        pos += fixed
        if pos + n_blocks * BLOCK_BYTES > len(body):
            raise FilterRefused(f"{name}: shorter than its header says")
        for _ in range(n_blocks):
            rows_of.setdefault(body[pos:pos + BLOCK_BYTES], []).append(i)
            pos += BLOCK_BYTES
    if pos != len(body):
        raise FilterRefused(f"{name}: longer than its header says")
    by_block = {b: np.array(rows, dtype=np.int64) for b, rows in rows_of.items()}
    ones = _POPCOUNT[blooms].sum(axis=1) if n_names else np.zeros(0, dtype=np.uint64)
    return MatchFilter(header, exact, blooms, years, ones, by_block)


# -- matching --------------------------------------------------------------------------------


def match(flt: MatchFilter, key: bytes, ids: Iterable[Identifier],
          names: Iterable[Encoding], min_dice: float = MIN_DICE) -> list[Hit]:
    """The identifiers and names of mine the filter holds (a name: its best Dice score)."""
    hits = [Hit(i.record_id, i.kind, i.value) for i in ids
            if digest(key, i.kind, i.value) in flt.exact]
    exact_people = {h.record_id for h in hits if h.kind == "person"}
    for enc in names:
        if enc.record_id in exact_people:
            continue  # the birth date and name are a hit already
        found = [flt.by_block[b] for b in enc.blocks if b in flt.by_block]
        if not found:
            continue
        rows = np.unique(np.concatenate(found)) if len(found) > 1 else found[0]
        year = int.from_bytes(enc.year, "big")
        if year:
            theirs = flt.years[rows]
            rows = rows[(theirs == 0) | (theirs == year)]
        if not len(rows):
            continue
        score = _best_dice(np.frombuffer(enc.bloom, np.uint8), flt.blooms[rows],
                           flt.ones[rows])
        if score >= min_dice:
            hits.append(Hit(enc.record_id, "name", enc.name, round(score, 3)))
    return sorted(hits, key=lambda h: (h.kind == "name", -h.score, h.kind, h.value))


def _best_dice(mine: np.ndarray, theirs: np.ndarray, their_ones: np.ndarray) -> float:
    both = _POPCOUNT[np.bitwise_and(theirs, mine)].sum(axis=1)
    sizes = their_ones + int(_POPCOUNT[mine].sum())
    return float((2 * both / np.maximum(sizes, 1)).max())
