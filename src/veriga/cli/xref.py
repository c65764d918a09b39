"""`veriga xref`: cross-reference cases: the entities they share and the candidate matches."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from veriga.cli.common import PurposeOpt, console, workspace
from veriga.export.cells import csv_row
from veriga.workspace.xref import Candidate, Side


def _side(side: Side) -> str:
    return f"{side.name}\n[dim]{side.case}: {side.entity_id[:12]}[/]"


def _fields(c: Candidate) -> str:
    agreed = ", ".join(f"{f} ({c.levels[f]})" for f in c.agreed)
    differed = ", ".join(f"{f} ({c.levels[f]})" for f in c.differed)
    return agreed + (f"\n[red]differ: {differed}[/]" if differed else "")


def xref(
    cases: Annotated[list[str], typer.Option(
        "--case", "-c", help="A case to cross-reference (give two or more).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the candidate matches to this CSV file (an export, "
                      "audited in every case).")] = None,
    min_probability: Annotated[float, typer.Option(
        "--min-probability", min=0.01, max=1.0,
        help="Show candidate matches at least this probable.")] = 0.5,
    limit: Annotated[int, typer.Option(help="Show at most this many of each list.")] = 50,
    purpose: PurposeOpt = None,
) -> None:
    """Cross-reference cases you may read: the entities they share (one record in both) and
    the people and companies of one that are probably in the other."""
    started = time.perf_counter()
    with workspace(purpose, ask=True) as ws:
        result = ws.xref.compare(cases, min_probability)
        rows = ws.xref.export(result, out.name) if out is not None else None
    took = time.perf_counter() - started
    counts = ", ".join(f"{n} in {c}" for c, n in result.records.items())
    console.print(f"[bold]{len(result.shared)} shared entities[/] "
                  f"({' and '.join(result.cases)})", highlight=False)
    if result.shared:
        shared = Table("schema", "name", "in", "id")
        for s in result.shared[:limit]:
            shared.add_row(s.left.schema, s.left.name,
                           f"{s.left.case}, {s.right.case}", s.left.entity_id)
        console.print(shared)
    console.print(f"[bold]{len(result.candidates)} candidate matches[/] at probability "
                  f"{min_probability:g} or more (people and companies: {counts}), best first",
                  highlight=False)
    if result.candidates:
        table = Table("probability", "this", "is probably", "fields that agreed")
        for c in result.candidates[:limit]:
            table.add_row(f"{c.probability:.3f}", _side(c.left), _side(c.right), _fields(c))
        console.print(table)
    shown = max(len(result.shared), len(result.candidates))
    if shown > limit:
        console.print(f"(the first {limit} of each; --limit shows more, --out writes all "
                      "candidates)")
    if out is not None and rows is not None:
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            header = list(rows[0]) if rows else ["left_case", "left_id", "right_case",
                                                   "right_id", "match_probability"]
            writer.writerow(header)
            for row in rows:
                writer.writerow(csv_row(row.get(k, "") for k in header))
        console.print(f"Wrote {len(rows)} candidate matches to {out}", highlight=False)
    console.print(f"Done in {took:.1f} s. Open an entity with `veriga show ID --case CASE`; "
                  "confirm a match within a case with `veriga merge`.", highlight=False)
