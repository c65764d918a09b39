"""Case simulations (``python -m benchmarks bench_exercises``): the time to build a fresh
simulated training case for one attempt (simulate, import, analyse, answer key) at each
difficulty, goal <= 30 s; and attempts started by many trainees at the same time on
PostgreSQL, built by a pool of worker processes as the web application builds them.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_review import _percentiles, _schema, _server
from benchmarks.harness import measure

GOAL_BUILD_S = 30.0


def _academy(url: str, home: str, trainees: int, scenario: str, difficulty: str
             ) -> tuple[Any, str, list[str]]:
    """A trainer, a cohort of ``trainees`` and one exercise; the admin workspace, the
    exercise id and the trainees' user names."""
    from veriga.config import Settings
    from veriga.store.schema import training_members
    from veriga.workspace import Workspace

    admin = Workspace.local(Settings(home=Path(home), database_url=url), username="admin")
    admin.directory.add_org("Academy", "training", "LV")
    admin.directory.add_user("trainer", "Academy", ["trainer"])
    names = [f"trainee{n:02d}" for n in range(trainees)]
    for name in names:
        admin.directory.add_user(name, "Academy", ["trainee"])
    trainer = admin.as_user("trainer")
    cohort = trainer.cohorts.create("Bench cohort", "lv")
    with admin.store.begin() as conn:
        for name in names:
            conn.execute(training_members.insert().values(
                cohort_id=cohort["id"], user_id=admin.as_user(name).require_user().id,
                role="trainee", enrolled_at=datetime.now(UTC)))
    exercise = trainer.exercises.create("Bench", scenario, difficulty, cohort="Bench cohort")
    return admin, str(exercise["id"]), names


def build_child(url: str, home: str, scenario: str, difficulty: str) -> dict[str, Any]:
    """One trainee starts one attempt: the seconds until the case is ready."""
    admin, exercise, names = _academy(url, home, 1, scenario, difficulty)
    trainee = admin.as_user(names[0])
    start, cpu = time.perf_counter(), time.process_time()
    attempt = trainee.exercises.start(exercise)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    counts = trainee.as_user(names[0], "benchmark").entities.count(attempt["case_id"])
    admin.close()
    return {"build_s": seconds, "cpu_s": cpu, "entities": sum(counts.values()),
            "assess": len(attempt["briefing"]["assess"])}


def concurrent_child(url: str, home: str, attempts: int, scenario: str,
                     difficulty: str) -> dict[str, Any]:
    """``attempts`` trainees start an attempt at the same moment; the server's pool of
    worker processes builds them, as the web application does."""
    from veriga.workspace.exercises import PURPOSE
    from veriga.workspace.workers import WorkerPool, build_attempt

    admin, exercise, names = _academy(url, home, attempts, scenario, difficulty)
    sessions = [admin.as_user(n) for n in names]
    pool = WorkerPool(admin.settings)
    times: list[float] = []
    start = time.perf_counter()
    try:
        futures = []
        for ws in sessions:
            attempt = ws.exercises.begin(exercise)
            futures.append((ws, attempt["id"], pool.submit(
                ws.require_user().id, PURPOSE, build_attempt, attempt["id"])))
        for ws, attempt_id, future in futures:
            future.result()
            if ws.exercises.show(attempt_id)["status"] == "open":
                times.append(time.perf_counter() - start)
    finally:
        pool.close()
    wall = time.perf_counter() - start
    admin.close()
    p50, p95 = _percentiles(times) if times else (0.0, 0.0)
    return {"wall_s": wall, "p50_ms": p50, "p95_ms": p95, "built": len(times),
            "failed": attempts - len(times), "workers": pool.workers}


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    levels = ("easy",) if quick else ("easy", "medium", "hard")
    for level in levels:
        with tempfile.TemporaryDirectory() as home:
            f = measure("benchmarks.bench_exercises:build_child",
                        url=f"sqlite:///{home}/v.db", home=home, scenario="mixed",
                        difficulty=level)
        rows.append({"name": f"build a fresh simulation case (mixed, {level}: "
                             f"{f['entities']} entities, {f['assess']} to assess; SQLite; "
                             f"goal <= {GOAL_BUILD_S:.0f} s)",
                     "seconds": round(f["build_s"], 2), "per_s": "",
                     "peak_rss_mb": f["peak_rss_mb"], "ratio_to_goal":
                         f"{f['build_s'] / GOAL_BUILD_S:.2f} (processor "
                         f"{f['cpu_s']:.1f} s: the machine's load shows in the gap)"})
    url = _server()
    if url is None:
        return rows  # no PostgreSQL here: the concurrent figure is skipped
    attempts = 5 if quick else 30
    schema = f"veriga_bench_exercises_{secrets.token_hex(4)}"
    _schema(url, schema, create=True)
    try:
        with tempfile.TemporaryDirectory() as home:
            f = measure("benchmarks.bench_exercises:concurrent_child",
                        url=f"{url}?options=-csearch_path%3D{schema}", home=home,
                        attempts=attempts, scenario="mixed", difficulty="easy")
    finally:
        _schema(url, schema, create=False)
    rows.append({"name": f"{attempts} trainees start an attempt at once (mixed, easy; "
                         f"PostgreSQL; {f['workers']} worker processes; {f['built']} built, "
                         f"{f['failed']} failed)",
                 "seconds": round(f["wall_s"], 2),
                 "per_s": round(f["built"] / f["wall_s"], 2) if f["wall_s"] else "",
                 "peak_rss_mb": f["peak_rss_mb"],
                 "ratio_each": f"p50 {f['p50_ms'] / 1000:.1f} s, p95 "
                               f"{f['p95_ms'] / 1000:.1f} s"})
    return rows
