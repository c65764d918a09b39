"""Import a WARC file (gzip or not): ad pages become ``Advertisement`` entities, images
``Photo`` entities (an ``Image`` with perceptual hashes), each with its URL, capture time and
the SHA-256 of its payload.

A first pass over the archive hashes every image from its own bytes
(``veriga.osint.photos``: pHash and dHash of the image and its mirror, a crop-resistant
hash) and notes which ad pages show it, so that each ad states the hashes of its photos
(``imageHash``, which the grouping into operations matches) and each photo the ads it is
``shownIn``. An image that cannot be decoded (not an image, a decompression bomb, too big)
stays a ``Photo`` of its record, with the reason as its ``processingError``.

The WARC file itself is the source (stored with its own SHA-256 by the runner); a response
whose payload does not match its ``WARC-Payload-Digest`` is rejected. An ad page is one that
marks its ad id (``data-ad-id``, as the simulated sites and many classifieds do); its fields
are read from the page the way the simulator's FtM copy states them, so that both agree on
entity ids. Identifiers in the text (phones, handles) are left to the extraction step.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from veriga.ingest.base import Draft, ImportContext, Importer, Item
from veriga.osint.adpage import read_ad_page
from veriga.osint.links import decode_html
from veriga.osint.photos import PhotoHashes, PhotoRejected, hash_image

#: Optional hook: ``extract(draft, html)`` adds identifiers found in an ad page to its draft.
AdHook = Callable[[Draft, str], None]
MAX_PAYLOAD = 50 * 1024 * 1024
#: What warcio raises on a cut or malformed record (its parser has no error type of its own
#: for most of them): the archive is read up to there and the rest reported as skipped.
DAMAGE = (ArchiveLoadFailed, ValueError, AttributeError, IndexError, KeyError, TypeError,
          EOFError, OSError, zlib.error)


def ad_entity_id(site: str, ad_id: str) -> str:
    """The id of an ad's entity: the same for a crawled page and the simulator's FtM copy."""
    return "ad-" + hashlib.sha1(f"{site}:{ad_id}".encode()).hexdigest()[:20]


def _digest_matches(declared: str, body: bytes) -> bool | None:
    """Whether ``declared`` (``algo:value``, hex or base32) matches; None if not checkable."""
    algo, _, value = declared.partition(":")
    algo = algo.lower().replace("-", "")
    if algo not in ("sha256", "sha1"):
        return None
    raw = hashlib.new(algo, body).digest()
    value = value.strip()
    return value.lower() == raw.hex() or value.upper() == base64.b32encode(raw).decode()


def _default_hook() -> AdHook | None:
    try:  # the extraction module of the online investigation tool, when it is installed
        extract = importlib.import_module("veriga.osint.extract")
    except ImportError:
        return None
    hook = getattr(extract, "extract_into_draft", None)
    return hook if callable(hook) else None


class WARCImporter(Importer):
    name = "veriga.ingest.warc"
    version = "1"
    format = "warc"
    media_type = "application/warc"
    keeps_original = True  # pages are shown in the browser from their record

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if head.startswith(b"WARC/1."):
            return 95
        if head[:2] == b"\x1f\x8b" and path.name.lower().endswith((".warc.gz", ".warc")):
            return 90
        return 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        hook: AdHook | None = ctx.options.get("ad_hook") or _default_hook()
        most = min(ctx.limits.max_read_bytes or MAX_PAYLOAD, MAX_PAYLOAD)
        seen: set[str] = set()
        self._photos, self._shown = _survey(ctx, most)
        self._by_url = {url: photo for (url, _), photo in self._photos.items()}
        with ctx.path.open("rb") as fh:
            records = ArchiveIterator(fh)
            n = 0
            while True:
                n += 1
                try:
                    record = next(records)
                    body = record.content_stream().read(most + 1) \
                        if record.rec_type == "response" else b""
                except StopIteration:
                    break
                except DAMAGE as exc:
                    ctx.reject(f"record {n}", None, None, "WARC cut or damaged here, the rest "
                               f"is skipped: {type(exc).__name__}: {str(exc)[:200]}")
                    break
                if record.rec_type != "response":
                    continue
                draft = self._response(ctx, f"record {n}", record, body, most, hook)
                if n % 200 == 0:
                    ctx.progress(fh.tell())
                if draft is not None and draft.id not in seen:
                    seen.add(draft.id)
                    yield draft
        ctx.progress(ctx.path.stat().st_size)

    def _response(self, ctx: ImportContext, loc: str, record: Any, body: bytes, most: int,
                  hook: AdHook | None) -> Draft | None:
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        captured = record.rec_headers.get_header("WARC-Date") or ""
        if len(body) > most:
            ctx.reject(loc, "payload", url, f"payload larger than {most} bytes; skipped")
            return None
        declared = record.rec_headers.get_header("WARC-Payload-Digest")
        if declared and _digest_matches(declared, body) is False:
            ctx.reject(loc, "WARC-Payload-Digest", url, "payload does not match its digest; "
                       "skipped as altered or damaged")
            return None
        http = record.http_headers
        code = (http.get_statuscode() or "") if http else ""
        if not code:  # not an HTTP response (a dns: record, say): nothing to read
            return None
        if not code.isascii() or not code.isdigit():
            ctx.reject(loc, "HTTP status", url, f"not an HTTP status code: {code[:40]!r}; "
                       "record skipped")
            return None
        status = int(code)
        if status != 200:
            return None
        ctype = (http.get_header("Content-Type") or "") if http else ""
        mime = ctype.split(";")[0].strip().lower()
        sha = hashlib.sha256(body).hexdigest()
        truncated = record.rec_headers.get_header("WARC-Truncated")
        if mime.startswith("image/"):
            draft = Draft("Photo", "img-" + hashlib.sha1(f"{url}:{sha}".encode()).hexdigest()[:20],
                          loc)
            draft.add("fileName", url.rstrip("/").rsplit("/", 1)[-1] or url)
            photo = self._photos.get((url, sha)) or _hash(body)
            if isinstance(photo, PhotoHashes):
                draft.add("perceptualHash", photo.key())
            else:
                draft.add("processingError", f"no perceptual hash: {photo}")
            for ad_entity in self._shown.get(url, ()):
                draft.add("shownIn", ad_entity)
        elif mime in ("text/html", "application/xhtml+xml"):
            try:
                html = decode_html(body, ctype)
                ad, images = read_ad_page(url, html)
            except (ValueError, LookupError, RecursionError) as exc:
                ctx.reject(loc, "html", url, f"page could not be read: {exc}")
                return None
            if ad is None:
                return None
            draft = Draft("Advertisement", ad_entity_id(ad["site"], ad["adId"]), loc)
            for prop, value in ad.items():
                draft.add(prop, value)
            for image in images:
                hashed = self._by_url.get(image)
                if isinstance(hashed, PhotoHashes):
                    draft.add("imageHash", hashed.key())
            if hook is not None:
                hook(draft, html)
        else:
            return None
        draft.add("sourceUrl", url)
        draft.add("retrievedAt", captured[:19])
        draft.add("contentHash", sha)
        draft.add("mimeType", mime)
        draft.add("fileSize", len(body))
        if truncated:
            draft.add("processingError", f"payload cut when captured ({truncated})")
        return draft


Survey = tuple[dict[tuple[str, str], "PhotoHashes | str"], dict[str, list[str]]]


def _hash(body: bytes) -> PhotoHashes | str:
    """An image's hashes, or why it has none."""
    try:
        return hash_image(body)
    except PhotoRejected as exc:
        return exc.reason


