"""``ws.exercises``: case simulations set by trainers, attempted by trainees, graded here.

A trainer (:attr:`Op.TRAINING_MANAGE`) sets an exercise for a cohort they run (or for every
trainee, without a cohort), alone or in teams. A trainee (:attr:`Op.TRAINING_LEARN`) starts
an attempt: a fresh seeded world is simulated, imported into a new training case of which
the trainee (the team, for a group exercise) and the cohort's trainers are members, and
analysed; the answer key is built from the world's ground truth and kept in the attempt,
never shown before the answer is submitted, and the world's files are deleted. The trainee
investigates the case in the normal views, then submits an answer, graded at once.

A trainee sees only their own attempts; a trainer those of the cohorts they run (an
administrator every one). Every write is audited; the attempt's case is a case like any
other, its reads audited by the case's own checks.
"""

from __future__ import annotations

import builtins
import json
import os
import random
import secrets
import shutil
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, or_, select

from veriga.access import cases as case_access
from veriga.access.directory import User, load_user
from veriga.access.policy import Op
from veriga.access.roles import CaseKind, Role
from veriga.errors import NotFound, VerigaError
from veriga.store.schema import (
    cases,
    training_attempts,
    training_cohorts,
    training_exercises,
    training_members,
    training_teams,
    users,
)
from veriga.store.store import new_id
from veriga.training import simulation as sim
from veriga.workspace.part import Part

#: the purpose recorded when an attempt's case is built and read for grading
PURPOSE = "training exercise (synthetic data)"
Progress = Callable[[str, int, int], None]
#: an attempt still building after this long was cut off (the build takes seconds)
BUILD_TIMEOUT = timedelta(minutes=15)
#: how many cases this process builds at once (``VERIGA_SIMULATION_SLOTS``; default the
#: processors, at least 2): the others wait their turn. Building is processor-bound, so more
#: at once only slows each; and each import holds a connection of the store's pool, which
#: thirty at once exhausted (half the builds then failed waiting for one)
BUILD_WORKERS = int(os.environ.get("VERIGA_SIMULATION_SLOTS", "0")) or max(2, os.cpu_count() or 2)
BUILD_SLOTS = threading.BoundedSemaphore(BUILD_WORKERS)
#: how many cases a trainer prepares at once ahead of a workshop
MAX_SPARE = 40
#: what a trainee picks in the answer form: people, companies and accounts
CHOICE_SCHEMATA = ("Person", "Company", "LegalEntity", "BankAccount")


def _attempt_public(row: Mapping[str, Any]) -> dict[str, Any]:
    """An attempt as its readers see it: never the key."""
    return {k: v for k, v in row.items() if k != "key"}


def _case_label(exercise: Mapping[str, Any], who: str, attempt_id: str) -> str:
    """An attempt's case name: the exercise, whose it is, and the attempt."""
    return f"{exercise['title']} ({who}, {attempt_id[-6:]})"[:255]


def _member_role(member: User) -> Role:
    """The role a member of an attempt's case has in it."""
    return Role.TRAINEE if Role.TRAINEE in member.roles else (
        Role.TRAINER if Role.TRAINER in member.roles else member.case_role())


def _exercise_row(conn: Connection, exercise_id: str) -> dict[str, Any]:
    return dict(conn.execute(select(training_exercises).where(
        training_exercises.c.id == exercise_id)).mappings().one())


