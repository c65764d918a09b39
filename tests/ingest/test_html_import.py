"""Saved web pages import as ads: single pages as browsers and SingleFile save them, MHTML,
zips of pages (a wget mirror); legacy charsets decoded; bad parts rejected with their place."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path

import pytest
from ingesthelpers import snapshot

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest, read_file
from veriga.ingest.base import Draft, ImportContext
from veriga.ingest.html import HTMLImporter
from veriga.ingest.registry import detect_format
from veriga.simulate import simulate

JOBS, NIGHT = "jobs-abroad.example", "nightlist.example"
COMPARED = ("title", "bodyText", "adId", "city", "contactName", "postedAt", "price", "language")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world14h")
    simulate("labour-exploitation", "tiny", 1, out)  # Cyrillic jobs, Latvian escort ads
    return out


def ftm(world: Path, host: str) -> dict[str, dict[str, list[str]]]:
    """FtM copy of the site's ads by entity id."""
    out = {}
    for line in (world / "ads" / "ads.ftm.jsonl").read_text(encoding="utf-8").splitlines():
        entity = json.loads(line)
        if entity["properties"]["site"] == [host]:
            out[entity["id"]] = entity["properties"]
    return out


def parse(path: Path, **options: object) -> tuple[list[Draft], ImportContext]:
    ctx = ImportContext(path=path, source_id="s", options=dict(options))
    drafts = [d for d in HTMLImporter().parse(ctx) if isinstance(d, Draft)]
    return drafts, ctx


def agree(drafts: list[Draft], copy: dict[str, dict[str, list[str]]]) -> None:
    ads = [d for d in drafts if d.schema == "Advertisement"]
    assert ads and {d.id for d in ads} <= set(copy)
    for draft in ads:
        values = dict(draft.values)
        for prop in COMPARED:
            assert [values[prop]] == copy[draft.id][prop], (draft.id, prop)


def test_page_saved_by_a_browser(world: Path, tmp_path: Path) -> None:
    """Chrome's "saved from url" mark names the URL: the ad gets the id of its FtM copy."""
    copy = ftm(world, JOBS)
    for page in sorted((world / "ads" / "sites" / JOBS / "ad").iterdir()):
        saved = tmp_path / page.name
        url = f"https://{JOBS}/ad/{page.name}"
        saved.write_bytes(f"<!-- saved from url=({len(url):04d}){url} -->\r\n".encode()
                          + page.read_bytes())  # windows-1251, named in a meta tag
        assert detect_format(saved) == "html"
        drafts, ctx = parse(saved)
        assert ctx.rejects == []
        agree(drafts, copy)
        assert dict(drafts[0].values)["sourceUrl"] == url


def test_singlefile_page_with_saved_date(world: Path, tmp_path: Path) -> None:
    page = sorted((world / "ads" / "sites" / NIGHT / "ad").iterdir())[0]
    html = page.read_bytes().decode("windows-1257")  # as the browser decoded it
    head = (f"<!--\n Page saved with SingleFile \n url: https://{NIGHT}/ad/{page.name} \n "
            "saved date: Wed Mar 04 2026 21:15:03 GMT+0200 (Eastern European Standard Time)\n-->")
    saved = tmp_path / "saved.html"
    saved.write_text(html.replace("<head>", "<head>" + head + '<meta charset="utf-8">', 1),
                     encoding="utf-8")
    assert detect_format(saved) == "html"
    drafts, ctx = parse(saved)
    agree(drafts, ftm(world, NIGHT))
    assert dict(drafts[0].values)["retrievedAt"] == "2026-03-04T19:15:03"


def test_mhtml(world: Path, tmp_path: Path) -> None:
    page = sorted((world / "ads" / "sites" / JOBS / "ad").iterdir())[-1]
    msg = EmailMessage()
    msg["From"] = "<Saved by Blink>"
    msg["Snapshot-Content-Location"] = f"https://{JOBS}/ad/{page.name}"
    msg["Date"] = "Wed, 4 Mar 2026 19:15:03 -0000"
    msg["MIME-Version"] = "1.0"
    msg.make_related()
    part = EmailMessage()
    part.set_content(page.read_bytes(), maintype="text", subtype="html", cte="quoted-printable",
                     params={"charset": "windows-1251"})
    part["Content-Location"] = f"https://{JOBS}/ad/{page.name}"
    msg.attach(part)
    path = tmp_path / "saved.mhtml"
    path.write_bytes(msg.as_bytes())
    assert detect_format(path) == "html"
    drafts, ctx = parse(path)
    assert ctx.rejects == []
    agree(drafts, ftm(world, JOBS))
    assert dict(drafts[0].values)["retrievedAt"] == "2026-03-04T19:15:03"


def png_bomb() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                       zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 90_000, 90_000, 8, 2,
                                                              0, 0, 0)) + chunk(b"IEND", b""))


