"""The answer key's records: every person and company each file names is one record, with
the entity id its importer gives it and the one true identity behind it."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml
from simhelpers import ground_truth

from veriga.ingest.base import Draft, ImportContext, Importer, RecordBatch
from veriga.ingest.bods import BODSImporter
from veriga.ingest.camt import CamtImporter
from veriga.ingest.mapping import load_mapping
from veriga.ingest.mt940 import MT940Importer
from veriga.ingest.tabular import CSVImporter
from veriga.simulate.names import VARIATIONS

PARTY = ("Person", "Company", "LegalEntity", "Organization")
IMPORTERS: dict[str, type[Importer]] = {"camt.053": CamtImporter, "mt940": MT940Importer,
                                        "bods": BODSImporter, "csv": CSVImporter}


def _parse(world: Path, rel: str, fmt: str) -> tuple[set[tuple[str, str]], pa.Table | None]:
    """(entity id, locator) of every person or company the importer makes of the file, and
    its transactions (bank files)."""
    path = world / rel
    options: dict[str, Any] = {}
    if fmt == "csv":
        options["mapping"] = load_mapping(path.parent / (path.name + ".mapping.yml"))
    ctx = ImportContext(path=path, source_id="src", options=options)
    drafts, tables = set(), []
    for item in IMPORTERS[fmt]().parse(ctx):
        if isinstance(item, Draft) and item.schema in PARTY:
            drafts.add((item.id, item.locator))
        elif isinstance(item, RecordBatch) and item.kind == "transaction":
            tables.append(item.table)
    assert ctx.rejects == [], ctx.rejects[:3]
    return drafts, pa.concat_tables(tables) if tables else None


def _party_entities(world: Path, rel: str) -> list[str]:
    """The entities of a record file's mapping that are people or companies."""
    mapping = yaml.safe_load((world / (rel + ".mapping.yml")).read_text(encoding="utf-8"))
    return [name for name, spec in (mapping.get("entities") or {}).items()
            if spec["schema"] in PARTY]


def _rows(world: Path, rel: str) -> int:
    return len((world / rel).read_text(encoding="utf-8").splitlines()) - 1


def test_every_person_and_company_of_every_file_is_one_record(world: Path) -> None:
    gt = ground_truth(world)
    records = gt["records"]
    places = Counter((r["file"], r["locator"]) for r in records)
    assert [p for p, n in places.items() if n > 1] == []
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_file[r["file"]].append(r)
    assert set(by_file) <= set(gt["files"])
    checked = Counter()
    for rel, info in gt["files"].items():
        fmt, mine = info["format"], by_file.get(rel, [])
        if fmt not in IMPORTERS:  # FtM ads and the ad sites name no person or company
            assert mine == [], rel
            continue
        drafts, tx = _parse(world, rel, fmt)
        with_entity = {(r["entity_id"], r["locator"].split("#")[0]) for r in mine
                       if r["entity_id"]}
        if fmt == "csv" and tx is None:  # a record file: every party of every row
            parties = _party_entities(world, rel)
            expected = {f"line {n}#{p}" for n in range(2, _rows(world, rel) + 2)
                        for p in parties}
            assert {r["locator"] for r in mine} == expected, rel
            assert {i for i, _ in drafts} == {i for i, _ in with_entity}, rel
            assert all(r["entity_id"] for r in mine)
            checked["rows"] += len(mine)
            continue
        # statements and BODS: each entity the importer makes, where it first makes it
        assert drafts == with_entity, rel
        checked[fmt] += len(drafts)
        if tx is None:
            continue
        # names the importer reads as a counterparty: at that entry, as written there
        entries = {loc: (name, account) for loc, name, account in zip(
            tx["locator"].to_pylist(), tx["counterparty_name"].to_pylist(),
            tx["counterparty_account"].to_pylist(), strict=True)}
        for r in mine:
            where, part = r["locator"].split("#")
            if part == "holder":
                continue
            name, account = entries[where]
            assert name == r["written"], (rel, r)
            assert (r["entity_id"] is None) == (account is None or fmt == "csv"), (rel, r)
        if fmt == "csv":  # no entities: every named account once, where first named
            first: dict[tuple[str, str], str] = {}
            for loc, (name, account) in entries.items():
                if account:
                    first.setdefault((account, name), loc)
            named = {r["locator"].split("#")[0] for r in mine}
            assert set(first.values()) <= named, rel
            checked["csv"] += len(mine)
    assert checked["rows"] > 50 and checked["camt.053"] > 100 and checked["bods"] > 10
    assert checked["mt940"] > 10 and checked["csv"] > 50


