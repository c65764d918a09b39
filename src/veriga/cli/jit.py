"""`veriga jit ...`: joint investigation teams: the agreement, its parties, its cases."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from veriga.cli.common import OutFormat, PurposeOpt, _fail, console, parse_date, workspace
from veriga.errors import VerigaError
from veriga.workspace.jits import Jit, describe

jit_app = typer.Typer(no_args_is_help=True, help=(
    "Joint investigation teams: record the agreement (reference, legal basis, purpose, "
    "period, parties, cases), extend it on a new legal basis, list every read of another "
    "party's records."))

RefArg = Annotated[str, typer.Argument(help="The JIT's reference.")]



def _show(jit: Jit) -> None:
    state = "active" if jit.active() else ("ended" if jit.ends < date.today() else "not begun")
    console.print(f"[bold]{jit.reference}[/] ({state}) {jit.starts} – {jit.ends}",
                  highlight=False)
    console.print(f"legal basis: {jit.legal_basis}\npurpose: {jit.purpose}", highlight=False,
                  markup=False)
    if jit.action_plan:
        console.print(f"operational action plan: {jit.action_plan}", highlight=False,
                      markup=False)
    console.print("parties: " + ", ".join(f"{n} ({c})" for n, c in jit.parties),
                  highlight=False, markup=False)
    console.print("cases: " + ", ".join(jit.cases), highlight=False, markup=False)


@jit_app.command("create")
def create(
    reference: RefArg,
    legal_basis: Annotated[str, typer.Option(help="e.g. Council Framework Decision "
                                             "2002/465/JHA, or Art. 13 of the 2000 EU MLA "
                                             "Convention.")],
    purpose: Annotated[str, typer.Option("--jit-purpose", help="The JIT's purpose, as the "
                                         "agreement states it.")],
    starts: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    ends: Annotated[str, typer.Option("--until", help="Last day (YYYY-MM-DD).")],
    party: Annotated[list[str], typer.Option(help="Another party (organisation name; "
                                             "repeat). Yours is a party.")],
    case: Annotated[list[str], typer.Option("--case", "-c", help="A case the JIT covers "
                                            "(repeat).")],
    action_plan: Annotated[str | None, typer.Option(help="The operational action plan, "
                                                    "or where it is kept.")] = None,
    purpose_of_access: PurposeOpt = None,
) -> None:
    """Record a joint investigation team."""
    with workspace(purpose_of_access, ask=True) as ws:
        try:
            jit = ws.jits.create(reference, legal_basis, purpose, parse_date(starts),
                                 parse_date(ends), party, case, action_plan)
        except VerigaError as exc:
            _fail(str(exc))
            return
    _show(jit)


@jit_app.command("extend")
def extend(
    reference: RefArg,
    until: Annotated[str, typer.Option("--until", help="The new last day (YYYY-MM-DD).")],
    legal_basis: Annotated[str, typer.Option(help="The extension's legal basis.")],
    purpose: PurposeOpt = None,
) -> None:
    """Extend a JIT's period on a new legal basis (its parties' records are read again)."""
    with workspace(purpose, ask=True) as ws:
        try:
            jit = ws.jits.extend(reference, parse_date(until), legal_basis)
        except VerigaError as exc:
            _fail(str(exc))
            return
    _show(jit)


@jit_app.command("list")
def list_(fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table) -> None:
    """The JITs your organisation is party to."""
    with workspace() as ws:
        found = ws.jits.list()
    if fmt is OutFormat.json:
        print(json.dumps([describe(j) for j in found], ensure_ascii=False, indent=1))
        return
    table = Table("reference", "from", "until", "active", "parties", "cases")
    for j in found:
        table.add_row(j.reference, str(j.starts), str(j.ends), "yes" if j.active() else "no",
                      ", ".join(n for n, _ in j.parties), ", ".join(j.cases))
    console.print(table if found else "No JIT yet: veriga jit create")


@jit_app.command("show")
def show(reference: RefArg) -> None:
    """One JIT: the agreement, its parties and cases."""
    with workspace() as ws:
        try:
            jit = ws.jits.get(reference)
        except VerigaError as exc:
            _fail(str(exc))
            return
    _show(jit)


@jit_app.command("reads")
def reads(
    reference: RefArg,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    purpose: PurposeOpt = None,
) -> None:
    """Every audited access in the JIT's cases that reached another party's records."""
    with workspace(purpose, ask=True) as ws:
        try:
            found = ws.jits.reads(reference)
        except VerigaError as exc:
            _fail(str(exc))
            return
    if fmt is OutFormat.json:
        for r in found:
            print(json.dumps({**vars(r), "at": r.at.isoformat()}, ensure_ascii=False))
        return
    table = Table("seq", "at", "who", "what", "purpose", "case", "party's records", "entities")
    for r in found:
        table.add_row(str(r.seq), f"{r.at:%Y-%m-%d %H:%M}", r.actor, r.action, r.purpose or "",
                      r.case, ", ".join(r.parties), str(r.entities))
    console.print(table if found else "No read of another party's records.")
