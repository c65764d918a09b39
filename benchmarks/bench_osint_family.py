"""Benchmark the online-investigation family (``veriga.osint.family``) on a simulated world
imported as a case: reading the ads, extracting their identifiers, grouping them, the
operation findings, and the links to the people, companies, accounts and call records of the
case, each timed apart.

``run(quick)`` returns one row (a small world when quick, else a medium one); it runs in a
fresh process (harness.measure) so its peak memory is its own. Run directly:
``python -m benchmarks.bench_osint_family``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure


def family_world(size: str) -> dict[str, Any]:
    """Child: simulate and import a world (not timed), then run the family's steps."""
    from veriga import analysis
    from veriga.config import Settings
    from veriga.ingest import expand
    from veriga.osint.detect import AdCase, LinkParams, ReportParams, operations, shared_identifiers
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="veriga-bench-osint-family-") as tmp:
        root = Path(tmp)
        simulate("mixed", size, 1, root / "w")
        settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
        with Workspace.local(settings, purpose="benchmark", username="bench") as ws:
            ws.cases.create("c")
            requests, _ = expand([root / "w"])
            ws.records.import_files("c", requests)
            calls = json.loads((root / "w" / "ground_truth.json").read_text("utf-8"))
            engine = ws.records.engine("c")
            try:
                case = AdCase(analysis.Inputs("c", engine,
                                              lambda s: ws.entities.list("c", s)))
                times: dict[str, float] = {}
                started = time.perf_counter()
                ads = len(case.entities)
                times["read"] = time.perf_counter() - started
                counts: dict[str, int] = {}
                for step, work in (("extract", lambda: case.ads),
                                   ("group", lambda: case.grouping.operations),
                                   ("operations", lambda: operations(case, ReportParams())),
                                   ("links", lambda: shared_identifiers(
                                       case, ReportParams(), LinkParams()))):
                    started = time.perf_counter()
                    counts[step] = len(work())
                    times[step] = time.perf_counter() - started
            finally:
                engine.close()
    total = sum(times.values())
    return {"name": f"osint family ({size} world)", "rows": ads,
            "seconds": round(total, 3), "per_s": round(ads / total),
            **{f"{k}_s": round(v, 2) for k, v in times.items()},
            "operations": counts["operations"], "links": counts["links"],
            "answer_key_ads": len(calls["ads"])}


def run(quick: bool) -> list[dict[str, Any]]:
    return [measure("benchmarks.bench_osint_family:family_world",
                    size="small" if quick else "medium")]


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv), indent=2))
