"""Enrichment (``ws.enrich``): an entity looked up in the user's other cases (a register, a
sanctions list, another force's case) and chosen values taken in, with their provenance and
handling, for readers who see the cases in clear only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from veriga.access.roles import CaseKind
from veriga.config import Settings
from veriga.errors import VerigaError
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.store.schema import audit, sources
from veriga.workspace import PermissionDenied, Workspace


def _ftm(path: Path, *entities: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Liga's case ``a`` (bank and police files) and ``reg`` (the company registers); Mart
    (another force) shares ``watch`` (a sanctions list, H0) and ``intel`` (H2) with Liga's
    force and keeps ``own``; the NGO reads ``a``."""
    root = tmp_path_factory.mktemp("enrich")
    simulate("mixed", "tiny", 3, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Politsei", "police", "EE")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"])
    admin.directory.add_user("mart", "Politsei", ["investigator"])
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    mart = admin.as_user("mart", purpose="investigation EE-2026-3")
    for case, dirs in (("a", ["bank", "police"]), ("reg", ["registers"])):
        liga.cases.create(case)
        requests, _ = expand([root / "world" / d for d in dirs], ImportRequest(path=Path(".")))
        liga.records.import_files(case, requests)
    person = next(p for p in liga.entities.list("a", ["Person"])
                  if len(p.get("name")[0].split()) == 2)
    first, last = person.get("name")[0].split()
    listed = {"id": "watch-1", "schema": "Person", "properties": {
        "name": [f"{last.upper()} {first}"], "topics": ["sanction"],
        "program": ["EU travel ban 2026/17"]}}
    for case, code, entity in (("watch", "H0", listed),
                               ("intel", "H2", {**listed, "id": "intel-1", "properties": {
                                   "name": [f"{first} {last}"], "notes": ["seen in Narva"]}}),
                               ("own", "H0", {**listed, "id": "own-1"})):
        mart.cases.create(case)
        mart.records.import_files(case, [ImportRequest(_ftm(root / f"{case}.ftm.json", entity))],
                                  handling=code)
        if case != "own":
            mart.cases.share(case, "Valsts policija")
    liga.cases.share("a", "Safe House")
    yield {"liga": liga, "mart": mart, "person": person, "root": root,
           "ilze": admin.as_user("ilze", "victim support"), "admin": admin}
    admin.close()


def test_a_company_is_found_in_the_register_with_what_it_adds(world) -> None:
    liga = world["liga"]
    found = 0
    for company in liga.entities.list("a", ["LegalEntity"]):
        got = liga.enrich.lookup("a", company.id)
        assert {"reg", "watch", "intel"} <= set(got.searched) and "own" not in got.searched
        for c in got.candidates:
            assert c.case != "a" and c.reasons and 0 < c.score < 1
            if c.case == "reg" and c.schema == "Company":
                found += 1
                assert c.same_name and "same name" in c.reasons
                numbers = [v for v in c.new if v.prop == "registrationNumber"]
                assert numbers and all(v.files for v in numbers)
                assert not set(company.get("registrationNumber")) & {v.value for v in numbers}
    assert found >= 5


def test_taking_values_imports_them_with_their_provenance(world) -> None:
    liga = world["liga"]
    company, candidate = next(
        (e, c) for e in liga.entities.list("a", ["LegalEntity"])
        for c in liga.enrich.lookup("a", e.id).candidates
        if c.case == "reg" and any(v.prop == "registrationNumber" for v in c.new))
    number = next(v for v in candidate.new if v.prop == "registrationNumber")
    with pytest.raises(VerigaError):  # only what the candidate holds
        liga.enrich.take("a", company.id, "reg", candidate.entity_id,
                         [("registrationNumber", "99999999")])
    result = liga.enrich.take("a", company.id, "reg", candidate.entity_id,
                              [("registrationNumber", number.value)])
    assert result["statements"] >= 1 and result["file_name"].startswith("enrichment-reg-")
    view = liga.entities.get("a", company.id)
    assert number.value in view.entity.get("registrationNumber")
    files = {r["file_name"] for r in view.statements if r["value"] == number.value}
    assert files == {result["file_name"]}
    # taken once: the candidate no longer offers it
    again = next(c for c in liga.enrich.lookup("a", company.id).candidates
                 if c.entity_id == candidate.entity_id)
    assert number.value not in {v.value for v in again.new}
    with liga.store.begin() as conn:
        note = conn.execute(select(sources.c.handling_note).where(
            sources.c.id == result["source_id"])).scalar_one()
        actions = {(r.case_id, r.action) for r in conn.execute(select(audit))}
    assert "enrichment from case reg" in note
    case_ids = {c["name"]: c["id"] for c in liga.cases.list()}
    assert (case_ids["reg"], "entity.enrich.read") in actions
    assert (case_ids["a"], "entity.enrich") in actions and (case_ids["a"], "import") in actions


