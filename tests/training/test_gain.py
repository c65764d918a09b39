"""Learning gain, normalised gain, retention, mastery per outcome and the common misses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from veriga.training.gain import (
    cohort_gain,
    mastery,
    misses,
    normalised_gain,
    scores,
    trainee_gains,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def answer(user: str, context: str, q: str, correct: bool, minutes: int = 0,
           outcome: str = "o1", lesson: str = "l1") -> dict:
    return {"user_id": user, "lesson_id": lesson, "question_id": q, "outcome_id": outcome,
            "context": context, "correct": correct,
            "answered_at": T0 + timedelta(minutes=minutes)}


def taken(user: str, context: str, right: int, total: int = 4) -> list[dict]:
    return [answer(user, context, f"q{i}", i < right) for i in range(total)]



def test_normalised_gain_is_the_share_of_what_there_was_to_learn() -> None:
    assert normalised_gain(0.5, 0.75) == pytest.approx(0.5)
    assert normalised_gain(0.2, 0.2) == 0
    assert normalised_gain(0.6, 0.4) == pytest.approx(-0.5)
    assert normalised_gain(1.0, 1.0) is None and normalised_gain(None, 0.5) is None


def test_trainee_and_cohort_gain_with_retention() -> None:
    rows = (taken("a", "pre", 1) + taken("a", "post", 3)
            + taken("a", "delayed", 2) + taken("b", "pre", 2)
            + taken("b", "post", 4) + taken("c", "pre", 0)
            + [answer("a", "lesson", "q9", False)])  # lesson answers are no test
    assert scores(rows)["a"] == {"pre": 0.25, "post": 0.75, "delayed": 0.5}
    a, b, c = trainee_gains(rows, ["a", "b", "c"])
    assert a.gain == pytest.approx(0.5) and a.normalised == pytest.approx(0.5 / 0.75)
    assert a.retention == pytest.approx(-0.25)
    assert b.normalised == pytest.approx(1.0) and c.post is None and c.gain is None
    cohort = cohort_gain([a, b, c])
    assert cohort.trainees == 2  # c took no post-test
    assert cohort.pre == pytest.approx(0.375) and cohort.post == pytest.approx(0.875)
    assert cohort.gain == pytest.approx(0.5)
    assert cohort.normalised == pytest.approx(0.5 / 0.625)
    assert cohort.delayed == pytest.approx(0.5) and cohort.retention == pytest.approx(-0.25)


def test_an_empty_cohort_has_no_gain() -> None:
    cohort = cohort_gain([])
    assert cohort.trainees == 0 and cohort.gain is None and cohort.normalised is None


def test_mastery_uses_each_trainees_latest_answer_per_question() -> None:
    rows = [
        answer("a", "lesson", "q1", False, 0), answer("a", "review", "q1", True, 5),
        answer("b", "pre", "q1", False, 0),
        answer("a", "lesson", "q2", False, 0, outcome="o2"),
        answer("b", "post", "q2", False, 9, outcome="o2"),
        answer("b", "lesson", "q3", True, 0, outcome=None),  # no outcome: not in mastery
    ]
    found = {(m.lesson_id, m.outcome_id): m for m in mastery(rows)}
    assert set(found) == {("l1", "o1"), ("l1", "o2")}
    assert found[("l1", "o1")].share == 0.5 and found[("l1", "o1")].trainees == 2
    assert found[("l1", "o2")].share == 0.0
    assert [m.outcome_id for m in mastery(rows)] == ["o2", "o1"]  # weakest first


def test_the_most_missed_questions_come_first() -> None:
    rows = [answer(u, "post", "q1", False) for u in "abc"] + \
        [answer(u, "post", "q2", u == "a") for u in "abc"] + \
        [answer(u, "post", "q3", True) for u in "abc"] + \
        [answer("a", "lesson", "q2", True, minutes=-5)]  # older: not the latest
    found = misses(rows)
    assert [(m.key, m.wrong, m.answers) for m in found] == [("l1/q1", 3, 3), ("l1/q2", 2, 3)]
    assert misses(rows, top=1)[0].share == 1.0
