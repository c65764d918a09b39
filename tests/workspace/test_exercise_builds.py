"""Case simulations built in worker processes: below the server's priority, the attempt's
step kept in its row for every server process to show, the case built as in-process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from test_exercises import people

from veriga.store.schema import training_attempts, training_exercises
from veriga.workspace import Workspace
from veriga.workspace.exercise_builds import NICE, BuildPool
from veriga.workspace.exercises import PURPOSE


def _progress(ws: Workspace, attempt: str) -> str | None:
    with ws.store.begin() as conn:
        step: str | None = conn.execute(select(training_attempts.c.progress).where(
            training_attempts.c.id == attempt)).scalar()
    return step


@pytest.mark.slow
def test_a_worker_process_builds_the_case_below_the_servers_priority(ws: Workspace) -> None:
    who = people(ws)
    trainer, anna = who["trainer"], who["anna"]
    exercise = trainer.exercises.create("Baltic route", "sexual-exploitation", "easy",
                                        cohort="Riga 2026")
    attempt = anna.exercises.begin(exercise["id"])
    assert attempt["status"] == "building" and _progress(ws, attempt["id"]) == "queued"
    pool = BuildPool(ws.settings, workers=1)
    try:
        # the worker runs below this process: a request here is served before a build
        assert pool._executor().submit(os.nice, 0).result(120) == os.nice(0) + NICE
        pool.submit(anna.require_user().id, PURPOSE, attempt["id"]).result(300)
    finally:
        pool.close()
    built = anna.exercises.show(attempt["id"])
    assert built["status"] == "open" and built["case_id"] and built["progress"] is None
    assert built["briefing"]["assess"]  # the key was built from the world's ground truth
    assert anna.entities.list(built["case_id"], ["Person"])


def test_a_build_that_fails_in_the_worker_fails_its_attempt(ws: Workspace) -> None:
    who = people(ws)
    exercise = who["trainer"].exercises.create("Broken", "sexual-exploitation", "easy",
                                               cohort="Riga 2026")
    attempt = who["anna"].exercises.begin(exercise["id"])
    with ws.store.begin() as conn:  # a scenario the simulator does not know
        conn.execute(training_exercises.update().where(
            training_exercises.c.id == exercise["id"]).values(scenario="no-such-scenario"))
    pool = BuildPool(ws.settings, workers=1)
    try:
        pool.submit(who["anna"].require_user().id, PURPOSE, attempt["id"]).result(300)
    finally:
        pool.close()
    failed = who["anna"].exercises.show(attempt["id"])
    assert failed["status"] == "failed" and failed["progress"] is None


def test_a_worker_ends_with_the_server_that_started_it(tmp_path: Path) -> None:
    server = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os
        from veriga.config import Settings
        from veriga.workspace.exercise_builds import BuildPool
        pool = BuildPool(Settings(home={str(tmp_path)!r}, database_url="sqlite://"), 1)
        print(pool._executor().submit(os.getpid).result(120), flush=True)
        os._exit(0)  # killed: no shutdown of the pool
        """)], capture_output=True, text=True, timeout=180, check=True)
    worker = int(server.stdout.split()[-1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Path(f"/proc/{worker}").exists():
        time.sleep(0.2)
    assert not Path(f"/proc/{worker}").exists()
