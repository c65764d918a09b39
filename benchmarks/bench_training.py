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
A third run: the workshop again, while SIMULATIONS of the trainees start a case simulation
at the same moment (``POST /training/exercises/{id}/start``, as in the browser: each
server process builds in its pool of worker processes, below its own priority). It reports
the answers given while cases were building and, for the builds, the time from leaving the
queue to the case being ready (and from the start, queue included).
Goals: p95 of a quiz answer at most 200 ms in the workshop runs; a build at most 30 s.
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
SIMULATIONS, SCENARIO = 30, "mixed"  # trainees starting a case simulation in the third run
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


def setup(trainees: int, difficulty: str = "medium") -> tuple[list[tuple[str, str]], str]:
    """A fresh schema with ``trainees`` trainees and an exercise open to all of them (of
    ``difficulty``); their (session id, CSRF token), and the exercise's id."""
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
    admin.directory.add_user("bench-trainer", "Bench academy", ["trainer"], "Trainer")
    sessions = []
    for n in range(trainees):
        name = f"trainee-{n:03d}"
        admin.directory.add_user(name, "Bench academy", ["trainee"], name)
        with admin.store.begin() as conn:
            sessions.append(create_session(conn, load_user(conn, username=name).id))
    exercise = admin.as_user("bench-trainer").exercises.create(
        "Workshop case", SCENARIO, difficulty)
    admin.close()
    return sessions, str(exercise["id"])


def _start(base: str, session: tuple[str, str], exercise: str, gate: threading.Barrier,
           out: list[tuple[str, float]]) -> None:
    """A trainee starts the exercise as in the browser: the build goes to the server's
    worker processes, the page redirects to the attempt."""
    import httpx

    cookie, csrf = session
    with httpx.Client(base_url=base, timeout=120, cookies={"veriga_session": cookie}) as client:
        gate.wait()
        start = time.perf_counter()
        reply = client.post(f"/training/exercises/{exercise}/start", data={"csrf": csrf},
                            follow_redirects=False)
        if reply.status_code != 303:
            raise RuntimeError(f"starting a simulation: {reply.status_code}")
        out.append((reply.headers["location"].rsplit("/", 1)[1], start))


def _simulations(base: str, sessions: list[tuple[str, str]], exercise: str,
                 finished: threading.Event) -> dict[str, dict[str, float]]:
    """``len(sessions)`` trainees start a simulation at once; the attempts' rows are
    watched until every case is built: for each attempt, when it was started, when its
    build began (it left the queue) and when it ended."""
    started: list[tuple[str, float]] = []
    gate = threading.Barrier(len(sessions))
    threads = [threading.Thread(target=_start, args=(base, s, exercise, gate, started))
               for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = {attempt: {"start": at} for attempt, at in started}
    engine = sa.create_engine(_url())
    try:
        while any("end" not in t for t in times.values()):
            time.sleep(0.25)
            now = time.perf_counter()
            with engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT id, status, progress FROM training_attempts")).all()
            for attempt, status, progress in rows:
                seen = times.get(attempt)
                if seen is None:
                    continue
                if progress not in (None, "queued"):
                    seen.setdefault("build", now)
                if status != "building" and "end" not in seen:
                    seen["end"], seen["ok"] = now, float(status == "open")
                    seen.setdefault("build", now)
    finally:
        engine.dispose()
        finished.set()
    return times


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
             out: list[tuple[str, float, int, float]], ready: threading.Barrier,
             until: threading.Event | None = None) -> None:
    """One trainee: the lesson page, then ``answers`` answers (with ``until``: more, until
    it is set)."""
    import httpx

    rng = random.Random(seed)
    cookie, csrf = session
    with httpx.Client(base_url=base, timeout=120, cookies={"veriga_session": cookie},
                      headers={"x-csrf-token": csrf}) as client:
        ready.wait()
        time.sleep(rng.uniform(0, think[1]))  # trainees do not all start in the same instant
        n = -1
        while n < answers or (until is not None and not until.is_set()):
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
            out.append((kind, time.perf_counter() - start, status, start))
            n += 1


def _run(base: str, sessions: list[tuple[str, str]], answers: int,
         think: tuple[float, float], until: threading.Event | None = None
         ) -> tuple[list[tuple[str, float, int, float]], float]:
    from veriga.training import content

    lesson = content.load_module(content.CONTENT / MODULE).lessons[0]
    quiz = [(q.id, len(q.choices)) for q in lesson.text("en").quiz]
    samples: list[tuple[str, float, int, float]] = []
    ready = threading.Barrier(len(sessions))
    threads = [threading.Thread(target=_trainee, args=(
        base, s, n, answers, think, quiz, samples, ready, until))
        for n, s in enumerate(sessions)]
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
    sessions, exercise = setup(TRAINEES, "easy" if quick else "medium")
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
                times = [t for k, t, _, _ in samples if k == kind]
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
        results += _with_simulations(base, sessions, exercise, 5 if quick else SIMULATIONS,
                                     "easy" if quick else "medium")
    finally:
        server.terminate()
        server.wait(10)
    return results


def _with_simulations(base: str, sessions: list[tuple[str, str]], exercise: str,
                      simulations: int, difficulty: str) -> list[dict[str, Any]]:
    """Trainees in a workshop answering while ``simulations`` of them start a case
    simulation at once: the answers given while cases were building, and the builds."""
    finished = threading.Event()
    box: dict[str, Any] = {}

    def trainees() -> None:
        box["samples"], _ = _run(base, sessions, 1, THINK, until=finished)

    answering = threading.Thread(target=trainees)
    answering.start()
    time.sleep(THINK[1])  # every trainee is answering
    times = _simulations(base, sessions[:simulations], exercise, finished)
    answering.join()
    first = min(t["start"] for t in times.values())
    last = max(t["end"] for t in times.values())
    answers = [t for k, t, status, at in box["samples"]
               if k == "answer" and status == 200 and first <= at <= last]
    failed = [s for s in box["samples"] if s[2] != 200]
    if failed:
        raise RuntimeError(f"{len(failed)} requests failed "
                           f"(statuses {sorted({s[2] for s in failed})})")
    built = sum(int(t["ok"]) for t in times.values())
    build = [t["end"] - t["build"] for t in times.values()]
    ready = [t["end"] - t["start"] for t in times.values()]
    label = (f"{TRAINEES} trainees, {THINK[0]:.0f}-{THINK[1]:.0f} s between answers, while "
             f"{simulations} simulations ({SCENARIO}, {difficulty}) build, PostgreSQL, "
             f"{WORKERS} workers")
    load = round(os.getloadavg()[0], 1)
    return [
        {"name": f"training answer: {label}", "seconds": round(statistics.median(answers), 4),
         "per_s": f"p95 {_q(answers, 0.95) * 1000:.0f} ms", "peak_rss_mb": 0.0,
         "requests": len(answers), "ratio_p95_to_goal": f"{_q(answers, 0.95) / 0.2:.2f}",
         "build_window_s": round(last - first, 1), "load_avg_1min": load},
        {"name": f"simulation build: {label} ({built} of {simulations} built)",
         "seconds": round(statistics.median(build), 2),
         "per_s": f"p95 {_q(build, 0.95):.1f} s, max {max(build):.1f} s",
         "peak_rss_mb": 0.0, "ratio_p95_to_goal": f"{_q(build, 0.95) / 30:.2f}",
         "ready_after_start_s": f"p50 {statistics.median(ready):.1f}, p95 "
                                f"{_q(ready, 0.95):.1f}, max {max(ready):.1f} (queued "
                                f"behind the others)", "load_avg_1min": load}]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
