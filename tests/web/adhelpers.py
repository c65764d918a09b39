"""A WARC archive of a simulated ad site as the crawler writes it, with hostile pages added."""

from __future__ import annotations

import json
import mimetypes
from datetime import UTC, datetime
from pathlib import Path

from veriga.osint.archive import WarcArchive
from veriga.osint.fetch import Exchange

#: Every way a page could run something or reach out of the viewer, in one ad page.
HOSTILE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=https://{out}/refresh">
<base href="https://{out}/base/">
<link rel="stylesheet" href="https://{out}/style.css">
<link rel="prefetch" href="https://{out}/prefetch">
<title>Hostile ad</title>
<style>@import url("https://{out}/import.css");
body {{ background: url('https://{out}/bg.png'); }}
.x {{ background-image: u\\72l(https://{out}/escaped.png); }}
h1 {{ color: #a00 }}</style>
<script>window.parent.postMessage('script ran', '*'); fetch('https://{out}/script');</script>
</head><body onload="fetch('https://{out}/onload')">
<article class="ad" data-ad-id="{ad_id}">
<h1>NEW in Riga: Lena 19y</h1>
<p class="meta">Ad {ad_id} · <span class="city">Riga</span> · posted
<time datetime="2026-02-01T10:00:00">01.02.2026 10:00</time></p>
<div class="photos">
<img src="../img/{photo}" alt="photo">
<img src="https://{out}/tracker.gif" srcset="https://{out}/a.png 1x, https://{out}/b.png 2x">
<picture><source srcset="https://{out}/picture.webp"><img src="https://{out}/pic.png"></picture>
</div>
<p class="text" style="background:url(https://{out}/inline.png)">Lena 19 y.o. just arrived,
only 100 EUR, call +371 2612 3456 or WhatsApp, write lena.vip@example.com</p>
<p class="contact">Lena · <span class="phone">+371 2612 3456</span></p>
<p class="price">100 EUR</p>
<p><a href="https://{out}/link" onclick="fetch('https://{out}/click')">my other page</a></p>
<form action="https://{out}/form" method="post"><input name="q" value="x">
<button formaction="https://{out}/formaction">send</button></form>
<svg width="20" height="20"><script>fetch('https://{out}/svg')</script>
<image href="https://{out}/svg-image.png" width="10" height="10"/>
<a href="javascript:alert(1)"><text y="15">svg link</text></a></svg>
<iframe src="https://{out}/frame"></iframe>
<object data="https://{out}/object"></object><embed src="https://{out}/embed">
<video poster="https://{out}/poster.png" src="https://{out}/video.mp4"></video>
<img src="x" onerror="fetch('https://{out}/onerror')">
</article></body></html>
"""


def exchange(url: str, body: bytes, ctype: str, when: datetime) -> Exchange:
    path = "/" + url.split("/", 3)[3]
    return Exchange(url=url, ip="127.0.0.1", request_line=f"GET {path} HTTP/1.1",
                    request_headers=[("Host", url.split("/")[2])], status=200, reason="OK",
                    headers=[("Content-Type", ctype)], body=body, captured_at=when)


def site_warc(site: Path, host: str, out: Path, hostile_id: str | None = None,
              outside: str = "tracker.invalid") -> Path:
    """Archive every page and image of the simulated site ``site`` (served as ``host``) in
    one WARC file, as the crawler would; with ``hostile_id``, one more ad page carrying
    every trick in :data:`HOSTILE`, pointing at ``outside``."""
    when = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    archive = WarcArchive(out)
    photo = None
    config = site / "site.json"  # the simulator's description of the site: its charset
    charset = json.loads(config.read_text(encoding="utf-8")).get("charset", "utf-8") \
        if config.exists() else "utf-8"
    try:
        for path in sorted(p for p in site.rglob("*") if p.is_file() and p != config):
            rel = path.relative_to(site).as_posix()
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if ctype == "text/html":
                ctype = f"text/html; charset={charset}"
            if rel.startswith("img/") and photo is None:
                photo = path.name
            archive.write(exchange(f"http://{host}/{rel}", path.read_bytes(), ctype, when))
        if hostile_id is not None:
            page = HOSTILE.format(out=outside, ad_id=hostile_id, photo=photo)
            archive.write(exchange(f"http://{host}/ad/{hostile_id}.html", page.encode(),
                                   "text/html; charset=utf-8", when))
    finally:
        archive.close()
    return out
