"""``python -m benchmarks [--quick] [--list] [NAME...]``: run the benchmarks and print a table.

Every suite asked for is imported before any runs: one that does not import (or an unknown
name) stops the run with its name and the error, and exit status 1."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import traceback
from pathlib import Path
from types import ModuleType

from rich.console import Console
from rich.markup import escape
from rich.table import Table

SUITES = ["bench_import", "bench_simulate", "bench_finance", "bench_web", "bench_timeline",
          "bench_map", "bench_money", "bench_report", "bench_minimise",
          "bench_load", "bench_house", "bench_resolve_keys", "bench_resolve", "bench_review",
          "bench_osint_extract", "bench_osint_crawl", "bench_osint_operations",
          "bench_osint_pages", "bench_osint_screen", "bench_osint_family", "bench_labour",
          "bench_hits", "bench_goaml", "bench_exchange", "bench_training", "bench_cohorts",
          "bench_exercises"]


def load(suites: list[str]) -> tuple[dict[str, ModuleType], dict[str, str]]:
    """The suites' modules, and for each suite that cannot be imported or has no ``run``,
    the error."""
    modules: dict[str, ModuleType] = {}
    broken: dict[str, str] = {}
    for suite in suites:
        if suite not in SUITES:
            broken[suite] = f"unknown suite (known: {', '.join(SUITES)})"
            continue
        try:
            module = importlib.import_module(f"benchmarks.{suite}")
        except Exception as exc:  # noqa: BLE001 - any import error stops the run, named
            broken[suite] = "".join(traceback.format_exception_only(exc)).strip()
            continue
        if not callable(getattr(module, "run", None)):
            broken[suite] = "no run(quick) function"
            continue
        modules[suite] = module
    return modules, broken


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument("--list", action="store_true",
                        help="import the suites and list them, run nothing")
    parser.add_argument("suites", nargs="*", default=SUITES)
    args = parser.parse_args()
    console = Console()
    modules, broken = load(args.suites)
    for suite, error in broken.items():
        console.print(f"[bold red]benchmark suite {suite} failed to load[/]: {escape(error)}",
                      highlight=False)
    if broken:
        sys.exit(f"{len(broken)} benchmark suite(s) failed to load: {', '.join(broken)}")
    if args.list:
        for suite in modules:
            print(suite)
        return
    results = []
    for suite, module in modules.items():
        console.print(f"[bold]{suite}[/] ...")
        results.extend(module.run(quick=args.quick))
    table = Table("benchmark", "seconds", "per second", "peak MB", "ratio", title=(
        f"Veriga benchmarks · {platform.processor() or platform.machine()} · "
        f"{platform.python_version()}"))
    for r in results:
        table.add_row(r["name"], f"{r['seconds']:.2f}", f"{r.get('per_s', '')}",
                      f"{r['peak_rss_mb']:.0f}", _ratio(r))
    console.print(table)
    out = Path("benchmarks/out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


def _ratio(row: dict) -> str:
    """The row's ratios (``ratio_to_X``: its time over X's; ``ratio_cpu_to_X``: its
    processor time over X's), named by X."""
    return " ".join(f"{v} × {k.removeprefix('ratio_').replace('_', ' ')}"
                    for k, v in row.items() if k.startswith("ratio_"))


if __name__ == "__main__":
    main()
