"""A crawled WARC imports into a case: ads agree with the simulator's FtM copy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from osint_site import serve

from veriga.ingest.base import ImportContext
from veriga.ingest.registry import detect_format
from veriga.ingest.warc import WARCImporter
from veriga.osint.crawl import Crawler, CrawlOptions
from veriga.osint.fetch import Fetcher
from veriga.osint.photos import PhotoHashes
from veriga.simulate import simulate

HOST = "jobs-abroad.example"


def test_warc_ads_agree_with_ftm_copy(tmp_path: Path) -> None:
    world = tmp_path / "world"
    simulate("sexual-exploitation", "tiny", 1, world)
    root = tmp_path / "site"
    shutil.copytree(world / "ads" / "sites" / HOST, root)
    with serve(root) as (port, _):
        opts = CrawlOptions(depth=4, rate=0, allow_private=True)
        fetcher = Fetcher(allow_private=True, resolve=lambda host, port: ["127.0.0.1"])
        summary = Crawler([f"http://{HOST}:{port}/"], tmp_path / "crawl", opts,
                          fetcher=fetcher).run()
    assert detect_format(summary.warc) == "warc"
    ctx = ImportContext(path=summary.warc, source_id="src")
    drafts = list(WARCImporter().parse(ctx))
    assert ctx.rejects == []
    ads = {d.id: dict(d.values) for d in drafts if d.schema == "Advertisement"}
    images = [dict(d.values) for d in drafts if d.schema == "Photo"]
    ftm = {}
    for line in (world / "ads" / "ads.ftm.jsonl").read_text(encoding="utf-8").splitlines():
        entity = json.loads(line)
        if entity["properties"]["site"] == [HOST]:
            ftm[entity["id"]] = entity["properties"]
    assert set(ads) == set(ftm) and ads
    for ad_id, values in ads.items():
        for prop in ("title", "bodyText", "adId", "city", "postedAt", "price", "language"):
            assert [values[prop]] == ftm[ad_id][prop], prop
        assert len(values["contentHash"]) == 64 and values["retrievedAt"]
    # the phone shown (obfuscated) on each page is read into the ad, as the FtM copy states it
    found = sum(1 for ad_id, d in ((d.id, d) for d in drafts if d.schema == "Advertisement")
                if ("phone", ftm[ad_id]["phone"][0]) in d.values)
    assert found >= 0.95 * len(ads)
    # each photo is hashed from its own bytes and linked to the ad showing it; the ad states
    # its photos' hashes, whose pHash is the one the FtM copy states for the same file
    photos = [d for d in drafts if d.schema == "Photo"]
    assert photos
    for photo in photos:
        shown = [v for k, v in photo.values if k == "shownIn"]
        assert shown and set(shown) <= set(ads)
        assert PhotoHashes.parse(next(v for k, v in photo.values if k == "perceptualHash"))
    for d in drafts:
        if d.schema == "Advertisement":
            keys = [PhotoHashes.parse(v) for k, v in d.values if k == "imageHash"]
            assert keys and all(k is not None and k.dhash and k.crop for k in keys)
            assert {k.phash for k in keys if k} == set(ftm[d.id]["imageHash"])
    assert all(v.startswith("+") for d in drafts for p, v in d.values if p == "phone")
    assert len(images) == summary.images and all(len(i["contentHash"]) == 64 for i in images)


def test_altered_payload_rejected(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from veriga.osint.archive import WarcArchive
    from veriga.osint.fetch import Exchange
    page = (b'<html lang="en"><body><article data-ad-id="X1"><h1>T</h1>'
            b'<p class="text">hello</p></article></body></html>')
    exchange = Exchange(url="http://site.example/ad/X1.html", ip="127.0.0.1",
                        request_line="GET /ad/X1.html HTTP/1.1", request_headers=[],
                        status=200, reason="OK", headers=[("Content-Type", "text/html")],
                        body=page, captured_at=datetime.now(UTC))
    path = tmp_path / "a.warc"
    with WarcArchive(path) as archive:
        archive.write(exchange)
    ctx = ImportContext(path=path, source_id="s")
    assert [d.schema for d in WARCImporter().parse(ctx)] == ["Advertisement"]
    path.write_bytes(path.read_bytes().replace(b"hello", b"HELLO"))
    ctx = ImportContext(path=path, source_id="s")
    assert list(WARCImporter().parse(ctx)) == []
    assert "does not match its digest" in ctx.rejects[0].reason
