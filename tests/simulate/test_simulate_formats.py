"""The files are what they claim to be: camt.053 and MT940 balance, IBANs check, PNGs load."""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from pathlib import Path

from simhelpers import ground_truth, read_camt, read_mt940

from veriga.model.normalize import normalize_account
from veriga.simulate.banks import valid_iban


def test_camt_well_formed_and_balances_hold(world: Path) -> None:
    files = sorted(world.glob("bank/*/camt053_*.xml"))
    assert files
    for path in files:
        st = read_camt(path)
        assert valid_iban(st["iban"]), path.name
        assert st["opening"] + sum(a for _, a in st["entries"]) == st["closing"], path.name


def test_mt940_balances_hold_and_chain(world: Path) -> None:
    files = sorted(world.glob("bank/*/*.sta"))
    assert files
    for path in files:
        statements = read_mt940(path)
        for i, st in enumerate(statements):
            assert st["opening"] + sum(a for _, a in st["entries"]) == st["closing"]
            if i:
                assert st["opening"] == statements[i - 1]["closing"]


def test_refs_unique_per_bank(world: Path) -> None:
    refs: Counter[tuple[str, str]] = Counter()
    for path in world.glob("bank/*/camt053_*.xml"):
        for ref, _ in read_camt(path)["entries"]:
            refs[(path.parent.name, ref)] += 1
    for path in world.glob("bank/*/*.sta"):
        for st in read_mt940(path):
            for ref, _ in st["entries"]:
                refs[(path.parent.name, ref)] += 1
    assert refs and max(refs.values()) == 1


def test_every_iban_valid(world: Path) -> None:
    gt = ground_truth(world)
    lengths = {"LV": 21, "EE": 20, "FI": 18, "BG": 22, "RO": 24, "PL": 28, "UA": 29, "LT": 20}
    for acct in gt["accounts"]:
        iban = acct["iban"]
        assert len(iban) == lengths[iban[:2]]
        assert normalize_account(iban) == iban


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    pos = 8
    idat = b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:
                                                               pos + 12 + length])[0]
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert len(zlib.decompress(idat)) == h * (3 * w + 1)
    return w, h


def test_photos_are_png_and_reused_photos_share_hash(world: Path) -> None:
    gt = ground_truth(world)
    pngs = sorted(world.glob("ads/sites/*/img/*.png"))
    assert pngs
    for path in pngs[:50]:
        _png_size(path.read_bytes())
    by_photo: dict[str, set[str]] = {}
    import json

    hashes = {}
    for line in (world / "ads" / "ads.ftm.jsonl").read_text(encoding="utf-8").splitlines():
        ent = json.loads(line)
        hashes[ent["id"]] = set(ent["properties"]["imageHash"])
    for ad in gt["ads"]:
        for key in ad["photos"]:
            by_photo.setdefault(key, set()).update(hashes[ad["entity_id"]])
    reused = [k for k in by_photo if sum(k in a["photos"] for a in gt["ads"]) > 1]
    assert reused, "operations reuse photos"
    op_ads = [a for a in gt["ads"] if a["operation"] and a["operation"].startswith("OP-SEX")]
    if op_ads:
        phones = Counter(a["phone"] for a in op_ads)
        assert phones.most_common(1)[0][1] > 3, "operations share phones across ads"


def test_site_has_crawl_entry_points(world: Path) -> None:
    from veriga.simulate.siteserver import load_style

    for site in world.glob("ads/sites/*"):
        style, _ = load_style(site)
        # a site without a sitemap is crawled through its listing pages only
        assert ("Sitemap:" in (site / "robots.txt").read_text()) == style.sitemap
        assert (site / "sitemap.xml").exists() == style.sitemap
        if style.sitemap:
            assert "<sitemapindex" in (site / "sitemap.xml").read_text()
        assert (site / "index.html").exists() and any((site / "list").iterdir())
    assert {load_style(s)[0].charset for s in world.glob("ads/sites/*")} - {"utf-8"}  # legacy
