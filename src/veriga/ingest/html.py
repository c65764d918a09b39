"""Import saved web pages: one page (as a browser or SingleFile saves it), an MHTML file
("Webpage, Single File"), or a zip of saved pages (a wget mirror, a folder of pages).

An ad page that marks its ad (``data-ad-id``, as the simulated sites and many classifieds
do) gives its fields the way the crawler's WARC import reads them, so both agree on entity
ids; a saved page that does not becomes an ``Advertisement`` of its title and visible text.
In a zip, only pages that mark an ad are taken (the others are listings and navigation), and
images become ``Image`` entities with their SHA-256 after a look at their header (no image,
or a decompression bomb: rejected). The URL and time of saving come from the marks browsers
and tools leave (``<!-- saved from url=... -->``, SingleFile's comment, MHTML headers, the
canonical link); the site of a page in a zip also from a wget mirror's ``host/path`` layout.

Pages are parsed with the standard library's tolerant parser (no scripts, no network, no
entities beyond HTML's own); each page is at most :data:`MAX_PAGE` bytes, a zip is checked
for its total unpacked size and number of parts before anything is read from it.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from veriga.ingest.base import Draft, ImportContext, Importer, Item
from veriga.ingest.guards import MAX_ZIP_PARTS, check_zip
from veriga.ingest.limits import size
from veriga.ingest.warc import AdHook, _default_hook, ad_entity_id
from veriga.osint.adpage import read_ad_page
from veriga.osint.imagecheck import image_problem
from veriga.osint.links import META_CHARSET, decode_html, normalise_url
from veriga.osint.photos import PhotoRejected, hash_image

#: Bytes of one page (or image) read; a larger one is rejected.
MAX_PAGE = 8 * 1024 * 1024
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
IMAGE_SUFFIXES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                  ".gif": "image/gif", ".webp": "image/webp", ".bmp": "image/bmp"}
SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
SINGLEFILE = re.compile(rb"Page saved with SingleFile\s+url:\s*(\S+)\s+saved date:\s*([^\n]+)",
                        re.I)
MHTML_HEAD = re.compile(rb"^(?:[\w-]+:[^\n]*\n|[ \t][^\n]*\n)*?content-type:\s*multipart/related",
                        re.I | re.M)


def _saved_date(text: str) -> str | None:
    """ISO time of SingleFile's "saved date" (``Thu Dec 04 2026 10:00:00 GMT+0200 (...)``)."""
    match = re.match(r"\w{3} (\w{3} \d{1,2} \d{4} \d\d:\d\d:\d\d) GMT([+-]\d{4})", text.strip())
    if not match:
        return None
    try:
        when = datetime.strptime(f"{match.group(1)} {match.group(2)}", "%b %d %Y %H:%M:%S %z")
    except ValueError:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class _Head(HTMLParser):
    """Title, canonical URL and description of a page, and its first heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.h1: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key and values.get("content") and key not in self.meta:
                self.meta[key] = values["content"]
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.meta.setdefault("canonical", values.get("href", ""))
        elif tag in ("title", "h1") and not (self.title if tag == "title" else self.h1):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title.append(data)
        elif self._in == "h1":
            self.h1.append(data)


class HTMLImporter(Importer):
    name = "veriga.ingest.html"
    version = "1"
    format = "html"
    media_type = "text/html"
    reads_whole = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
        if start[:1] == b"<" and (SINGLEFILE.search(head) or SAVED_FROM.search(start[:1024])):
            return 85
        if start[:2] != b"PK" and MHTML_HEAD.match(start.replace(b"\r\n", b"\n")) \
                and b"snapshot-content-location" in start.lower():
            return 85
        if head.startswith(b"PK\x03\x04") and path.suffix.lower() == ".zip":
            return 60 if _zip_of_pages(path) else 0
        # A page without the marks of saving (e.g. one of a site's files) is imported only
        # with --format html: a site's folder is for the crawler.
        return 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        hook: AdHook | None = ctx.options.get("ad_hook") or _default_hook()
        most = min(MAX_PAGE, ctx.limits.max_read_bytes)
        with ctx.path.open("rb") as fh:
            head = fh.read(4)
        if head.startswith(b"PK"):
            yield from self._zip(ctx, hook, most)
            return
        data = ctx.path.read_bytes()  # at most max_read_bytes (reads_whole)
        start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096].replace(b"\r\n", b"\n")
        if MHTML_HEAD.match(start):
            draft = self._mhtml(ctx, data, hook, most)
        elif len(data) > most:
            raise ctx.fail(None, f"page larger than {size(most)}; refused")
        else:
            draft = self._page(ctx, "page", data, None, None, hook, single=True)
        if draft is not None:
            yield draft
        ctx.progress(len(data))

    # -- one page ----------------------------------------------------------------------------

    def _page(self, ctx: ImportContext, loc: str, data: bytes, url: str | None,
              saved: str | None, hook: AdHook | None, single: bool,
              ctype: str | None = None, name: str | None = None,
              host: str | None = None,
              photos: dict[str, tuple[Draft, str | None]] | None = None) -> Draft | None:
        """The ad of one page; ``host``: the site when the page's URL is not known;
        ``photos``: the images of a zip by name (its photo and perceptual hash), linked to
        the ads whose pages show them."""
        if b"\x00" in data[:4096] or b"<" not in data[:65536]:
            ctx.reject(loc, None, None, "not an HTML page (no markup, or binary); skipped")
            return None
        mark = SINGLEFILE.search(data[:65536])
        if mark:
            url = url or mark.group(1).decode("utf-8", "replace")
            saved = saved or _saved_date(mark.group(2).decode("utf-8", "replace"))
        elif (found := SAVED_FROM.search(data[:4096])) is not None:
            url = url or found.group(1).decode("utf-8", "replace")
        encoding = ctx.options.get("encoding")
        if encoding and not ctype:  # --encoding: pages whose server named the charset
            ctype = f"text/html; charset={encoding}"
        if not ctype and not META_CHARSET.search(data[:4096]):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                ctx.reject(loc, "encoding", None, f"names no charset and is not UTF-8 (byte "
                           f"{exc.start}): read as UTF-8 with replacement characters; give "
                           "its charset with --encoding")
        try:
            html = decode_html(data.removeprefix(b"\xef\xbb\xbf"), ctype)
            head = _Head()
            head.feed(html)
            head.close()
        except (ValueError, LookupError, RecursionError, AssertionError) as exc:
            ctx.reject(loc, "html", None, f"page could not be read: {exc}")
            return None
        url = url or head.meta.get("canonical") or head.meta.get("og:url")
        url = normalise_url(url) if url else None
        ad, images = read_ad_page(url or "", html)
        if ad is not None:
            site = ad["site"] or host or str(ctx.options.get("site") or "").lower()
            if site:
                ad["site"] = site
                entity_id = ad_entity_id(site, ad["adId"])
            else:  # the site is not known: the ad id alone could be another site's
                del ad["site"]
                entity_id = "ad-" + hashlib.sha1(
                    f"page:{hashlib.sha256(data).hexdigest()}".encode()).hexdigest()[:20]
            draft = Draft("Advertisement", entity_id, loc)
            for prop, value in ad.items():
                draft.add(prop, value)
            for src in images if photos else ():
                shown = (photos or {}).get(_zip_name(name or "", src))
                if shown is not None:
                    shown[0].add("shownIn", entity_id)
                    if shown[1]:
                        draft.add("imageHash", shown[1])
        elif single:
            title = head.meta.get("og:title") or "".join(head.title) or "".join(head.h1)
            title = " ".join(title.split())
            text = _visible_text(html)
            if not title and not text:
                ctx.reject(loc, None, None, "page holds no title and no text")
                return None
            key = url or hashlib.sha256(data).hexdigest()
            draft = Draft("Advertisement",
                          "ad-" + hashlib.sha1(f"page:{key}".encode()).hexdigest()[:20], loc)
            draft.add("title", title[:1000])
            if len(text) > ctx.limits.max_value_chars:
                ctx.reject(loc, "bodyText", text[:80], f"text of {len(text):,} characters, over "
                           f"max_value_chars ({ctx.limits.max_value_chars:,}); left out")
            else:
                draft.add("bodyText", text)
            if url:
                draft.add("site", (urlsplit(url).hostname or "").lower())
        else:
            return None
        if hook is not None:
            hook(draft, html)
        draft.add("sourceUrl", url)
        draft.add("retrievedAt", saved)
        draft.add("contentHash", hashlib.sha256(data).hexdigest())
        draft.add("mimeType", "text/html")
        draft.add("fileName", name or ctx.file_name)
        draft.add("fileSize", len(data))
        return draft

    # -- MHTML -------------------------------------------------------------------------------

    def _mhtml(self, ctx: ImportContext, data: bytes, hook: AdHook | None,
               most: int) -> Draft | None:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        if not isinstance(msg, EmailMessage) or not msg.is_multipart():
            raise ctx.fail(None, "MHTML file without parts; refused")
        saved = None
        try:
            date = msg["Date"]
            saved = parsedate_to_datetime(str(date)).astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%S") if date else None
        except (TypeError, ValueError, IndexError):
            ctx.reject("headers", "Date", msg.get("Date"), "not a date; left out")
        for n, part in enumerate(msg.walk(), start=1):
            if part.get_content_type() != "text/html":
                continue
            try:
                body = part.get_payload(decode=True)
            except (ValueError, LookupError) as exc:
                ctx.reject(f"part {n}", "html", None, f"part could not be decoded: {exc}")
                return None
            if not isinstance(body, bytes):
                continue
            if len(body) > most:
                raise ctx.fail(f"part {n}", f"page larger than {size(most)}; refused")
            url = str(part.get("Content-Location") or msg.get("Snapshot-Content-Location")
                      or "") or None
            charset = part.get_content_charset()
            ctype = f"text/html; charset={charset}" if charset else None
            return self._page(ctx, f"part {n}", body, url, saved, hook, single=True,
                              ctype=ctype)
        raise ctx.fail(None, "MHTML file holds no HTML page; refused")

    # -- a zip of pages ----------------------------------------------------------------------

    def _zip(self, ctx: ImportContext, hook: AdHook | None, most: int) -> Iterator[Item]:
        check_zip(ctx.file_name, ctx.path, ctx.limits)
        try:
            zf = zipfile.ZipFile(ctx.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ctx.fail(None, f"not a readable zip file: {exc}") from None
        done = 0
        photos: dict[str, tuple[Draft, str | None]] = {}
        with zf:  # images first, so that the ads of the pages can be linked to them
            for info in sorted(zf.infolist(), key=lambda i: PurePosixPath(
                    i.filename).suffix.lower() not in IMAGE_SUFFIXES):
                if info.is_dir():
                    continue
                name = info.filename
                loc = name if name.isprintable() else repr(name)
                suffix = PurePosixPath(name).suffix.lower()
                if suffix not in PAGE_SUFFIXES and suffix not in IMAGE_SUFFIXES:
                    continue
                if info.file_size > most:
                    ctx.reject(loc, None, None, f"part larger than {size(most)}; skipped")
                    continue
                try:
                    with zf.open(info) as fh:
                        data = fh.read(most + 1)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                    ctx.reject(loc, None, None, f"part could not be unpacked: {exc}")
                    continue
                done += info.compress_size
                ctx.progress(done)
                host = _mirror_host(name)
                if suffix in IMAGE_SUFFIXES:
                    draft = self._image(ctx, loc, data, host, IMAGE_SUFFIXES[suffix], name)
                    if draft is not None:
                        key = next((v for k, v in draft.values if k == "perceptualHash"), None)
                        photos[name] = (draft, str(key) if key else None)
                    continue
                draft = self._page(ctx, loc, data, None, None, hook, single=False,
                                   name=name, host=host, photos=photos)
                if draft is not None:
                    yield draft
        yield from (draft for draft, _ in photos.values())

    def _image(self, ctx: ImportContext, loc: str, data: bytes, host: str | None, mime: str,
               name: str) -> Draft | None:
        problem = image_problem(data)
        if problem:
            ctx.reject(loc, "image", None, f"{problem}; skipped")
            return None
        sha = hashlib.sha256(data).hexdigest()
        draft = Draft("Photo", "img-" + hashlib.sha1(f"{host}/{name}:{sha}".encode()
                                                     ).hexdigest()[:20], loc)
        try:
            draft.add("perceptualHash", hash_image(data).key())
        except PhotoRejected as exc:
            draft.add("processingError", f"no perceptual hash: {exc.reason}")
        draft.add("fileName", PurePosixPath(name).name)
        draft.add("contentHash", sha)
        draft.add("mimeType", mime)
        draft.add("fileSize", len(data))
        return draft


def _zip_of_pages(path: Path) -> bool:
    """Whether the zip ``path`` holds HTML pages (and is no office document)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return "[Content_Types].xml" not in names and any(
        n.lower().endswith(PAGE_SUFFIXES) for n in names[:MAX_ZIP_PARTS])


def _zip_name(page: str, src: str) -> str:
    """The name in a zipped mirror of an image a page there shows: a relative ``src``
    from the page's folder, an absolute URL as wget stores it (host/path)."""
    src = src.split("#")[0].split("?")[0]
    parts = urlsplit(src)
    if parts.scheme in ("http", "https") and parts.netloc:
        return posixpath.normpath(f"{parts.netloc}{parts.path}")
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), src))


def _mirror_host(name: str) -> str | None:
    """The host of a file of a wget mirror (``host/path``; the scheme is not saved), or
    ``None`` when the first folder is no host name."""
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or not re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?", parts[0]):
        return None
    return parts[0].split(":")[0].lower()


def _visible_text(html: str) -> str:
    from veriga.osint.extract.html import html_text

    return html_text(html)
