"""``ws.xapi``: xAPI statements of trainees' answers, lessons and simulation attempts, for a
learning record store.

Exporting needs :attr:`Op.TRAINING_MANAGE`. A trainer exports the trainees of the cohorts
they are in (one cohort, or all of theirs); an administrator any cohort, or everyone. Actors
are pseudonymous accounts (:func:`veriga.training.exports.xapi.pseudonym`) under a secret
kept per installation in ``VERIGA_HOME/keys`` (made on first use, readable by the owner
only); the statements name no one. Each export is audited with its counts.
"""

from __future__ import annotations

import builtins
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from veriga.access.policy import Op
from veriga.errors import NotFound
from veriga.store.schema import (
    training_answers,
    training_attempts,
    training_cohorts,
    training_members,
    training_progress,
)
from veriga.training.content import Programme, programme
from veriga.training.exports import modules, xapi
from veriga.workspace.part import Part

#: the account home page when none is configured (a reserved, never-resolving domain)
HOME_PAGE = "https://veriga.invalid"


class Xapi(Part):
    """xAPI statements of the programme's trainees."""

    @property
    def secret_path(self) -> Path:
        return self.ws.settings.home / "keys" / "xapi-pseudonym.key"

    def secret(self) -> bytes:
        """This installation's pseudonymisation secret (made on first use)."""
        path = self.secret_path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32))
        return bytes.fromhex(path.read_text(encoding="ascii").strip())

    def _users(self, conn: Connection, cohort: str | None) -> set[str] | None:
        """The trainees whose statements the acting user may export (None: everyone)."""
        user = self.ws.require_global(Op.TRAINING_MANAGE)
        admin = "administrator" in user.roles
        if cohort is not None:
            row = conn.execute(select(training_cohorts.c.id).where(
                (training_cohorts.c.id == cohort) | (training_cohorts.c.name == cohort))).first()
            if row is None or not (admin or conn.execute(
                    select(training_members.c.user_id).where(
                        training_members.c.cohort_id == row.id,
                        training_members.c.user_id == user.id,
                        training_members.c.role == "trainer")).first()):
                raise NotFound(f"no cohort {cohort!r} of yours")
            cohorts = select(training_members.c.cohort_id).where(
                training_members.c.cohort_id == row.id)
        elif admin:
            return None
        else:
            cohorts = select(training_members.c.cohort_id).where(
                training_members.c.user_id == user.id, training_members.c.role == "trainer")
        return {r.user_id for r in conn.execute(select(training_members.c.user_id).where(
            training_members.c.cohort_id.in_(cohorts), training_members.c.role == "trainee"))}

    def statements(self, cohort: str | None = None, module: str | None = None,
                   since: datetime | None = None, home_page: str | None = None,
                   prog: Programme | None = None) -> builtins.list[dict[str, Any]]:
        """The statements of the trainees the acting user may export, oldest first: answers
        (*answered*), lessons completed (*completed*), simulation attempts graded (*passed*
        or *failed*); of one ``cohort`` (id or name), one ``module``'s lessons, from
        ``since`` on."""
        prog = prog or programme()
        home = (home_page or os.environ.get("VERIGA_XAPI_HOME_PAGE") or HOME_PAGE).rstrip("/")
        lessons = ({le.id for le in modules(prog, module)[0].lessons} if module is not None
                   else None)
        key = self.secret()
        with self.ws.store.begin() as conn:
            users = self._users(conn, cohort)
            answers = select(training_answers)
            progress = select(training_progress).where(
                training_progress.c.completed_at.is_not(None))
            attempts = select(training_attempts).where(
                training_attempts.c.status == "submitted")
            if users is not None:
                answers = answers.where(training_answers.c.user_id.in_(users))
                progress = progress.where(training_progress.c.user_id.in_(users))
                attempts = attempts.where(training_attempts.c.user_id.in_(users))
            if lessons is not None:
                answers = answers.where(training_answers.c.lesson_id.in_(lessons))
                progress = progress.where(training_progress.c.lesson_id.in_(lessons))
            if since is not None:
                answers = answers.where(training_answers.c.answered_at >= since)
                progress = progress.where(training_progress.c.completed_at >= since)
                attempts = attempts.where(training_attempts.c.submitted_at >= since)
            names: dict[str, str] = {}

            def actor(user_id: str) -> str:
                if user_id not in names:
                    names[user_id] = xapi.pseudonym(key, user_id)
                return names[user_id]

            out = [xapi.answer_statement(dict(r), actor(r["user_id"]), home, prog)
                   for r in conn.execute(answers).mappings()]
            out += [xapi.lesson_statement(dict(r), actor(r["user_id"]), home, prog)
                    for r in conn.execute(progress).mappings()]
            if lessons is None:  # simulations belong to no one module
                out += [xapi.attempt_statement(dict(r), actor(r["user_id"]), home)
                        for r in conn.execute(attempts).mappings()]
            self.ws.write_audit(conn, "training.xapi_export", None, target=cohort or "all",
                                module=module, statements=len(out), trainees=len(names))
        out.sort(key=lambda s: (s["timestamp"], s["id"]))
        return out
