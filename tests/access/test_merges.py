"""Records a person confirms to be one entity: merged without rewriting a statement, split
back exactly, and every rule of access following the merged entity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veriga import analysis, plugins
from veriga.errors import NotFound, VerigaError
from veriga.findings import Evidence, Finding, ReviewState
from veriga.ingest import ImportRequest

ANNA_ELSEWHERE = [
    {"id": "p-anna-2", "schema": "Person", "properties": {
        "name": ["OZOLA ANNA"], "phone": ["+371 2012 3456"], "nationality": ["lv"]}},
    {"id": "a-anna", "schema": "BankAccount", "properties": {
        "iban": ["LV80BANK0000435195001"]}},
    {"id": "o-anna", "schema": "Ownership", "properties": {
        "owner": ["p-anna-2"], "asset": ["a-anna"], "role": ["holder"]}},
]


def _import(ws, tmp_path: Path, name: str, rows: list[dict]) -> None:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    ws.records.import_files("amber", [ImportRequest(path)])


def _snapshot(ws) -> dict[str, dict]:
    return {e.id: e.to_dict()["properties"] for e in ws.entities.list("amber")}


def test_a_merge_joins_records_and_a_split_restores_them_exactly(agencies, tmp_path) -> None:
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    before = _snapshot(liga)
    merged = liga.entities.merge("amber", ["p-anna-2", "p-anna"], "same phone and name")
    assert merged == "p-anna"
    after = _snapshot(liga)
    assert "p-anna-2" not in after and set(after) == set(before) - {"p-anna-2"}
    assert set(after["p-anna"]["name"]) == {"Anna Ozola", "OZOLA ANNA"}
    assert after["o-anna"]["owner"] == ["p-anna"]  # references follow the merged entity
    page = liga.entities.page("amber", "p-anna")
    assert {r["entity_id"] for r in page.view.statements} == {"p-anna", "p-anna-2"}
    assert len({r["source_id"] for r in page.view.statements}) == 2
    assert {e.id for e in page.around.entities} >= {"o-anna", "e-1"}
    with pytest.raises(NotFound):
        liga.entities.get("amber", "p-anna-2")
    assert [r["entity_id"] for r in liga.entities.records("amber", "p-anna")] == [
        "p-anna", "p-anna-2"]
    assert liga.entities.split("amber", "p-anna-2", "different women after all") == [
        "p-anna", "p-anna-2"]
    assert _snapshot(liga) == before
    with pytest.raises(VerigaError, match="not merged"):
        liga.entities.split("amber", "p-anna", "again")


def test_merges_are_audited_and_need_a_reason(agencies, tmp_path) -> None:
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    with pytest.raises(VerigaError, match="why"):
        liga.entities.merge("amber", ["p-anna", "p-anna-2"], " ")
    with pytest.raises(VerigaError, match="two"):
        liga.entities.merge("amber", ["p-anna", "p-anna"], "same")
    liga.entities.merge("amber", ["p-anna", "p-anna-2"], "same phone")
    liga.entities.split("amber", "p-anna", "not the same")
    agencies["admin"].directory.add_user("dpo", "Valsts policija", ["dpo"])
    dpo = agencies["admin"].as_user("dpo", purpose="review")
    log = dpo.audit.log("amber")
    merge = next(e for e in log if e["action"] == "entity.merge")
    assert merge["detail"]["members"] == ["p-anna", "p-anna-2"]
    assert merge["detail"]["reason"] == "same phone" and merge["actor"] == "liga"
    assert any(e["action"] == "entity.split" for e in log)
    assert any(e["action"] == "entity.merge" for e in dpo.audit.who_accessed("amber",
                                                                                "p-anna-2"))


def test_a_new_statement_of_a_merged_record_stays_merged(agencies, tmp_path) -> None:
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    liga.entities.merge("amber", ["p-anna", "p-anna-2"], "same phone")
    _import(liga, tmp_path, "later.ftm.json", [{"id": "p-anna-2", "schema": "Person",
                                                "properties": {"name": ["Anna O."]}}])
    names = set(_snapshot(liga)["p-anna"]["name"])
    assert names == {"Anna Ozola", "OZOLA ANNA", "Anna O."}


def test_a_victims_pseudonym_covers_every_merged_record(agencies, tmp_path) -> None:
    liga, ilze = agencies["liga"], agencies["ilze"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    liga.cases.share("amber", "Safe House")
    liga.entities.merge("amber", ["p-anna", "p-anna-2"], "same phone")
    seen = {e.id: e for e in ilze.entities.list("amber")}
    text = json.dumps([e.to_dict() for e in seen.values()], ensure_ascii=False)
    for secret in ("OZOLA", "Ozola", "LV80BANK0000435195001", "2012 3456"):
        assert secret not in text, secret
    victims = [i for i, r in ilze.entities.subject_roles("amber").items() if r == "victim"]
    people = [seen[i] for i in victims if i in seen and seen[i].schema.is_a("Person")]
    assert len(people) == 1 and people[0].id.startswith("pseudo-")  # one woman, one pseudonym


def test_a_handling_code_on_one_record_applies_to_the_merged_entity(agencies,
                                                                    tmp_path) -> None:
    liga, mart = agencies["liga"], agencies["mart"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    liga.cases.share("amber", "Politsei")
    liga.entities.set_handling("amber", "p-anna-2", "H3", ["Valsts policija"], "LV only")
    assert "p-anna" in {e.id for e in mart.entities.list("amber")}
    liga.entities.merge("amber", ["p-anna", "p-anna-2"], "same phone")
    assert "p-anna" not in {e.id for e in mart.entities.list("amber")}
    with pytest.raises(NotFound):
        mart.entities.get("amber", "p-anna")


def test_a_share_of_one_record_does_not_reveal_the_records_merged_with_it(agencies,
                                                                         tmp_path) -> None:
    liga, mart = agencies["liga"], agencies["mart"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    liga.cases.share("amber", "Politsei", ["p-anna"])
    liga.entities.merge("amber", ["p-anna", "p-anna-2"], "same phone")
    [anna] = list(mart.entities.list("amber"))
    assert anna.get("name") == ["Anna Ozola"]
    view = mart.entities.get("amber", "p-anna")
    assert {r["entity_id"] for r in view.statements} == {"p-anna"}
    assert "OZOLA ANNA" not in json.dumps(view.statements, default=str)


class Pairs(analysis.Family):
    """A family proposing that people who give the same phone are one person."""

    name = "pairs"
    title = "Pairs"
    prefix = "veriga.pairs."
    schemata = ("Person",)
    record_kinds = ()
    detectors = (analysis.Detector("match.test", "Possibly the same person", None, "test",
                                   "docs/x.md#y", on_confirm="merge"),)

    def run(self, inputs, params, progress=None):
        by_phone: dict[str, list[str]] = {}
        for person in inputs.entities(self.schemata):
            for phone in person.get("phone"):
                by_phone.setdefault(phone, []).append(person.id)
        found = [Finding(kind="match.test", score=0.9, title="same phone",
                         explanation="same phone", detector="veriga.pairs.phone",
                         detector_version="1", evidence=Evidence(entity_ids=sorted(ids)))
                 for ids in by_phone.values() if len(ids) > 1]
        return analysis.Run(self.name, found)


def test_confirming_a_proposed_match_merges_its_records(agencies, tmp_path) -> None:
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    plugins.add("analyses", "pairs", Pairs())
    try:
        liga.analyses.run("amber", only=["pairs"])
        [proposal] = liga.findings.list("amber", "match.test")
        assert proposal.evidence.entity_ids == ["p-anna", "p-anna-2"]
        liga.findings.review("amber", proposal.id, ReviewState.CONFIRMED, "same phone, same age")
    finally:
        plugins.remove("analyses", "pairs")
    assert [r["entity_id"] for r in liga.entities.records("amber", "p-anna-2")] == [
        "p-anna", "p-anna-2"]
    assert liga.entities.records("amber", "p-anna")[0]["finding_id"] == proposal.id
