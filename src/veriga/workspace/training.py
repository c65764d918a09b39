"""``ws.training``: the programme as a trainee and a trainer use it.

Learning (lessons, quizzes, progress) needs :attr:`Op.TRAINING_LEARN`; running cohorts,
events and tests needs :attr:`Op.TRAINING_MANAGE`. Trainees' answers are personal data of
the trainee: a trainee reads and writes only their own (no method takes another user), every
write is audited, and a trainer sees only the cohorts they are in.

Grading and scheduling are :mod:`veriga.training.quiz` and :mod:`veriga.training.review`;
this part stores what they decide.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from veriga.access.directory import User
from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.store.schema import (
    training_answers,
    training_cards,
    training_cohorts,
    training_members,
    training_progress,
)
from veriga.training import content
from veriga.training import review as spaced
from veriga.training.content import LANGUAGES, PROFESSIONS, Lesson
from veriga.training.progress import LessonPage, ModuleStatus, overview, profession_of
from veriga.training.quiz import CONTEXTS, SCHEDULING, Graded, Status, grade, status
from veriga.workspace.part import Part


@dataclass(frozen=True)
class Answered:
    """A stored answer: its grade, whether the lesson is now completed, and when the
    question comes back for review (None for a test's answer, which schedules nothing)."""

    graded: Graded
    completed: bool
    due_at: datetime | None


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise VerigaError(f"unknown language {lang!r} (one of {', '.join(LANGUAGES)})")
    return lang


def _insert_new(conn: Connection, table: Table, row: dict[str, Any],
                update_columns: Iterable[str] = ()) -> None:
    """Insert ``row``; where its key exists, update ``update_columns`` (or leave it)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**row)
    keys = [c.name for c in table.primary_key.columns]
    changed = {c: stmt.excluded[c] for c in update_columns}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changed) if changed
                 else stmt.on_conflict_do_nothing(index_elements=keys))


class Training(Part):
    """Lessons, quizzes, cohorts and events of the training programme."""

    def _lesson(self, lesson_id: str) -> Lesson:
        try:
            return content.programme().lesson(lesson_id)
        except KeyError:
            raise NotFound(f"no lesson {lesson_id!r} (see 'veriga train modules')") from None

    @staticmethod
    def _correct(conn: Connection, user_id: str, lesson_id: str | None = None
                 ) -> dict[str, set[str]]:
        """The question ids the user answered right at least once, by lesson."""
        query = select(training_answers.c.lesson_id, training_answers.c.question_id) \
            .where(training_answers.c.user_id == user_id, training_answers.c.correct) \
            .distinct()
        if lesson_id is not None:
            query = query.where(training_answers.c.lesson_id == lesson_id)
        found: dict[str, set[str]] = defaultdict(set)
        for lid, qid in conn.execute(query):
            found[lid].add(qid)
        return found

    def progress(self) -> builtins.list[dict[str, Any]]:
        """The acting user's progress through the lessons: one row per lesson started."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            rows = conn.execute(select(training_progress).where(
                training_progress.c.user_id == user.id)
                .order_by(training_progress.c.started_at)).mappings().all()
        return [dict(r) for r in rows]

    def profession(self) -> str | None:
        """The acting trainee's profession: that of their latest cohort enrolment naming
        one, else the one their roles point to; None takes every module."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            enrolled = conn.execute(
                select(training_members.c.profession).where(
                    training_members.c.user_id == user.id,
                    training_members.c.profession.is_not(None))
                .order_by(training_members.c.enrolled_at.desc()).limit(1)).scalar()
        return str(enrolled) if enrolled else profession_of(user.roles)

    def overview(self, lang: str = "en", profession: str | None = None
                 ) -> builtins.list[ModuleStatus]:
        """The programme for ``profession`` (the core modules and its own; every module when
        None) with the status of each of the acting trainee's lessons."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        _language(lang)
        if profession is not None and profession not in PROFESSIONS:
            raise VerigaError(f"unknown profession {profession!r} (one of "
                              f"{', '.join(PROFESSIONS)})")
        with self.ws.store.begin() as conn:
            rows = conn.execute(select(training_progress.c.lesson_id,
                                       training_progress.c.completed_at).where(
                training_progress.c.user_id == user.id)).all()
            correct = self._correct(conn, user.id)
        return overview(content.programme().for_profession(profession), lang,
                        [r.lesson_id for r in rows],
                        [r.lesson_id for r in rows if r.completed_at is not None], correct)

    def lesson(self, lesson_id: str, lang: str = "en") -> LessonPage:
        """The lesson in ``lang`` (English marked untranslated where it has no translation),
        marked started for the acting trainee (audited)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        lesson = self._lesson(lesson_id)
        module = content.programme().module(lesson.module_id)
        text = lesson.text(_language(lang))
        with self.ws.store.begin() as conn:
            _insert_new(conn, training_progress, {
                "user_id": user.id, "lesson_id": lesson_id, "language": lang,
                "started_at": datetime.now(UTC), "completed_at": None})
            row = conn.execute(select(training_progress).where(
                training_progress.c.user_id == user.id,
                training_progress.c.lesson_id == lesson_id)).mappings().one()
            correct = frozenset(self._correct(conn, user.id, lesson_id)[lesson_id])
            self.ws.write_audit(conn, "training.lesson", None, target=lesson_id,
                                language=lang, translated=text.translated)
        state = Status.COMPLETED if row["completed_at"] else status(
            [q.id for q in text.quiz], correct, started=True)
        return LessonPage(lesson, module, text, state, correct, row["started_at"],
                          row["completed_at"])

    def answer(self, lesson_id: str, question_id: str, choices: Iterable[int],
               lang: str = "en", context: str = "lesson",
               assessment_id: str | None = None) -> Answered:
        """Grade and store the acting trainee's answer; an answer in a lesson or a review
        updates the question's FSRS card (Good when right, Again when wrong), and the last
        question of a lesson answered right completes it. Audited."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        if context not in CONTEXTS:
            raise VerigaError(f"unknown context {context!r} (one of {', '.join(CONTEXTS)})")
        lesson = self._lesson(lesson_id)
        text = lesson.text(_language(lang))
        try:
            question = text.question(question_id)
        except KeyError:
            raise NotFound(f"no question {question_id!r} in lesson {lesson_id!r}") from None
        graded = grade(question, choices)
        now = datetime.now(UTC)
        key = lesson.question_key(question_id)
        due_at = None
        with self.ws.store.begin() as conn:
            conn.execute(training_answers.insert().values(
                user_id=user.id, lesson_id=lesson_id, question_id=question_id,
                outcome_id=question.outcome, context=context, assessment_id=assessment_id,
                choices=[c.index for c in graded.chosen], correct=graded.correct,
                language=lang, answered_at=now))
            if context in SCHEDULING:
                card = conn.execute(select(training_cards.c.card).where(
                    training_cards.c.user_id == user.id,
                    training_cards.c.question_key == key)).scalar()
                after, due_at = spaced.schedule(card, graded.correct, now)
                _insert_new(conn, training_cards, {
                    "user_id": user.id, "question_key": key, "card": after,
                    "due_at": due_at}, update_columns=("card", "due_at"))
            done_at, ready = None, False
            if context == "lesson":
                _insert_new(conn, training_progress, {
                    "user_id": user.id, "lesson_id": lesson_id, "language": lang,
                    "started_at": now, "completed_at": None})
                done_at, ready = self._completion(conn, user, lesson, graded.correct)
            # the audit last: its lock serialises every writer until the commit
            self.ws.write_audit(conn, "training.answer", None, target=key, context=context)
            if ready:
                self._mark_completed(conn, user, lesson, now)
        return Answered(graded, done_at is not None or ready, due_at)

    def _completion(self, conn: Connection, user: User, lesson: Lesson, check: bool
                    ) -> tuple[datetime | None, bool]:
        """When the lesson was completed (None: not yet), and, if not yet and ``check``,
        whether every question of it has now been answered right at least once."""
        done = conn.execute(select(training_progress.c.completed_at).where(
            training_progress.c.user_id == user.id,
            training_progress.c.lesson_id == lesson.id)).scalar()
        if done is not None:
            return spaced.as_utc(done), False
        if not check:
            return None, False
        ids = [q.id for q in lesson.text("en").quiz]
        right = self._correct(conn, user.id, lesson.id)[lesson.id]
        return None, status(ids, right, True) is Status.COMPLETED

    def _mark_completed(self, conn: Connection, user: User, lesson: Lesson, now: datetime
                        ) -> None:
        conn.execute(update(training_progress).where(
            training_progress.c.user_id == user.id,
            training_progress.c.lesson_id == lesson.id).values(completed_at=now))
        self.ws.write_audit(conn, "training.complete", None, target=lesson.id)

    def complete(self, lesson_id: str) -> datetime:
        """Mark the lesson completed (audited): only once every question of it was answered
        right at least once; returns when it was completed."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        lesson = self._lesson(lesson_id)
        with self.ws.store.begin() as conn:
            _insert_new(conn, training_progress, {
                "user_id": user.id, "lesson_id": lesson_id, "language": "en",
                "started_at": datetime.now(UTC), "completed_at": None})
            done_at, ready = self._completion(conn, user, lesson, check=True)
            if done_at is not None:
                return done_at
            if not ready:
                right = self._correct(conn, user.id, lesson_id)[lesson_id]
                left = len({q.id for q in lesson.text("en").quiz} - right)
                raise VerigaError(f"lesson {lesson_id!r} is not completed: {left} of its "
                                  "questions not yet answered right")
            now = datetime.now(UTC)
            self._mark_completed(conn, user, lesson, now)
        return now

    def reviews(self, due_before: datetime | None = None, limit: int = 20,
                lang: str = "en") -> builtins.list[spaced.Due]:
        """The acting trainee's questions due for review at ``due_before`` (now), the most
        overdue first, at most ``limit``."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        _language(lang)
        if limit < 1:
            raise VerigaError("the limit must be at least 1")
        before = spaced.as_utc(due_before) if due_before else datetime.now(UTC)
        with self.ws.store.begin() as conn:
            # a few more than asked: questions the programme no longer has are left out
            rows = conn.execute(select(training_cards.c.question_key, training_cards.c.due_at)
                                .where(training_cards.c.user_id == user.id,
                                       training_cards.c.due_at <= before)
                                .order_by(training_cards.c.due_at)
                                .limit(limit + 50)).all()
        return spaced.due([(r.question_key, r.due_at) for r in rows], content.programme(),
                          lang, before, limit)

    def cohorts(self) -> builtins.list[dict[str, Any]]:
        """The cohorts the acting trainer is in (an administrator sees every cohort)."""
        user = self.ws.require_global(Op.TRAINING_MANAGE)
        query = select(training_cohorts).order_by(training_cohorts.c.name)
        if "administrator" not in user.roles:
            query = query.where(training_cohorts.c.id.in_(
                select(training_members.c.cohort_id).where(
                    training_members.c.user_id == user.id)))
        with self.ws.store.begin() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