def _survey(ctx: ImportContext, most: int) -> Survey:
    """First pass: each image response's hashes by (URL, SHA-256) and, by image URL, the
    ads whose pages show it. Damaged records end the pass (the second one reports them)."""
    photos: dict[tuple[str, str], PhotoHashes | str] = {}
    shown: dict[str, list[str]] = {}
    with ctx.path.open("rb") as fh:
        records = ArchiveIterator(fh)
        while True:
            try:
                record = next(records)
                if record.rec_type != "response" or not record.http_headers or \
                        record.http_headers.get_statuscode() != "200":
                    continue
                body = record.content_stream().read(most + 1)
            except StopIteration:
                break
            except DAMAGE:
                break
            declared = record.rec_headers.get_header("WARC-Payload-Digest")
            if len(body) > most or (declared and _digest_matches(declared, body) is False):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            ctype = record.http_headers.get_header("Content-Type") or ""
            mime = ctype.split(";")[0].strip().lower()
            if mime.startswith("image/"):
                photos[(url, hashlib.sha256(body).hexdigest())] = _hash(body)
            elif mime in ("text/html", "application/xhtml+xml"):
                try:
                    ad, images = read_ad_page(url, decode_html(body, ctype))
                except (ValueError, LookupError, RecursionError):
                    continue
                if ad is not None:
                    for image in images:
                        shown.setdefault(image, []).append(ad_entity_id(ad["site"], ad["adId"]))
    return photos, shown
