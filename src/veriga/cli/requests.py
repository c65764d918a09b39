"""`veriga request eio`: draft a European Investigation Order from a trace that ends abroad."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from veriga.cli.analyze import EngineName, EngineOpt
from veriga.cli.common import CaseOpt, PurposeOpt, _fail, console, workspace
from veriga.errors import VerigaError
from veriga.reports import eio, jit_proposal

request_app = typer.Typer(no_args_is_help=True, help=(
    "Draft requests to other States from the evidence: a European Investigation Order for "
    "the accounts abroad where traced money ended, or a proposal for a joint investigation "
    "team."))


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


@request_app.command("jit")
def jit_(
    case: CaseOpt,
    state: Annotated[str, typer.Option(help="The other State (ISO code, e.g. EE).")],
    out: Annotated[Path, typer.Option("--out", help="The proposal: .docx (to edit) or .pdf.")],
    own_state: Annotated[str | None, typer.Option(
        help="Your State (default: your organisation's country).")] = None,
    engine: EngineOpt = EngineName.duckdb,
    purpose: PurposeOpt = None,
) -> None:
    """Draft a proposal for a joint investigation team with another State, pre-filled with
    the case's people, companies and accounts tied to it (victims counted, not named), the
    confirmed findings on them and the legal qualification, in both States' languages."""
    with workspace(purpose, ask=True) as ws:
        try:
            p = jit_proposal.draft_jit(ws, case, state, own=own_state, engine=engine.value)
            jit_proposal.save(ws, p, out)
        except (VerigaError, OSError) as exc:
            _fail(str(exc))
            return
    console.print(f"JIT proposal to {p.other}: {len(p.persons)} people and companies, "
                  f"{p.victims} victims (not named), {len(p.accounts)} accounts -> {out}",
                  highlight=False)