class Exercises(Part):
    """Exercises, teams, attempts, answers and grades of the case simulations."""

    # -- access ------------------------------------------------------------------------------

    @staticmethod
    def _admin(user: User) -> bool:
        return Role.ADMINISTRATOR in user.roles

    @staticmethod
    def _cohort_role(conn: Connection, cohort_id: str | None, user_id: str) -> str | None:
        if cohort_id is None:
            return None
        return conn.execute(select(training_members.c.role).where(
            training_members.c.cohort_id == cohort_id,
            training_members.c.user_id == user_id)).scalar()

    def _runs(self, conn: Connection, exercise: Mapping[str, Any], user: User) -> bool:
        """Whether ``user`` runs ``exercise``: set it, trains its cohort, or administers."""
        return (self._admin(user) or exercise["created_by"] == user.id
                or self._cohort_role(conn, exercise["cohort_id"], user.id) == "trainer")

    def _exercise(self, conn: Connection, ref: str, user: User) -> dict[str, Any]:
        """An exercise the user may see: one they run, or one set for their cohort (or for
        everyone); any other is 'not found'."""
        found = conn.execute(select(training_exercises).where(
            training_exercises.c.id == ref)).mappings().first()
        row = dict(found) if found is not None else None
        if row is not None and (self._runs(conn, row, user) or row["cohort_id"] is None
                                or self._cohort_role(conn, row["cohort_id"], user.id)):
            return row
        raise NotFound(f"no exercise {ref!r} for you (see 'veriga train exercise list')")

    def _attempt(self, conn: Connection, ref: str, user: User,
                 own: bool = False) -> dict[str, Any]:
        """An attempt the user may see: their own, or (unless ``own``) one of an exercise
        they run."""
        row = conn.execute(select(training_attempts).where(
            training_attempts.c.id == ref)).mappings().first()
        if row is not None:
            if row["user_id"] == user.id:
                return self._synced(conn, dict(row))
            if not own:
                exercise = _exercise_row(conn, row["exercise_id"])
                if self._runs(conn, exercise, user):
                    return self._synced(conn, dict(row))
        raise NotFound(f"no attempt {ref!r} of yours (see 'veriga train attempt list')")

    # -- exercises and teams -----------------------------------------------------------------

    def create(self, title: str, scenario: str, difficulty: str, cohort: str | None = None,
               team: bool = False, role: str = "investigator") -> dict[str, Any]:
        """Set an exercise (for a cohort the trainer runs, or for every trainee)."""
        user = self.ws.require_global(Op.TRAINING_MANAGE)
        spec = sim.ExerciseSpec(" ".join(title.split()), scenario, difficulty, role, team)
        with self.ws.store.begin() as conn:
            cohort_id = None
            if cohort is not None:
                found = conn.execute(select(training_cohorts.c.id).where(
                    (training_cohorts.c.id == cohort) | (training_cohorts.c.name == cohort))
                ).scalar()
                if found is None or not (self._admin(user) or self._cohort_role(
                        conn, found, user.id) == "trainer"):
                    raise NotFound(f"no cohort {cohort!r} that you run")
                cohort_id = found
            row = {"id": new_id("exe"), "title": spec.title, "cohort_id": cohort_id,
                   "scenario": scenario, "difficulty": difficulty, "team": team,
                   "settings": spec.settings(), "created_by": user.id,
                   "created_at": datetime.now(UTC)}
            conn.execute(training_exercises.insert().values(**row))
            self.ws.write_audit(conn, "training.exercise.create", None, str(row["id"]),
                                scenario=scenario, difficulty=difficulty, team=team,
                                cohort=cohort_id)
        return row

    def list(self) -> builtins.list[dict[str, Any]]:
        """The exercises the user may attempt or runs, newest first, each with ``runs``
        (whether the user runs it) and the user's own attempts' count."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        mine = select(training_members.c.cohort_id).where(
            training_members.c.user_id == user.id)
        query = select(training_exercises).order_by(training_exercises.c.created_at.desc())
        if not self._admin(user):
            query = query.where(or_(training_exercises.c.cohort_id.is_(None),
                                    training_exercises.c.cohort_id.in_(mine),
                                    training_exercises.c.created_by == user.id))
        with self.ws.store.begin() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            own = [r["exercise_id"] for r in conn.execute(select(
                training_attempts.c.exercise_id).where(training_attempts.c.user_id == user.id))
                .mappings()]
            for row in rows:
                row["runs"] = self._runs(conn, row, user)
                row["attempts"] = own.count(row["id"])
        return rows

    def get(self, ref: str) -> dict[str, Any]:
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            row = self._exercise(conn, ref, user)
            row["runs"] = self._runs(conn, row, user)
            return row

    def add_team(self, exercise: str, name: str, members: Mapping[str, str]
                 ) -> dict[str, Any]:
        """A team of a group exercise: user name -> the role they play (investigator,
        prosecutor, financial_officer, labour_inspector, ngo)."""
        user = self.ws.require_global(Op.TRAINING_MANAGE)
        with self.ws.store.begin() as conn:
            row = self._exercise(conn, exercise, user)
            if not self._runs(conn, row, user):
                raise NotFound(f"no exercise {exercise!r} that you run")
            if not row["team"]:
                raise VerigaError("this exercise is done alone: set a group exercise (--team)")
            if not members:
                raise VerigaError("a team needs members")
            by_id: dict[str, str] = {}
            for username, role in members.items():
                if role not in sim.ROLE_PARTS:
                    raise VerigaError(f"unknown role {role!r}; known: "
                                      + ", ".join(sim.ROLE_PARTS))
                member = load_user(conn, username=username)
                if row["cohort_id"] and self._cohort_role(conn, row["cohort_id"],
                                                          member.id) is None:
                    raise VerigaError(f"{username} is not in the exercise's cohort")
                taken = conn.execute(select(training_teams.c.id, training_teams.c.members)
                                     .where(training_teams.c.exercise_id == row["id"])).all()
                if any(member.id in (m or {}) for _, m in taken):
                    raise VerigaError(f"{username} is already in a team of this exercise")
                by_id[member.id] = role
            team = {"id": new_id("team"), "exercise_id": row["id"], "name": name.strip(),
                    "case_id": None, "members": by_id, "created_at": datetime.now(UTC)}
            conn.execute(training_teams.insert().values(**team))
            self.ws.write_audit(conn, "training.team.create", None, team["id"],
                                exercise=row["id"], members=len(by_id))
        return team

    def teams(self, exercise: str) -> builtins.list[dict[str, Any]]:
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            row = self._exercise(conn, exercise, user)
            rows = [dict(r) for r in conn.execute(select(training_teams).where(
                training_teams.c.exercise_id == row["id"])).mappings()]
        if not self._runs_row(row, user):
            rows = [r for r in rows if user.id in r["members"]]
        return rows

    def _runs_row(self, exercise: Mapping[str, Any], user: User) -> bool:
        with self.ws.store.begin() as conn:
            return self._runs(conn, exercise, user)

    # -- attempts ----------------------------------------------------------------------------

    def begin(self, exercise: str) -> dict[str, Any]:
        """Start an attempt: its row, status ``building`` (``open`` at once when a team mate
        has built the team's case); :meth:`build` does the work."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        now = datetime.now(UTC)
        with self.ws.store.begin() as conn:
            row = self._exercise(conn, exercise, user)
            team = None
            if row["team"]:
                team = next((dict(t) for t in conn.execute(select(training_teams).where(
                    training_teams.c.exercise_id == row["id"])).mappings()
                    if user.id in (t["members"] or {})), None)
                if team is None:
                    raise VerigaError("you are in no team of this group exercise (your "
                                      "trainer sets the teams)")
                mine = conn.execute(select(training_attempts.c.id).where(
                    training_attempts.c.team_id == team["id"],
                    training_attempts.c.user_id == user.id)).scalar()
                if mine:
                    raise VerigaError(f"you have started this team's attempt: {mine}")
            if team is None:
                claimed = self._claim_spare(conn, row, user, now)
                if claimed is not None:
                    return _attempt_public(claimed)
            attempt = {"id": new_id("att"), "exercise_id": row["id"], "user_id": user.id,
                       "team_id": team["id"] if team else None, "case_id": None,
                       "seed": random.SystemRandom().randrange(1, 2**31 - 1),
                       "status": "building", "progress": "queued", "spare": False,
                       "key": None, "submission": None,
                       "grade": None, "score": None, "passed": None, "started_at": now,
                       "submitted_at": None}
            conn.execute(training_attempts.insert().values(**attempt))
            self.ws.write_audit(conn, "training.attempt.start", None, attempt["id"],
                                exercise=row["id"], team=attempt["team_id"])
            if team is not None:
                attempt = self._join_team(conn, attempt, team, user)
        return _attempt_public(attempt)

    def prepare(self, exercise: str, count: int) -> builtins.list[dict[str, Any]]:
        """Cases built ahead of a workshop: ``count`` attempts of the exercise's trainer,
        each to be built (:meth:`build`); a trainee who starts the exercise takes a built
        one at once instead of waiting for a build of their own."""
        user = self.ws.require_global(Op.TRAINING_MANAGE)
        if not 1 <= count <= MAX_SPARE:
            raise VerigaError(f"prepare from 1 to {MAX_SPARE} cases at once")
        now = datetime.now(UTC)
        with self.ws.store.begin() as conn:
            row = self._exercise(conn, exercise, user)
            if not self._runs(conn, row, user):
                raise NotFound(f"no exercise {exercise!r} that you run")
            if row["team"]:
                raise VerigaError("a group exercise's case is built when its team's first "
                                  "member starts it")
            made = [{"id": new_id("att"), "exercise_id": row["id"], "user_id": user.id,
                     "team_id": None, "case_id": None,
                     "seed": random.SystemRandom().randrange(1, 2**31 - 1),
                     "status": "building", "progress": "queued", "spare": True, "key": None,
                     "submission": None, "grade": None, "score": None, "passed": None,
                     "started_at": now, "submitted_at": None} for _ in range(count)]
            conn.execute(training_attempts.insert(), made)
            self.ws.write_audit(conn, "training.exercise.prepare", None, row["id"],
                                count=count)
        return [_attempt_public(a) for a in made]

    def _claim_spare(self, conn: Connection, exercise: Mapping[str, Any], user: User,
                     now: datetime) -> dict[str, Any] | None:
        """A built case prepared for the exercise, made the trainee's attempt: its case
        renamed for them and opened to them. ``None`` when no prepared case is ready (or
        another trainee took the last one in the same instant)."""
        spare = conn.execute(select(training_attempts).where(
            training_attempts.c.exercise_id == exercise["id"],
            training_attempts.c.spare.is_(True), training_attempts.c.status == "open")
            .order_by(training_attempts.c.started_at, training_attempts.c.id).limit(1)
            .with_for_update(skip_locked=True)).mappings().first()
        if spare is None:
            return None
        taken = conn.execute(training_attempts.update().where(
            training_attempts.c.id == spare["id"], training_attempts.c.spare.is_(True))
            .values(user_id=user.id, spare=False, started_at=now))
        if taken.rowcount != 1:
            return None
        case_access.add_member(conn, spare["case_id"], user.id, _member_role(user),
                               self.ws.actor)
        conn.execute(cases.update().where(cases.c.id == spare["case_id"]).values(
            name=_case_label(exercise, user.username, spare["id"])))
        self.ws.write_audit(conn, "training.attempt.start", spare["case_id"], spare["id"],
                            exercise=exercise["id"], team=None, prepared=True)
        return {**spare, "user_id": user.id, "spare": False, "started_at": now}

    def _join_team(self, conn: Connection, attempt: dict[str, Any], team: Mapping[str, Any],
                   user: User) -> dict[str, Any]:
        """A team member's attempt shares a mate's case: once built, it is theirs too; the
        first member's attempt builds it (``builder``)."""
        mates = [dict(r) for r in conn.execute(select(training_attempts).where(
            training_attempts.c.team_id == team["id"],
            training_attempts.c.id != attempt["id"],
            training_attempts.c.status.in_(("building", "open", "submitted"))))
            .mappings()]
        if not mates:
            attempt["builder"] = True
            return attempt
        attempt = self._synced(conn, attempt, mates)
        attempt["builder"] = False
        return attempt

    def _synced(self, conn: Connection, attempt: dict[str, Any],
                mates: builtins.list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A team member's attempt still ``building`` takes the case and key of a mate's
        attempt that is built; an attempt building for longer than :data:`BUILD_TIMEOUT`
        (its build was cut off: the server stopped) has failed."""
        if attempt["status"] != "building":
            return attempt
        started = attempt["started_at"]
        if started.tzinfo is None:  # SQLite keeps no time zone: the times are UTC
            started = started.replace(tzinfo=UTC)
        if datetime.now(UTC) - started > BUILD_TIMEOUT:
            conn.execute(training_attempts.update().where(
                training_attempts.c.id == attempt["id"],
                training_attempts.c.status == "building").values(
                    status="failed", progress=None))
            attempt["status"] = "failed"
            return attempt
        if not attempt["team_id"]:
            return attempt
        if mates is None:
            mates = [dict(r) for r in conn.execute(select(training_attempts).where(
                training_attempts.c.team_id == attempt["team_id"],
                training_attempts.c.id != attempt["id"])).mappings()]
        built = next((m for m in mates if m["key"] is not None and m["case_id"]), None)
        if built is not None:
            values = {"case_id": built["case_id"], "key": built["key"], "seed": built["seed"],
                      "status": "open", "progress": None}
            conn.execute(training_attempts.update().where(
                training_attempts.c.id == attempt["id"]).values(**values))
            attempt.update(values)
        return attempt

    def start(self, exercise: str, progress: Progress | None = None) -> dict[str, Any]:
        """Begin and build an attempt in one go (the CLI; the web builds in the background)."""
        attempt = self.begin(exercise)
        if attempt["status"] == "building" and attempt.get("builder", True):
            self.build(attempt["id"], progress)
        return self.show(attempt["id"])

    def build(self, attempt_id: str, progress: Progress | None = None) -> None:
        """Simulate the attempt's world, import it into a new training case, run the
        analyses, build the key, delete the world's files. The attempt's owner starts it;
        the import and analyses are the exercise setter's (audited as such)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            attempt = self._attempt(conn, attempt_id, user, own=True)
            if attempt["status"] != "building" or attempt["case_id"]:
                return
            exercise = _exercise_row(conn, attempt["exercise_id"])

        def told(step: str, done: int, total: int) -> None:
            if step != "done":  # kept with the attempt: any server process shows it
                with self.ws.store.begin() as conn:
                    conn.execute(training_attempts.update().where(
                        training_attempts.c.id == attempt_id,
                        training_attempts.c.status == "building").values(progress=step))
            if progress is not None:
                progress(step, done, total)

        told("queued", 0, 4)
        with BUILD_SLOTS:
            self._build(attempt, exercise, user, told)

    def _build(self, attempt: dict[str, Any], exercise: Mapping[str, Any], user: User,
               told: Progress) -> None:
        from veriga.ingest import expand
        from veriga.simulate import simulate

        level = sim.DIFFICULTIES[exercise["difficulty"]]
        world = self.ws.settings.home / "training" / attempt["id"]
        try:
            told("simulate", 0, 4)
            shutil.rmtree(world, ignore_errors=True)
            simulate(exercise["scenario"], level.size, attempt["seed"], world)
            truth_path = world / "ground_truth.json"
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            truth_path.unlink()  # the key never enters the case
            case = self._new_case(attempt, exercise, user)
            # the exercise's trainer imports and analyses the world: a trainee may see the case
            # minimised (an NGO's staff), and a run is stored only from a whole view
            with self.ws.store.begin() as conn:
                setter = load_user(conn, user_id=exercise["created_by"])
            session = self.ws.as_user(setter.username, PURPOSE)
            told("import", 1, 4)
            requests, _skipped = expand([world])
            session.records.import_files(case["id"], requests)
            told("analyse", 2, 4)
            runs = session.analyses.run(case["id"])
            told("key", 3, 4)
            finance = runs.get("finance")
            estimate = getattr(getattr(finance, "detail", None), "estimate", None)
            seen = float(estimate.total) if estimate is not None else None
            key = sim.build_key(truth, self._case_entities(session, case["id"]),
                                self._case_findings(session, case["id"]),
                                exercise["difficulty"], attempt["seed"], seen)
            with self.ws.store.begin() as conn:
                conn.execute(training_attempts.update().where(
                    training_attempts.c.id == attempt["id"]).values(
                    case_id=case["id"], key=key, status="open", progress=None))
                if attempt["team_id"]:
                    conn.execute(training_teams.update().where(
                        training_teams.c.id == attempt["team_id"]).values(case_id=case["id"]))
                    for mate in conn.execute(select(training_attempts.c.id).where(
                            training_attempts.c.team_id == attempt["team_id"],
                            training_attempts.c.status == "building")).scalars():
                        conn.execute(training_attempts.update().where(
                            training_attempts.c.id == mate).values(
                            case_id=case["id"], key=key, seed=attempt["seed"],
                            status="open", progress=None))
                self.ws.write_audit(conn, "training.attempt.build", case["id"],
                                    attempt["id"], entities=len(key["entity_identity"]))
            told("done", 4, 4)
        except Exception:
            with self.ws.store.begin() as conn:
                conn.execute(training_attempts.update().where(
                    training_attempts.c.id == attempt["id"]).values(
                    status="failed", progress=None))
            raise
        finally:
            shutil.rmtree(world, ignore_errors=True)

    def _new_case(self, attempt: Mapping[str, Any], exercise: Mapping[str, Any],
                  user: User) -> dict[str, Any]:
        """The attempt's training case: its members are the trainee (the team), the
        exercise's setter and the cohort's trainers. The exercise is what entitles a trainee
        to it (trainees create no cases of their own)."""
        with self.ws.store.begin() as conn:
            team = conn.execute(select(training_teams).where(
                training_teams.c.id == attempt["team_id"])).mappings().first()
            label = _case_label(exercise, "team " + team["name"] if team else user.username,
                                attempt["id"])
            description = "Case simulation on synthetic data" + (
                " shared by a joint investigation team" if team else "")
            case = self.ws.store.create_case(
                conn, label, self.ws.actor, description, owner_org_id=user.org_id,
                kind=CaseKind.TRAINING.value, pseudonym_key=secrets.token_hex(32))
            members = builtins.list(team["members"] if team else {user.id: None})
            trainers = [exercise["created_by"]]
            if exercise["cohort_id"]:
                trainers += conn.execute(select(training_members.c.user_id).where(
                    training_members.c.cohort_id == exercise["cohort_id"],
                    training_members.c.role == "trainer")).scalars()
            members += [t for t in dict.fromkeys(trainers) if t not in members]
            for member_id in members:
                case_access.add_member(conn, case["id"], member_id,
                                       _member_role(load_user(conn, user_id=member_id)),
                                       self.ws.actor)
            self.ws.write_audit(conn, "case.create", case["id"], case["name"],
                                kind=CaseKind.TRAINING.value, attempt=attempt["id"],
                                members=len(members))
        return case

    @staticmethod
    def _case_entities(session: Any, case: str) -> builtins.list[sim.CaseEntity]:
        return [sim.CaseEntity(e.id, e.schema.name, e.caption, tuple(e.get("iban", quiet=True)))
                for e in session.entities.list(case, builtins.list(CHOICE_SCHEMATA))
                if e.id]

    @staticmethod
    def _case_findings(session: Any, case: str) -> builtins.list[sim.CaseFinding]:
        found = []
        for f in session.findings.list(case):
            family = f.detector.split(".")[1] if f.detector.count(".") else f.detector
            keys = f.evidence.keys
            found.append(sim.CaseFinding(
                f.id, f.kind, family, tuple(f.evidence.entity_ids),
                tuple(k.value for k in keys if k.type == "iban"),
                tuple(k.value for k in keys if k.type == "phone")))
        return found

    def attempts(self, exercise: str | None = None) -> builtins.list[dict[str, Any]]:
        """The user's own attempts; for a trainer also those of the exercises they run
        (with the trainee's user name)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        query = select(training_attempts, users.c.username, training_exercises.c.title).join(
            users, users.c.id == training_attempts.c.user_id).join(
            training_exercises, training_exercises.c.id == training_attempts.c.exercise_id
        ).order_by(training_attempts.c.started_at.desc())
        if exercise:
            query = query.where(training_attempts.c.exercise_id == exercise)
        with self.ws.store.begin() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            runs: dict[str, bool] = {}
            out = []
            for row in rows:
                if row["user_id"] != user.id:
                    if row["exercise_id"] not in runs:
                        ex = _exercise_row(conn, row["exercise_id"])
                        runs[row["exercise_id"]] = self._runs(conn, ex, user)
                    if not runs[row["exercise_id"]]:
                        continue
                out.append(_attempt_public(self._synced(conn, row)))
            if any(r["user_id"] != user.id for r in out):
                self.ws.write_audit(conn, "training.attempt.list", None, exercise,
                                    count=len(out))
        return out

    def show(self, ref: str) -> dict[str, Any]:
        """An attempt: its exercise, case, status and, once open, the briefing; once
        submitted, the answer, the grade (and the team's) and the model answer. Never the
        key itself."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            attempt = self._attempt(conn, ref, user)
            exercise = _exercise_row(conn, attempt["exercise_id"])
            role, parts = self._role_parts(conn, attempt, exercise)
            if attempt["user_id"] != user.id:
                self.ws.write_audit(conn, "training.attempt.read", None, attempt["id"])
            team = self._team_grade(conn, attempt) if attempt["team_id"] else None
        key = attempt["key"]
        out = _attempt_public(attempt)
        out.update(exercise=dict(exercise), role=role, parts=builtins.list(parts),
                   briefing=None, model_answer=None, team_grade=team)
        if key is not None:
            out["briefing"] = sim.briefing(key, role, parts, bool(exercise["team"]))
        if attempt["status"] == "submitted" and key is not None:
            out["model_answer"] = sim.model_answer(key)
        return out

    @staticmethod
    def _role_parts(conn: Connection, attempt: Mapping[str, Any],
                    exercise: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
        role = (exercise["settings"] or {}).get("role", "investigator")
        if attempt["team_id"]:
            team = conn.execute(select(training_teams.c.members).where(
                training_teams.c.id == attempt["team_id"])).scalar() or {}
            role = team.get(attempt["user_id"], role)
        return role, sim.parts_of(role, bool(exercise["team"]))

    def choices(self, ref: str) -> dict[str, Any]:
        """What the answer form offers: the case's people, companies and accounts and its
        findings (read as the trainee, audited by the case's checks)."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            attempt = self._attempt(conn, ref, user, own=True)
        if not attempt["case_id"]:
            raise VerigaError("the attempt's case is not built yet")
        case = attempt["case_id"]
        session = self._session(user)
        entities = sorted(({"id": e.id, "schema": e.schema.name, "name": e.caption}
                           for e in session.entities.list(case, builtins.list(CHOICE_SCHEMATA))
                           if e.id), key=lambda e: (e["schema"], e["name"].casefold()))
        findings = [{"id": f.id, "kind": f.kind, "title": f.title, "score": f.score,
                     "message": f.title_message.to_dict() if f.title_message else None}
                    for f in session.findings.list(case)]
        return {"entities": entities, "findings": findings}

    def _session(self, user: User) -> Any:
        return self.ws if self.ws.purpose else self.ws.as_user(user.username, PURPOSE)

    def submit(self, ref: str, data: Any) -> dict[str, Any]:
        """Submit the answer of one's own open attempt: validated against the case (every
        problem reported, nothing kept if any), graded at once. Returns the grade."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            attempt = self._attempt(conn, ref, user, own=True)
            exercise = _exercise_row(conn, attempt["exercise_id"])
            _role, parts = self._role_parts(conn, attempt, exercise)
        if attempt["status"] != "open":
            raise VerigaError(f"the attempt is {attempt['status']}: only an open attempt "
                              "takes an answer")
        key = attempt["key"]
        answer = sim.parse_submission(data, self._known(user, attempt["case_id"], data))
        key = self._with_merges(user, attempt["case_id"], key)
        graded = sim.grade(key, answer, parts)
        with self.ws.store.begin() as conn:
            now = datetime.now(UTC)
            done = conn.execute(training_attempts.update().where(
                training_attempts.c.id == attempt["id"],
                training_attempts.c.status == "open").values(
                submission=answer.to_json(), grade=graded, score=graded["score"],
                passed=graded["passed"], status="submitted", submitted_at=now))
            if done.rowcount != 1:
                raise VerigaError("the attempt was submitted meanwhile")
            self.ws.write_audit(conn, "training.attempt.submit", attempt["case_id"],
                                attempt["id"], score=graded["score"], passed=graded["passed"],
                                harms=len(graded["harms"]))
        return graded

    def _known(self, user: User, case: str, data: Any) -> Callable[[str], bool]:
        """Which ids the answer names that the case has (entities the trainee may see, and
        findings)."""
        session = self._session(user)
        named: set[str] = set()

        def collect(value: Any) -> None:
            if isinstance(value, str) and len(value) <= 200:
                named.add(value.strip())
            elif isinstance(value, dict):
                for v in value.values():
                    collect(v)
            elif isinstance(value, builtins.list):
                for v in value[:5000]:
                    collect(v)

        collect(data)
        findings = {f.id for f in session.findings.list(case)}
        candidates = sorted(n for n in named if n and n not in findings)
        entities = {e.id for e in session.entities.by_id(case, candidates)} if candidates \
            else set()
        merged = session.entities.merged(case)
        known = findings | entities | set(merged.values())
        return known.__contains__

    def _with_merges(self, user: User, case: str, key: dict[str, Any]) -> dict[str, Any]:
        """The key with the entities the trainee made by merging records: an entity whose
        records are all one identity's is that identity's."""
        merged = self._session(user).entities.merged(case)
        identity = dict(key["entity_identity"])
        groups: dict[str, set[str | None]] = {}
        for record, entity in merged.items():
            groups.setdefault(entity, set()).add(identity.get(record))
        for entity, found in groups.items():
            if len(found) == 1 and None not in found:
                identity[entity] = next(iter(found))
        return {**key, "entity_identity": identity}

    def grade(self, ref: str) -> dict[str, Any]:
        """The grade of a submitted attempt (and the team's, in a group exercise)."""
        attempt = self.show(ref)
        if attempt["status"] != "submitted":
            raise VerigaError(f"the attempt is {attempt['status']}: it is graded once "
                              "submitted")
        return {"grade": attempt["grade"], "team_grade": attempt["team_grade"]}

    def _team_grade(self, conn: Connection, attempt: Mapping[str, Any]
                    ) -> dict[str, Any] | None:
        """The team's grade from every member's submitted part (None until one is)."""
        rows = [dict(r) for r in conn.execute(select(training_attempts).where(
            training_attempts.c.team_id == attempt["team_id"],
            training_attempts.c.status == "submitted")).mappings()]
        if not rows:
            return None
        exercise = _exercise_row(conn, attempt["exercise_id"])
        members = []
        for row in rows:
            _role, parts = self._role_parts(conn, row, exercise)
            members.append((parts, sim.parse_submission(row["submission"])))
        graded = sim.grade_team(rows[0]["key"], members)
        graded["members"] = len(rows)
        return graded
