"""xAPI statements of trainees (ws.xapi), on SQLite and PostgreSQL: the structure xAPI 1.0.3
asks for (actor, verb, object, result, timestamp, a UUID id), pseudonymous account actors and
no username, display name or user id anywhere, ADL verbs, a trainer limited to their own
cohorts' trainees, a trainee refused, every export audited."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from veriga.errors import NotFound
from veriga.store.schema import (
    training_answers,
    training_attempts,
    training_cohorts,
    training_exercises,
    training_members,
    training_progress,
)
from veriga.training.content import CONTENT, Programme, load_module
from veriga.training.exports import xapi
from veriga.workspace import PermissionDenied, Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOME = "https://lms.example.org"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ADL_VERBS = {"http://adlnet.gov/expapi/verbs/" + v
             for v in ("answered", "completed", "passed", "failed")}


@pytest.fixture
def prog() -> Programme:
    return Programme((load_module(CONTENT / "core-legal"),))


@pytest.fixture
def school(ws: Workspace) -> dict[str, object]:
    """Two cohorts, each with a trainer and a trainee, and what the trainees did."""
    ws.directory.add_org("Academy", "training", "LV")
    people = {name: ws.directory.add_user(name, "Academy", [role], display_name=display)
              for name, role, display in (
                  ("tina", "trainer", "Tina Trainer"), ("otto", "trainer", "Otto Other"),
                  ("anna", "trainee", "Anna Liepa"), ("berzs", "trainee", "Jānis Bērzs"))}
    ids = {name: str(row["id"]) for name, row in people.items()}
    with ws.store.begin() as conn:
        for cohort, trainer, trainee in (("c-riga", "tina", "anna"),
                                          ("c-tartu", "otto", "berzs")):
            conn.execute(insert(training_cohorts).values(
                id=cohort, name=f"{cohort} prosecutors", language="lv", profession=None,
                created_by=ids[trainer], created_at=T0))
            for user, role in ((trainer, "trainer"), (trainee, "trainee")):
                conn.execute(insert(training_members).values(
                    cohort_id=cohort, user_id=ids[user], role=role, enrolled_at=T0))
        for n, (user, question, choices, correct) in enumerate((
                ("anna", "three-elements", [0], True), ("anna", "child-means", [1], False),
                ("berzs", "three-elements", [2], False))):
            conn.execute(insert(training_answers).values(
                user_id=ids[user], lesson_id="act-means-purpose", question_id=question,
                outcome_id=None, context="lesson", assessment_id=None, choices=choices,
                correct=correct, language="lv", answered_at=T0 + timedelta(minutes=n)))
        conn.execute(insert(training_progress).values(
            user_id=ids["anna"], lesson_id="act-means-purpose", language="lv",
            started_at=T0, completed_at=T0 + timedelta(hours=1)))
        conn.execute(insert(training_exercises).values(
            id="ex-1", title="Labour case", cohort_id="c-riga", scenario="labour",
            difficulty="easy", team=False, settings={}, created_by=ids["tina"],
            created_at=T0))
        for attempt, user, passed, score in (("a-1", "anna", True, 0.82),
                                             ("a-2", "berzs", False, 41.0)):
            conn.execute(insert(training_attempts).values(
                id=attempt, exercise_id="ex-1", user_id=ids[user], seed=7,
                status="submitted", score=score, passed=passed, started_at=T0,
                submitted_at=T0 + timedelta(days=1)))
    return {"ids": ids, "people": people}


def _check_statement(s: dict) -> None:
    """The parts of a statement xAPI 1.0.3 requires, in the shapes it requires."""
    assert uuid.UUID(s["id"]).version == 5
    actor = s["actor"]
    assert actor["objectType"] == "Agent" and set(actor) == {"objectType", "account"}
    assert set(actor["account"]) == {"homePage", "name"}
    assert actor["account"]["homePage"] == HOME
    assert re.fullmatch(r"[0-9a-f]{64}", actor["account"]["name"])
    assert s["verb"]["id"] in ADL_VERBS and s["verb"]["display"]["en-US"]
    assert s["object"]["objectType"] == "Activity"
    assert s["object"]["id"].startswith(HOME + "/training/")
    assert ISO.match(s["timestamp"])
    assert isinstance(s["result"], dict)
    if "score" in s["result"]:
        assert 0 <= s["result"]["score"]["scaled"] <= 1
    if "registration" in s.get("context", {}):
        uuid.UUID(s["context"]["registration"])
    assert s["version"] == "1.0.3"


def test_statements_have_the_xapi_structure_and_name_no_one(ws, school, prog):
    found = ws.xapi.statements(home_page=HOME, prog=prog)
    for s in found:
        _check_statement(s)
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in found)
    assert verbs == ["answered", "answered", "answered", "completed", "failed", "passed"]
    answer = next(s for s in found if s["result"].get("response") == "0")
    assert answer["result"]["success"] is True
    assert answer["object"]["definition"]["interactionType"] == "choice"
    assert answer["object"]["definition"]["correctResponsesPattern"] == ["0"]
    assert answer["context"]["language"] == "lv"
    passed = next(s for s in found if s["verb"]["id"].endswith("passed"))
    assert passed["result"] == {"success": True, "completion": True, "score": {"scaled": 0.82}}
    failed = next(s for s in found if s["verb"]["id"].endswith("failed"))
    assert failed["result"]["score"]["scaled"] == 0.41
    # the same trainee is the same pseudonym, different trainees differ
    secret = ws.xapi.secret()
    anna = xapi.pseudonym(secret, school["ids"]["anna"])
    assert {s["actor"]["account"]["name"] for s in found} == {
        anna, xapi.pseudonym(secret, school["ids"]["berzs"])}
    # nothing that identifies a person: no username, display name or user id
    text = json.dumps(found, ensure_ascii=False)
    for name, row in school["people"].items():
        for value in (name, row["display_name"], row["id"]):
            assert value not in text
    # exporting again gives the same statements (an LRS keeps one of each)
    assert ws.xapi.statements(home_page=HOME, prog=prog) == found


def test_pseudonyms_depend_on_the_installation_secret(ws, school, prog):
    secret_file = ws.xapi.secret_path
    one = {s["actor"]["account"]["name"] for s in ws.xapi.statements(home_page=HOME,
                                                                      prog=prog)}
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    secret_file.unlink()
    two = {s["actor"]["account"]["name"] for s in ws.xapi.statements(home_page=HOME,
                                                                      prog=prog)}
    assert one.isdisjoint(two)


def test_trainer_sees_only_own_cohorts_and_trainee_is_refused(ws, school, prog):
    tina = ws.as_user("tina")
    mine = tina.xapi.statements(home_page=HOME, prog=prog)
    anna = xapi.pseudonym(ws.xapi.secret(), school["ids"]["anna"])
    assert {s["actor"]["account"]["name"] for s in mine} == {anna}
    assert len(mine) == 4  # two answers, a lesson completed, a simulation passed
    assert len(tina.xapi.statements(cohort="c-riga", home_page=HOME, prog=prog)) == 4
    with pytest.raises(NotFound):
        tina.xapi.statements(cohort="c-tartu", home_page=HOME, prog=prog)
    with pytest.raises(NotFound):
        tina.xapi.statements(cohort="nowhere", home_page=HOME, prog=prog)
    with pytest.raises(PermissionDenied):
        ws.as_user("anna").xapi.statements(home_page=HOME, prog=prog)


def test_filters_and_audit(ws, school, prog):
    only_module = ws.xapi.statements(module="core-legal", home_page=HOME, prog=prog)
    assert {s["verb"]["id"].rsplit("/", 1)[1] for s in only_module} == {"answered",
                                                                        "completed"}
    later = ws.xapi.statements(since=T0 + timedelta(hours=2), home_page=HOME, prog=prog)
    assert {s["verb"]["id"].rsplit("/", 1)[1] for s in later} == {"passed", "failed"}
    with ws.store.begin() as conn:
        entries = [e for e in ws.store.list_audit(conn)
                   if e["action"] == "training.xapi_export"]
    assert len(entries) == 2
    assert entries[0]["detail"]["statements"] == 4 and entries[0]["detail"]["trainees"] == 2
