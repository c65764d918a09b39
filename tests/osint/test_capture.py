"""A captured page read back from its WARC record and made safe: nothing that runs or loads
survives, the text and the archived images do; records are found by URL and digest, and an
altered or damaged archive is told apart."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

from veriga.osint.archive import WarcArchive
from veriga.osint.capture import archive_resources, index, page_html, read_record, safe_page
from veriga.osint.fetch import Exchange

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
HOSTILE = """<html><head><meta http-equiv="refresh" content="0;url=https://out.invalid/r">
<meta charset="windows-1257"><base href="http://site.example/x/">
<link rel="stylesheet" href="https://out.invalid/s.css"><link rel="stylesheet" href="/site.css">
<style>@import "https://out.invalid/i.css"; p { background: url(https://out.invalid/b.png) }
.e { background: u\\72l(https://out.invalid/e.png); b: image-set("https://out.invalid/s.png" 1x) }
</style><script>fetch("https://out.invalid/s")</script></head>
<body onload="go()"><h1 style="background-image:url('/photo.png')">Ana, 19</h1>
<img src="/photo.png" srcset="https://out.invalid/a.png 2x">
<img src="https://out.invalid/t.gif"><picture><source srcset="https://out.invalid/p.webp"></picture>
<a href="https://out.invalid/l" onclick="x()">more</a><a href="javascript:alert(1)">js</a>
<form action="https://out.invalid/f"><button formaction="https://out.invalid/g">go</button></form>
<svg><script>alert(1)</script><image href="https://out.invalid/i.png"/><use href="https://out.invalid/u#x"/>
<set attributeName="href" to="https://out.invalid/set"/></svg>
<iframe src="https://out.invalid/if">inside</iframe><object data="https://out.invalid/o"></object>
<embed src="https://out.invalid/em"><video poster="https://out.invalid/v.png"></video>
<!-- a comment <img src=https://out.invalid/c.png> --><p>Price 100 EUR &amp; more</p>
<noscript><img src="https://out.invalid/ns.gif"></noscript></body></html>"""


def _exchange(url: str, body: bytes, ctype: str) -> Exchange:
    return Exchange(url=url, ip="127.0.0.1", request_line="GET / HTTP/1.1", request_headers=[],
                    status=200, reason="OK", headers=[("Content-Type", ctype)], body=body,
                    captured_at=datetime(2026, 3, 1, tzinfo=UTC))


def _archive(path: Path) -> Path:
    archive = WarcArchive(path)
    archive.write(_exchange("http://site.example/ad/1.html", HOSTILE.encode("utf-8"),
                            "text/html; charset=utf-8"))
    archive.write(_exchange("http://site.example/photo.png", PNG, "image/png"))
    archive.write(_exchange("http://site.example/site.css", b"h1 { color: red }", "text/css"))
    archive.close()
    return path


def test_nothing_that_runs_or_loads_survives(tmp_path: Path) -> None:
    warc = _archive(tmp_path / "a.warc.gz")
    record = read_record(warc, "http://site.example/ad/1.html")
    assert record is not None and record.digest_matches()
    page = safe_page(page_html(record), record.url, archive_resources(warc))
    html = page.html
    for gone in ("<script", "onload", "onclick", "http-equiv", "<base", "<iframe", "<object",
                 "<embed", "@import", "<set", "formaction", "action=", "poster", "srcset",
                 "javascript:", "<!--", "image-set", "<link", "charset"):
        assert gone not in html, gone
    # no attribute or style left pointing anywhere: only the title of a neutralised link
    assert re.findall(r'(\w[\w:-]*)="[^"]*out\.invalid', html) == ["title"]
    assert not re.search(r"url\((?!(\"|&quot;)data:image/png)", html)
    # the text, the archived photo (also in a style), the archived style sheet stay
    assert "Ana, 19" in html and "Price 100 EUR &amp; more" in html and "h1 { color: red }" in html
    assert html.count("data:image/png;base64,") == 2 and page.images == 2
    assert page.missing >= 2 and page.removed > 20
    assert "inside" not in html  # the content of a dropped frame goes with it


def test_record_found_by_url_and_digest_and_alteration_told(tmp_path: Path) -> None:
    warc = _archive(tmp_path / "a.warc.gz")
    photo = read_record(warc, "http://site.example/photo.png")
    assert photo is not None and photo.payload == PNG and photo.mime == "image/png"
    assert read_record(warc, "http://site.example/photo.png", photo.sha256, "record 4") == photo
    assert read_record(warc, "http://site.example/none.png") is None
    # a byte of the photo changed inside the archive (written plain): found, digest broken
    raw = gzip.decompress(warc.read_bytes())
    at = raw.index(b"IDAT")
    plain = tmp_path / "b.warc"
    plain.write_bytes(raw[:at] + b"IDAU" + raw[at + 4:])
    altered = read_record(plain, "http://site.example/photo.png", photo.sha256)
    assert altered is not None and altered.sha256 != photo.sha256
    assert altered.digest_matches() is False


def test_damaged_archive_reads_up_to_the_damage(tmp_path: Path) -> None:
    warc = _archive(tmp_path / "a.warc.gz")
    data = warc.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    [css] = index(warc)["http://site.example/site.css"]
    cut.write_bytes(data[: css.offset + 60])
    assert read_record(cut, "http://site.example/ad/1.html") is not None
    assert read_record(cut, "http://site.example/site.css") is None
