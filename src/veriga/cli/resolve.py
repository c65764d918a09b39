"""`veriga resolve`: propose the records that may be one person or company; `veriga merge`
and `veriga split`: a person decides that records are one entity, or not."""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from veriga import analysis
from veriga.access.policy import Op
from veriga.cli.analyze import EngineName, EngineOpt, SaveOpt
from veriga.cli.common import CaseOpt, PurposeOpt, _fail, console, progress_bars, workspace
from veriga.errors import VerigaError

FAMILY = "resolve"


def _params(path: Path | None) -> Any:
    """The resolution parameters of a YAML file: ``link: {threshold: 0.95}``, or the same
    under a ``resolve:`` section (the file ``veriga analyze --params`` reads)."""
    fam = analysis.family(FAMILY)
    if path is None:
        return fam.params()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise VerigaError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise VerigaError(f"{path}: expected a mapping such as link: {{threshold: 0.95}}")
    if set(data) == {FAMILY}:
        data = data[FAMILY] or {}
    return fam.params(data, str(path))


def resolve(
    case: CaseOpt,
    engine: EngineOpt = EngineName.duckdb,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the scored pairs as CSV: left_id, right_id, match_probability, "
                      "cluster_id (empty unless both records are in one cluster).")] = None,
    params: Annotated[Path | None, typer.Option(
        "--params", help="YAML overriding the linkage settings, e.g. "
                         "{link: {threshold: 0.95}}.")] = None,
    save: SaveOpt = True,
    purpose: PurposeOpt = None,
) -> None:
    """Propose the records of one person or company as one (people decide: `veriga findings
    --kind match.person`); a re-run replaces the unreviewed proposals and keeps the
    reviewed ones (--no-save: stores no proposal)."""
    try:
        settings = _params(params)
    except VerigaError as exc:
        _fail(str(exc))
    started = time.perf_counter()
    with workspace(purpose, ask=True) as ws:
        if out is not None:  # refused before the run, not after it
            ws.cases.check(case, Op.EXPORT)
        with progress_bars("steps") as progress:
            run = ws.analyses.run(case, [FAMILY], engine.value, {FAMILY: settings},
                                  progress, save=save)[FAMILY]
        rows = None
        if out is not None:
            detail = run.detail
            rows = ws.analyses.export_rows(case, FAMILY, detail.pair_rows(),
                                           detail.clusters, out.name)
    took = time.perf_counter() - started
    _summary(run, engine.value)
    if out is not None and rows is not None:
        _write_pairs(out, rows)
        console.print(f"Wrote {len(rows)} scored pairs to {out}", highlight=False)
    if not save:
        console.print(f"Done in {took:.1f} s; no proposal was stored.", highlight=False)
        return
    console.print(f"Done in {took:.1f} s. Review them on the case's Same records page, or "
                  f"read them with `veriga findings --case {case} --kind match.person "
                  "--explain` and confirm one with `veriga merge ... --finding ID`.",
                  highlight=False)


def _summary(run: analysis.Run, engine: str) -> None:
    """Records, scored pairs and proposals per kind, and the values that could not be used."""
    from veriga.resolve.family import Detail
    from veriga.resolve.records import problem_report

    detail: Detail = run.detail
    proposals = Counter(f.kind for f in run.findings)
    table = Table("kind", "records", "scored pairs", "proposals")
    for kind, (records, pairs) in detail.per_kind().items():
        table.add_row(kind, str(records), str(pairs), str(proposals.get(f"match.{kind}", 0)))
    console.print(f"[bold]resolve: {sum(proposals.values())} proposed matches[/] on {engine}:")
    console.print(table)
    problems = Counter((p.field, p.reason) for p in problem_report(detail.records))
    if problems:
        console.print(f"{detail.problems} values could not be used (left out of their "
                      "records):", highlight=False)
        for (field, reason), count in problems.most_common(10):
            console.print(f"  {count} {field}: {reason}", highlight=False)
        if len(problems) > 10:
            console.print(f"  ... and {len(problems) - 10} other kinds", highlight=False)
    else:
        console.print("Every value could be used.")


def _write_pairs(out: Path, rows: list[dict[str, Any]]) -> None:
    from veriga.resolve.family import PAIR_COLUMNS

    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=PAIR_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "match_probability": f"{row['match_probability']:.6f}"})

ReasonOpt = Annotated[str, typer.Option(
    "--reason", help="Why (recorded in the audit log with your decision).")]


def merge(
    entity_ids: Annotated[list[str], typer.Argument(help="Two or more record ids.")],
    case: CaseOpt,
    reason: ReasonOpt,
    finding: Annotated[str | None, typer.Option(
        help="The match proposal (finding id) this confirms.")] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Make records one entity (statements are kept as they are: `veriga split` undoes it)."""
    with workspace(purpose, ask=True) as ws:
        canonical = ws.entities.merge(case, entity_ids, reason, finding)
    console.print(f"{', '.join(entity_ids)} are one entity in {case}: {canonical}",
                  highlight=False)


def split(
    entity_id: Annotated[str, typer.Argument(help="A merged entity, or one of its records.")],
    case: CaseOpt,
    reason: ReasonOpt,
    purpose: PurposeOpt = None,
) -> None:
    """Undo a merge: each record is its own entity again, exactly as before; the proposed
    matches confirmed into it wait for review again."""
    with workspace(purpose, ask=True) as ws:
        records = ws.entities.split(case, entity_id, reason)
    console.print(f"{len(records)} records are separate again: {', '.join(records)}",
                  highlight=False)
    if records.reopened:
        console.print(f"Proposed matches waiting for review again: "
                      f"{', '.join(records.reopened)}", highlight=False)
