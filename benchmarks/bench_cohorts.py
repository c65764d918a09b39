"""A cohort of 300 trainees on the server store: enrolling them from one CSV file, each
taking the pre- and the post-test, and the trainer's dashboard (mastery per outcome, common
misses, gain, each trainee's row) read again and again, on PostgreSQL; with the time to issue
a certificate and render its PDF (``python -m benchmarks bench_cohorts``)."""

from __future__ import annotations

import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_review import _percentiles, _schema, _server
from benchmarks.harness import measure

GOAL_DASHBOARD_MS = 1000.0


def _programme() -> tuple[Any, int]:
    """The shipped programme; while its content is being written and a module does not load,
    the modules that do (their number is reported)."""
    from veriga.training import content

    try:
        prog = content.programme()
    except content.ContentError:
        modules = []
        for folder in sorted(content.CONTENT.iterdir()):
            if folder.is_dir() and not folder.name.startswith((".", "_")):
                try:
                    modules.append(content.load_module(folder))
                except content.ContentError:
                    continue
        modules.sort(key=lambda m: (content.TRACKS.index(m.track), m.order, m.id))
        prog = content.Programme(tuple(modules))
        content.programme = lambda: prog  # type: ignore[assignment]
    return prog, len(prog.modules)


def _answers(prog: Any, keys: list[str], rng: random.Random, skill: float
             ) -> dict[str, list[int]]:
    out = {}
    for key in keys:
        _, q = prog.question(key)
        right = sorted(q.correct_indices())
        out[key] = right if rng.random() < skill else [
            i for i in range(len(q.choices)) if i not in right][:1]
    return out


def cohort_child(url: str, home: str, trainees: int, rounds: int) -> dict[str, Any]:
    from veriga.config import Settings
    from veriga.training.enrolment import sample
    from veriga.workspace import Workspace

    prog, modules = _programme()
    admin = Workspace.local(Settings(home=Path(home), database_url=url), username="admin")
    admin.directory.add_org("Academy", "training", "LV")
    admin.directory.add_user("anna", "Academy", ["trainer"], "Anna Trainer")
    anna = admin.as_user("anna")
    cohort = anna.cohorts.create("Bench cohort", "lv", "law_enforcement")["id"]
    data = sample(trainees, "Academy", "law_enforcement", "lv")
    start = time.perf_counter()
    anna.cohorts.enrol(cohort, data)
    enrol_s = time.perf_counter() - start
    pre = anna.cohorts.create_test(cohort, "pre")
    post = anna.cohorts.create_test(cohort, "post")
    rng = random.Random(18)
    takes: list[float] = []
    for n in range(1, trainees + 1):
        trainee = admin.as_user(f"trainee{n:03d}")
        for test, skill in ((pre, 0.4), (post, 0.8)):
            answers = _answers(prog, test["question_ids"], rng, skill)
            start = time.perf_counter()
            trainee.cohorts.take(test["id"], answers)
            takes.append(time.perf_counter() - start)
    boards: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        board = anna.cohorts.dashboard(cohort)
        boards.append(time.perf_counter() - start)
    start = time.perf_counter()
    cert = anna.cohorts.issue(cohort, next(t["username"] for t in board["trainees"]
                                            if (t["post"] or 0) >= 0.7))
    issue_s = time.perf_counter() - start
    start = time.perf_counter()
    anna.cohorts.pdf(cert["hash"])
    pdf_s = time.perf_counter() - start
    admin.close()
    take_p50, take_p95 = _percentiles(takes)
    board_p50, board_p95 = _percentiles(boards)
    return {"modules": modules, "questions": len(pre["question_ids"]), "enrol_s": enrol_s,
            "take_p50": take_p50, "take_p95": take_p95, "board_p50": board_p50,
            "board_p95": board_p95, "board_mean": statistics.fmean(boards) * 1000,
            "issue_s": issue_s, "pdf_s": pdf_s,
            "gain": board["gain"].gain, "normalised": board["gain"].normalised}


def run(quick: bool = False) -> list[dict[str, Any]]:
    url = _server()
    if url is None:
        return []  # no PostgreSQL here: nothing to measure
    trainees, rounds = (60, 5) if quick else (300, 20)
    schema = f"veriga_bench_cohorts_{secrets.token_hex(4)}"
    _schema(url, schema, create=True)
    try:
        with tempfile.TemporaryDirectory() as home:
            f = measure("benchmarks.bench_cohorts:cohort_child",
                        url=f"{url}?options=-csearch_path%3D{schema}", home=home,
                        trainees=trainees, rounds=rounds)
    finally:
        _schema(url, schema, create=False)
    where = f"PostgreSQL, {trainees} trainees, {f['questions']}-question tests"
    return [
        {"name": f"enrol {trainees} trainees from one CSV ({where})",
         "seconds": round(f["enrol_s"], 3), "per_s": round(trainees / f["enrol_s"]),
         "peak_rss_mb": f["peak_rss_mb"], "ratio_to_duckdb": ""},
        {"name": f"a trainee takes a test ({where}, {2 * trainees}x)",
         "seconds": round(f["take_p95"] / 1000, 4), "per_s": "",
         "peak_rss_mb": f["peak_rss_mb"],
         "ratio_to_duckdb": f"p50 {f['take_p50']:.0f} ms, p95 {f['take_p95']:.0f} ms"},
        {"name": f"the trainer's dashboard ({where}, {rounds}x; goal p95 < "
                 f"{GOAL_DASHBOARD_MS:.0f} ms; gain {f['gain']:+.2f}, normalised "
                 f"{f['normalised']:.2f})",
         "seconds": round(f["board_p95"] / 1000, 4), "per_s": "",
         "peak_rss_mb": f["peak_rss_mb"],
         "ratio_to_duckdb": f"p50 {f['board_p50']:.0f} ms, p95 {f['board_p95']:.0f} ms"},
        {"name": f"issue a certificate, then render its PDF ({f['modules']} modules)",
         "seconds": round(f["issue_s"] + f["pdf_s"], 3), "per_s": "",
         "peak_rss_mb": f["peak_rss_mb"],
         "ratio_to_duckdb": f"issue {f['issue_s'] * 1000:.0f} ms, PDF "
                            f"{f['pdf_s'] * 1000:.0f} ms"},
    ]
