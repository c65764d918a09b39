"""Learning in the workspace (ws.training), on SQLite and PostgreSQL: a lesson opened and its
quiz answered are stored and audited, FSRS cards schedule the review, the lesson completes
once every question was right, and a trainee reaches only their own data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from learncontent import use_sample
from veriga.errors import NotFound, VerigaError
from veriga.store.schema import training_answers, training_cards, training_progress
from veriga.training import content
from veriga.training.quiz import QuizError, Status
from veriga.workspace import PermissionDenied, Workspace


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> content.Programme:
    return use_sample(tmp_path, monkeypatch)


@pytest.fixture
def people(ws: Workspace, sample: content.Programme) -> tuple[Workspace, Workspace]:
    ws.directory.add_org("Academy", "training", "LV")
    ws.directory.add_user("anna", "Academy", ["trainee"])
    ws.directory.add_user("berzs", "Academy", ["trainee", "judge"])
    return ws.as_user("anna"), ws.as_user("berzs")


def _audit(ws: Workspace, actor: str) -> list[dict]:
    with ws.store.begin() as conn:
        return [e for e in ws.store.list_audit(conn) if e["actor"] == actor]


def test_lesson_answers_cards_and_completion_are_stored_and_audited(people):
    anna, _ = people
    page = anna.training.lesson("sample-one", "lv")
    assert page.text.translated and page.text.title == "Pirmā nodarbība"
    assert page.status is Status.STARTED and page.started_at is not None
    wrong = anna.training.answer("sample-one", "q1", [1], "lv")
    assert not wrong.graded.correct and not wrong.completed
    assert wrong.graded.chosen[0].feedback == "Nepareizi: no."
    assert [c.text for c in wrong.graded.answer] == ["Pareizi"]
    right = anna.training.answer("sample-one", "q1", [0], "lv")
    assert right.graded.correct and not right.completed
    with pytest.raises(VerigaError, match="1 of its questions"):
        anna.training.complete("sample-one")
    last = anna.training.answer("sample-one", "q2", [0, 2], "lv")
    assert last.completed
    assert anna.training.complete("sample-one") is not None  # already completed: when

    with anna.store.begin() as conn:
        answers = conn.execute(select(training_answers).order_by(training_answers.c.id)
                               ).mappings().all()
        cards = {r["question_key"]: r for r in conn.execute(select(training_cards)).mappings()}
        progress = conn.execute(select(training_progress)).mappings().one()
    assert [(a["question_id"], a["choices"], a["correct"], a["language"], a["context"])
            for a in answers] == [("q1", [1], False, "lv", "lesson"),
                                  ("q1", [0], True, "lv", "lesson"),
                                  ("q2", [0, 2], True, "lv", "lesson")]
    assert set(cards) == {"sample-one/q1", "sample-one/q2"}
    assert cards["sample-one/q1"]["card"]["stability"] > 0
    assert progress["completed_at"] is not None

    actions = [(e["action"], e["target"]) for e in _audit(anna, "anna")]
    assert actions == [("training.lesson", "sample-one"),
                       ("training.answer", "sample-one/q1"),
                       ("training.answer", "sample-one/q1"),
                       ("training.answer", "sample-one/q2"),
                       ("training.complete", "sample-one")]
    # the audit says what was done, not what was answered
    assert all("choices" not in e["detail"] for e in _audit(anna, "anna"))


def test_cards_schedule_the_review(people):
    anna, _ = people
    anna.training.answer("sample-one", "q1", [0], "en")
    anna.training.answer("sample-one", "q2", [1], "en")  # wrong: back sooner
    assert anna.training.reviews() == []  # nothing due yet
    tomorrow = datetime.now(UTC) + timedelta(days=1, minutes=1)
    (due,) = anna.training.reviews(due_before=tomorrow, lang="lv")
    assert due.key == "sample-one/q2" and due.question.prompt == "Kurš two?"
    later = datetime.now(UTC) + timedelta(days=30)
    assert [d.key for d in anna.training.reviews(due_before=later)] == [
        "sample-one/q2", "sample-one/q1"]
    # a review answer reschedules the card
    done = anna.training.answer("sample-one", "q2", [0, 2], "en", context="review")
    with anna.store.begin() as conn:
        card = conn.execute(select(training_cards.c.card).where(
            training_cards.c.question_key == "sample-one/q2")).scalar()
    assert done.due_at is not None and card["due"] == done.due_at.isoformat()
    assert datetime.fromisoformat(card["last_review"]) > datetime.now(UTC) - timedelta(
        minutes=1)
    # a test's answer is stored but schedules nothing
    assert anna.training.answer("sample-one", "q1", [1], "en", context="pre").due_at is None


def test_overview_shows_each_lesson_status_untranslated_marked(people):
    anna, _ = people
    anna.training.lesson("sample-two", "lv")
    anna.training.answer("sample-one", "q1", [0], "lv")
    anna.training.answer("sample-one", "q2", [0, 2], "lv")
    (module,) = anna.training.overview("lv", "judges")
    assert module.title == "Parauga modulis" and not module.translated
    one, two = module.lessons
    assert (one.status, one.translated, one.correct) == (Status.COMPLETED, True, 2)
    assert (two.status, two.translated, two.title) == (Status.STARTED, False, "Second lesson")
    page = anna.training.lesson("sample-two", "lv")
    assert not page.text.translated and page.text.language == "lv"


def test_a_trainee_reaches_only_their_own_progress(people):
    anna, berzs = people
    anna.training.lesson("sample-one", "en")
    anna.training.answer("sample-one", "q1", [0], "en")
    assert [p["lesson_id"] for p in anna.training.progress()] == ["sample-one"]
    assert berzs.training.progress() == []
    assert berzs.training.reviews(due_before=datetime.now(UTC) + timedelta(days=99)) == []
    (module,) = berzs.training.overview("en")
    assert all(le.status is Status.NOT_STARTED for le in module.lessons)
    # nothing takes another user: berzs's answer is his own, anna's lesson stays unfinished
    berzs.training.answer("sample-one", "q2", [0, 2], "en")
    assert anna.training.lesson("sample-one", "en").correct == {"q1"}
    assert berzs.training.profession() == "judges" and anna.training.profession() is None


def test_refused(people, ws):
    anna, _ = people
    with pytest.raises(NotFound):
        anna.training.lesson("no-such-lesson", "en")
    with pytest.raises(NotFound):
        anna.training.answer("sample-one", "q9", [0], "en")
    with pytest.raises(QuizError):
        anna.training.answer("sample-one", "q1", [5], "en")
    with pytest.raises(VerigaError, match="language"):
        anna.training.lesson("sample-one", "xx")
    with pytest.raises(VerigaError, match="context"):
        anna.training.answer("sample-one", "q1", [0], "en", context="exam")
    with pytest.raises(VerigaError, match="profession"):
        anna.training.overview("en", "astronauts")
    ws.directory.add_user("dpo1", "Academy", ["dpo"])
    with pytest.raises(PermissionDenied):
        ws.as_user("dpo1").training.answer("sample-one", "q1", [0], "en")
    with anna.store.begin() as conn:
        assert conn.execute(select(training_answers)).first() is None
