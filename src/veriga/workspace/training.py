"""``ws.training``: the programme as a trainee and a trainer use it.

Learning (lessons, quizzes, progress) needs :attr:`Op.TRAINING_LEARN`; running cohorts,
events and tests needs :attr:`Op.TRAINING_MANAGE`. Trainees' answers are personal data of
the trainee: every write is audited, and a trainer sees only the cohorts they are in.
"""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import select

from veriga.access.policy import Op
from veriga.store.schema import training_cohorts, training_members, training_progress
from veriga.workspace.part import Part


class Training(Part):
    """Lessons, quizzes, cohorts and events of the training programme."""

    def progress(self) -> builtins.list[dict[str, Any]]:
        """The acting user's progress through the lessons: one row per lesson started."""
        user = self.ws.require_global(Op.TRAINING_LEARN)
        with self.ws.store.begin() as conn:
            rows = conn.execute(select(training_progress).where(
                training_progress.c.user_id == user.id)
                .order_by(training_progress.c.started_at)).mappings().all()
        return [dict(r) for r in rows]

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
