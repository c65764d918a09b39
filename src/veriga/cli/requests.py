"""`veriga request eio`: draft a European Investigation Order from a trace that ends abroad."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from veriga.cli.analyze import EngineName, EngineOpt
from veriga.cli.common import CaseOpt, PurposeOpt, _fail, console, workspace
from veriga.errors import VerigaError
from veriga.reports import eio

request_app = typer.Typer(no_args_is_help=True, help=(
    "Draft requests to other States from the evidence: a European Investigation Order for "
    "the accounts abroad where traced money ended."))


@request_app.command("eio")
def eio_(
    case: CaseOpt,
    account: Annotated[str, typer.Option(help="The account to trace the money from.")],
    out: Annotated[Path, typer.Option("--out", help="The draft: .docx (to edit) or .pdf; "
                                      "with several executing States, one file each "
                                      "(name-EE.docx).")],
    executing_state: Annotated[str | None, typer.Option(
        help="Only the accounts in this State (ISO code, e.g. EE).")] = None,
    issuing_state: Annotated[str | None, typer.Option(
        help="Your State (default: the country of the account traced from).")] = None,
    hops: Annotated[int, typer.Option(min=1, max=10, help="How many hops to follow.")] = 4,
    engine: EngineOpt = EngineName.duckdb,
    purpose: PurposeOpt = None,
) -> None:
    """Draft an EIO (Directive 2014/41/EU, Annex A) for the bank accounts abroad where the
    money traced from an account ended, pre-filled from the case, in the issuing and
    executing States' languages where Veriga has them."""
    with workspace(purpose, ask=True) as ws:
        try:
            drafts = eio.draft_eio(ws, case, account, executing=executing_state,
                                   issuing=issuing_state, hops=hops, engine=engine.value)
            for d in drafts:
                path = out if len(drafts) == 1 else out.with_name(
                    f"{out.stem}-{d.executing}{out.suffix}")
                eio.save(ws, d, path)
                console.print(f"EIO to {d.executing}: {len(d.accounts)} accounts, "
                              f"{len(d.persons)} persons, {d.total:,.2f} EUR traced "
                              f"{d.first} – {d.last} -> {path}", highlight=False)
        except (VerigaError, OSError) as exc:
            _fail(str(exc))
