"""ws.exercises: an attempt builds a real training case from a fresh simulated world; the
trainee opens it, nobody else does; the key stays hidden until the answer is submitted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from veriga.errors import NotFound, VerigaError
from veriga.store.schema import training_attempts, training_members
from veriga.training.simulation import SubmissionError, model_answer
from veriga.workspace import PermissionDenied, Workspace

PURPOSE = "training exercise"


def people(ws: Workspace) -> dict[str, Workspace]:
    """A trainer running a cohort of three trainees, a trainee of another cohort, and the
    other cohort's trainer."""
    ws.directory.add_org("Training Academy", "training", "LV")
    for name, roles in (("trainer", ["trainer"]), ("anna", ["trainee"]), ("bert", ["trainee"]),
                        ("cara", ["trainee"]), ("dora", ["trainee"]),
                        ("other-trainer", ["trainer"])):
        ws.directory.add_user(name, "Training Academy", roles)
    who = {n: ws.as_user(n, PURPOSE) for n in ("trainer", "anna", "bert", "cara", "dora",
                                                "other-trainer")}
    mine = who["trainer"].cohorts.create("Riga 2026", "lv")
    theirs = who["other-trainer"].cohorts.create("Tallinn 2026", "et")
    with ws.store.begin() as conn:
        for name, cohort in (("anna", mine), ("bert", mine), ("cara", mine),
                             ("dora", theirs)):
            conn.execute(training_members.insert().values(
                cohort_id=cohort["id"], user_id=who[name].require_user().id, role="trainee",
                enrolled_at=datetime.now(UTC)))
    return who


def stored_key(ws: Workspace, attempt: str) -> dict[str, Any]:
    with ws.store.begin() as conn:
        key: dict[str, Any] = conn.execute(select(training_attempts.c.key).where(
            training_attempts.c.id == attempt)).scalar()
    return key


def test_attempt_builds_a_training_case_only_its_trainee_opens(ws: Workspace) -> None:
    who = people(ws)
    trainer, anna, bert, dora = who["trainer"], who["anna"], who["bert"], who["dora"]
    with pytest.raises(PermissionDenied):
        anna.exercises.create("Mine", "mixed", "easy")
    with pytest.raises(NotFound):  # a cohort the trainer does not run
        trainer.exercises.create("x", "mixed", "easy", cohort="Tallinn 2026")
    exercise = trainer.exercises.create("Baltic route", "sexual-exploitation", "easy",
                                        cohort="Riga 2026")
    assert [e["id"] for e in anna.exercises.list()] == [exercise["id"]]
    assert dora.exercises.list() == []
    with pytest.raises(NotFound):
        dora.exercises.begin(exercise["id"])

    steps: list[str] = []
    attempt = anna.exercises.start(exercise["id"], lambda s, d, t: steps.append(s))
    assert steps[-1] == "done" and attempt["status"] == "open"
    case = anna.cases.open(attempt["case_id"])
    assert case["kind"] == "training"
    assert anna.findings.list(attempt["case_id"])  # the analyses have run
    assert sum(anna.entities.count(attempt["case_id"]).values()) > 100
    # no ground truth in the case, nor on disk
    assert not any("ground_truth" in s["file_name"]
                   for s in anna.records.sources(attempt["case_id"]))
    assert not (ws.settings.home / "training" / attempt["id"]).exists()
    # the briefing names whom to assess, the key is not shown before submission
    assert "key" not in attempt and attempt["model_answer"] is None
    assert attempt["briefing"]["assess"]
    shown = json.dumps(anna.exercises.show(attempt["id"]), default=str)
    key = stored_key(ws, attempt["id"])
    roles = {v["role"] for v in key["identities"].values()}
    assert "controller" in roles and '"controller"' not in shown
    assert all("key" not in a for a in anna.exercises.attempts())
    # another trainee: neither the attempt nor its case; a trainer of another cohort neither
    for other in (bert, dora, who["other-trainer"]):
        with pytest.raises(NotFound):
            other.exercises.show(attempt["id"])
        with pytest.raises(NotFound):
            other.cases.open(attempt["case_id"])
        assert other.exercises.attempts() == []
    with pytest.raises(NotFound):
        bert.exercises.submit(attempt["id"], {})
    # the cohort's trainer sees the attempt (not the key) and may open the case
    assert [a["id"] for a in trainer.exercises.attempts()] == [attempt["id"]]
    assert trainer.cases.open(attempt["case_id"])["id"] == attempt["case_id"]
    with pytest.raises(NotFound):  # only the trainee answers
        trainer.exercises.submit(attempt["id"], model_answer(key))

    # an answer naming what the case does not have is refused whole
    with pytest.raises(SubmissionError, match="no entity or finding"):
        anna.exercises.submit(attempt["id"], {"roles": [{"entity": "nope", "role": "victim"}]})
    assert anna.exercises.show(attempt["id"])["status"] == "open"
    graded = anna.exercises.submit(attempt["id"], model_answer(key))
    assert graded["passed"] and graded["score"] >= 0.95
    after = anna.exercises.show(attempt["id"])
    assert after["status"] == "submitted" and after["model_answer"] is not None
    assert anna.exercises.grade(attempt["id"])["grade"]["passed"]
    with pytest.raises(VerigaError, match="only an open attempt"):
        anna.exercises.submit(attempt["id"], model_answer(key))
    assert trainer.exercises.attempts()[0]["passed"] is True


