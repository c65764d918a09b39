"""Grading a quiz answer: correct or not, the feedback of every chosen choice and the right
answer; and what a trainee's answers make of a lesson (not started, started, completed)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from veriga.errors import VerigaError
from veriga.training.content import Question

#: Where an answer was given: a lesson's quiz, a spaced review, or a pre-, post- or
#: delayed test of a cohort.
CONTEXTS = ("lesson", "review", "pre", "post", "delayed")
#: The answers that schedule spaced review (a test measures; it does not train).
SCHEDULING = frozenset({"lesson", "review"})


class QuizError(VerigaError):
    """An answer that cannot be graded (no choice, or a choice the question does not have)."""


class Status(StrEnum):
    NOT_STARTED = "not_started"
    STARTED = "started"
    COMPLETED = "completed"


@dataclass(frozen=True)
class ChoiceFeedback:
    """One choice: its place in the question (from 0), text, whether it is right, feedback."""

    index: int
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Graded:
    """A graded answer: the feedback on every chosen choice, and the right ones."""

    question_id: str
    outcome: str
    correct: bool
    chosen: tuple[ChoiceFeedback, ...]
    answer: tuple[ChoiceFeedback, ...]


def grade(question: Question, choices: Iterable[int]) -> Graded:
    """Grade the picked ``choices`` (indices from 0): right when exactly the correct choices
    were picked; refused when nothing is picked or a choice does not exist."""
    picked = sorted(set(choices))
    if not picked:
        raise QuizError(f"question {question.id}: no choice picked")
    bad = [i for i in picked if not 0 <= i < len(question.choices)]
    if bad:
        raise QuizError(f"question {question.id}: no choice {bad[0]} (it has "
                        f"{len(question.choices)}, numbered from 0)")
    every = tuple(ChoiceFeedback(i, c.text, c.correct, c.feedback)
                  for i, c in enumerate(question.choices))
    return Graded(question.id, question.outcome, question.grade(picked),
                  tuple(every[i] for i in picked), tuple(c for c in every if c.correct))


def status(question_ids: Collection[str], correct_ids: Collection[str], started: bool
           ) -> Status:
    """A lesson's status: completed once every question was answered right at least once."""
    if question_ids and set(question_ids) <= set(correct_ids):
        return Status.COMPLETED
    return Status.STARTED if started or correct_ids else Status.NOT_STARTED


def parse_answers(text: str) -> dict[str, list[int]]:
    """``q1=0,q2=1,2`` -> ``{"q1": [0], "q2": [1, 2]}``: a ``question=choice`` pair starts
    each question, further numbers add choices to it (a question with several right
    answers); choices are numbered from 0."""
    answers: dict[str, list[int]] = {}
    current: str | None = None
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if "=" in part:
            current, _, part = (s.strip() for s in part.partition("="))
            if not current:
                raise QuizError(f"no question before '=' in {text!r}")
            answers.setdefault(current, [])
        if current is None:
            raise QuizError(f"{part!r} names no question (write question=choice)")
        try:
            answers[current].append(int(part))
        except ValueError:
            raise QuizError(f"question {current}: {part!r} is not a choice number") from None
    return answers
