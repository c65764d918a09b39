"""The files are what they claim to be: camt.053 and MT940 balance, IBANs check, photos load."""

from __future__ import annotations

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


def test_photos_are_jpeg_and_the_answer_key_names_their_picture_and_edits(world: Path) -> None:
    import json

    import imagehash
    from PIL import Image

    gt = ground_truth(world)
    hashes = {}
    for line in (world / "ads" / "ads.ftm.jsonl").read_text(encoding="utf-8").splitlines():
        ent = json.loads(line)
        hashes[ent["id"]] = set(ent["properties"]["imageHash"])
    files = [(ad, f) for ad in gt["ads"] for f in ad["photo_files"]]
    assert files and all(len(ad["photo_files"]) == len(ad["photos"]) for ad in gt["ads"])
    for ad, f in files[:40]:
        with Image.open(world / f["file"]) as img:
            assert img.format == "JPEG"
            assert str(imagehash.phash(img)) in hashes[ad["entity_id"]]  # from the file itself
    by_picture = Counter(f["picture"] for _, f in files)
    assert max(by_picture.values()) > 1, "operations reuse photos"
    op_edits = Counter(e for ad, f in files if ad["kind"] == "operation" for e in f["edits"])
    if any(ad["operation"] and ad["operation"].startswith("OP-SEX") for ad, _ in files):
        assert set(op_edits) == {"resize", "recompress", "mirror", "crop", "watermark"}
    assert not any(f["edits"] for ad, f in files if ad["kind"] != "operation")
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


def test_an_operations_phones_share_pictures_and_boards(world: Path) -> None:
    """What ties an operation's two work phones together is the women's photos reposted
    under both, as investigators find them; the operation posts on two boards."""
    gt = ground_truth(world)
    ops: dict[str, dict[str, set[str]]] = {}
    sites: dict[str, set[str]] = {}
    for ad in gt["ads"]:
        op = ad["operation"]
        if op and op.startswith("OP-SEX"):
            pictures = {f["picture"] for f in ad["photo_files"]}
            ops.setdefault(op, {}).setdefault(ad["phone"], set()).update(pictures)
            sites.setdefault(op, set()).add(ad["file"].split("/")[2])
    for op, by_phone in ops.items():
        assert len(by_phone) == 2, op
        first, second = by_phone.values()
        assert first & second, op
        assert len(sites[op]) == 2, op
