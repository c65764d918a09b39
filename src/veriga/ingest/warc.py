"""Import a WARC file (gzip or not): ad pages become ``Advertisement`` entities, images
``Image`` entities, each with its URL, capture time and the SHA-256 of its payload.

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
from veriga.osint.adpage import parse_ad_page
from veriga.osint.links import decode_html

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
            draft = Draft("Image", "img-" + hashlib.sha1(f"{url}:{sha}".encode()).hexdigest()[:20],
                          loc)
            draft.add("fileName", url.rstrip("/").rsplit("/", 1)[-1] or url)
        elif mime in ("text/html", "application/xhtml+xml"):
            try:
                html = decode_html(body, ctype)
                ad = parse_ad_page(url, html)
            except (ValueError, LookupError, RecursionError) as exc:
                ctx.reject(loc, "html", url, f"page could not be read: {exc}")
                return None
            if ad is None:
                return None
            draft = Draft("Advertisement", ad_entity_id(ad["site"], ad["adId"]), loc)
            for prop, value in ad.items():
                draft.add(prop, value)
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
