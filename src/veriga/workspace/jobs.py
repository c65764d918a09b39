"""Background jobs started from the browser: the case report and its PDF.

Gathering a large case's report takes minutes; a request that waits for it ties up the
server and times out. The report page starts a job instead (:meth:`Jobs.start_report`); a
worker process of the server builds it as the user who started it, with that session's
purpose and minimisation (``veriga.web.report_jobs``), and the job's page shows its step until the
files are ready. A job and its files are its owner's alone; they are kept
:data:`KEEP` and then deleted.
"""

from __future__ import annotations

import builtins
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.store.schema import jobs
from veriga.store.store import new_id
from veriga.workspace.part import Part

#: how long a job's files are kept
KEEP = timedelta(hours=24)
#: a job still queued or running after this long was cut off (the server stopped)
STALE = timedelta(hours=2)
#: the files a report job makes: name -> media type
REPORT_FILES = {"fragment.html": "text/html; charset=utf-8",
                "report.html": "text/html; charset=utf-8", "report.pdf": "application/pdf"}


def _public(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "kind", "case_id", "lang", "params", "status",
                                "progress", "error", "files", "created_at", "started_at",
                                "finished_at")}


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at  # SQLite keeps no zone


class Jobs(Part):
    """The user's background jobs."""

    @property
    def root(self) -> Path:
        return self.ws.settings.home / "jobs"

    def start_report(self, case: str, lang: str, unreviewed: bool = False,
                     sections: Iterable[str] | None = None) -> dict[str, Any]:
        """A job that gathers the case report as this user (read access to the case and a
        stated purpose, checked now) and renders it as HTML and PDF."""
        user = self.ws.require_user()
        now = datetime.now(UTC)
        with self.ws.case(case, Op.FINDING_READ) as access:
            job_id = new_id("job")
            row: dict[str, Any] = {
                "id": job_id, "kind": "report", "case_id": access.case_id, "user_id": user.id,
                "purpose": self.ws.purpose or "", "lang": lang,
                "params": {"unreviewed": bool(unreviewed),
                           **({"sections": sorted(sections)} if sections is not None else {})},
                "status": "queued",
                "progress": None, "error": None, "files": None, "created_at": now,
                "started_at": None, "finished_at": None}
            access.conn.execute(jobs.insert().values(**row))
            access.audit("job.start", job_id, kind="report", unreviewed=bool(unreviewed))
        self._forget_old()
        return _public(row)

    def _own(self, conn: Connection, job_id: str) -> dict[str, Any]:
        """The user's job (another's is 'not found'); one cut off is marked failed."""
        user = self.ws.require_user()
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        if row is None or row["user_id"] != user.id:
            raise NotFound(f"no job {job_id!r} of yours")
        found = dict(row)
        if found["status"] in ("queued", "running") and \
                datetime.now(UTC) - _aware(found["created_at"]) > STALE:
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(
                status="failed", error="cut off: the server stopped while it ran"))
            found.update(status="failed", error="cut off: the server stopped while it ran")
        return found

    def get(self, job_id: str) -> dict[str, Any]:
        with self.ws.store.begin() as conn:
            return _public(self._own(conn, job_id))

    def list(self, case: str) -> builtins.list[dict[str, Any]]:
        """The user's jobs on the case, newest first."""
        user = self.ws.require_user()
        with self.ws.case(case, Op.FINDING_READ) as access:
            rows = access.conn.execute(select(jobs).where(
                jobs.c.user_id == user.id, jobs.c.case_id == access.case_id)
                .order_by(jobs.c.created_at.desc()).limit(20)).mappings().all()
            return [_public(self._own(access.conn, r["id"])) for r in rows]

    def file(self, job_id: str, name: str) -> tuple[bytes, str]:
        """A file the job made and its media type; reading it is audited as reading the
        report."""
        if name not in REPORT_FILES:
            raise NotFound(f"no file {name!r}")
        with self.ws.store.begin() as conn:
            row = self._own(conn, job_id)
        if row["status"] != "done" or name not in (row["files"] or {}):
            raise VerigaError("the job has not made this file (yet)")
        path = self.root / row["id"] / name
        if not path.is_file():
            raise NotFound("the job's files were deleted (they are kept for a day)")
        with self.ws.case(row["case_id"], Op.FINDING_READ) as access:
            access.audit("report.read", row["id"], file=name)
        return path.read_bytes(), REPORT_FILES[name]

    # -- doing a job (in a worker process, as its owner: ``veriga.web.report_jobs``) -------

    def claim(self, job_id: str) -> dict[str, Any] | None:
        """The job, now running; ``None`` if it is not queued (done, or taken already)."""
        with self.ws.store.begin() as conn:
            row = self._own(conn, job_id)
            taken = conn.execute(jobs.update().where(
                jobs.c.id == job_id, jobs.c.status == "queued").values(
                status="running", progress="gather", started_at=datetime.now(UTC)))
        return row if taken.rowcount == 1 else None

    def step(self, job_id: str, step: str) -> None:
        with self.ws.store.begin() as conn:
            self._own(conn, job_id)
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(progress=step))

    def finish(self, job_id: str, files: dict[str, bytes]) -> None:
        """Keep the job's files (readable by the server's account only) and mark it done."""
        out = self.root / job_id
        out.mkdir(parents=True, exist_ok=True)
        sizes = {}
        for name, data in files.items():
            if name not in REPORT_FILES:
                raise ValueError(f"not a file of a report job: {name}")
            path = out / name
            path.touch(mode=0o600)
            path.write_bytes(data)
            sizes[name] = len(data)
        with self.ws.store.begin() as conn:
            self._own(conn, job_id)
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(
                status="done", progress=None, files=sizes, finished_at=datetime.now(UTC)))

    def fail(self, job_id: str, exc: BaseException) -> None:
        """Mark the job failed: a refusal says why; anything else only what failed (an
        error's message may hold data)."""
        shutil.rmtree(self.root / job_id, ignore_errors=True)
        error = str(exc)[:500] if isinstance(exc, VerigaError) else type(exc).__name__
        with self.ws.store.begin() as conn:
            self._own(conn, job_id)
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(
                status="failed", progress=None, error=error, finished_at=datetime.now(UTC)))

    def _forget_old(self) -> None:
        """Delete the files of the user's jobs older than :data:`KEEP`."""
        user = self.ws.require_user()
        with self.ws.store.begin() as conn:
            old = conn.execute(select(jobs.c.id).where(
                jobs.c.user_id == user.id, jobs.c.files.is_not(None),
                jobs.c.created_at < datetime.now(UTC) - KEEP)).scalars().all()
            for job_id in old:
                shutil.rmtree(self.root / job_id, ignore_errors=True)
                conn.execute(jobs.update().where(jobs.c.id == job_id).values(files=None))

