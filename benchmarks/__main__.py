"""``python -m benchmarks [--quick] [NAME...]``: run the benchmarks and print a table."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
from pathlib import Path

from rich.console import Console
from rich.table import Table

SUITES = ["bench_import", "bench_simulate", "bench_finance", "bench_web", "bench_timeline",
          "bench_map", "bench_money", "bench_report", "bench_minimise",
          "bench_load"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument("suites", nargs="*", default=SUITES)
    args = parser.parse_args()
    console = Console()
    results = []
    for suite in args.suites:
        try:
            module = importlib.import_module(f"benchmarks.{suite}")
        except ModuleNotFoundError:
            continue
        console.print(f"[bold]{suite}[/] ...")
        results.extend(module.run(quick=args.quick))
    table = Table("benchmark", "seconds", "per second", "peak MB", "ratio", title=(
        f"Veriga benchmarks · {platform.processor() or platform.machine()} · "
        f"{platform.python_version()}"))
    for r in results:
        table.add_row(r["name"], f"{r['seconds']:.2f}", f"{r.get('per_s', '')}",
                      f"{r['peak_rss_mb']:.0f}", str(r.get("ratio_to_duckdb", "")))
    console.print(table)
    out = Path("benchmarks/out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
