"""`veriga analyze` and `veriga finance ...`: follow the money from the terminal."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from veriga.cli.analyze import EngineName, EngineOpt
from veriga.cli.common import (
    CaseOpt,
    OutFormat,
    PurposeOpt,
    _fail,
    console,
    workspace,
)
from veriga.finance.profile import account_profile
from veriga.finance.trace import trace

finance_app = typer.Typer(no_args_is_help=True,
                          help="Follow the money: trace, account profile, proceeds.")


class DirectionName(StrEnum):
    forward = "forward"
    backward = "backward"


def _eur(value: Decimal | int | float | None) -> str:
    return f"{Decimal(value or 0):,.2f}"


@finance_app.command("trace")
def trace_(
    case: CaseOpt,
    account: Annotated[str, typer.Option(help="IBAN or account number to start from.")],
    direction: Annotated[DirectionName, typer.Option(
        help="forward: where the money went; backward: where it came from.")
    ] = DirectionName.forward,
    hops: Annotated[int, typer.Option(min=1, max=10, help="How many hops to follow.")] = 4,
    from_: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")
                     ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    min_amount: Annotated[float, typer.Option(
        help="Leave out branches carrying less than this (EUR).")] = 10.0,
    engine: EngineOpt = EngineName.duckdb,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
    purpose: PurposeOpt = None,
) -> None:
    """Trace money forward or backward over several hops, in time order."""
    try:
        start = date.fromisoformat(from_) if from_ else None
        end = date.fromisoformat(to) if to else None
    except ValueError as exc:
        _fail(f"dates are YYYY-MM-DD: {exc}")
    account = "".join(account.split()).upper()
    with workspace(purpose, ask=True) as ws:
        eng = ws.records.ledger(case, engine.value, lazy=True).engine
        result = trace(eng, account, direction.value, hops, start, end,
                       Decimal(str(min_amount)))
        eng.close()
    if not result.hops:
        _fail(f"no {'debits' if direction == 'forward' else 'credits'} of {account} in case "
              f"{case!r} (is the account's statement imported?)")
    if fmt is OutFormat.json:
        print(json.dumps({"account": account, "direction": direction.value,
                          "start_total": str(result.start_total),
                          "hops": [vars(h) for h in result.hops]}, default=str, indent=2,
                         ensure_ascii=False))
        return
    verb = "sent" if direction == "forward" else "received"
    console.print(f"[bold]{account}[/] {verb} {_eur(result.start_total)} EUR; traced "
                  f"{len(result.hops)} movements over up to {hops} hops.")
    tab = Table("hop", "date", "from", "to", "amount", "traced", "ref")
    for h in sorted(result.hops, key=lambda h: (h.hop, -h.attributed))[:200]:
        target = h.target + ("" if h.followed else " ■")
        tab.add_row(str(h.hop), str(h.day), h.source, f"{target} {h.country or ''}".strip(),
                    _eur(h.amount), _eur(h.attributed), h.ref or "")
    console.print(tab)
    ends = Table("where the money ended", "country", "EUR")
    for name, amount, country in result.endpoints()[:15]:
        back = " (back to the start)" if name == account else ""
        ends.add_row(name + back, country or "", _eur(amount))
    console.print(ends)
    console.print(f"Traced money leaving {account[:2]}: {_eur(result.abroad())} EUR. "
                  "■ = not followed further (no statement in the case, cash or card).")


@finance_app.command("account")
def account_(
    case: CaseOpt,
    account: Annotated[str, typer.Option(help="IBAN or account number.")],
    engine: EngineOpt = EngineName.duckdb,
    purpose: PurposeOpt = None,
) -> None:
    """An account's timeline and balance, top counterparties and cash intensity."""
    account = "".join(account.split()).upper()
    with workspace(purpose, ask=True) as ws:
        eng = ws.records.ledger(case, engine.value).engine
        prof = account_profile(eng, account)
        eng.close()
    if not prof.transactions:
        _fail(f"no transactions of {account} in case {case!r}")
    console.print(f"[bold]{account}[/]: {prof.transactions} transactions {prof.first} to "
                  f"{prof.last}; in {_eur(prof.credits)} EUR, out {_eur(prof.debits)} EUR; "
                  f"cash {prof.cash_share:.0%} of turnover; {prof.own_transfers} own-account "
                  f"transfers; currencies {prof.currencies}.")
    months = Table("month", "in", "out", "cash", "balance (movements)")
    for m in prof.months:
        months.add_row(m.month, _eur(m.credits), _eur(m.debits), _eur(m.cash), _eur(m.balance))
    console.print(months)
    cps = Table("counterparty", "account", "country", "received from", "paid to", "count")
    for c in prof.counterparties:
        cps.add_row(c.name, c.account or "", c.country or "", _eur(c.received), _eur(c.paid),
                    str(c.count))
    console.print(cps)


@finance_app.command("proceeds")
def proceeds(case: CaseOpt, purpose: PurposeOpt = None) -> None:
    """The proceeds estimate of the last `veriga analyze`, with its method."""
    with workspace(purpose, ask=True) as ws:
        items = [f for f in ws.findings.list(case, "proceeds")]
    if not items:
        _fail(f"no proceeds estimate for case {case!r} yet: run `veriga analyze --case {case}`")
    for f in sorted(items, key=lambda f: (-f.score, -_title_amount(f.title), f.title)):
        console.print(f"[bold]{f.title}[/] ({len(f.evidence.record_ids)} transactions)")
        console.print(f"  {f.explanation}", highlight=False)


def _title_amount(title: str) -> Decimal:
    """The amount at the end of a title such as 'Proceeds retained by X: 1,234.00 EUR'."""
    try:
        return Decimal(title.rsplit(": ", 1)[1].split()[0].replace(",", ""))
    except (IndexError, ArithmeticError):
        return Decimal(0)
