"""Run one measurement in a fresh process: wall time and that process's peak memory."""

from __future__ import annotations

import importlib
import json
import resource
import subprocess
import sys
import time
from typing import Any


def measure(target: str, **kwargs: Any) -> dict[str, Any]:
    """Call ``module:function(**kwargs)`` in a child process; it returns a dict of figures."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.harness", target, json.dumps(kwargs)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{target} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(target: str, kwargs: dict[str, Any]) -> None:
    module, func = target.split(":")
    fn = getattr(importlib.import_module(module), func)
    start = time.perf_counter()
    figures = fn(**kwargs) or {}
    figures.setdefault("seconds", round(time.perf_counter() - start, 3))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    _child(sys.argv[1], json.loads(sys.argv[2]))
