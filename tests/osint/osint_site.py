"""A simulated ad site served on localhost (:mod:`veriga.simulate.siteserver`), with traps and
bad pages added for the tests."""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from veriga.simulate.siteserver import SiteHandler, serving

EXTRA_LINKS = ('<p><a href="/trap/calendar?date=2026-01-01">calendar</a> '
               '<a href="/list/page-1.html?sid=0a1b2c3d">session</a> '
               '<a href="/huge.html">huge</a> <a href="/loop-a">loop</a> '
               '<a href="/admin/secret.html">admin</a></p>')
#: Bad input for the crawler: broken markup in an unknown charset, a page in another charset
#: than it says, endless redirects, a text served as an image, a decompression bomb.
BAD_LINKS = ('<p><a href="/broken.html">broken</a> <a href="/wrong-charset.html">wrong</a> '
             '<a href="/redirect/1">endless redirects</a> '
             '<img src="/bad/not-an-image.png"> <img src="/bad/bomb.png"></p>')


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header declaring ``width`` x ``height`` pixels, in under 100 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


class Handler(SiteHandler):
    hits: Counter[str]
    huge_bytes: int = 3 * 1024 * 1024

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.hits[self.path] += 1
        path, _, query = self.path.partition("?")
        if path == "/trap/calendar":
            day = int(query.rsplit("-", 1)[-1]) if query else 1
            month = 1 + (day // 28)
            nxt = f"2026-{month:02d}-{day % 28 + 1:02d}"
            return self._send(200, "text/html",
                              f'<html><body><a href="/trap/calendar?date={nxt}">next</a>'
                              "</body></html>".encode())
        if path == "/huge.html":
            return self._send(200, "text/html", b"<html><body>" + b"x" * self.huge_bytes)
        if path in ("/loop-a", "/loop-b"):
            self.send_response(302)
            self.send_header("Location", "/loop-b" if path == "/loop-a" else "/loop-a")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path.startswith("/redirect/"):  # a new address each time, never an end
            self.send_response(302)
            self.send_header("Location", f"/redirect/{int(path.rsplit('/', 1)[1] or 0) + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/redirect-private":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/metadata")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/bad/not-an-image.png":
            return self._send(200, "image/png", b"<html><body>not a picture</body></html>")
        if path == "/bad/bomb.png":
            return self._send(200, "image/png", png_bomb())
        if path == "/wrong-charset.html":  # says windows-1251, is UTF-8, links the front page
            return self._send(200, "text/html; charset=windows-1251",
                              '<p>Привет <a href="/index.html">home</a></p>'.encode())
        if path == "/broken.html":
            return self._send(200, "text/html; charset=no-such-charset",
                              b"<html><body><a href='/ad/'\xff\xfe<<<div <p")
        return super().do_GET()

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_body(status, ctype, body)


def add_traps(root: Path, links: str = EXTRA_LINKS) -> None:
    """Link the traps and bad pages (``links``) from the site's home page."""
    index = root / "index.html"
    index.write_bytes(index.read_bytes().replace(b"</body>", links.encode() + b"</body>"))
    (root / "admin").mkdir(exist_ok=True)
    (root / "admin" / "secret.html").write_text("<html>secret</html>", encoding="utf-8")


@contextmanager
def serve(root: Path) -> Iterator[tuple[int, Counter[str]]]:
    """Serve ``root`` on 127.0.0.1; yields (port, hits per request path)."""
    hits: Counter[str] = Counter()
    handler = type("SiteHandler", (Handler,), {"hits": hits})
    with serving(root, base=handler) as server:
        yield server.server_address[1], hits