def test_one_true_identity_per_entity_and_record(world: Path) -> None:
    gt = ground_truth(world)
    kinds = {p["id"]: "person" for p in gt["people"]}
    kinds |= {c["id"]: "company" for c in gt["companies"]}
    kinds |= {b["id"]: b["kind"] for b in gt["background"]}
    decoys: dict[str, set[str]] = defaultdict(set)
    for d in gt["decoys"]:
        decoys[d["id"]].add(d["of"])
    owner: dict[str, str] = {}
    for r in gt["records"]:
        assert kinds[r["identity"]] == r["kind"], r
        assert set(r.get("decoy_of", ())) == decoys.get(r["identity"], set()), r
        assert set(r["variation"]) <= set(VARIATIONS), r
        assert r["written"].strip() == r["written"] and r["written"], r
        if r["entity_id"]:
            assert owner.setdefault(r["entity_id"], r["identity"]) == r["identity"], r
    # people's own lists hold the same names
    written = {(r["identity"], r["file"], r["locator"], r["written"]) for r in gt["records"]}
    for holder in gt["people"] + gt["companies"]:
        for rec in holder["records"]:
            if "locator" in rec:
                assert (holder["id"], rec["file"], rec["locator"], rec["written"]) in written
    assert len(owner) > 200


def test_every_kind_of_variation_occurs(all_worlds: dict[str, Path],
                                        example_world: Path) -> None:
    for scenario, path in all_worlds.items():
        records = ground_truth(path)["records"]
        seen = Counter(k for r in records for k in r["variation"])
        # (Cyrillic and its transliterations need a group from Bulgaria or Ukraine, Baltic
        # endings a man from abroad in a Latvian or Lithuanian record whose name takes them)
        common = {"no_diacritics", "swapped_order", "upper_family_first", "upper_case",
                  "initial", "typo"}
        if scenario == "laundering":  # statements and registers only: no police, bookings,
            common -= {"upper_family_first"}  # A1 forms or payroll write FAMILY Given
        assert common <= set(seen), (scenario, seen)
        # modest: most records write a name as its holder's documents do
        plain = sum(1 for r in records if not r["variation"])
        assert plain > 0.6 * len(records), scenario
    records = ground_truth(example_world)["records"]
    seen = Counter(k for r in records for k in r["variation"])
    assert set(seen) == set(VARIATIONS), seen


def test_the_documented_example_is_in_the_answer_key(example_world: Path) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "simulate.md").read_text(encoding="utf-8")
    start = doc.index('{"file": "travel/bookings.csv"')
    example = json.loads(doc[start:doc.index("}", start) + 1])
    assert example in ground_truth(example_world)["records"]


def _family(name: str) -> str:
    return name.split()[-1][:4].casefold()


def test_decoys_look_like_whom_they_decoy(world: Path) -> None:
    gt = ground_truth(world)
    people = {p["id"]: p for p in gt["people"]}
    others = {b["id"]: b for b in gt["background"]}
    identities = Counter(r["identity"] for r in gt["records"])
    flagged = {r["identity"] for r in gt["records"] if r.get("decoy_of")}
    kinds = Counter()
    for d in gt["decoys"]:
        kinds[d["kind"]] += 1
        target = people[d["of"]]
        assert identities[d["id"]] > 0 and d["id"] in flagged, d  # it is in the files
        if d["id"] in others:  # a migrant's relative at home, paid from his account
            assert d["kind"] == "relative"
            assert _family(others[d["id"]]["name"]) == _family(target["name_latin"])
            continue
        decoy = people[d["id"]]
        if d["kind"] == "namesake":
            assert decoy["name"] == target["name"] and decoy["name_latin"] == target["name_latin"]
            assert decoy["birth_date"] != target["birth_date"] and decoy["phone"] != target["phone"]
        else:
            assert d["kind"] == "relative"
            assert _family(decoy["name_latin"]) == _family(target["name_latin"])
            assert decoy["name_latin"].split()[0] != target["name_latin"].split()[0]
            assert decoy["address"] == target["address"]
    assert kinds["relative"] >= 3 and kinds["namesake"] >= 1, kinds


def test_names_are_shared_by_chance_only_now_and_then(world: Path) -> None:
    gt = ground_truth(world)
    names = Counter(p["name_latin"] for p in gt["people"])
    names.update(b["name"] for b in gt["background"] if b["kind"] == "person")
    shared = sum(n for n in names.values() if n > 1)
    namesakes = sum(1 for d in gt["decoys"] if d["kind"] == "namesake")
    assert shared - 2 * namesakes <= 0.1 * sum(names.values())
    # a register holds one company of a name
    registered = Counter((c["country"], c["name"].casefold()) for c in gt["companies"])
    assert max(registered.values()) == 1


def test_the_answer_key_is_valid_json_with_its_sections(world: Path) -> None:
    text = (world / "ground_truth.json").read_text(encoding="utf-8")
    gt = json.loads(text)
    assert gt["schema"] == "veriga.simulate.ground_truth/2"
    assert list(gt)[-3:] == ["typology_transactions", "ads", "records"]
    assert all(b["id"].startswith(("BP", "BC")) for b in gt["background"])
