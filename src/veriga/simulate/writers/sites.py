"""The simulated ad sites: front page, listing pages, robots.txt, sitemaps, each site in the
style of a real one.

Real ad sites are not all tidy. Each site has a :class:`SiteStyle`:

* its **charset**: legacy sites still serve windows-1251 (Cyrillic) or windows-1257 (Baltic);
  a character the charset lacks is written as an HTML character reference, as browsers post
  it to such sites. The charset is declared in a ``<meta charset>`` tag or only in the HTTP
  ``Content-Type`` header (then ``site.json`` tells :mod:`veriga.simulate.siteserver`);
* its **listings**: static ``list/page-N.html`` all linked from the front page, or a query
  page ``list/?page=N`` reachable only through "next" links, with no sitemap, where pages
  past the last answer an empty listing with a "next" link again (as many sites do);
* an endless **calendar** of ads by day (``calendar?day=YYYY-MM-DD``, served by the
  site server): a crawler trap.

Sitemaps list absolute ``https://<domain>/`` URLs, as real sitemaps do.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path

SITEMAP_MAX = 50_000
CSS = ("body{font-family:sans-serif;max-width:760px;margin:auto}"
       ".ad{border-bottom:1px solid #ccc;padding:6px}img{margin:2px}")
#: The site server's configuration, beside the site's files.
CONFIG = "site.json"


@dataclass(frozen=True)
class SiteStyle:
    """How one site is built and served."""

    charset: str = "utf-8"
    declared: str = "meta"  # "meta": <meta charset> in each page; "header": HTTP header only
    listing: str = "pages"  # "pages": list/page-N.html; "query": list/?page=N by "next" only
    per_page: int = 50
    sitemap: bool = True
    calendar: bool = False  # an endless "ads by day" calendar (a crawler trap)


#: The styles of the simulated sites; any other domain gets the default (UTF-8, sitemaps).
STYLES = {
    # An escort board of the Baltics: Baltic charset named only by the server, a sitemap,
    # static listings and an endless calendar of ads by day.
    "nightlist.example": SiteStyle(charset="windows-1257", declared="header", calendar=True),
    # A job board for workers from the East: Cyrillic charset in a meta tag, ten jobs a
    # page, no sitemap: every job is reached through "next" links only.
    "jobs-abroad.example": SiteStyle(charset="windows-1251", listing="query", per_page=10,
                                     sitemap=False),
}


def listing_url(style: SiteStyle, page: int) -> str:
    """The path of listing page ``page`` (from 1) relative to the site root."""
    return f"list/?page={page}" if style.listing == "query" else f"list/page-{page}.html"


def listing_html(site_title: str, style: SiteStyle, page: int,
                 items: list[tuple[str, str, str]]) -> str:
    """A listing page: its ads (id, title, city) and prev/next links (a "next" link on the
    last page too, and on the empty pages after it, as sloppy sites do)."""
    rows = "\n".join(f'<li class="ad"><a href="../ad/{a}.html">{escape(t)}</a> '
                     f"<span>{escape(c)}</span></li>" for a, t, c in items)
    if style.listing == "query":
        prev = f'<a rel="prev" href="?page={page - 1}">prev</a> ' if page > 1 else ""
        nxt = f'<a rel="next" href="?page={page + 1}">next</a>'
    else:
        prev = f'<a href="page-{page - 1}.html">prev</a> ' if page > 1 else ""
        nxt = f'<a href="page-{page + 1}.html">next</a>'
    body = f"<ul>\n{rows}\n</ul>" if items else "<p>No more ads.</p>"
    return (f"<!DOCTYPE html>\n<html><head>{meta(style)}<title>{escape(site_title)} "
            f"- page {page}</title><style>{CSS}</style></head><body>\n<h1>"
            f"{escape(site_title)}</h1>\n{body}\n<nav>{prev}{nxt}</nav>\n</body></html>\n")


def meta(style: SiteStyle) -> str:
    """The charset tag of a page head (none when only the server names the charset)."""
    return f'<meta charset="{style.charset}">' if style.declared == "meta" else ""


class Site:
    """One static site written while ads stream in."""

    def __init__(self, root: Path, domain: str, title: str,
                 style: SiteStyle | None = None) -> None:
        self.root, self.domain, self.title = root, domain, title
        self.style = style or STYLES.get(domain, SiteStyle())
        for sub in ("ad", "img", "list"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self.count = 0
        self._page: list[tuple[str, str, str]] = []
        self.pages = 0
        self._sitemap: list[str] = []
        self.sitemaps = 0
        self.first_day = ""
        self.prefix = "".join(w[0] for w in domain.split(".")[0].split("-")).upper()[:2] or "AD"

    @property
    def meta(self) -> str:
        return meta(self.style)

    def url(self, rel: str) -> str:
        return f"https://{self.domain}/{rel}"

    def write_page(self, rel: str, html: str) -> None:
        """Write an HTML page in the site's charset (characters it lacks as references)."""
        (self.root / rel).write_bytes(html.encode(self.style.charset, "xmlcharrefreplace"))

    def add(self, ad_id: str, title: str, city: str, lastmod: str) -> None:
        self.first_day = self.first_day or lastmod
        self._page.append((ad_id, title, city))
        if self.style.sitemap:
            self._sitemap.append(f"<url><loc>{self.url(f'ad/{ad_id}.html')}</loc>"
                                 f"<lastmod>{lastmod}</lastmod></url>")
        if len(self._page) == self.style.per_page:
            self._flush_page()
        if len(self._sitemap) == SITEMAP_MAX:
            self._flush_sitemap()

    def _flush_page(self) -> None:
        if not self._page:
            return
        self.pages += 1
        self.write_page(f"list/page-{self.pages}.html",
                        listing_html(self.title, self.style, self.pages, self._page))
        self._page = []

    def _flush_sitemap(self) -> None:
        if not self._sitemap:
            return
        self.sitemaps += 1
        (self.root / f"sitemap-{self.sitemaps}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
            'schemas/sitemap/0.9">\n' + "\n".join(self._sitemap) + "\n</urlset>\n",
            encoding="utf-8")
        self._sitemap = []

    def close(self) -> None:
        style = self.style
        self._flush_page()
        self._flush_sitemap()
        if style.listing == "query":
            links = f'<li><a href="{listing_url(style, 1)}">latest ads</a></li>'
        else:
            links = "\n".join(f'<li><a href="{listing_url(style, i)}">page {i}</a></li>'
                              for i in range(1, self.pages + 1))
        if style.calendar and self.first_day:
            links += f'\n<li><a href="calendar?day={self.first_day}">ads by day</a></li>'
        self.write_page("index.html",
                        f"<!DOCTYPE html>\n<html><head>{self.meta}<title>{escape(self.title)}"
                        f"</title><style>{CSS}</style></head><body>\n<h1>{escape(self.title)}"
                        f"</h1>\n<p>{self.count} ads</p>\n<ul>\n{links}\n</ul>\n</body></html>\n")
        sitemap_line = f"Sitemap: {self.url('sitemap.xml')}\n" if style.sitemap else ""
        (self.root / "robots.txt").write_text(
            f"User-agent: *\nAllow: /\nDisallow: /admin/\n{sitemap_line}", encoding="utf-8")
        if style.sitemap:
            maps = "\n".join(f"<sitemap><loc>{self.url(f'sitemap-{i}.xml')}</loc></sitemap>"
                             for i in range(1, self.sitemaps + 1))
            (self.root / "sitemap.xml").write_text(
                '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.'
                f'sitemaps.org/schemas/sitemap/0.9">\n{maps}\n</sitemapindex>\n',
                encoding="utf-8")
        (self.root / CONFIG).write_text(json.dumps(
            {"domain": self.domain, "title": self.title, "pages": self.pages,
             **asdict(style)}, indent=1) + "\n", encoding="utf-8")
