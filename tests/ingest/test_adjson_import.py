"""Scrapers' JSON dumps of ads import as Advertisement entities: common keys found, nested
ones too, a field mapping where names differ, rejects with their place, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ingesthelpers import snapshot

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest, read_file
from veriga.ingest.adjson import AdJSONImporter
from veriga.ingest.base import Draft, ImportContext
from veriga.ingest.registry import detect_format
from veriga.simulate import simulate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world14j")
    simulate("labour-exploitation", "tiny", 1, out)
    return out


def ftm(world: Path) -> dict[str, dict[str, list[str]]]:
    lines = (world / "ads" / "ads.ftm.jsonl").read_text(encoding="utf-8").splitlines()
    return {e["id"]: e["properties"] for e in map(json.loads, lines)}


def scraped(props: dict[str, list[str]]) -> dict[str, Any]:
    """An ad as a scraper writes it: its own key names, nested objects, a Unix time."""
    from datetime import datetime

    posted = datetime.fromisoformat(props["postedAt"][0] + "+00:00")
    return {"listing_id": props["adId"][0], "Headline": props["title"][0],
            "description": props["bodyText"][0], "link": props["sourceUrl"][0],
            "location": {"name": props["city"][0], "country": props["country"][0]},
            "contact": {"name": props["contactName"][0]},
            "posted": int(posted.timestamp()),
            "price": {"amount": int(props["priceAmount"][0]), "currency": "EUR"},
            "images": [{"url": "https://cdn.example/1.jpg", "id": 5}], "views": 17}


def parse(path: Path, **options: object) -> tuple[list[Draft], ImportContext]:
    ctx = ImportContext(path=path, source_id="s", options=dict(options))
    return [d for d in AdJSONImporter().parse(ctx) if isinstance(d, Draft)], ctx


@pytest.mark.parametrize("shape", ["array", "wrapped", "lines"])
def test_dump_agrees_with_ftm_copy(world: Path, tmp_path: Path, shape: str) -> None:
    copy = ftm(world)
    ads = [scraped(p) for p in copy.values()]
    path = tmp_path / ("ads.jsonl" if shape == "lines" else "ads.json")
    if shape == "lines":
        path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ads) + "\n",
                        encoding="utf-8")
    else:
        data: Any = ads if shape == "array" else {"count": len(ads), "results": ads}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    assert detect_format(path) == "adjson"
    drafts, ctx = parse(path)
    assert ctx.rejects == []
    # the same entity ids as the simulator's (and the crawler's): site + ad id
    assert {d.id for d in drafts} == set(copy)
    for draft in drafts:
        values: dict[str, list[str]] = {}
        for prop, value in draft.values:
            values.setdefault(prop, []).append(value)
        want = copy[draft.id]
        for prop in ("title", "bodyText", "adId", "city", "contactName", "postedAt",
                     "priceAmount", "priceCurrency", "site", "sourceUrl"):
            assert values[prop] == want[prop], (draft.id, prop)
        assert "views" not in values and values["country"] == want["country"]


def test_field_mapping_and_rejects(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps([
        {"ad": {"copy": "Работа в Финляндии, жильё", "head": "Работа"}, "tel": "+358401234567",
         "when": "2026-03-01"},
        {"ad": {"copy": {"nested": 1}}, "tel": "+358401234567"},  # no text: rejected whole
        "not an ad",
        {"ad": {"head": "Job"}, "city": ["Tampere", {"x": 1}], "when": -5},
    ], ensure_ascii=False), encoding="utf-8")
    fields = {"bodyText": "ad.copy", "title": "ad.head", "postedAt": "when"}
    drafts, ctx = parse(path, fields=fields)
    assert [dict(d.values).get("title") for d in drafts] == ["Работа", "Job"]
    first = dict(drafts[0].values)
    assert first["bodyText"] == "Работа в Финляндии, жильё" and first["phone"] == "+358401234567"
    assert first["postedAt"] == "2026-03-01"
    assert dict(drafts[1].values)["city"] == "Tampere"
    rejects = [(r.locator, r.field, r.reason.split(";")[0]) for r in ctx.rejects]
    assert ("item 2", "ad.copy", "nested value where a single value belongs") in rejects
    assert ("item 2", None, "ad without title and text") in rejects
    assert ("item 3", None, "not a JSON object (an ad)") in rejects
    assert ("item 4", "city", "nested value where a single value belongs") in rejects
    assert any(r[0] == "item 4" and r[1] == "when" and "not a time" in r[2] for r in rejects)
    with pytest.raises(ImportFailed, match="unknown properties: nope"):
        parse(path, fields={"nope": "x"})


def test_lines_report_their_line(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_bytes(b'{"title": "A", "text": "one", "url": "https://s.example/1"}\n'
                     b'{"title": "B", broken\n'
                     b'\xff{"title": "C"}\n'
                     b'{"title": "D", "text": "four", "phone": "+37120000001"}\n')
    result = read_file(ImportRequest(path, format="adjson"))
    assert result.entities == 2
    where = {r.locator: r.reason for r in result.rejects}
    assert where["line 2"].startswith("invalid JSON") and where["line 3"].startswith("not UTF-8")


def test_not_an_ad_dump_is_not_detected(tmp_path: Path, examples: dict[str, Path]) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"name": "x", "version": 2, "items": []}), encoding="utf-8")
    with pytest.raises(ImportFailed, match="cannot tell the format"):
        detect_format(path)
    assert detect_format(examples["people"]) == "ftm"  # FtM entities stay FtM


def test_broken_dump_refused_whole(tmp_path: Path, sqlite_ws) -> None:
    sqlite_ws.cases.create("c")
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"title": "T", "text": "x"}]), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"title": "T", "text": "x"},\n {"title": ', encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100 + "]" * 100, encoding="utf-8")
    before = snapshot(sqlite_ws)
    for path, message in ((bad, "bad.json:line 2: invalid JSON"), (deep, "max_depth")):
        with pytest.raises(ImportFailed, match=message):
            sqlite_ws.records.import_files("c", [ImportRequest(good, format="adjson"),
                                                 ImportRequest(path, format="adjson")])
        assert snapshot(sqlite_ws) == before  # the good file was not stored either
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(good, format="adjson")])
    assert result.format == "adjson" and result.entities == 1
