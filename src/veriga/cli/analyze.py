"""`veriga analyze`: run the analysis families on a case, and score them against a simulated
world's answer key."""

from __future__ import annotations

import json
import time
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from veriga import analysis
from veriga.cli.common import CaseOpt, PurposeOpt, _fail, console, progress_bars, workspace
from veriga.errors import VerigaError


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOpt = Annotated[EngineName, typer.Option(
    "--engine", help="duckdb (in-process, default) or spark (scale-out).")]
SaveOpt = Annotated[bool, typer.Option(
    "--save/--no-save", help="Store the findings (the default); --no-save only shows them, "
                             "as a reader who sees the case minimised or in part must.")]


def analyze(
    case: CaseOpt,
    only: Annotated[list[str] | None, typer.Option(
        "--only", help="Run only this family (repeat for several); `veriga families` "
                       "lists them.")] = None,
    engine: EngineOpt = EngineName.duckdb,
    params: Annotated[Path | None, typer.Option(
        "--params", help="YAML with one section per family overriding its parameters, e.g. "
                         "{finance: {r5: {threshold: 15000}}}.")] = None,
    truth: Annotated[Path | None, typer.Option(
        help="A simulated world's ground_truth.json: also print recall and precision per "
             "detector of every family that can be scored.")] = None,
    save: SaveOpt = True,
    purpose: PurposeOpt = None,
) -> None:
    """Run the analysis families of a case (all, or --only some); a re-run replaces each
    family's unreviewed findings and keeps the reviewed ones (--no-save: stores nothing)."""
    try:
        chosen = analysis.chosen(only)
        settings = analysis.family_params(chosen, params)
        answer = json.loads(truth.read_text(encoding="utf-8")) if truth else None
    except (VerigaError, OSError, ValueError) as exc:
        _fail(str(exc))
    started = time.perf_counter()
    with workspace(purpose, ask=True) as ws, progress_bars("steps") as progress:
        runs = ws.analyses.run(case, [f.name for f in chosen], engine.value, settings,
                               progress, save=save)
    took = time.perf_counter() - started
    for fam in chosen:
        run = runs[fam.name]
        described = {d.kind: d for d in fam.detectors}
        kinds = Counter(f.kind for f in run.findings if f.score >= run.flag_score)
        watch = sum(1 for f in run.findings if f.score < run.flag_score)
        console.print(f"[bold]{fam.name}: {sum(kinds.values())} findings[/] flagged "
                      f"({watch} more to watch) on {engine.value}:")
        tab = Table("kind", "title", "stage", "findings")
        for kind in sorted(kinds, key=lambda k: (len(k), k)):
            about = described.get(kind)
            stage = (about.stage or "") if about else ""
            tab.add_row(kind, about.title if about else kind, stage, str(kinds[kind]))
        console.print(tab)
        for note in run.notes:
            console.print(note, highlight=False)
        if answer is not None:
            scores = fam.evaluate(run, answer)
            if scores is None:
                console.print(f"({fam.name} has no answer-key evaluation)")
            else:
                console.print(analysis.score_table(fam.name, scores))
    if not save:
        console.print(f"Done in {took:.1f} s; nothing was stored.")
        return
    console.print(f"Done in {took:.1f} s. Read them with `veriga findings --case {case} "
                  "--explain`; trace money with `veriga finance trace`.")


def list_families() -> None:
    """The analysis families installed, each detector with its stage, role and method."""
    for fam in analysis.families().values():
        console.print(f"[bold]{fam.name}[/] ({fam.prefix}*): {fam.title}", highlight=False)
        for d in fam.detectors:
            console.print(f"  [bold]{d.kind}[/] {d.title}", highlight=False, soft_wrap=True)
            stage, role = d.stage or "no one stage", d.role or "-"
            console.print(f"      {stage} · {role} · reads {', '.join(d.params)} · {d.docs}",
                          highlight=False, soft_wrap=True)
