"""Trainees answering quizzes at the same time (``python -m benchmarks bench_training``):
TRAINEES trainees on PostgreSQL, through the web API, p50 and p95 latency of a quiz answer.

A fresh schema holds TRAINEES trainee accounts, each with a session (made in the store: the
login page is not what is measured). The server is uvicorn in its own processes (WORKERS,
one per core) over the application as ``veriga serve`` builds it; the programme is the
shipped ``core-legal`` module alone, so that the figure does not move as other modules are
written. Each trainee is a thread with its own HTTP client: it opens the lesson page
(``GET /training/lessons/{id}``: the lesson marked started, audited), then answers its
questions one after the other (``POST /api/training/lessons/{id}/questions/{q}/answers``:
graded, stored, its FSRS card rescheduled, the completion checked, audited), a random choice
each time. The server's errors go to ``benchmarks/out/training/server.log``.

Two runs: trainees in a workshop, reading each question before answering (THINK seconds
between answers, uniformly; about TRAINEES / 10 answers a second); and a burst with no pause
at all (every trainee answering as fast as the server answers): the saturation throughput.
Goal: p95 of a quiz answer at most 200 ms in the workshop run.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.bench_web import PG, _free_port, _q, _wait_for

OUT = Path("benchmarks/out/training")
SCHEMA = "veriga_bench_training"
TRAINEES = 300
MODULE, LESSON = "core-legal", "act-means-purpose"
THINK = (5.0, 15.0)  # seconds between two answers of one trainee
WORKERS = int(os.environ.get("VERIGA_BENCH_WORKERS", str(os.cpu_count() or 2)))


def _url() -> str:
    return f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{SCHEMA}"


def _use_one_module() -> None:
    """The programme as the shipped core-legal module alone (in this process)."""
    from veriga.training import content

    prog = content.Programme((content.load_module(content.CONTENT / MODULE),))
    content.programme = lambda: prog  # type: ignore[assignment]


def server_app() -> Any:
    """The application each uvicorn worker serves (``--factory``)."""
    from veriga.web import create_app

    _use_one_module()
    return create_app()


def setup(trainees: int) -> list[tuple[str, str]]:
    """A fresh schema with ``trainees`` trainees; their (session id, CSRF token)."""
    from veriga.access.auth import create_session
    from veriga.access.directory import load_user
    from veriga.config import Settings
    from veriga.workspace import Workspace

    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine.dispose()
    settings = Settings(home=(OUT / "home").resolve(), database_url=_url())
    admin = Workspace.local(settings, purpose="benchmark setup", username="bench-admin")
    admin.directory.add_org("Bench academy", "training", "LV")
    sessions = []
    for n in range(trainees):
        name = f"trainee-{n:03d}"
        admin.directory.add_user(name, "Bench academy", ["trainee"], name)
        with admin.store.begin() as conn:
            sessions.append(create_session(conn, load_user(conn, username=name).id))
    admin.close()
    return sessions


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "VERIGA_HOME": str((OUT / "home").resolve()),
           "VERIGA_DATABASE_URL": _url()}
    with (OUT / "server.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory",
             "benchmarks.bench_training:server_app", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"],
            env=env, stdout=subprocess.DEVNULL, stderr=log)


def _trainee(base: str, session: tuple[str, str], seed: int, answers: int,
             think: tuple[float, float], quiz: list[tuple[str, int]],
             out: list[tuple[str, float, int]], ready: threading.Barrier) -> None:
    import httpx

    rng = random.Random(seed)
    cookie, csrf = session
    with httpx.Client(base_url=base, timeout=120, cookies={"veriga_session": cookie},
                      headers={"x-csrf-token": csrf}) as client:
        ready.wait()
        time.sleep(rng.uniform(0, think[1]))  # trainees do not all start in the same instant
        for n in range(-1, answers):
            if n >= 0:
                time.sleep(rng.uniform(*think))
            question, choices = quiz[max(n, 0) % len(quiz)]
            kind = "lesson" if n < 0 else "answer"
            start = time.perf_counter()
            try:
                if n < 0:
                    status = client.get(f"/training/lessons/{LESSON}").status_code
                else:
                    status = client.post(
                        f"/api/training/lessons/{LESSON}/questions/{question}/answers",
                        json={"choices": [rng.randrange(choices)], "lang": "en"}).status_code
            except httpx.HTTPError:  # a time-out: counted as failed, the trainee goes on
                status = 0
            out.append((kind, time.perf_counter() - start, status))


def _run(base: str, sessions: list[tuple[str, str]], answers: int,
         think: tuple[float, float]) -> tuple[list[tuple[str, float, int]], float]:
    from veriga.training import content

    lesson = content.load_module(content.CONTENT / MODULE).lessons[0]
    quiz = [(q.id, len(q.choices)) for q in lesson.text("en").quiz]
    samples: list[tuple[str, float, int]] = []
    ready = threading.Barrier(len(sessions))
    threads = [threading.Thread(target=_trainee, args=(
        base, s, n, answers, think, quiz, samples, ready)) for n, s in enumerate(sessions)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - start


def run(quick: bool = False) -> list[dict[str, Any]]:
    try:
        sa.create_engine(PG).connect().close()
    except Exception as exc:  # noqa: BLE001 - no server: nothing to measure
        print(f"bench_training skipped: PostgreSQL not reachable ({exc})")
        return []
    OUT.mkdir(parents=True, exist_ok=True)
    sessions = setup(TRAINEES)
    port = _free_port()
    server = _serve(port)
    base = f"http://127.0.0.1:{port}"
    runs = {"workshop": (3 if quick else 6, THINK), "burst": (2 if quick else 4, (0.0, 0.0))}
    results = []
    try:
        _wait_for(f"{base}/login", 180)  # workers start slowly on a busy machine
        for answers, think in runs.values():
            samples, wall = _run(base, sessions, answers, think)
            failed = [s for s in samples if s[2] != 200]
            if failed:
                raise RuntimeError(f"{len(failed)} of {len(samples)} requests failed "
                                   f"(statuses {sorted({s[2] for s in failed})})")
            label = (f"{think[0]:.0f}-{think[1]:.0f} s between answers" if think[1]
                     else "no pause (saturation)")
            for kind in ("answer", "lesson"):
                times = [t for k, t, _ in samples if k == kind]
                row = {"name": f"training {kind}: {TRAINEES} trainees, {label}, PostgreSQL, "
                               f"{WORKERS} workers",
                       "seconds": round(statistics.median(times), 4),
                       "per_s": f"p95 {_q(times, 0.95) * 1000:.0f} ms", "peak_rss_mb": 0.0,
                       "requests": len(times), "req_per_s": round(len(samples) / wall, 1),
                       # the machine's load at the end: other work slows every figure down
                       "load_avg_1min": round(os.getloadavg()[0], 1)}
                if kind == "answer":  # p95 over the goal of 200 ms
                    row["ratio_p95_to_goal"] = f"{_q(times, 0.95) / 0.2:.2f}"
                results.append(row)
    finally:
        server.terminate()
        server.wait(10)
    return results


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
