"""``ws.cohorts``: delivering the programme to cohorts of trainees.

A trainer (:attr:`Op.TRAINING_MANAGE`) creates cohorts, enrols them from a CSV file, plans
events and takes attendance, sets pre-, post- and delayed tests, reads the dashboard
(mastery per learning outcome, common misses, learning gain, each trainee's progress, test
scores and simulation attempts) and issues and revokes certificates, but only for cohorts
they are a trainer of; an administrator for every cohort. A trainee sees their cohorts'
events, fills in the feedback form of an event and takes the tests. Anyone, without logging
in, verifies a certificate by its hash and learns only its holder's name, what it certifies,
when, who issued it and whether it stands.

A cohort another trainer runs is "not found" for this one, as a case they may not reach.
Every write and every read of trainees' data is audited (ids and counts, no answers).
"""

from __future__ import annotations

import builtins
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from veriga.access.directory import User
from veriga.access.policy import Op, allows
from veriga.access.roles import Role
from veriga.errors import NotFound, VerigaError
from veriga.store import new_id
from veriga.store.schema import (
    organisations,
    training_answers,
    training_assessments,
    training_attempts,
    training_attendance,
    training_certificates,
    training_cohorts,
    training_events,
    training_exercises,
    training_feedback,
    training_members,
    training_progress,
    users,
)
from veriga.training import certificates as certs
from veriga.training import content, delivery, gain
from veriga.training.content import LANGUAGES
from veriga.training.enrolment import EnrolmentRejected, Reject, read
from veriga.workspace.context import PermissionDenied
from veriga.workspace.part import Part


