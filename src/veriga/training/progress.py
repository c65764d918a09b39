"""A trainee's programme as they see it: the modules for their profession, each lesson with
its title in their language (or English, marked untranslated) and its status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from veriga.training.content import Lesson, LessonText, Module
from veriga.training.quiz import Status, status

#: The track of each role's practitioners (roles not named here take every module).
ROLE_TRACKS = {
    "investigator": "law_enforcement", "analyst": "law_enforcement",
    "labour_inspector": "law_enforcement", "prosecutor": "prosecutors", "judge": "judges",
    "financial_officer": "financial", "ngo_worker": "ngo",
}


def profession_of(roles: Iterable[str]) -> str | None:
    """The track a user's roles point to (the first in :data:`ROLE_TRACKS` order), if any."""
    held = set(roles)
    return next((track for role, track in ROLE_TRACKS.items() if role in held), None)


@dataclass(frozen=True)
class LessonStatus:
    id: str
    title: str
    translated: bool
    status: Status
    questions: int
    correct: int  # questions answered right at least once


@dataclass(frozen=True)
class ModuleStatus:
    id: str
    track: str
    title: str
    summary: str
    translated: bool  # the module and all its lessons
    lessons: tuple[LessonStatus, ...]
    title_translated: bool = True  # False: its title and summary are English

    @property
    def completed(self) -> int:
        return sum(le.status is Status.COMPLETED for le in self.lessons)


@dataclass(frozen=True)
class LessonPage:
    """One lesson for one trainee: the text in their language and what they achieved."""

    lesson: Lesson
    module: Module
    text: LessonText
    status: Status
    correct: frozenset[str]  # question ids answered right at least once
    started_at: datetime | None
    completed_at: datetime | None


def lesson_status(lesson: Lesson, language: str, started: bool, correct: Iterable[str],
                  completed: bool = False) -> LessonStatus:
    """A lesson's status; once recorded completed it stays so (a question added later
    does not take the completion back)."""
    text = lesson.text(language)
    ids = [q.id for q in text.quiz]
    right = set(correct) & set(ids)
    state = Status.COMPLETED if completed else status(ids, right, started)
    return LessonStatus(lesson.id, text.title, text.translated, state, len(ids), len(right))


def overview(modules: Iterable[Module], language: str, started: Iterable[str],
             completed: Iterable[str], correct: Mapping[str, Iterable[str]]
             ) -> list[ModuleStatus]:
    """The modules with each lesson's status: ``started`` and ``completed`` are the lessons
    the trainee opened and completed, ``correct`` the question ids answered right at least
    once, by lesson."""
    opened, done = set(started), set(completed)
    out = []
    for module in modules:
        title, title_translated = module.title(language)
        summary, _ = module.summary(language)
        out.append(ModuleStatus(
            module.id, module.track, title, summary, module.translated(language),
            tuple(lesson_status(le, language, le.id in opened, correct.get(le.id, ()),
                                le.id in done) for le in module.lessons),
            title_translated))
    return out
