"""Grading quiz answers, a lesson's status, the CLI's answer notation, and the spaced-review
schedule built from FSRS cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from veriga.training.content import Choice, Programme, Question
from veriga.training.progress import lesson_status, overview, profession_of
from veriga.training.quiz import QuizError, Status, grade, parse_answers, status
from veriga.training.review import due, schedule

SINGLE = Question("q1", "o1", "Which one?", (
    Choice("right", True, "Yes, because."), Choice("wrong", False, "No: it is smuggling."),
    Choice("also wrong", False, "No: consent is irrelevant.")))
MULTIPLE = Question("q2", "o1", "Which two?", (
    Choice("a", True, "a is one."), Choice("b", False, "b is not."), Choice("c", True, "c too.")))
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_right_answer_is_correct_with_its_feedback():
    graded = grade(SINGLE, [0])
    assert graded.correct
    assert [(c.index, c.feedback) for c in graded.chosen] == [(0, "Yes, because.")]
    assert [c.index for c in graded.answer] == [0]


def test_wrong_answer_gets_the_feedback_of_its_choice_and_the_right_answer():
    graded = grade(SINGLE, [2])
    assert not graded.correct
    assert graded.chosen[0].feedback == "No: consent is irrelevant."
    assert not graded.chosen[0].correct
    assert [c.text for c in graded.answer] == ["right"]


def test_several_right_choices_must_all_be_picked_and_only_they():
    assert grade(MULTIPLE, [2, 0, 0]).correct  # order and repeats do not matter
    partial = grade(MULTIPLE, [0])
    assert not partial.correct and [c.index for c in partial.answer] == [0, 2]
    too_many = grade(MULTIPLE, [0, 1, 2])
    assert not too_many.correct
    assert [c.feedback for c in too_many.chosen] == ["a is one.", "b is not.", "c too."]


@pytest.mark.parametrize("choices", [[], [3], [-1], [0, 7]])
def test_no_choice_or_a_choice_the_question_lacks_is_refused(choices):
    with pytest.raises(QuizError):
        grade(SINGLE, choices)


def test_lesson_completed_only_once_every_question_was_right():
    assert status(["q1", "q2"], [], started=False) is Status.NOT_STARTED
    assert status(["q1", "q2"], [], started=True) is Status.STARTED
    assert status(["q1", "q2"], ["q1"], started=True) is Status.STARTED
    assert status(["q1", "q2"], ["q2", "q1"], started=True) is Status.COMPLETED


def test_answer_notation():
    assert parse_answers("q1=0,q2=1,2") == {"q1": [0], "q2": [1, 2]}
    assert parse_answers(" q1 = 2 , ") == {"q1": [2]}
    for bad in ("0,1", "q1=x", "=1"):
        with pytest.raises(QuizError):
            parse_answers(bad)


def test_right_answers_space_out_wrong_ones_come_back_sooner():
    right, due_right = schedule(None, True, NOW)
    wrong, due_wrong = schedule(None, False, NOW)
    assert NOW < due_wrong < due_right
    # a second right answer when due pushes the question further out
    _, due_again = schedule(right, True, due_right)
    assert due_again - due_right > due_right - NOW
    # a lapse brings it back sooner than another right answer would
    _, due_lapse = schedule(right, False, due_right)
    assert due_lapse < due_again


def test_review_lists_the_due_questions_most_overdue_first():
    from veriga.training.content import Lesson, LessonText, Module, Outcome

    text = LessonText("en", "L", "body", (Outcome("o1", "o"),), (), (SINGLE, MULTIPLE))
    lesson = Lesson("les", "mod", 0, ("src",), (), {"en": text})
    prog = Programme((Module("mod", "core", 1, {"en": "M"}, {"en": "S"}, (lesson,)),))
    cards = [("les/q1", NOW - timedelta(hours=1)), ("les/q2", NOW - timedelta(days=2)),
             ("gone/q9", NOW - timedelta(days=9)), ("les/q1x", NOW + timedelta(days=1))]
    found = due(cards, prog, "lv", NOW, limit=5)
    assert [d.key for d in found] == ["les/q2", "les/q1"]  # the removed question left out
    assert not found[0].translated and found[0].question.id == "q2"
    assert [d.key for d in due(cards, prog, "en", NOW, limit=1)] == ["les/q2"]
    # the overview: one lesson started, one question right
    (module,) = overview(prog.modules, "lv", ["les"], [], {"les": {"q1"}})
    assert not module.translated
    assert module.lessons[0].status is Status.STARTED and module.lessons[0].correct == 1
    assert lesson_status(lesson, "en", True, [], completed=True).status is Status.COMPLETED


def test_roles_point_to_their_track():
    assert profession_of(["trainee", "judge"]) == "judges"
    assert profession_of(["financial_officer"]) == "financial"
    assert profession_of(["trainee"]) is None