def _aware(at: datetime | None) -> datetime | None:
    """SQLite gives back naive timestamps; every timestamp here is UTC."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def verify_url(hash_: str) -> str:
    """Where a certificate is verified: ``VERIGA_PUBLIC_URL``/verify/HASH."""
    base = os.environ.get("VERIGA_PUBLIC_URL", "http://localhost:8000").rstrip("/")
    return f"{base}/verify/{hash_}"


class Cohorts(Part):
    """Cohorts, enrolment, events, tests, the trainer's dashboard and certificates."""

    # -- access ------------------------------------------------------------------------------

    def _manager(self) -> User:
        return self.ws.require_global(Op.TRAINING_MANAGE)

    @staticmethod
    def _admin(user: User) -> bool:
        return Role.ADMINISTRATOR in user.roles

    @staticmethod
    def _find(conn: Connection, ref: str) -> dict[str, Any]:
        row = conn.execute(select(training_cohorts).where(
            (training_cohorts.c.id == ref) | (training_cohorts.c.name == ref))).mappings().first()
        if row is None:
            raise NotFound(f"no cohort {ref!r} that you run (see 'veriga train cohort list')")
        return dict(row)

    @staticmethod
    def _role(conn: Connection, cohort_id: str, user_id: str) -> str | None:
        return conn.execute(select(training_members.c.role).where(
            training_members.c.cohort_id == cohort_id,
            training_members.c.user_id == user_id)).scalar()

    def _managed(self, conn: Connection, ref: str, user: User) -> dict[str, Any]:
        """The cohort ``ref`` if ``user`` runs it (is its trainer, or an administrator)."""
        cohort = self._find(conn, ref)
        if not self._admin(user) and self._role(conn, cohort["id"], user.id) != "trainer":
            raise NotFound(f"no cohort {ref!r} that you run (see 'veriga train cohort list')")
        return cohort

    def check(self, ref: str) -> None:
        """That the acting user runs cohort ``ref`` (reads nothing of its trainees)."""
        user = self._manager()
        with self.ws.store.begin() as conn:
            self._managed(conn, ref, user)

    def _audit(self, conn: Connection, action: str, target: str | None,
               **detail: Any) -> None:
        self.ws.write_audit(conn, action, None, target, **detail)

    # -- cohorts -----------------------------------------------------------------------------

    def create(self, name: str, language: str, profession: str | None = None,
               description: str | None = None) -> dict[str, Any]:
        """A new cohort; its creator is its first trainer."""
        user = self._manager()
        name = " ".join(name.split())
        if not 2 <= len(name) <= 255:
            raise VerigaError("a cohort's name has 2 to 255 characters")
        if language not in LANGUAGES:
            raise VerigaError(f"language is one of {', '.join(LANGUAGES)}")
        now = datetime.now(UTC)
        cohort_id = new_id("coh")
        row = {"id": cohort_id, "name": name, "language": language,
               "profession": delivery.profession(profession),
               "description": (description or "").strip() or None, "created_by": user.id,
               "created_at": now}
        with self.ws.store.begin() as conn:
            if conn.execute(select(training_cohorts.c.id).where(
                    training_cohorts.c.name == name)).first():
                raise VerigaError(f"a cohort named {name!r} already exists")
            conn.execute(training_cohorts.insert().values(**row))
            conn.execute(training_members.insert().values(
                cohort_id=row["id"], user_id=user.id, role="trainer", profession=None,
                enrolled_at=now))
            self._audit(conn, "training.cohort.create", cohort_id, name=name,
                        language=language, profession=row["profession"])
        return row

    def list(self) -> builtins.list[dict[str, Any]]:
        """The cohorts the acting trainer runs (an administrator: every cohort), with the
        number of trainees in each."""
        user = self._manager()
        count = select(func.count()).where(
            training_members.c.cohort_id == training_cohorts.c.id,
            training_members.c.role == "trainee").scalar_subquery()
        query = select(training_cohorts, count.label("trainees")).order_by(
            training_cohorts.c.name)
        if not self._admin(user):
            query = query.where(training_cohorts.c.id.in_(
                select(training_members.c.cohort_id).where(
                    training_members.c.user_id == user.id,
                    training_members.c.role == "trainer")))
        with self.ws.store.begin() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def mine(self) -> builtins.list[dict[str, Any]]:
        """The cohorts the acting user is a member of, with their role in each."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        query = select(training_cohorts, training_members.c.role).join(
            training_members, training_members.c.cohort_id == training_cohorts.c.id).where(
            training_members.c.user_id == user.id).order_by(training_cohorts.c.name)
        with self.ws.store.begin() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def show(self, ref: str) -> dict[str, Any]:
        """A cohort the user runs: its members, events and tests (audited: a read of its
        trainees' names)."""
        user = self._manager()
        with self.ws.store.begin() as conn:
            cohort = self._managed(conn, ref, user)
            members = self._members(conn, cohort["id"])
            events = self._events(conn, cohort["id"])
            tests = self._tests(conn, cohort["id"])
            self._audit(conn, "training.cohort.read", cohort["id"],
                        trainees=sum(m["role"] == "trainee" for m in members))
        return {**cohort, "members": members, "events": events, "tests": tests}

    @staticmethod
    def _members(conn: Connection, cohort_id: str) -> builtins.list[dict[str, Any]]:
        query = select(users.c.id.label("user_id"), users.c.username, users.c.display_name,
                       users.c.language, organisations.c.name.label("organisation"),
                       training_members.c.role, training_members.c.profession,
                       training_members.c.enrolled_at).join(
            users, users.c.id == training_members.c.user_id).join(
            organisations, organisations.c.id == users.c.org_id).where(
            training_members.c.cohort_id == cohort_id).order_by(
            training_members.c.role.desc(), users.c.display_name, users.c.username)
        return [dict(r) for r in conn.execute(query).mappings()]

    # -- enrolment -----------------------------------------------------------------------------

    def enrol(self, ref: str, data: bytes) -> dict[str, int]:
        """Enrol the people of a CSV file (:mod:`veriga.training.enrolment`) in the cohort.

        Missing trainees are created in the organisation named, with the trainee role and no
        password (an administrator sets one, or they use an API token); trainers must exist
        and hold the trainer role. Every rejected value, from the file or against the
        directory, is reported with its line, and then nobody is enrolled.
        """
        user = self._manager()
        rows, rejects = read(data)
        now = datetime.now(UTC)
        with self.ws.store.begin() as conn:
            cohort = self._managed(conn, ref, user)
            orgs: dict[str, str] = {}
            for org in conn.execute(select(organisations.c.id, organisations.c.name)):
                orgs[org.name.casefold()] = org.id
                orgs[org.id] = org.id
            names = [r.username for r in rows]
            existing: dict[str, Any] = {}
            for chunk in range(0, len(names), 500):
                for u in conn.execute(select(users.c.id, users.c.username, users.c.org_id,
                                             users.c.roles).where(
                        users.c.username.in_(names[chunk:chunk + 500]))).mappings():
                    existing[u["username"]] = u
            members = {m.user_id: m.role for m in conn.execute(select(
                training_members.c.user_id, training_members.c.role).where(
                training_members.c.cohort_id == cohort["id"]))}
            new_users, new_members, updated = [], [], 0
            for r in rows:
                org_id = orgs.get(r.organisation.casefold()) or orgs.get(r.organisation)
                if org_id is None:
                    rejects.append(Reject(r.line, "organisation", r.organisation,
                                          "no such organisation (see 'veriga org list')"))
                    continue
                found = existing.get(r.username)
                if found is None:
                    if r.role == "trainer":
                        rejects.append(Reject(r.line, "username", r.username,
                                              "no such user: trainers are added by an "
                                              "administrator first"))
                        continue
                    user_id = new_id("usr")
                    new_users.append({
                        "id": user_id, "username": r.username, "display_name": r.display_name,
                        "org_id": org_id, "roles": [Role.TRAINEE.value],
                        "language": r.language, "password_hash": None, "active": True,
                        "failed_logins": 0, "created_at": now})
                else:
                    user_id = found["id"]
                    if found["org_id"] != org_id:
                        rejects.append(Reject(r.line, "organisation", r.organisation,
                                              "the user belongs to another organisation"))
                        continue
                    if r.role == "trainer" and Role.TRAINER.value not in found["roles"]:
                        rejects.append(Reject(r.line, "role", r.role,
                                              "the user does not hold the trainer role"))
                        continue
                if user_id in members:
                    if members[user_id] != r.role:
                        rejects.append(Reject(r.line, "role", r.role,
                                              f"already in the cohort as {members[user_id]}"))
                    else:
                        updated += 1
                    continue
                new_members.append({"cohort_id": cohort["id"], "user_id": user_id,
                                    "role": r.role, "profession": r.profession,
                                    "enrolled_at": now})
            if rejects:
                raise EnrolmentRejected(sorted(rejects, key=lambda r: r.line))
            if new_users:
                conn.execute(users.insert(), new_users)
            if new_members:
                conn.execute(training_members.insert(), new_members)
            result = {"enrolled": len(new_members), "created": len(new_users),
                      "already": updated,
                      "trainers": sum(m["role"] == "trainer" for m in new_members)}
            self._audit(conn, "training.enrol", cohort["id"], **result,
                        users=[m["user_id"] for m in new_members])
        return result

    # -- events ------------------------------------------------------------------------------

    def add_event(self, ref: str, kind: str, title: str, starts_at: datetime,
                  ends_at: datetime, place: str | None = None, agenda: str | None = None,
                  materials: Sequence[str] = ()) -> dict[str, Any]:
        """An event of the cohort: online module, national training, international workshop
        or study visit, with its dates, place, agenda and materials."""
        user = self._manager()
        if kind not in delivery.EVENT_KINDS:
            raise VerigaError(f"event kind is one of {', '.join(delivery.EVENT_KINDS)}")
        title = " ".join(title.split())
        if not 2 <= len(title) <= 500:
            raise VerigaError("an event's title has 2 to 500 characters")
        starts, ends = _aware(starts_at), _aware(ends_at)
        assert starts is not None and ends is not None
        if ends < starts:
            raise VerigaError("an event ends after it starts")
        if agenda and len(agenda) > 20000 or place and len(place) > 500:
            raise VerigaError("the agenda or place is too long")
        event_id = new_id("evt")
        row: dict[str, Any] = {"id": event_id, "kind": kind, "title": title, "starts_at": starts,
               "ends_at": ends, "place": (place or "").strip() or None,
               "agenda": (agenda or "").strip() or None,
               "materials": delivery.materials(materials, content.programme()),
               "created_at": datetime.now(UTC)}
        with self.ws.store.begin() as conn:
            cohort = self._managed(conn, ref, user)
            row["cohort_id"] = cohort["id"]
            conn.execute(training_events.insert().values(**row))
            self._audit(conn, "training.event.create", event_id, cohort=cohort["id"],
                        kind=kind)
        return row

    @staticmethod
    def _events(conn: Connection, cohort_id: str) -> builtins.list[dict[str, Any]]:
        present = select(func.count()).where(
            training_attendance.c.event_id == training_events.c.id,
            training_attendance.c.status == "present").scalar_subquery()
        forms = select(func.count()).where(
            training_feedback.c.event_id == training_events.c.id).scalar_subquery()
        query = select(training_events, present.label("present"), forms.label("feedback")) \
            .where(training_events.c.cohort_id == cohort_id).order_by(
            training_events.c.starts_at)
        return [dict(r) for r in conn.execute(query).mappings()]

    def events(self, ref: str) -> builtins.list[dict[str, Any]]:
        """The cohort's events (for its trainers and its trainees)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            cohort = self._find(conn, ref)
            if not self._admin(user) and self._role(conn, cohort["id"], user.id) is None:
                raise NotFound(f"no cohort {ref!r} of yours")
            return self._events(conn, cohort["id"])

    def _event(self, conn: Connection, event_id: str) -> dict[str, Any]:
        row = conn.execute(select(training_events).where(
            training_events.c.id == event_id)).mappings().first()
        if row is None:
            raise NotFound("no such event in your cohorts")
        return dict(row)

    def event(self, event_id: str) -> dict[str, Any]:
        """One event as its participant sees it (whether they gave feedback); its trainer
        also gets the attendance and the feedback summary (audited)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            event = self._event(conn, event_id)
            cohort = self._find(conn, event["cohort_id"])
            role = self._role(conn, cohort["id"], user.id)
            if role is None and not self._admin(user):
                raise NotFound("no such event in your cohorts")
            event["cohort"] = cohort
            event["role"] = role or "trainer"
            event["my_feedback"] = conn.execute(select(training_feedback.c.submitted_at).where(
                training_feedback.c.event_id == event_id,
                training_feedback.c.user_id == user.id)).scalar() is not None
            if event["role"] == "trainer":
                status = {a.user_id: a.status for a in conn.execute(select(
                    training_attendance).where(training_attendance.c.event_id == event_id))}
                event["attendance"] = [
                    {**m, "status": status.get(m["user_id"])}
                    for m in self._members(conn, cohort["id"]) if m["role"] == "trainee"]
                forms = [r.answers for r in conn.execute(select(training_feedback.c.answers)
                         .where(training_feedback.c.event_id == event_id))]
                event["feedback"] = delivery.feedback_summary(forms)
                self._audit(conn, "training.event.read", event_id,
                            trainees=len(event["attendance"]))
        return event

    def attend(self, event_id: str, usernames: Sequence[str], status: str = "present"
               ) -> int:
        """Record the attendance of trainees of the event's cohort."""
        user = self._manager()
        if status not in delivery.ATTENDANCE:
            raise VerigaError(f"attendance is one of {', '.join(delivery.ATTENDANCE)}")
        now = datetime.now(UTC)
        with self.ws.store.begin() as conn:
            event = self._event(conn, event_id)
            cohort = self._managed(conn, event["cohort_id"], user)
            ids = {m["username"]: m["user_id"] for m in self._members(conn, cohort["id"])
                   if m["role"] == "trainee"}
            unknown = [u for u in usernames if u not in ids]
            if unknown:
                raise VerigaError(f"{len(unknown)} of the names are no trainees of the "
                                  f"cohort: {', '.join(unknown[:5])}")
            chosen = [ids[u] for u in dict.fromkeys(usernames)]
            conn.execute(training_attendance.delete().where(
                training_attendance.c.event_id == event_id,
                training_attendance.c.user_id.in_(chosen)))
            if chosen:
                conn.execute(training_attendance.insert(), [
                    {"event_id": event_id, "user_id": u, "status": status,
                     "recorded_at": now} for u in chosen])
            self._audit(conn, "training.attendance", event_id, status=status, users=chosen)
        return len(chosen)

    def submit_feedback(self, event_id: str, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The acting participant's feedback form for an event that has begun (one each)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        form = delivery.feedback_answers(answers)
        now = datetime.now(UTC)
        with self.ws.store.begin() as conn:
            event = self._event(conn, event_id)
            role = self._role(conn, event["cohort_id"], user.id)
            if role != "trainee":
                raise PermissionDenied("only a participant of the event gives its feedback")
            status = conn.execute(select(training_attendance.c.status).where(
                training_attendance.c.event_id == event_id,
                training_attendance.c.user_id == user.id)).scalar()
            if status in ("absent", "excused"):
                raise PermissionDenied("only a participant of the event gives its feedback")
            starts = _aware(event["starts_at"])
            if starts is not None and starts > now:
                raise VerigaError("the feedback form opens when the event begins")
            if conn.execute(select(training_feedback.c.event_id).where(
                    training_feedback.c.event_id == event_id,
                    training_feedback.c.user_id == user.id)).first():
                raise VerigaError("you have already given feedback on this event")
            conn.execute(training_feedback.insert().values(
                event_id=event_id, user_id=user.id, answers=form, submitted_at=now))
            self._audit(conn, "training.feedback", event_id)
        return form

    # -- tests -------------------------------------------------------------------------------

    def create_test(self, ref: str, kind: str, questions: Sequence[str] | None = None,
                    opens_at: datetime | None = None, closes_at: datetime | None = None
                    ) -> dict[str, Any]:
        """A pre-, post- or delayed test of the cohort: fixed quiz questions of the
        programme (by default up to 20 of the required lessons'), open in a window."""
        user = self._manager()
        if kind not in delivery.TEST_KINDS:
            raise VerigaError(f"a test is one of {', '.join(delivery.TEST_KINDS)}")
        now = datetime.now(UTC)
        opens, closes = _aware(opens_at) or now, _aware(closes_at)
        if closes is not None and closes <= opens:
            raise VerigaError("a test closes after it opens")
        with self.ws.store.begin() as conn:
            cohort = self._managed(conn, ref, user)
            keys = delivery.test_questions(content.programme(), cohort["profession"], questions)
            row = {"id": new_id("tst"), "cohort_id": cohort["id"], "kind": kind,
                   "question_ids": keys, "opens_at": opens, "closes_at": closes,
                   "created_at": now}
            conn.execute(training_assessments.insert().values(**row))
            self._audit(conn, "training.test.create", row["id"], cohort=cohort["id"],
                        kind=kind, questions=len(keys))
        return row

    @staticmethod
    def _tests(conn: Connection, cohort_id: str) -> builtins.list[dict[str, Any]]:
        takers = select(func.count(func.distinct(training_answers.c.user_id))).where(
            training_answers.c.assessment_id == training_assessments.c.id).scalar_subquery()
        return [dict(r) for r in conn.execute(select(training_assessments,
                                                     takers.label("taken")).where(
            training_assessments.c.cohort_id == cohort_id).order_by(
            training_assessments.c.opens_at)).mappings()]

    def my_tests(self) -> builtins.list[dict[str, Any]]:
        """The tests of the acting trainee's cohorts: open, closed or taken (with score)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        now = datetime.now(UTC)
        with self.ws.store.begin() as conn:
            rows = conn.execute(select(training_assessments,
                                       training_cohorts.c.name.label("cohort")).join(
                training_cohorts, training_cohorts.c.id == training_assessments.c.cohort_id)
                .where(training_assessments.c.cohort_id.in_(select(
                    training_members.c.cohort_id).where(
                    training_members.c.user_id == user.id,
                    training_members.c.role == "trainee")))
                .order_by(training_assessments.c.opens_at)).mappings().all()
            taken: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for a in conn.execute(select(training_answers.c.assessment_id,
                                         training_answers.c.correct).where(
                    training_answers.c.user_id == user.id,
                    training_answers.c.assessment_id.is_not(None))):
                taken[a.assessment_id][0] += bool(a.correct)
                taken[a.assessment_id][1] += 1
        out = []
        for r in rows:
            score = taken.get(r["id"])
            opens, closes = _aware(r["opens_at"]), _aware(r["closes_at"])
            state = "taken" if score else "upcoming" if opens and opens > now else \
                "closed" if closes and closes <= now else "open"
            out.append({**dict(r), "state": state, "questions": len(r["question_ids"]),
                        "score": score[0] / score[1] if score else None})
        return out

    def _takeable(self, conn: Connection, assessment_id: str, user: User) -> dict[str, Any]:
        row = conn.execute(select(training_assessments).where(
            training_assessments.c.id == assessment_id)).mappings().first()
        if row is None or self._role(conn, row["cohort_id"], user.id) != "trainee":
            raise NotFound("no such test of your cohorts")
        now = datetime.now(UTC)
        opens, closes = _aware(row["opens_at"]), _aware(row["closes_at"])
        if opens is not None and opens > now or closes is not None and closes <= now:
            raise VerigaError("the test is not open now")
        if conn.execute(select(training_answers.c.id).where(
                training_answers.c.assessment_id == assessment_id,
                training_answers.c.user_id == user.id).limit(1)).first():
            raise VerigaError("you have taken this test already (a test is taken once)")
        return dict(row)

    def test(self, assessment_id: str, language: str | None = None) -> dict[str, Any]:
        """A test the acting trainee may take now: its questions and choices, without
        which are correct."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        lang = language or user.language
        with self.ws.store.begin() as conn:
            row = self._takeable(conn, assessment_id, user)
        prog = content.programme()
        questions = []
        for key in row["question_ids"]:
            lesson, q = prog.question(key, lang)
            questions.append({"key": key, "prompt": q.prompt, "multiple": q.multiple,
                              "translated": lesson.text(lang).translated,
                              "choices": [c.text for c in q.choices]})
        return {**row, "questions": questions}

    def take(self, assessment_id: str, answers: Mapping[str, Sequence[int]],
             language: str | None = None) -> dict[str, Any]:
        """Grade and keep the acting trainee's answers to a test (once, in its window); a
        question left out counts as wrong. Returns the score only (no correct answers)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        lang = language if language in LANGUAGES else user.language
        now = datetime.now(UTC)
        prog = content.programme()
        with self.ws.store.begin() as conn:
            row = self._takeable(conn, assessment_id, user)
            unknown = set(answers) - set(row["question_ids"])
            if unknown:
                raise VerigaError(f"{len(unknown)} answer(s) to questions not in the test")
            rows = []
            for key in row["question_ids"]:
                lesson, q = prog.question(key)
                chosen = sorted({int(c) for c in answers.get(key, ())})
                if any(not 0 <= c < len(q.choices) for c in chosen):
                    raise VerigaError(f"question {key}: no such choice")
                rows.append({"user_id": user.id, "lesson_id": lesson.id,
                             "question_id": q.id, "outcome_id": q.outcome,
                             "context": row["kind"], "assessment_id": assessment_id,
                             "choices": chosen, "correct": q.grade(chosen),
                             "language": lang, "answered_at": now})
            conn.execute(training_answers.insert(), rows)
            right = sum(r["correct"] for r in rows)
            self._audit(conn, "training.test.take", assessment_id, kind=row["kind"],
                        correct=right, questions=len(rows))
        return {"correct": right, "questions": len(rows), "score": right / len(rows)}

    # -- the dashboard -------------------------------------------------------------------------

    def dashboard(self, ref: str) -> dict[str, Any]:
        """What a trainer sees of a cohort: mastery per learning outcome, the most missed
        questions, the learning gain, each trainee's progress, test scores and simulation
        attempts, and the events (audited as a read of every trainee's data)."""
        user = self._manager()
        prog = content.programme()
        with self.ws.store.begin() as conn:
            cohort = self._managed(conn, ref, user)
            cid = cohort["id"]
            members = self._members(conn, cid)
            trainees = [m for m in members if m["role"] == "trainee"]
            in_cohort = select(training_members.c.user_id).where(
                training_members.c.cohort_id == cid, training_members.c.role == "trainee")
            tests = self._tests(conn, cid)
            answers = [dict(r) for r in conn.execute(select(
                training_answers.c.user_id, training_answers.c.lesson_id,
                training_answers.c.question_id, training_answers.c.outcome_id,
                training_answers.c.context, training_answers.c.assessment_id,
                training_answers.c.correct, training_answers.c.answered_at).where(
                training_answers.c.user_id.in_(in_cohort))).mappings()]
            done: dict[str, set[str]] = defaultdict(set)
            for p in conn.execute(select(training_progress.c.user_id,
                                         training_progress.c.lesson_id).where(
                    training_progress.c.user_id.in_(in_cohort),
                    training_progress.c.completed_at.is_not(None))):
                done[p.user_id].add(p.lesson_id)
            attempts: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for a in conn.execute(select(
                    training_attempts.c.user_id, training_attempts.c.status,
                    training_attempts.c.score, training_attempts.c.passed,
                    training_attempts.c.started_at,
                    training_exercises.c.title.label("exercise")).join(
                    training_exercises,
                    training_exercises.c.id == training_attempts.c.exercise_id).where(
                    training_attempts.c.user_id.in_(in_cohort)).order_by(
                    training_attempts.c.started_at)).mappings():
                attempts[a["user_id"]].append(dict(a))
            issued = {c.user_id: c for c in conn.execute(select(
                training_certificates.c.user_id, training_certificates.c.hash,
                training_certificates.c.revoked_at).where(
                training_certificates.c.cohort_id == cid))}
            events = self._events(conn, cid)
            self._audit(conn, "training.dashboard.read", cid, trainees=len(trainees))
        test_ids = {t["id"] for t in tests}
        test_answers = [a for a in answers if a["assessment_id"] in test_ids]
        gains = {g.user_id: g for g in gain.trainee_gains(
            test_answers, [t["user_id"] for t in trainees])}
        lang = cohort["language"]
        rows = []
        for t in trainees:
            required = delivery.required_lessons(prog, t["profession"] or cohort["profession"])
            g = gains[t["user_id"]]
            cert = issued.get(t["user_id"])
            rows.append({
                "user_id": t["user_id"], "username": t["username"],
                "display_name": t["display_name"], "profession": t["profession"],
                "organisation": t["organisation"],
                "completed": len(done[t["user_id"]] & set(required)),
                "required": len(required), "pre": g.pre, "post": g.post,
                "delayed": g.delayed, "gain": g.gain, "normalised": g.normalised,
                "attempts": attempts.get(t["user_id"], []),
                "certificate": None if cert is None else {
                    "hash": cert.hash, "revoked": cert.revoked_at is not None}})
        return {"cohort": cohort, "trainees": rows,
                "trainers": [m for m in members if m["role"] == "trainer"],
                "gain": gain.cohort_gain(gains.values()),
                "mastery": [self._outcome(m, lang) for m in gain.mastery(answers)],
                "misses": [self._miss(m, lang) for m in gain.misses(answers)],
                "tests": tests, "events": events}

    @staticmethod
    def _outcome(m: gain.Mastery, lang: str) -> dict[str, Any]:
        text = m.outcome_id
        try:
            lesson = content.programme().lesson(m.lesson_id).text(lang)
            text = next((o.text for o in lesson.outcomes if o.id == m.outcome_id), text)
            title = lesson.title
        except KeyError:
            title = m.lesson_id
        return {"lesson_id": m.lesson_id, "lesson": title, "outcome_id": m.outcome_id,
                "outcome": text, "share": m.share, "answers": m.answers,
                "trainees": m.trainees}

    @staticmethod
    def _miss(m: gain.Miss, lang: str) -> dict[str, Any]:
        try:
            _, q = content.programme().question(m.key, lang)
            prompt = q.prompt
        except KeyError:
            prompt = m.key
        return {"key": m.key, "prompt": prompt, "outcome_id": m.outcome_id, "wrong": m.wrong,
                "answers": m.answers, "share": m.share}

    # -- certificates --------------------------------------------------------------------------

    def issue(self, ref: str, username: str) -> dict[str, Any]:
        """A certificate for a trainee of the cohort who completed its required lessons or
        passed its post-test (at least :data:`delivery.PASS_MARK`)."""
        user = self._manager()
        prog = content.programme()
        now = datetime.now(UTC)
        with self.ws.store.begin() as conn:
            cohort = self._managed(conn, ref, user)
            member = next((m for m in self._members(conn, cohort["id"])
                           if m["username"] == username and m["role"] == "trainee"), None)
            if member is None:
                raise NotFound(f"no trainee {username!r} in cohort {cohort['name']!r}")
            uid = member["user_id"]
            if conn.execute(select(training_certificates.c.hash).where(
                    training_certificates.c.user_id == uid,
                    training_certificates.c.cohort_id == cohort["id"],
                    training_certificates.c.revoked_at.is_(None))).first():
                raise VerigaError("the trainee holds a certificate of this cohort already "
                                  "(revoke it first to issue another)")
            profession = member["profession"] or cohort["profession"]
            required = set(delivery.required_lessons(prog, profession))
            completed = {r.lesson_id for r in conn.execute(select(
                training_progress.c.lesson_id).where(
                training_progress.c.user_id == uid,
                training_progress.c.completed_at.is_not(None)))}
            post = [dict(a) for a in conn.execute(select(
                training_answers.c.user_id, training_answers.c.context,
                training_answers.c.correct).where(
                training_answers.c.user_id == uid, training_answers.c.context == "post",
                training_answers.c.assessment_id.in_(select(training_assessments.c.id).where(
                    training_assessments.c.cohort_id == cohort["id"])))).mappings()]
            score = gain.scores(post).get(uid, {}).get("post")
            if not (required <= completed) and (score is None or score < delivery.PASS_MARK):
                raise VerigaError(
                    f"not yet: {len(required - completed)} of {len(required)} required "
                    f"lessons to complete, and no passed post-test (at least "
                    f"{delivery.PASS_MARK:.0%})")
            issuer = conn.execute(select(organisations.c.name).where(
                organisations.c.id == user.org_id)).scalar_one()
            lang = cohort["language"]
            modules = [{"id": m.id, "title": m.title(lang)[0]}
                       for m in prog.for_profession(profession)
                       if profession or m.track == "core"]
            cid = new_id("crt")
            data = certs.payload(certificate_id=cid, holder=member["display_name"],
                                 cohort=cohort["name"], modules=modules, issued=now.date(),
                                 issuer=str(issuer), language=lang)
            digest = certs.digest(data)
            conn.execute(training_certificates.insert().values(
                id=cid, user_id=uid, cohort_id=cohort["id"], payload=data, hash=digest,
                issued_at=now, revoked_at=None))
            self._audit(conn, "training.certificate.issue", cid, cohort=cohort["id"],
                        user=uid, hash=digest)
        return {"id": cid, "hash": digest, "payload": data, "url": verify_url(digest)}

    def _certificate(self, conn: Connection, hash_: str) -> dict[str, Any]:
        row = conn.execute(select(training_certificates).where(
            training_certificates.c.hash == hash_.strip().lower())).mappings().first()
        if row is None:
            raise NotFound("no such certificate")
        return dict(row)

    def revoke(self, hash_: str, reason: str) -> None:
        """Revoke a certificate of a cohort the user runs; the reason goes to the audit."""
        user = self._manager()
        reason = " ".join(reason.split())
        if len(reason) < 5:
            raise VerigaError("say why the certificate is revoked")
        with self.ws.store.begin() as conn:
            row = self._certificate(conn, hash_)
            if row["cohort_id"] is None and not self._admin(user):
                raise NotFound("no such certificate")
            if row["cohort_id"] is not None:
                self._managed(conn, row["cohort_id"], user)
            if row["revoked_at"] is not None:
                raise VerigaError("the certificate is revoked already")
            conn.execute(training_certificates.update().where(
                training_certificates.c.id == row["id"]).values(revoked_at=datetime.now(UTC)))
            self._audit(conn, "training.certificate.revoke", row["id"], reason=reason[:500])

    def verify(self, hash_: str) -> dict[str, Any] | None:
        """What anyone may learn of a certificate by its hash (no login): holder, what,
        when, issuer, and whether it stands; None if no certificate has that hash. A stored
        payload that no longer matches its hash is not valid."""
        hash_ = hash_.strip().lower()
        if not certs.is_hash(hash_):
            return None
        with self.ws.store.begin() as conn:
            try:
                row = self._certificate(conn, hash_)
            except NotFound:
                self._audit(conn, "training.certificate.verify", None, found=False)
                return None
            self._audit(conn, "training.certificate.verify", row["id"], found=True)
        data = row["payload"]
        intact = certs.verify(data, hash_)
        return {"hash": hash_, "holder": data.get("holder"), "cohort": data.get("cohort"),
                "modules": [m.get("title") for m in data.get("modules", [])],
                "date": data.get("date"), "issuer": data.get("issuer"),
                "revoked": row["revoked_at"] is not None,
                "revoked_at": _aware(row["revoked_at"]), "intact": intact,
                "valid": intact and row["revoked_at"] is None}

    def verify_pdf(self, pdf: bytes) -> dict[str, Any] | None:
        """:meth:`verify` for the hash a certificate PDF names; also says whether the payload
        it carries is the one hashed (``file_intact``)."""
        found = certs.read_pdf(pdf)
        result = self.verify(found.hash)
        if result is not None:
            result["file_intact"] = found.intact
            result["valid"] = result["valid"] and found.intact
        return result

    def pdf(self, hash_: str) -> bytes:
        """The certificate as PDF, for its holder, the cohort's trainers and administrators."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            row = self._certificate(conn, hash_)
            if row["user_id"] != user.id:
                if not any(allows(r, Op.TRAINING_MANAGE) for r in user.roles):
                    raise NotFound("no such certificate")
                self._managed(conn, row["cohort_id"] or "", user)
            self._audit(conn, "training.certificate.read", row["id"])
        return certs.render_pdf(row["payload"], row["hash"], verify_url(row["hash"]))

    def my_certificates(self) -> builtins.list[dict[str, Any]]:
        """The acting user's certificates."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            rows = conn.execute(select(training_certificates).where(
                training_certificates.c.user_id == user.id).order_by(
                training_certificates.c.issued_at)).mappings().all()
        return [{"hash": r["hash"], "cohort": r["payload"].get("cohort"),
                 "date": r["payload"].get("date"), "revoked": r["revoked_at"] is not None,
                 "url": verify_url(r["hash"])} for r in rows]

