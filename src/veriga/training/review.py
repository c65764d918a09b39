"""Spaced review with FSRS: each question a trainee answered is a card, rated Good when the
answer was right and Again when it was wrong; the questions whose cards are due make up the
trainee's review.

The scheduler has no same-day learning steps: a lesson's quiz is the first learning, so a
right answer comes back after days, a wrong one the next day. Intervals are not fuzzed, so
the same answers give the same schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import fsrs

from veriga.training.content import Lesson, Programme, Question

SCHEDULER = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; the store keeps UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def schedule(card: dict[str, Any] | None, correct: bool, at: datetime
             ) -> tuple[dict[str, Any], datetime]:
    """The card after one answer at ``at`` (a new card when ``card`` is None), as stored
    (a JSON mapping), and when it is next due."""
    before = fsrs.Card.from_dict(card) if card else fsrs.Card()  # type: ignore[arg-type]
    rating = fsrs.Rating.Good if correct else fsrs.Rating.Again
    after, _ = SCHEDULER.review_card(before, rating, as_utc(at))
    return dict(after.to_dict()), as_utc(after.due)


@dataclass(frozen=True)
class Due:
    """A question due for review: its lesson, the question in the trainee's language."""

    key: str  # lesson-id/question-id
    due_at: datetime
    lesson: Lesson
    question: Question
    translated: bool


def due(cards: Iterable[tuple[str, datetime]], programme: Programme, language: str,
        before: datetime, limit: int) -> list[Due]:
    """The questions of ``cards`` (key, due date) due at ``before``, the most overdue first,
    at most ``limit``; a question the programme no longer has is left out."""
    found: list[Due] = []
    for key, due_at in sorted(cards, key=lambda kv: (as_utc(kv[1]), kv[0])):
        if as_utc(due_at) > as_utc(before) or len(found) >= limit:
            break
        try:
            lesson, question = programme.question(key, language)
        except KeyError:
            continue
        found.append(Due(key, as_utc(due_at), lesson, question,
                         lesson.text(language).translated))
    return found
