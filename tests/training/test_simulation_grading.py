"""Grading a case simulation against the key built from a simulated world's ground truth."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from veriga.simulate import simulate
from veriga.training.content import Lesson, Module, Programme
from veriga.training.simulation import (
    CaseEntity,
    CaseFinding,
    ExerciseSpec,
    SubmissionError,
    briefing,
    build_key,
    grade,
    grade_team,
    model_answer,
    parse_submission,
    parts_of,
)
from veriga.training.simulation.lessons import lessons_for


def case_of(truth: dict[str, Any]) -> tuple[list[CaseEntity], list[CaseFinding]]:
    """The entities an import of the world gives (from the records' entity ids) and a few
    findings of each family touching the operations, as the analyses would make them."""
    entities = {r["entity_id"]: CaseEntity(r["entity_id"], r["schema"], r["written"])
                for r in truth["records"] if r["entity_id"]}
    for account in truth["accounts"]:
        eid = "acct-" + account["iban"]
        entities[eid] = CaseEntity(eid, "BankAccount", account["iban"], (account["iban"],))
    findings = []
    for n, typology in enumerate(t for t in truth["typologies"] if t["operation"]):
        findings.append(CaseFinding(f"f-fin-{n}", typology["code"], "finance",
                                    tuple("acct-" + a for a in typology["accounts"]),
                                    tuple(typology["accounts"])))
    ads = [a for a in truth["ads"] if a["operation"]]
    findings.append(CaseFinding("f-ads", "operation.sex", "osint", (ads[0]["entity_id"],),
                                phones=(ads[0]["phone"],)))
    front = next(c for c in truth["companies"] if c["role"] == "front_company")
    front_ids = tuple(r["entity_id"] for r in truth["records"]
                      if r["identity"] == front["id"] and r["entity_id"])
    findings.append(CaseFinding("f-lab", "labour.posting", "labour", front_ids[:1]))
    findings.append(CaseFinding("f-match", "match.person", "resolve", front_ids[:1]))
    lawful = next(c for c in truth["companies"] if c["role"] == "lawful" and c["accounts"])
    findings.append(CaseFinding("f-noise", "R5", "finance", ("acct-" + lawful["accounts"][0],),
                                (lawful["accounts"][0],)))
    return list(entities.values()), findings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("world")
    simulate("mixed", "tiny", 11, out)
    truth: dict[str, Any] = json.loads((Path(out) / "ground_truth.json").read_text("utf-8"))
    return truth


@pytest.fixture(scope="module")
def key(world: dict[str, Any]) -> dict[str, Any]:
    entities, findings = case_of(world)
    return build_key(world, entities, findings, "medium", 5, proceeds_seen=40_000.0)


def known_in(key: dict[str, Any]) -> Any:
    ids = set(key["entity_identity"]) | set(key["evidence"]["all_kinds"])
    return ids.__contains__


def answer(key: dict[str, Any], **changes: Any) -> Any:
    data = copy.deepcopy(model_answer(key))
    data.update(changes)
    return parse_submission(data, known_in(key))


def victim_entity(key: dict[str, Any]) -> str:
    ident = next(i for i in key["assess"] if key["identities"][i]["role"] == "victim")
    return str(key["identities"][ident]["entities"][0])


def test_key_from_ground_truth(key: dict[str, Any], world: dict[str, Any]) -> None:
    roles = {key["identities"][i]["role"] for i in key["assess"]}
    assert {"controller", "victim", "lawful"} <= roles
    assert sum(key["identities"][i]["role"] == "lawful" for i in key["assess"]) == 3
    assert key["links"] and key["proceeds"]["accounts"]
    assert "f-noise" not in key["evidence"]["kinds"] and "f-match" not in key["evidence"]["kinds"]
    assert {"f-ads", "f-lab"} <= set(key["evidence"]["kinds"])
    assert {"jit", "eio", "labour_authority"} <= set(key["cooperation"])
    assert "special_measures" in key["safeguards"]
    entities, findings = case_of(world)
    assert build_key(world, entities, findings, "medium", 5, 40_000.0) == key  # seeded


def test_correct_submission_passes(key: dict[str, Any]) -> None:
    graded = grade(key, answer(key))
    assert graded["passed"], graded
    assert graded["harms"] == []
    assert graded["score"] >= 0.95
    assert all(c["score"] >= 0.95 for c in graded["components"].values())


def test_testimony_only_evidence_scores_lower(key: dict[str, Any]) -> None:
    victim = victim_entity(key)
    testimony = [{"kind": "testimony", "ref": victim, "note": "her statement"}]
    plan = {"act": testimony, "means": testimony, "purpose": testimony}
    right = grade(key, answer(key))
    weak = grade(key, answer(key, evidence=plan))
    assert weak["components"]["evidence"]["score"] < right["components"]["evidence"]["score"]
    assert weak["components"]["evidence"]["score"] <= 0.25
    assert weak["score"] < right["score"]
    assert {h["kind"] for h in weak["harms"]} == {"testimony_only"}
    # corroborated by a financial finding, her testimony adds to the element
    one = next(iter(key["evidence"]["kinds"]))
    mixed = {"act": [*testimony, {"kind": "financial", "ref": one}]}
    graded = grade(key, answer(key, evidence=mixed))
    assert graded["components"]["evidence"]["detail"]["elements"]["act"] == 1.0
    assert not any(h["kind"] == "testimony_only" for h in graded["harms"])


@pytest.mark.parametrize("harm", ["offender_role", "prosecute", "disclose", "disclose_party"])
def test_harmful_action_fails_whatever_the_score(key: dict[str, Any], harm: str) -> None:
    victim = victim_entity(key)
    data = copy.deepcopy(model_answer(key))
    if harm == "offender_role":
        for row in data["roles"]:
            if row["entity"] == victim:
                row["role"] = "money_mule"
    elif harm == "prosecute":
        data["prosecute"] = [victim]
    elif harm == "disclose":
        data["disclosures"] = [{"entity": victim, "to": "defence"}]
    else:
        controller = next(i for i, v in key["identities"].items() if v["role"] == "controller")
        data["disclosures"] = [{"entity": victim,
                                "to": key["identities"][controller]["entities"][0]}]
    graded = grade(key, parse_submission(data, known_in(key)))
    assert not graded["passed"]
    assert graded["score"] >= 0.85  # a good score does not save it
    assert graded["harms"]
    # disclosing to the court or a support service is no harm
    data = copy.deepcopy(model_answer(key))
    data["disclosures"] = [{"entity": victim, "to": "court"},
                           {"entity": victim, "to": "support_service"}]
    assert grade(key, parse_submission(data, known_in(key)))["passed"]


def test_wrong_answers_score_per_component(key: dict[str, Any]) -> None:
    data = model_answer(key)
    wrong_roles = [{**r, "role": "lawful"} for r in data["roles"]]
    graded = grade(key, answer(key, roles=wrong_roles, links=[], proceeds=[],
                               safeguards=["referral"], cooperation=["eaw"]))
    parts = graded["components"]
    assert parts["roles"]["score"] < 0.5
    assert parts["links"]["score"] == 0 and parts["proceeds"]["score"] == 0
    assert parts["safeguards"]["score"] < 0.2 and parts["cooperation"]["score"] == 0
    assert parts["evidence"]["score"] >= 0.95
    assert not graded["passed"]
    assert {f["component"] for f in graded["feedback"]} >= {"roles", "links", "proceeds"}


def test_feedback_points_to_existing_lessons(key: dict[str, Any]) -> None:
    graded = grade(key, answer(key, evidence={}, prosecute=[victim_entity(key)]))
    assert graded["lessons"] == lessons_for(["evidence", "harm:victim_as_offender"])

    def module(module_id: str, *lessons: str) -> Module:
        return Module(module_id, "core", 1, {"en": module_id}, {"en": ""}, tuple(
            Lesson(le, module_id, n, (), (), {}) for n, le in enumerate(lessons)))

    shipped = Programme((module("core-victim-centred", "non-punishment-court", "referral"),
                         module("core-legal", "act-means-purpose")))
    # lessons and modules not (yet) in the programme are skipped; each lesson named once
    assert lessons_for(["roles", "harm:victim_as_offender", "safeguards", "nothing"],
                       shipped) == ["act-means-purpose", "non-punishment-court"]


def test_invalid_submission_reports_every_problem(key: dict[str, Any]) -> None:
    with pytest.raises(SubmissionError) as err:
        parse_submission({"roles": [{"entity": "nope", "role": "boss"}],
                          "evidence": {"motive": [], "act": [{"kind": "rumour", "ref": 1}]},
                          "proceeds": [{"account": "x", "amount": -5}],
                          "safeguards": ["hugs"], "extra": 1}, known_in(key))
    text = "; ".join(err.value.problems)
    for where in ("roles[0].entity", "roles[0].role", "evidence.motive", "evidence.act[0].kind",
                  "evidence.act[0].ref", "proceeds[0].amount", "safeguards[0]", "extra"):
        assert where in text
    with pytest.raises(SubmissionError):
        parse_submission([1, 2], None)


def test_team_grade_combines_the_members_parts(key: dict[str, Any]) -> None:
    full = model_answer(key)
    members = []
    for role in ("investigator", "financial_officer", "ngo", "prosecutor"):
        parts = parts_of(role, team=True)
        mine = {p: full[p] for p in parts if p in full}
        members.append((parts, parse_submission(mine, known_in(key))))
    team = grade_team(key, members)
    assert team["passed"] and team["score"] >= 0.95
    # without the NGO member, the safeguards are missing; one harmful member fails the team
    partial = grade_team(key, members[:2])
    assert partial["components"]["safeguards"]["score"] == 0
    bad = parse_submission({"disclosures": [{"entity": victim_entity(key), "to": "suspect"}]},
                           known_in(key))
    assert not grade_team(key, [*members, (("safeguards",), bad)])["passed"]


def test_briefing_names_no_roles(key: dict[str, Any]) -> None:
    told = briefing(key, "investigator", parts_of("investigator", False))
    text = json.dumps(told)
    assert len(told["assess"]) == len(key["assess"])
    assert all(set(item) == {"entity", "name", "kind"} for item in told["assess"])
    for role in ("controller", "money_mule", "lawful"):
        assert role not in text
    assert ExerciseSpec("x", "mixed", "hard").level.size == "small"
    with pytest.raises(Exception, match="unknown scenario"):
        ExerciseSpec("x", "piracy", "easy")
