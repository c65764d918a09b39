"""`make bench` (``python -m benchmarks``): every suite of benchmarks/ is listed and imports,
and one that does not import stops the run before any suite runs, named, with exit status 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _benchmarks(*args: str, broken: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m benchmarks ARGS`` from the repository root, with the suite ``broken``
    failing to import."""
    code = ("import runpy, sys\n"
            f"if {broken!r}: sys.modules['benchmarks.' + {broken!r}] = None\n"
            f"sys.argv = ['benchmarks', *{list(args)!r}]\n"
            "runpy.run_module('benchmarks', run_name='__main__', alter_sys=True)\n")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_every_suite_is_listed_and_imports() -> None:
    done = _benchmarks("--list")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(done.stdout.split()) == sorted(
        p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))


def test_a_suite_that_does_not_import_stops_the_run() -> None:
    done = _benchmarks("--list", broken="bench_money")
    assert done.returncode == 1
    assert "benchmark suite bench_money failed to load" in done.stdout
    assert "failed to load: bench_money" in done.stderr
    assert "bench_import\n" not in done.stdout  # stopped before listing (or running) any


def test_an_unknown_suite_stops_the_run() -> None:
    done = _benchmarks("bench_nothing", "--list")
    assert done.returncode == 1 and "bench_nothing" in done.stderr
    assert "bench_import\n" not in done.stdout
