"""Serve a simulated ad site on this machine, as its web server would.

The files of a site (``ads/sites/<domain>/`` of a world) are static; its ``site.json`` says
what the server adds (:mod:`veriga.simulate.writers.sites`): the charset in the HTTP header,
listing pages by query (``list/?page=N``, an empty page with a "next" link past the last),
and the endless calendar of ads by day. Run::

    python -m veriga.simulate.siteserver WORLD/ads/sites/jobs-abroad.example --port 8014

and crawl it with ``veriga osint crawl http://jobs-abroad.example:8014/ --resolve
jobs-abroad.example=127.0.0.1 --allow-private``; the host name makes the sitemaps' URLs
(``https://<domain>/...``) part of the crawl.
"""

from __future__ import annotations

import argparse
import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

from veriga.simulate.writers.sites import CONFIG, CSS, SiteStyle, listing_html, meta

#: Listing pages past the last that still answer (an empty page): more is a 404.
MAX_EMPTY_PAGES = 10_000


def load_style(root: Path) -> tuple[SiteStyle, dict[str, Any]]:
    """The style of the site in ``root`` and its whole ``site.json`` (defaults without one)."""
    path = root / CONFIG
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    fields = set(SiteStyle.__dataclass_fields__)
    return SiteStyle(**{k: v for k, v in data.items() if k in fields}), data


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files of one site plus what its ``site.json`` asks for."""

    style: ClassVar[SiteStyle] = SiteStyle()
    config: ClassVar[dict[str, Any]] = {}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature
        pass

    def guess_type(self, path: str | Any) -> str:
        ctype = super().guess_type(path)
        if ctype == "text/html" and self.style.declared == "header":
            return f"text/html; charset={self.style.charset}"
        return ctype

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path, _, query = self.path.partition("?")
        params = parse_qs(query)
        if self.style.listing == "query" and path == "/list/":
            return self._listing(params)
        if self.style.calendar and path == "/calendar":
            return self._calendar(params)
        return super().do_GET()

    def _listing(self, params: dict[str, list[str]]) -> None:
        try:
            page = int(params.get("page", ["1"])[0])
        except ValueError:
            page = 0
        if page < 1 or page > int(self.config.get("pages", 0)) + MAX_EMPTY_PAGES:
            return self.send_error(404)
        file = Path(self.directory) / "list" / f"page-{page}.html"
        if file.is_file():
            return self.send_body(200, self.guess_type(str(file)), file.read_bytes())
        html = listing_html(str(self.config.get("title", "")), self.style, page, [])
        return self.send_html(html)

    def _calendar(self, params: dict[str, list[str]]) -> None:
        try:
            day = date.fromisoformat(params.get("day", [""])[0])
        except ValueError:
            return self.send_error(404)
        prev, nxt = day - timedelta(days=1), day + timedelta(days=1)
        month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        title = escape(str(self.config.get("title", "")))
        html = (f"<!DOCTYPE html>\n<html><head>{meta(self.style)}<title>{title} - {day}"
                f"</title><style>{CSS}</style></head><body>\n<h1>Ads of {day:%d.%m.%Y}</h1>\n"
                f'<nav><a href="calendar?day={prev}">previous day</a> '
                f'<a href="calendar?day={nxt}">next day</a> '
                f'<a href="calendar?day={month}">next month</a></nav>\n</body></html>\n')
        return self.send_html(html)

    def send_html(self, html: str) -> None:
        body = html.encode(self.style.charset, "xmlcharrefreplace")
        ctype = ("text/html" if self.style.declared != "header"
                 else f"text/html; charset={self.style.charset}")
        self.send_body(200, ctype, body)

    def send_body(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def handler_for(root: Path, base: type[SiteHandler] = SiteHandler) -> Any:
    """A request handler class serving the site in ``root`` (``base`` or a subclass of it)."""
    style, config = load_style(root)
    cls = type("Site", (base,), {"style": style, "config": config})
    return functools.partial(cls, directory=str(root))


@contextmanager
def serving(root: Path, host: str = "127.0.0.1", port: int = 0,
            base: type[SiteHandler] = SiteHandler) -> Iterator[ThreadingHTTPServer]:
    """Serve the site in ``root`` in a background thread while the block runs."""
    server = ThreadingHTTPServer((host, port), handler_for(root, base))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a simulated ad site.")
    parser.add_argument("root", type=Path, help="the site's folder: WORLD/ads/sites/DOMAIN")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8014)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(args.root))
    print(f"serving {args.root} on http://{args.host}:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