def test_zip_of_a_wget_mirror(world: Path, tmp_path: Path, sqlite_ws) -> None:
    """A mirror zipped as wget writes it (host/path): the ads of the pages that mark one,
    their images; listings left out; bad images rejected with their place."""
    site = tmp_path / NIGHT
    shutil.copytree(world / "ads" / "sites" / NIGHT, site)
    (site / "img" / "bomb.png").write_bytes(png_bomb())
    (site / "img" / "fake.png").write_bytes(b"<html>not a picture</html>")
    path = tmp_path / "mirror.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(site.rglob("*")):
            zf.write(file, file.relative_to(tmp_path).as_posix())
    assert detect_format(path) == "html"
    # the server named the charset, the pages do not: the user says it (--encoding)
    request = ImportRequest(path, encoding="windows-1257")
    copy = ftm(world, NIGHT)
    drafts, ctx = parse(path, encoding="windows-1257")
    agree(drafts, copy)
    assert {d.id for d in drafts if d.schema == "Advertisement"} == set(copy)
    images = [d for d in drafts if d.schema == "Photo"]
    assert len(images) == len(list((world / "ads" / "sites" / NIGHT / "img").iterdir()))
    # each photo hashed from its bytes and linked to the ad showing it, which states its hash
    for photo in images:
        values = dict(photo.values)
        assert values["shownIn"] in copy and values["perceptualHash"].startswith("ph:")
    ads = [d for d in drafts if d.schema == "Advertisement"]
    assert all(any(k == "imageHash" for k, _ in d.values) for d in ads)
    reasons = {r.locator: r.reason for r in ctx.rejects}
    assert "decompression bomb" in reasons[f"{NIGHT}/img/bomb.png"]
    assert reasons[f"{NIGHT}/img/fake.png"].startswith("not an image")
    # imported into a case, all or nothing, rejects stored with their place
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [request])
    assert result.format == "html" and result.entities == len(copy) + len(images)
    assert len(result.rejects) == 2
    ad_id = next(iter(copy))
    view = sqlite_ws.entities.get("c", ad_id)
    assert view.entity.get("title") == copy[ad_id]["title"]


def test_undeclared_legacy_charset_reported(world: Path, tmp_path: Path) -> None:
    """A page whose server named the charset, saved without it: read, and the reader told."""
    page = sorted((world / "ads" / "sites" / NIGHT / "ad").iterdir())
    latvian = next(p for p in page if "lang=\"lv\"" in p.read_text("latin-1"))
    saved = tmp_path / "saved.html"
    saved.write_bytes(b"<!-- saved from url=(0030)https://nightlist.example/ad/1 -->"
                      + latvian.read_bytes())
    drafts, ctx = parse(saved)
    assert drafts and ctx.rejects[0].field == "encoding"
    assert "--encoding" in ctx.rejects[0].reason
    drafts, ctx = parse(saved, encoding="windows-1257")
    assert ctx.rejects == []
    agree(drafts, ftm(world, NIGHT))


def test_page_not_marked_as_an_ad(tmp_path: Path) -> None:
    """A saved page without ad marks: an ad of its title and visible text (scripts out)."""
    path = tmp_path / "page.html"
    path.write_text('<!-- saved from url=(0030)https://classified.example/x/9 -->'
                    "<html><head><title>Работа в Риге</title><script>var x = 1;</script>"
                    "</head><body><div>Звоните +371 2000 0001</div><p>Жильё есть</p>"
                    "</body></html>", encoding="utf-8")
    drafts, ctx = parse(path)
    [ad] = drafts
    values = dict(ad.values)
    assert values["title"] == "Работа в Риге" and values["site"] == "classified.example"
    assert "Звоните +371 2000 0001" in values["bodyText"] and "var x" not in values["bodyText"]
    assert values["sourceUrl"] == "https://classified.example/x/9"


def test_plain_pages_need_the_format(world: Path) -> None:
    """A site's own files are for the crawler: not detected, imported with --format html."""
    page = sorted((world / "ads" / "sites" / JOBS / "ad").iterdir())[0]
    with pytest.raises(ImportFailed, match="cannot tell the format"):
        detect_format(page)
    result = read_file(ImportRequest(page, format="html"))
    assert result.entities == 1 and result.rejects == []


def test_bad_input_refused_in_one_line(tmp_path: Path, sqlite_ws) -> None:
    sqlite_ws.cases.create("c")
    before = snapshot(sqlite_ws)
    huge = tmp_path / "huge.html"
    huge.write_bytes(b"<!-- saved from url=(0016)http://a.example/ -->" + b"<p>x" * 400_000)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.example/ad/1.html", b" " * (3 << 20))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"\x00\x01\x02")
    cases = [(huge, {"max_read_bytes": 1 << 20}, "over the limit"),
             (bomb, {"max_unzipped_bytes": 1 << 20}, "max_unzipped_bytes"),
             (empty, {}, "nothing to import")]
    for path, options, message in cases:
        with pytest.raises(ImportFailed, match=message) as info:
            sqlite_ws.records.import_files("c", [ImportRequest(path, format="html",
                                                               options=options)])
        assert len(str(info.value).splitlines()) == 1
        assert snapshot(sqlite_ws) == before  # nothing stored
    broken = tmp_path / "broken.html"
    broken.write_bytes(b"<!-- saved from url=(0016)http://a.example/ --><html><title>T</ti"
                       b"<<div <p><![CDATA[ &#xffffffff; <script>")
    result = read_file(ImportRequest(broken))
    assert result.entities == 1
