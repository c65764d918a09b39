"""What the house's rooms cost: the dashboard's entity counts without reading the entities,
one finding read by id, and the finance family run through the registry and the workspace
against the same detectors called directly (``python -m benchmarks bench_house``)."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/house")
CASE = "bench"


def _settings(size: str) -> Any:
    from veriga.config import Settings

    home = OUT / f"home-{size}"
    return Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")


def prepare_child(size: str) -> dict[str, Any]:
    """A simulated mixed world imported and analysed once per size."""
    from veriga.ingest import expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    ws = Workspace.local(_settings(size), purpose="benchmark", username="bench")
    if not any(c["name"] == CASE for c in ws.cases.list()):
        world = OUT / f"world-{size}"
        if not (world / "ground_truth.json").exists():
            simulate("mixed", size, 1, world)
        ws.cases.create(CASE)
        requests, _ = expand([world])
        ws.records.import_files(CASE, requests)
        ws.analyses.run(CASE)
    ws.close()
    return {}


def _median(fn: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rooms_child(size: str, rounds: int) -> dict[str, Any]:
    from veriga import finance
    from veriga.workspace import Workspace

    ws = Workspace.local(_settings(size), purpose="benchmark", username="bench")
    entities = sum(ws.entities.count(CASE).values())
    findings = ws.findings.list(CASE)
    last = findings[-1].id

    def direct() -> None:
        engine = ws.records.engine(CASE)
        try:
            finance.run_case(engine, ws.entities.list(CASE, finance.SCHEMATA))
        finally:
            engine.close()

    figures = {
        "entities": entities, "findings": len(findings),
        "count_read": _median(lambda: Counter(e.schema.name
                                              for e in ws.entities.list(CASE)), rounds),
        "count": _median(lambda: ws.entities.count(CASE), rounds),
        "finding_list": _median(lambda: next(f for f in ws.findings.list(CASE)
                                             if f.id == last), rounds),
        "finding_get": _median(lambda: ws.findings.get(CASE, last), rounds),
        "direct": _median(direct, rounds),
        "family": _median(lambda: ws.analyses.run(CASE, ["finance"], save=False), rounds),
    }
    ws.close()
    return figures


def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = "small" if quick else "medium"
    measure("benchmarks.bench_house:prepare_child", size=size)
    f = measure("benchmarks.bench_house:rooms_child", size=size, rounds=3)
    rows = [
        (f"dashboard counts of {f['entities']} entities, read vs counted ({size})",
         f["count"], f["count_read"]),
        (f"one finding of {f['findings']}, listed vs read by id ({size})",
         f["finding_get"], f["finding_list"]),
        (f"finance through the registry vs the detectors called directly ({size})",
         f["family"], f["direct"]),
    ]
    return [{"name": name, "seconds": round(new, 3), "per_s": "",
             "peak_rss_mb": f["peak_rss_mb"], "before_s": round(old, 3),
             "ratio_to_duckdb": f"{new / old:.2f}x" if old else ""}
            for name, new, old in rows]
