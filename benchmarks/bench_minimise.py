"""What minimisation costs: the same pages and API calls as an analyst and as an NGO user, on
a simulated world whose victims and suspects are marked (``python -m benchmarks
bench_minimise``; medium world, small with --quick). Each reader runs in a fresh process; the
first request includes computing the case's minimisation, the others reuse it."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/minimise")
PASSWORD = "correct horse battery staple"
CASE = "bench"
OPS = {
    "case dashboard": "/cases/bench",
    "entity list": "/cases/bench/entities",
    "search": "/api/cases/bench/search?q=an",
    "findings": "/api/cases/bench/findings",
    "chain graph": "/api/cases/bench/chain/graph",
    "timeline": "/api/cases/bench/timeline",
    "map": "/api/cases/bench/map",
    "money flows": "/api/cases/bench/money?by=holder",
    "report (HTML)": "/cases/bench/report.html",
}


def _settings(size: str) -> Any:
    from veriga.config import Settings

    home = OUT / f"home-{size}"
    return Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")


def prepare_child(size: str) -> dict[str, Any]:
    """A case with a whole world, analysed, its subjects marked, shared with an NGO."""
    from veriga.demo import mark_subjects
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    settings = _settings(size)
    admin = Workspace.local(settings, purpose="benchmark of minimisation", username="admin")
    if not any(c["name"] == CASE for c in admin.cases.list()):
        world = OUT / f"world-{size}"
        if not (world / "ground_truth.json").exists():
            simulate("mixed", size, 1, world)
        admin.directory.add_org("Police", "police", "LV")
        admin.directory.add_org("Safe House", "ngo", "EE")
        admin.directory.add_user("analyst", "Police", ["analyst"], "Analyst", PASSWORD)
        admin.directory.add_user("ngo", "Safe House", ["ngo_worker"], "NGO", PASSWORD)
        admin.cases.create(CASE, "Benchmark case")
        requests, _ = expand([world], ImportRequest(path=Path(".")))
        admin.records.import_files(CASE, requests)
        admin.analyses.run(CASE)
        mark_subjects(admin, CASE, world)
        admin.cases.add_member(CASE, "analyst", "analyst")
        admin.cases.share(CASE, "Safe House")
    marked = len(admin.entities.subject_roles(CASE))
    admin.close()
    return {"marked": marked}


def reader_child(size: str, user: str, rounds: int) -> dict[str, Any]:
    """Every operation as ``user``: the first request and the median of the following."""
    from fastapi.testclient import TestClient

    from veriga.web import create_app

    figures: dict[str, Any] = {}
    with TestClient(create_app(_settings(size)), base_url="https://testserver") as client:
        page = client.get("/login")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"username": user, "password": PASSWORD, "csrf": csrf})
        start = time.perf_counter()
        opened = client.get(f"/cases/{CASE}/open")
        csrf = opened.text.split('name="csrf" value="')[1].split('"')[0]
        done = client.post(f"/cases/{CASE}/open", data={
            "purpose": "benchmark of what minimisation costs", "csrf": csrf},
            follow_redirects=False)
        assert done.status_code < 400, done.text[:300]
        figures["open case"] = {"first": time.perf_counter() - start, "median": None}
        for name, url in OPS.items():
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, (url, response.status_code)
            figures[name] = {"first": times[0], "median": statistics.median(times[1:] or times)}
    return {"ops": figures}


def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = "small" if quick else "medium"
    measure("benchmarks.bench_minimise:prepare_child", size=size)
    rounds = 3
    analyst = measure("benchmarks.bench_minimise:reader_child", size=size, user="analyst",
                      rounds=rounds)["ops"]
    ngo = measure("benchmarks.bench_minimise:reader_child", size=size, user="ngo",
                  rounds=rounds)["ops"]
    results = []
    for op in analyst:
        for when in ("first", "median"):
            a, n = analyst[op][when], ngo[op][when]
            if a is None or n is None:
                continue
            results.append({
                "name": f"minimise: {op} ({when}), NGO vs analyst ({size})",
                "seconds": round(n, 3), "analyst_s": round(a, 3),
                "per_s": "", "peak_rss_mb": 0.0,
                "ratio_to_duckdb": f"{n / a:.2f}x" if a else ""})
    return results