def test_a_sanctioned_person_is_found_under_another_spelling(world) -> None:
    liga, person = world["liga"], world["person"]
    got = liga.enrich.lookup("a", person.id)
    listed = next(c for c in got.candidates if c.case == "watch")
    assert {(v.prop, v.value) for v in listed.new} >= {("topics", "sanction")}
    assert listed.takeable and listed.handling == "H0"
    liga.enrich.take("a", person.id, "watch", listed.entity_id, [("topics", "sanction")])
    assert "sanction" in liga.entities.get("a", person.id).entity.get("topics")


def test_material_that_may_not_be_passed_on_stays_where_it_is(world) -> None:
    liga, person = world["liga"], world["person"]
    intel = next(c for c in liga.enrich.lookup("a", person.id).candidates if c.case == "intel")
    assert intel.handling == "H2" and not intel.takeable
    with pytest.raises(PermissionDenied):
        liga.enrich.take("a", person.id, "intel", intel.entity_id)
    assert "seen in Narva" not in liga.entities.get("a", person.id).entity.get("notes")


def test_an_ngo_reader_cannot_look_anyone_up(world) -> None:
    ilze, liga = world["ilze"], world["liga"]
    assert not ilze.enrich.available("a") and liga.enrich.available("a")
    for entity in list(ilze.entities.list("a", ["Person"]))[:3]:
        with pytest.raises(PermissionDenied):
            ilze.enrich.lookup("a", entity.id)
        with pytest.raises(PermissionDenied):
            ilze.enrich.take("a", entity.id, "watch", "watch-1")


def test_a_case_not_shared_is_never_read(world) -> None:
    liga, person = world["liga"], world["person"]
    got = liga.enrich.lookup("a", person.id)
    assert all(c.case != "own" for c in got.candidates)
    with pytest.raises(Exception):  # noqa: B017 - as a case that does not exist
        liga.enrich.take("a", person.id, "own", "own-1")


def test_training_cases_and_investigations_never_meet(world) -> None:
    liga, person = world["liga"], world["person"]
    liga.cases.create("drill", kind=CaseKind.TRAINING)
    name = person.get("name")[0]
    path = world["root"] / "drill.ftm.json"
    _ftm(path, {"id": "drill-1", "schema": "Person", "properties": {
        "name": [name], "nationality": ["ua"]}})
    liga.records.import_files("drill", [ImportRequest(path)])
    assert "drill" not in liga.enrich.lookup("a", person.id).searched
    with pytest.raises(PermissionDenied, match="one kind"):
        liga.enrich.take("a", person.id, "drill", "drill-1")


def test_a_director_in_the_register_is_taken_in_with_the_link(world) -> None:
    liga = world["liga"]
    company, candidate, link = next(
        (e, c, r) for e in liga.entities.list("a", ["LegalEntity"])
        for c in liga.enrich.lookup("a", e.id).candidates if c.case == "reg"
        for r in c.related if r.link_schema == "Directorship")
    assert link.files and link.other_caption
    with pytest.raises(VerigaError):
        liga.enrich.take("a", company.id, "reg", candidate.entity_id, [], ["no-such-link"])
    liga.enrich.take("a", company.id, "reg", candidate.entity_id, [], [link.link_id])
    around = liga.entities.page("a", company.id).around.entities
    directorships = [p for p in around if p.schema.name == "Directorship"]
    assert any(company.id in p.get("organization") and link.other_id in p.get("director")
               for p in directorships)
    director = liga.entities.get("a", link.other_id)
    assert director.entity.caption == link.other_caption
    assert {r["file_name"] for r in director.statements} == {
        f"enrichment-reg-{candidate.caption.replace(' ', '-')}.ftm.json"}