def test_harmful_answer_fails_in_the_workspace(sqlite_ws: Workspace) -> None:
    who = people(sqlite_ws)
    exercise = who["trainer"].exercises.create("Harm", "labour-exploitation", "easy",
                                               cohort="Riga 2026")
    attempt = who["cara"].exercises.start(exercise["id"])
    key = stored_key(sqlite_ws, attempt["id"])
    answer = model_answer(key)
    victim = next(r["entity"] for r in answer["roles"] if r["role"] == "victim")
    answer["disclosures"] = [{"entity": victim, "to": "defence"}]
    graded = who["cara"].exercises.submit(attempt["id"], answer)
    assert not graded["passed"] and graded["harms"][0]["kind"] == "exposes_victim"


def test_team_shares_one_case_and_one_grade(sqlite_ws: Workspace) -> None:
    who = people(sqlite_ws)
    trainer = who["trainer"]
    exercise = trainer.exercises.create("Workshop", "mixed", "easy", cohort="Riga 2026",
                                        team=True)
    with pytest.raises(VerigaError, match="not in the exercise's cohort"):
        trainer.exercises.add_team(exercise["id"], "B", {"dora": "ngo"})
    trainer.exercises.add_team(exercise["id"], "A", {"anna": "investigator",
                                                     "bert": "financial_officer",
                                                     "cara": "ngo"})
    first = who["anna"].exercises.start(exercise["id"])
    second = who["bert"].exercises.start(exercise["id"])
    assert first["case_id"] == second["case_id"] and second["status"] == "open"
    assert who["cara"].cases.open(first["case_id"])  # every member is in the JIT case
    assert first["parts"] == ["roles", "links", "evidence"]
    key = stored_key(sqlite_ws, first["id"])
    full = model_answer(key)
    part = {p: full[p] for p in first["parts"]}
    who["anna"].exercises.submit(first["id"], part)
    team = who["anna"].exercises.show(first["id"])["team_grade"]
    assert team["members"] == 1 and team["components"]["proceeds"]["score"] == 0
    who["bert"].exercises.submit(second["id"], {p: full[p] for p in second["parts"]})
    team = who["bert"].exercises.grade(second["id"])["team_grade"]
    assert team["members"] == 2 and team["components"]["proceeds"]["score"] >= 0.95
    assert team["components"]["safeguards"]["score"] == 0  # cara has not submitted


def test_an_attempt_cut_off_while_building_has_failed(sqlite_ws: Workspace) -> None:
    who = people(sqlite_ws)
    exercise = who["trainer"].exercises.create("Cut", "mixed", "easy", cohort="Riga 2026")
    attempt = who["anna"].exercises.begin(exercise["id"])
    assert who["anna"].exercises.show(attempt["id"])["status"] == "building"
    with sqlite_ws.store.begin() as conn:
        conn.execute(training_attempts.update().where(
            training_attempts.c.id == attempt["id"]).values(
            started_at=datetime.now(UTC) - timedelta(hours=1)))
    assert who["anna"].exercises.show(attempt["id"])["status"] == "failed"
    who["anna"].exercises.build(attempt["id"])  # nothing to build any more
    assert who["anna"].exercises.show(attempt["id"])["case_id"] is None
