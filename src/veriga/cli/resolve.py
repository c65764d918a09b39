"""`veriga merge` and `veriga split`: a person decides that records are one entity, or not."""

from __future__ import annotations

from typing import Annotated

import typer

from veriga.cli.common import CaseOpt, PurposeOpt, console, workspace

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
    """Undo a merge: each record is its own entity again, exactly as before."""
    with workspace(purpose, ask=True) as ws:
        records = ws.entities.split(case, entity_id, reason)
    console.print(f"{len(records)} records are separate again: {', '.join(records)}",
                  highlight=False)
