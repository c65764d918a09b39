"""Benchmark `veriga simulate`: rows per second and peak memory, medium (and large).

``run(quick)`` returns one row per size. Each generation runs in a child process so that
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` is its peak resident memory (the largest
child so far, so sizes run smallest first).
Run directly: ``python benchmarks/bench_simulate.py [--quick]``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, sys
from pathlib import Path
from veriga.simulate import simulate
s = simulate(sys.argv[1], sys.argv[2], 1, Path(sys.argv[3]))
print(json.dumps({"rows": s.rows, "seconds": s.seconds, "files": s.files}))
"""


def _one(size: str, scenario: str = "mixed") -> dict:
    with tempfile.TemporaryDirectory(prefix=f"veriga-bench-{size}-") as tmp:
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, scenario, size, str(Path(tmp) / "w")],
                              check=True, capture_output=True, text=True)
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"name": f"simulate {size}", "rows": data["rows"], "seconds": round(wall, 2),
            "rows_per_s": round(data["rows"] / data["seconds"]),
            "per_s": round(data["rows"] / data["seconds"]),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "files": data["files"]}


def run(quick: bool) -> list[dict]:
    """Generate medium (and large unless ``quick``); xl only when run by hand."""
    sizes = ["medium"] if quick else ["medium", "large"]
    return [_one(size) for size in sizes]


if __name__ == "__main__":
    args = sys.argv[1:]
    sizes = [a for a in args if not a.startswith("--")]
    rows = [_one(s) for s in sizes] if sizes else run("--quick" in args)
    for row in rows:
        print(json.dumps(row))
