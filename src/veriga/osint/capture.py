"""A page as it was captured, read back from its WARC record and made safe to show.

:func:`read_record` finds a response record in a WARC file by URL and payload SHA-256 (the
importer's ``record N`` locator first, an index of the file otherwise) and says whether the
payload still matches its digests. :func:`safe_page` rewrites the captured HTML so that it
can be shown in a sandboxed frame without running anything or reaching anywhere: scripts,
frames, objects, ``<base>``, ``<link>``, ``<meta http-equiv>`` (refresh), event handlers and
every attribute holding a URL are taken out, links keep their text but lose their target,
forms lose their action, and the page's images (and style sheets) are put in from the same
WARC as ``data:`` URLs, so that the page needs no request at all. The viewer serves it with
a Content-Security-Policy that refuses any request (:data:`PAGE_CSP`), in a frame sandboxed
without scripts or same origin: three separate locks on the same door.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from veriga.osint.links import decode_html

MAX_PAYLOAD = 50 * 1024 * 1024  # bytes of one record read
MAX_HTML = 5_000_000  # characters of a page rewritten
MAX_INLINE = 5 * 1024 * 1024  # bytes of one image put into the page
MAX_INLINE_TOTAL = 20 * 1024 * 1024  # bytes of all images and styles of one page
#: What warcio raises on a cut or malformed record: the index stops there.
DAMAGE = (ArchiveLoadFailed, ValueError, AttributeError, IndexError, KeyError, TypeError,
          EOFError, OSError, zlib.error)
#: Image types shown (raster only; SVG could carry references of its own).
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif",
                         "image/bmp", "image/x-icon", "image/vnd.microsoft.icon"})
#: The policy the captured page is served under: nothing may load but what is inlined.
PAGE_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox")


@dataclass(frozen=True)
class Record:
    """A response record read back from a WARC file."""

    number: int  # the record's place in the file, 1 for the first (the importer's locator)
    offset: int
    url: str
    captured_at: str
    status: int
    content_type: str
    payload: bytes
    declared_digest: str | None  # WARC-Payload-Digest as written
    truncated: str | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()

    @property
    def mime(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    def digest_matches(self) -> bool | None:
        """Whether the payload matches its declared digest (None if none is declared or
        its algorithm is not SHA-1 or SHA-256)."""
        if not self.declared_digest:
            return None
        algo, _, value = self.declared_digest.partition(":")
        algo = algo.lower().replace("-", "")
        if algo not in ("sha256", "sha1"):
            return None
        raw = hashlib.new(algo, self.payload).digest()
        value = value.strip()
        return value.lower() == raw.hex() or value.upper() == base64.b32encode(raw).decode()


@dataclass(frozen=True)
class _Entry:
    number: int
    offset: int
    url: str
    mime: str


@lru_cache(maxsize=32)
def _index(path: str, size: int, mtime_ns: int) -> tuple[dict[str, list[_Entry]], bool]:
    """Response records of a WARC file by URL, and whether the file was read to its end
    (False: damaged from some record on). Read once per file version: kept in memory and in
    a file beside it (``NAME.index.json``, used while the file's size and time match)."""
    saved = Path(path + ".index.json")
    try:
        data = json.loads(saved.read_text(encoding="utf-8"))
        if data["size"] == size and data["mtime_ns"] == mtime_ns:
            found: dict[str, list[_Entry]] = {}
            for n, offset, url, mime in data["entries"]:
                found.setdefault(url, []).append(_Entry(n, offset, url, mime))
            return found, bool(data["whole"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unusable: read the file again
    found, whole = _read_index(path)
    entries = [[e.number, e.offset, e.url, e.mime] for es in found.values() for e in es]
    tmp = saved.with_name(f".{saved.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"size": size, "mtime_ns": mtime_ns, "whole": whole,
                                   "entries": entries}), encoding="utf-8")
        os.replace(tmp, saved)
    except OSError:
        tmp.unlink(missing_ok=True)  # a folder we may not write to: kept in memory only
    return found, whole


def _read_index(path: str) -> tuple[dict[str, list[_Entry]], bool]:
    found: dict[str, list[_Entry]] = {}
    whole = True
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        n = 0
        while True:
            n += 1
            try:
                record = next(records)
                offset = records.get_record_offset()
            except StopIteration:
                break
            except DAMAGE:
                whole = False
                break
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            http = record.http_headers
            ctype = (http.get_header("Content-Type") or "") if http else ""
            found.setdefault(url, []).append(
                _Entry(n, offset, url, ctype.split(";")[0].strip().lower()))
    return found, whole


def index(path: Path) -> dict[str, list[Any]]:
    """Response records of ``path`` by URL (cached while the file is unchanged)."""
    stat = path.stat()
    return _index(str(path), stat.st_size, stat.st_mtime_ns)[0]


def _read_at(path: Path, entry: _Entry) -> Record | None:
    with path.open("rb") as fh:
        fh.seek(entry.offset)
        try:
            record = next(ArchiveIterator(fh))
            payload = record.content_stream().read(MAX_PAYLOAD + 1)
        except (StopIteration, *DAMAGE):
            return None
        if len(payload) > MAX_PAYLOAD or record.rec_type != "response":
            return None
        http = record.http_headers
        code = (http.get_statuscode() or "") if http else ""
        headers = record.rec_headers
        return Record(
            number=entry.number, offset=entry.offset, url=entry.url,
            captured_at=headers.get_header("WARC-Date") or "",
            status=int(code) if code.isascii() and code.isdigit() else 0,
            content_type=(http.get_header("Content-Type") or "") if http else "",
            payload=payload, declared_digest=headers.get_header("WARC-Payload-Digest"),
            truncated=headers.get_header("WARC-Truncated"))


def read_record(path: Path, url: str, sha256: str | None = None,
                locator: str | None = None) -> Record | None:
    """The response record of ``url`` in the WARC file ``path`` whose payload has
    ``sha256`` (the first one for the URL when no digest is given). ``locator`` is the
    importer's ``record N``: that record is tried first. None if there is none (or its
    payload no longer has that digest: the caller then knows the record was altered)."""
    entries = index(path).get(url, [])
    number = _record_number(locator)
    entries = sorted(entries, key=lambda e: e.number != number)
    fallback = None
    for entry in entries:
        record = _read_at(path, entry)
        if record is None:
            continue
        if sha256 is None or record.sha256 == sha256:
            return record
        fallback = fallback or record
    return fallback


def _record_number(locator: str | None) -> int | None:
    match = re.fullmatch(r"record (\d+)", (locator or "").strip())
    return int(match.group(1)) if match else None


# -- making the page safe --------------------------------------------------------------

#: Elements dropped with everything in them.
_DROP = frozenset({"script", "iframe", "frame", "frameset", "object", "applet", "portal",
                   "fencedframe", "set", "animate", "animatemotion", "animatetransform",
                   "discard", "handler", "listener"})
#: Elements dropped (they hold nothing, or nothing shown).
_DROP_VOID = frozenset({"base", "link", "embed", "param", "basefont", "bgsound", "keygen"})
#: Attributes that hold a URL or make the browser fetch or go somewhere.
_URL_ATTRS = frozenset({
    "href", "src", "srcset", "imagesrcset", "action", "formaction", "ping", "background",
    "poster", "data", "codebase", "archive", "longdesc", "manifest", "lowsrc", "dynsrc",
    "cite", "xlink:href", "xml:base", "profile", "icon", "classid", "srcdoc", "itemtype",
    "attributionsrc", "target", "http-equiv", "integrity", "nonce", "autofocus",
})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9:_.-]*$")
_CSS_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
_CSS_IMPORT = re.compile(r"@import[^;]*;?", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_FETCHING = re.compile(r"(-webkit-)?(image-set|cross-fade|image)\s*\(|expression\s*\(|"
                           r"behavior\s*:|-moz-binding", re.I)
_DATA_IMAGE = re.compile(r"^data:(image/(?:png|jpeg|gif|webp|avif|bmp));base64,"
                         r"[A-Za-z0-9+/=\s]*$", re.I)

#: ``resource(url)``: (media type, payload) of an archived response for ``url``, or None.
Resource = Callable[[str], "tuple[str, bytes] | None"]


@dataclass
class SafePage:
    """The rewritten page and what was taken out of it."""

    html: str
    images: int = 0  # images put in from the archive
    missing: int = 0  # images not in the archive (left blank)
    removed: int = 0  # elements and attributes taken out


class _Rewriter(HTMLParser):
    def __init__(self, page_url: str, resource: Resource) -> None:
        super().__init__(convert_charrefs=True)
        self.base = page_url
        self.resource = resource
        self.out: list[str] = []
        self.skip: list[str] = []  # open dropped elements
        self.inline_bytes = 0
        self.stats = SafePage("")
        self.in_style = 0

    # the archive -----------------------------------------------------------------------

    def _absolute(self, url: str) -> str | None:
        url = url.strip()
        if not url or url.startswith("#"):
            return None
        try:
            absolute = urljoin(self.base, url)
            scheme = urlsplit(absolute).scheme.lower()
        except ValueError:
            return None
        return absolute.split("#", 1)[0] if scheme in ("http", "https") else None

    def _fetch(self, url: str, kinds: frozenset[str] | None) -> tuple[str, bytes] | None:
        absolute = self._absolute(url)
        if absolute is None:
            return None
        found = self.resource(absolute)
        if found is None:
            return None
        mime, payload = found
        if kinds is not None and mime not in kinds:
            return None
        if len(payload) > MAX_INLINE or self.inline_bytes + len(payload) > MAX_INLINE_TOTAL:
            return None
        self.inline_bytes += len(payload)
        return mime, payload

    def _image(self, url: str) -> str | None:
        """A data: URL for an image of the page (archived, or already data:)."""
        url = url.strip()
        if _DATA_IMAGE.match(url):
            return url
        found = self._fetch(url, IMAGE_TYPES)
        if found is None:
            return None
        self.stats.images += 1
        return f"data:{found[0]};base64,{base64.b64encode(found[1]).decode('ascii')}"

    def css(self, text: str) -> str:
        """Style text without anything that loads: imports, fetching functions and every
        url() that is not an image of the archive; escapes and comments out first, so that
        nothing is hidden from these rules."""
        text = _CSS_COMMENT.sub("", text.replace("\\", ""))
        text = _CSS_IMPORT.sub("", text)
        text = _CSS_FETCHING.sub("none-(", text)

        def url(match: re.Match[str]) -> str:
            data = self._image(match.group(2))
            if data is None:
                self.stats.removed += 1
                return "none"
            return f'url("{data}")'

        return _CSS_URL.sub(url, text).replace("<", "")

    # the parser ------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.skip:
            if tag == self.skip[-1] and not closed and tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _DROP:
            self.stats.removed += 1
            if not closed and tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _DROP_VOID or not _NAME.match(tag):
            self.stats.removed += 1
            if tag == "base":
                href = dict(attrs).get("href")
                absolute = self._absolute(href or "")
                if absolute:  # links of the page were read against it when captured
                    self.base = absolute
            elif tag == "link":
                self._stylesheet(attrs)
            return
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta" and ("http-equiv" in values or "charset" in values):
            self.stats.removed += 1
            return
        kept: list[tuple[str, str]] = []
        for name, value in attrs:
            name = name.lower()
            if not _NAME.match(name) or name.startswith("on") or name in _URL_ATTRS:
                continue
            if name == "style":
                value = self.css(value or "")
            kept.append((name, value or ""))
        dropped = len(attrs) - len(kept)
        if tag in ("img", "image") or (tag == "input" and values.get("type") == "image"):
            kept.extend(self._img(values))
        if tag == "a" and "href" in values:
            # a link keeps its text and shows where it went (a web address); it goes nowhere
            target = self._absolute(values["href"])
            if target is not None:
                dropped -= 1
                kept.append(("title", target[:500]))
            kept.append(("data-archived-link", ""))
        self.stats.removed += max(dropped, 0)
        text = "".join(f' {n}="{escape(v, quote=True)}"' for n, v in kept)
        self.out.append(f"<{tag}{text}{' /' if closed else ''}>")
        if tag == "style" and not closed:
            self.in_style += 1

    def _img(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """The src of an image: its own, else the first of its srcset, from the archive."""
        candidates = [values.get("src", ""), values.get("href", ""),
                      values.get("xlink:href", "")]
        for part in values.get("srcset", "").split(","):
            candidates.append(part.strip().split(" ")[0])
        for url in candidates:
            if url and (data := self._image(url)) is not None:
                return [("src" if "src" in values or "srcset" in values else "href", data)]
        if any(candidates):
            self.stats.missing += 1
        return []

    def _stylesheet(self, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if "stylesheet" not in values.get("rel", "").lower().split():
            return
        found = self._fetch(values.get("href", ""), frozenset({"text/css"}))
        if found is not None:
            text = found[1][:MAX_INLINE].decode("utf-8", "replace")
            self.out.append(f"<style>{self.css(text)}</style>")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in _DROP or tag in _DROP_VOID or tag in _VOID or not _NAME.match(tag):
            return
        if tag == "style" and self.in_style:
            self.in_style -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.out.append(self.css(data) if self.in_style else escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        pass  # comments (and conditional comments) are not shown

    def handle_decl(self, decl: str) -> None:
        pass  # one doctype is written first

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass  # CDATA sections


def safe_page(html: str, page_url: str, resource: Resource) -> SafePage:
    """``html`` (captured from ``page_url``) rewritten so that it runs nothing and needs
    no request: see the module's description."""
    rewriter = _Rewriter(page_url, resource)
    try:
        rewriter.feed(html[:MAX_HTML])
        rewriter.close()
    except (AssertionError, ValueError, RecursionError):  # the parser gave up: stop there
        pass
    page = rewriter.stats
    page.html = "<!DOCTYPE html>\n" + "".join(rewriter.out)
    return page


def page_html(record: Record) -> str:
    """The text of a captured HTML page (charset of its header, then of its meta tag)."""
    return decode_html(record.payload, record.content_type)


def archive_resources(path: Path, limit: int = 200) -> Resource:
    """``resource(url)`` over the WARC file ``path``: a page's images and style sheets
    from the same archive (at most ``limit`` looked up per page)."""
    entries = index(path)
    asked = [0]

    def resource(url: str) -> tuple[str, bytes] | None:
        asked[0] += 1
        if asked[0] > limit:
            return None
        for entry in entries.get(url, []):
            record = _read_at(path, entry)
            if record is not None and record.status == 200 and not record.truncated \
                    and record.digest_matches() is not False:
                return record.mime, record.payload
        return None

    return resource
