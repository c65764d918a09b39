"""Links, images and text of an HTML page, read leniently (broken HTML is normal)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
#: Query parameters that number the pages of a listing.
PAGE_PARAMS = {"page", "p", "pg", "pagenum", "pagenumber", "start", "offset", "from", "skip",
               "lapa", "sivu", "lk", "leht", "str", "strana", "stranica", "pagina"}
#: A page number in a path: ``page-3.html``, ``/page/3/``, ``/p3``, ``lapa-2``.
PATH_PAGE = re.compile(r"(?:^|[/_.-])(?:page|p|pg|lapa|sivu|leht|strana|stranica|pagina)"
                       r"[-_/=]?(\d{1,6})(?=$|[/_.-])", re.I)


class PageLinks(NamedTuple):
    """What a page links to: pages, images, and the pages that continue its listing."""

    links: list[str]
    images: list[str]
    paging: list[str]


def normalise_url(url: str) -> str | None:
    """``url`` without fragment, with lower-case scheme and host and no default port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def decode_html(body: bytes, content_type: str | None) -> str:
    """Text of an HTML body: charset of the header, then of a meta tag, then UTF-8."""
    candidates: list[str] = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'"))
    meta = META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for charset in [*candidates, "utf-8"]:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[str] = []
        self.paging: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v for k, v in attrs if v}
        if tag in ("a", "link") and "href" in values:
            rel = set((values.get("rel") or "").lower().split())
            if rel & {"next", "prev", "previous"}:
                self.paging.append(values["href"])
            if tag == "a" or rel & {"next", "prev", "previous"}:
                self.links.append(values["href"])
        elif tag == "img" and "src" in values:
            self.images.append(values["src"])
        elif tag == "base" and "href" in values and self.base is None:
            self.base = values["href"]


def same_listing(url: str, other: str) -> bool:
    """Whether ``other`` is another page of the listing ``url`` is a page of: the same path
    and query but for one page number (``?page=3``, ``page-3.html``, ``/page/3/``)."""
    a, b = urlsplit(url), urlsplit(other)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        return False
    if a.path == b.path:
        qa, qb = dict(parse_qsl(a.query)), dict(parse_qsl(b.query))
        changed = [k for k in qa.keys() | qb.keys() if qa.get(k) != qb.get(k)]
        if len(changed) != 1 or changed[0].lower() not in PAGE_PARAMS:
            return False
        key = changed[0]  # a missing page number is the first page
        return qa.get(key, "1").isdigit() and qb.get(key, "1").isdigit()
    if a.query != b.query:
        return False
    pa, pb = PATH_PAGE.sub("#", a.path), PATH_PAGE.sub("#", b.path)
    return pa == pb and "#" in pa


def read_page(url: str, html: str) -> PageLinks:
    """A page's links and images as absolute normalised URLs, in page order, no repeats;
    ``paging``: those that lead to another page of the same listing (``rel="next"`` or
    ``"prev"``, or the same URL with another page number)."""
    parser = _Collector()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # very broken markup: keep what was read
        pass
    base = urljoin(url, parser.base) if parser.base else url

    def absolute(refs: list[str]) -> list[str]:
        out: dict[str, None] = {}
        for ref in refs:
            full = normalise_url(urljoin(base, ref))
            if full:
                out[full] = None
        return list(out)

    links = absolute(parser.links)
    here = normalise_url(url) or url
    marked = set(absolute(parser.paging))
    paging = [link for link in links if link != here and (link in marked
                                                           or same_listing(here, link))]
    return PageLinks(links, absolute(parser.images), paging)


def page_links(url: str, html: str) -> tuple[list[str], list[str]]:
    """(links, images) of a page as absolute normalised URLs, in page order, no repeats."""
    found = read_page(url, html)
    return found.links, found.images
