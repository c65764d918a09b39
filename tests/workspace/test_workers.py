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

from veriga.errors import NotFound, VerigaError
from veriga.store.schema import training_attempts, training_exercises
from veriga.workspace import PermissionDenied, Workspace
from veriga.workspace.exercises import PURPOSE
from veriga.workspace.workers import NICE, WorkerPool, build_attempt


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
    pool = WorkerPool(ws.settings, workers=1)
    try:
        # the worker runs below this process: a request here is served before a build
        assert pool._executor().submit(os.nice, 0).result(120) == os.nice(0) + NICE
        pool.submit(anna.require_user().id, PURPOSE, build_attempt, attempt["id"]).result(300)
    finally:
        pool.close()
    built = anna.exercises.show(attempt["id"])
    assert built["status"] == "open" and built["case_id"] and built["progress"] is None
    assert built["briefing"]["assess"]  # the key was built from the world's ground truth
    assert list(anna.entities.list(built["case_id"], ["Person"]))


def test_a_build_that_fails_in_the_worker_fails_its_attempt(ws: Workspace) -> None:
    who = people(ws)
    exercise = who["trainer"].exercises.create("Broken", "sexual-exploitation", "easy",
                                               cohort="Riga 2026")
    attempt = who["anna"].exercises.begin(exercise["id"])
    with ws.store.begin() as conn:  # a scenario the simulator does not know
        conn.execute(training_exercises.update().where(
            training_exercises.c.id == exercise["id"]).values(scenario="no-such-scenario"))
    pool = WorkerPool(ws.settings, workers=1)
    try:
        anna = who["anna"].require_user().id
        pool.submit(anna, PURPOSE, build_attempt, attempt["id"]).result(300)
    finally:
        pool.close()
    failed = who["anna"].exercises.show(attempt["id"])
    assert failed["status"] == "failed" and failed["progress"] is None


def test_a_worker_ends_with_the_server_that_started_it(tmp_path: Path) -> None:
    server = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os
        from veriga.config import Settings
        from veriga.workspace.workers import WorkerPool
        pool = WorkerPool(Settings(home={str(tmp_path)!r}, database_url="sqlite://"), 1)
        print(pool._executor().submit(os.getpid).result(120), flush=True)
        os._exit(0)  # killed: no shutdown of the pool
        """)], capture_output=True, text=True, timeout=180, check=True)
    worker = int(server.stdout.split()[-1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Path(f"/proc/{worker}").exists():
        time.sleep(0.2)
    assert not Path(f"/proc/{worker}").exists()


@pytest.mark.slow
def test_a_case_prepared_ahead_is_taken_by_the_first_trainee_to_start(ws: Workspace) -> None:
    who = people(ws)
    trainer, anna, bert = who["trainer"], who["anna"], who["bert"]
    exercise = trainer.exercises.create("Workshop", "sexual-exploitation", "easy",
                                        cohort="Riga 2026")
    with pytest.raises(PermissionDenied):
        anna.exercises.prepare(exercise["id"], 1)
    with pytest.raises(VerigaError):
        trainer.exercises.prepare(exercise["id"], 0)
    group = trainer.exercises.create("Team", "mixed", "easy", cohort="Riga 2026", team=True)
    with pytest.raises(VerigaError):
        trainer.exercises.prepare(group["id"], 1)
    (spare,) = trainer.exercises.prepare(exercise["id"], 1)
    assert spare["spare"] and spare["status"] == "building"
    assert not anna.exercises.attempts()  # the trainer's until taken
    trainer.exercises.build(spare["id"])
    built = trainer.exercises.show(spare["id"])
    assert built["status"] == "open" and built["case_id"]

    taken = anna.exercises.begin(exercise["id"])  # ready at once: no build of her own
    assert taken["id"] == spare["id"] and taken["status"] == "open"
    assert taken["case_id"] == built["case_id"] and not taken["spare"]
    mine = anna.exercises.show(taken["id"])
    assert mine["briefing"]["assess"] and mine["user_id"] == anna.require_user().id
    assert list(anna.entities.list(taken["case_id"], ["Person"]))
    assert "anna" in anna.cases.get(taken["case_id"])["name"]
    # the next trainee finds none ready: their own case is built
    assert bert.exercises.begin(exercise["id"])["status"] == "building"
    with pytest.raises(NotFound):  # nor may he open hers
        bert.cases.open(taken["case_id"])
    with pytest.raises(NotFound):
        list(bert.entities.list(taken["case_id"], ["Person"]))
    assert {a["username"] for a in trainer.exercises.attempts(exercise["id"])} == {
        "anna", "bert"}
