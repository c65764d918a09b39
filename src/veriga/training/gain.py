"""Learning gain, mastery and the commonly missed questions, from trainees' answers.

Plain functions over answer rows (mappings with ``user_id``, ``lesson_id``, ``question_id``,
``outcome_id``, ``context``, ``correct`` and ``answered_at``), so that the measure is the same
wherever the rows come from.

- A trainee's **score** in a test (``pre``, ``post``, ``delayed``) is the share of its
  questions answered correctly (a question left out counts as wrong: the workspace stores it).
- The **gain** is post minus pre; the **normalised gain** (Hake) is (post − pre) / (1 − pre),
  the share of what there was to learn that was learnt (undefined for a perfect pre-test).
  For a cohort, the gain is the mean of its trainees' gains and the normalised gain is taken
  from the mean scores: (mean post − mean pre) / (1 − mean pre).
- **Retention** is delayed minus post: what of the gain remains weeks later.
- **Mastery** of a learning outcome is the share correct of each trainee's latest answer to
  each of the outcome's questions, in any context (lesson, test, review).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean
from typing import Any

TESTS = ("pre", "post", "delayed")

Answer = Mapping[str, Any]


@dataclass(frozen=True)
class TraineeGain:
    user_id: str
    pre: float | None
    post: float | None
    delayed: float | None

    @property
    def gain(self) -> float | None:
        return None if self.pre is None or self.post is None else self.post - self.pre

    @property
    def normalised(self) -> float | None:
        return normalised_gain(self.pre, self.post)

    @property
    def retention(self) -> float | None:
        return None if self.post is None or self.delayed is None else self.delayed - self.post


@dataclass(frozen=True)
class CohortGain:
    trainees: int  # with both a pre- and a post-test
    pre: float | None  # mean scores of those trainees
    post: float | None
    delayed: float | None  # mean of the trainees who took the delayed test
    gain: float | None
    normalised: float | None
    retention: float | None


@dataclass(frozen=True)
class Mastery:
    lesson_id: str
    outcome_id: str
    correct: int
    answers: int
    trainees: int

    @property
    def share(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class Miss:
    key: str  # lesson-id/question-id
    outcome_id: str | None
    wrong: int
    answers: int

    @property
    def share(self) -> float:
        return self.wrong / self.answers if self.answers else 0.0


def normalised_gain(pre: float | None, post: float | None) -> float | None:
    """(post − pre) / (1 − pre), or None when either is missing or the pre-test was perfect."""
    if pre is None or post is None or pre >= 1.0:
        return None
    return (post - pre) / (1.0 - pre)


def scores(answers: Iterable[Answer]) -> dict[str, dict[str, float]]:
    """Each trainee's score per test context (share correct of that test's answers)."""
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for a in answers:
        if a["context"] in TESTS:
            t = tally[(a["user_id"], a["context"])]
            t[0] += bool(a["correct"])
            t[1] += 1
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (user, context), (right, total) in tally.items():
        out[user][context] = right / total
    return dict(out)


def trainee_gains(answers: Iterable[Answer], trainees: Iterable[str]) -> list[TraineeGain]:
    """The gain of each of ``trainees`` (in that order); missing tests are None."""
    by_user = scores(answers)
    return [TraineeGain(u, by_user.get(u, {}).get("pre"), by_user.get(u, {}).get("post"),
                        by_user.get(u, {}).get("delayed")) for u in trainees]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def cohort_gain(gains: Iterable[TraineeGain]) -> CohortGain:
    """The cohort's gain over the trainees who took both the pre- and the post-test."""
    gains = list(gains)
    paired = [g for g in gains if g.pre is not None and g.post is not None]
    pre, post = _mean(g.pre for g in paired), _mean(g.post for g in paired)
    return CohortGain(
        trainees=len(paired), pre=pre, post=post,
        delayed=_mean(g.delayed for g in gains),
        gain=_mean(g.gain for g in paired),
        normalised=normalised_gain(pre, post),
        retention=_mean(g.retention for g in gains))


def latest(answers: Iterable[Answer]) -> list[Answer]:
    """Each trainee's latest answer to each question."""
    last: dict[tuple[str, str, str], Answer] = {}
    for a in answers:
        key = (a["user_id"], a["lesson_id"], a["question_id"])
        if key not in last or a["answered_at"] >= last[key]["answered_at"]:
            last[key] = a
    return list(last.values())


def mastery(answers: Iterable[Answer]) -> list[Mastery]:
    """Mastery per learning outcome (lesson, outcome), weakest first."""
    tally: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, 0, set()])
    for a in latest(answers):
        if not a.get("outcome_id"):
            continue
        t = tally[(a["lesson_id"], a["outcome_id"])]
        t[0] += bool(a["correct"])
        t[1] += 1
        t[2].add(a["user_id"])
    found = [Mastery(lesson, outcome, right, total, len(users))
             for (lesson, outcome), (right, total, users) in tally.items()]
    return sorted(found, key=lambda m: (m.share, m.lesson_id, m.outcome_id))


def misses(answers: Iterable[Answer], top: int = 10) -> list[Miss]:
    """The questions most often answered wrong (latest answers), most missed first."""
    tally: dict[str, list[Any]] = defaultdict(lambda: [0, 0, None])
    for a in latest(answers):
        t = tally[f"{a['lesson_id']}/{a['question_id']}"]
        t[0] += not a["correct"]
        t[1] += 1
        t[2] = a.get("outcome_id")
    found = [Miss(key, outcome, wrong, total) for key, (wrong, total, outcome)
             in tally.items() if wrong]
    return sorted(found, key=lambda m: (-m.wrong, -m.share, m.key))[:top]
