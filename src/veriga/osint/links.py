"""Links, images and text of an HTML page, read leniently (broken HTML is normal)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


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
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v for k, v in attrs if v}
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        elif tag == "img" and "src" in values:
            self.images.append(values["src"])
        elif tag == "base" and "href" in values and self.base is None:
            self.base = values["href"]


def page_links(url: str, html: str) -> tuple[list[str], list[str]]:
    """(links, images) of a page as absolute normalised URLs, in page order, no repeats."""
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

    return absolute(parser.links), absolute(parser.images)
