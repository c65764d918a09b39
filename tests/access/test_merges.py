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


@pytest.fixture
def pairs():
    plugins.add("analyses", "pairs", Pairs())
    yield
    plugins.remove("analyses", "pairs")


def _proposal(ws) -> Finding:
    ws.analyses.run("amber", only=["pairs"])
    [proposal] = ws.findings.list("amber", "match.test")
    assert proposal.evidence.entity_ids == ["p-anna", "p-anna-2"]
    return proposal


def _log(agencies) -> list[dict]:
    admin = agencies["admin"]
    if "dpo" not in {u["username"] for u in admin.directory.users()}:
        admin.directory.add_user("dpo", "Valsts policija", ["dpo"])
    return admin.as_user("dpo", purpose="review").audit.log("amber")


def test_confirming_a_proposed_match_merges_its_records(agencies, tmp_path, pairs) -> None:
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    proposal = _proposal(liga)
    liga.findings.review("amber", proposal.id, ReviewState.CONFIRMED, "same phone, same age")
    assert [r["entity_id"] for r in liga.entities.records("amber", "p-anna-2")] == [
        "p-anna", "p-anna-2"]
    assert liga.entities.records("amber", "p-anna")[0]["finding_id"] == proposal.id
    done = [(e["action"], e["target"]) for e in _log(agencies)
            if e["action"] in ("entity.merge", "finding.review")]
    assert done == [("entity.merge", "p-anna"), ("finding.review", proposal.id)]


def test_a_confirmation_whose_merge_fails_changes_nothing(agencies, tmp_path, pairs) -> None:
    """A record the reviewer may not see (a handling code) cannot be merged: the proposal
    stays unreviewed, nothing is merged, and the audit log says neither happened."""
    liga, mart = agencies["liga"], agencies["mart"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    proposal = _proposal(liga)
    liga.cases.share("amber", "Politsei")
    liga.entities.set_handling("amber", "p-anna-2", "H3", ["Valsts policija"], "LV only")
    with pytest.raises(NotFound):
        mart.findings.review("amber", proposal.id, ReviewState.CONFIRMED, "same phone")
    kept = liga.findings.get("amber", proposal.id)
    assert kept.review.state is ReviewState.NEW and kept.review.by is None
    assert liga.entities.records("amber", "p-anna") == []
    assert not [e for e in _log(agencies) if e["actor"] == "mart"
                and e["action"] in ("entity.merge", "finding.review")]
    liga.findings.review("amber", proposal.id, ReviewState.CONFIRMED, "same phone")
    assert len(liga.entities.records("amber", "p-anna")) == 2


def test_a_split_puts_the_proposal_that_made_the_merge_back_for_review(agencies, tmp_path,
                                                                       pairs) -> None:
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    proposal = _proposal(liga)
    liga.findings.review("amber", proposal.id, ReviewState.CONFIRMED, "same phone")
    liga.entities.split("amber", "p-anna-2", "two women share a phone")
    again = liga.findings.get("amber", proposal.id)
    assert again.review.state is ReviewState.NEW
    assert again.review.by == "liga" and again.review.at is not None
    assert again.review.reason == "Split: two women share a phone"
    log = _log(agencies)
    split = next(e for e in log if e["action"] == "entity.split")
    assert split["detail"]["reopened"] == [proposal.id]
    reopened = [e for e in log if e["action"] == "finding.review"][-1]
    assert reopened["target"] == proposal.id and reopened["seq"] > split["seq"]
    assert reopened["detail"]["state"] == "new" and reopened["detail"]["split"] == "p-anna-2"
    # a re-run treats it as any unreviewed proposal: replaced by today's, without the note
    liga.analyses.run("amber", only=["pairs"])
    [rerun] = liga.findings.list("amber", "match.test")
    assert rerun.id == proposal.id and rerun.review.state is ReviewState.NEW
    assert rerun.review.by is None and rerun.review.reason is None


def test_a_split_reopens_a_proposal_whose_merge_grew(agencies, tmp_path, pairs) -> None:
    """A confirmed proposal's records later merged with another by hand: the merge rows
    name the last decision only, and a split still puts the proposal back for review;
    a proposal left unreviewed stays as it was."""
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    proposal = _proposal(liga)
    liga.findings.review("amber", proposal.id, ReviewState.CONFIRMED, "same phone")
    liga.entities.merge("amber", ["p-anna", "p-ivan"], "a test of a wider merge")
    assert {r["finding_id"] for r in liga.entities.records("amber", "p-anna")} == {None}
    liga.entities.split("amber", "p-ivan", "not one person")
    assert liga.findings.get("amber", proposal.id).review.state is ReviewState.NEW
    liga.entities.merge("amber", ["p-anna", "p-anna-2"], "by hand, no proposal")
    liga.entities.split("amber", "p-anna", "undone")
    assert liga.findings.get("amber", proposal.id).review.reason == "Split: not one person"


def test_a_merge_naming_a_proposal_confirms_it_or_does_nothing(agencies, tmp_path,
                                                               pairs) -> None:
    """`veriga merge --finding`: the proposal is confirmed with the merge, in one step; a
    merge that leaves out one of its records, or names no proposed match, does neither."""
    liga = agencies["liga"]
    _import(liga, tmp_path, "police.ftm.json", ANNA_ELSEWHERE)
    proposal = _proposal(liga)
    with pytest.raises(VerigaError, match="leaves out"):
        liga.entities.merge("amber", ["p-anna", "p-ivan"], "same", proposal.id)
    with pytest.raises(NotFound, match="no proposed match"):
        liga.entities.merge("amber", ["p-anna", "p-anna-2"], "same", "f-nothing")
    assert liga.entities.records("amber", "p-anna") == []
    assert liga.findings.get("amber", proposal.id).review.state is ReviewState.NEW
    liga.entities.merge("amber", ["p-anna", "p-anna-2"], "same phone", proposal.id)
    done = liga.findings.get("amber", proposal.id)
    assert done.review.state is ReviewState.CONFIRMED and done.review.reason == "same phone"
    assert liga.entities.split("amber", "p-anna", "no").reopened == [proposal.id]
