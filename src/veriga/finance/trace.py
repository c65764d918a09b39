"""Follow the money: time-respecting multi-hop tracing with amounts attributed along the path.

Forward from an account, each hop takes the debits made *after* the money arrived; the
amount that arrived is attributed to those debits in proportion to their size, never more
than the debit itself and never more than arrived (the rest stays on the account). Backward
is the mirror image over credits made *before*. Only accounts whose statements are in the
case can be followed further; others end the path, as do cash and card payments.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

import pyarrow as pa

from veriga.engine import Engine
from veriga.model.dates import EPOCH, day_number, from_day_number
from veriga.model.normalize import country_of

CENT = Decimal("0.01")
Direction = Literal["forward", "backward"]
#: the ledger's rows of some accounts (:class:`veriga.finance.ledger.ByAccount`)
RowsOf = Callable[[Sequence[str]], pa.Table]


@dataclass
class Hop:
    """One movement on a traced path."""

    hop: int
    source: str  # the account (or counterparty) money came from
    target: str  # where it went (account, or a name for cash, card, unknown accounts)
    day: date
    amount: Decimal  # the whole transaction
    attributed: Decimal  # the part of the traced money it carried
    record_id: str
    ref: str | None
    method: str
    country: str | None
    followed: bool  # the target's statements are in the case


@dataclass
class Trace:
    account: str
    direction: Direction
    hops: list[Hop] = field(default_factory=list)
    start_total: Decimal = Decimal(0)

    def endpoints(self) -> list[tuple[str, Decimal, str | None]]:
        """Where the traced money ended (not followed further), biggest first."""
        out: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
        for h in self.hops:
            if not h.followed:
                out[(h.target, h.country)] += h.attributed
        return sorted(((k[0], v, k[1]) for k, v in out.items()), key=lambda x: -x[1])

    def abroad(self, home: str | None = None) -> Decimal:
        """Traced money that ended in another country than ``home`` (default: the start's)."""
        home = home or self.account[:2]
        return sum((h.attributed for h in self.hops if not h.followed and h.country
                    and h.country != home), Decimal(0))


def _in_list(accounts: list[str]) -> str:
    return ", ".join("'" + a.replace("'", "''") + "'" for a in accounts)


def _moves(engine: Engine, accounts: list[str], forward: bool, lo: int | None,
           hi: int | None, rows_of: RowsOf | None = None) -> dict[str, list[dict]]:
    """The debits (forward) or credits (backward) of ``accounts`` between lo and hi.

    The accounts are a literal list so that the engine reads only their rows (``rows_of``:
    the ledger's rows of some accounts, when the caller has them without a scan); a
    transaction seen twice (the same account and reference) counts once.
    """
    table_name = "ledger"
    if rows_of is not None:
        engine.register_arrow("trace_rows", rows_of(accounts))
        table_name = "trace_rows"
    where = [f"account IN ({_in_list(accounts)})", "eur < 0" if forward else "eur > 0",
             "eur IS NOT NULL"]
    if lo is not None:
        where.append(f"dn >= {int(lo)}")
    if hi is not None:
        where.append(f"dn <= {int(hi)}")
    table = engine.query(
        "SELECT account, record_id, ref, dn, eur, cp_account, cp_name, cp_country, method "
        f"FROM {table_name} WHERE {' AND '.join(where)}")
    out: dict[str, list[dict]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for row in sorted(table.to_pylist(), key=lambda r: r["record_id"]):
        if row["ref"] is not None:
            key = (row["account"], row["ref"])
            if key in seen:
                continue
            seen.add(key)
        out[row["account"]].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (r["dn"], r["record_id"]))
    return out


def _held(engine: Engine, accounts: set[str]) -> set[str]:
    if not accounts:
        return set()
    table = engine.query(f"SELECT DISTINCT account FROM ledger "
                         f"WHERE account IN ({_in_list(sorted(accounts))})")
    return set(table.column("account").to_pylist())


def trace(engine: Engine, account: str, direction: Direction = "forward", hops: int = 4,
          start: date | None = None, end: date | None = None,
          min_amount: Decimal = Decimal("10"), max_branches: int = 50,
          held: Collection[str] | None = None, rows_of: RowsOf | None = None) -> Trace:
    """Trace money from (forward) or into (backward) ``account`` over up to ``hops`` hops.

    Uses the ``ledger`` table made by :func:`veriga.finance.ledger.prepare`; ``held``: the
    accounts whose statements it holds, when the caller knows them (else asked per hop);
    ``rows_of``: the ledger's rows of some accounts, when the caller has them without a scan.
    """
    forward = direction == "forward"
    lo, hi = day_number(start), day_number(end)
    result = Trace(account, direction)
    # frontier: account -> list of (day number, amount arriving/leaving), merged per account
    frontier: dict[str, list[tuple[int, Decimal]]] = {}
    first = _moves(engine, [account], forward, lo, hi, rows_of).get(account, [])
    edges = [(account, r, abs(Decimal(r["eur"]))) for r in first]
    result.start_total = sum((e[2] for e in edges), Decimal(0))
    for hop in range(1, hops + 1):
        if not edges:
            break
        targets = {r["cp_account"] for _, r, _ in edges if r["cp_account"]}
        followed = (_held(engine, targets) if held is None
                    else {t for t in targets if t in held})
        frontier = defaultdict(list)
        for src, row, carried in edges:
            cp = row["cp_account"]
            name = cp or row["cp_name"] or row["method"]
            follow = bool(cp) and cp in followed and hop < hops and cp != account
            result.hops.append(Hop(
                hop=hop, source=src if forward else name, target=name if forward else src,
                day=from_day_number(row["dn"]) or EPOCH, amount=abs(Decimal(row["eur"])),
                attributed=carried.quantize(CENT), record_id=row["record_id"], ref=row["ref"],
                method=row["method"], country=row["cp_country"] or (country_of(cp) if cp else None),
                followed=follow))
            if follow:
                frontier[cp].append((row["dn"], carried))
        if not frontier:
            break
        moves = _moves(engine, sorted(frontier), forward, lo, hi, rows_of)
        edges = []
        for acc, arrivals in frontier.items():
            edges.extend(_attribute(acc, arrivals, moves.get(acc, []), forward, min_amount,
                                    max_branches))
    return result


def _attribute(acc: str, arrivals: list[tuple[int, Decimal]], rows: list[dict], forward: bool,
               min_amount: Decimal, max_branches: int) -> list[tuple[str, dict, Decimal]]:
    """Spread each arrival over the account's later debits (earlier credits, backward), in
    proportion to their sizes: a debit carries its size times the sum of the shares
    (arrival / what leaves after it) of every arrival before it. One pass over the moves in
    date order (an account with thousands of arrivals and moves took seconds to trace)."""
    ordered = sorted(rows, key=lambda r: r["dn"])
    days = [r["dn"] for r in ordered]
    sizes = [abs(Decimal(r["eur"])) for r in ordered]
    before = [Decimal(0)]  # before[i]: the sizes of the first i moves
    for size in sizes:
        before.append(before[-1] + size)
    shares = [Decimal(0)] * (len(ordered) + 1)  # a share starts at one move, ends before one
    for dn, amount in arrivals:
        if forward:  # the moves on or after the day it arrived
            first, last = bisect_left(days, dn), len(ordered)
        else:  # the moves on or before the day it left
            first, last = 0, bisect_right(days, dn)
        total = before[last] - before[first]
        if not total:
            continue
        ratio = min(Decimal(1), amount / total)
        shares[first] += ratio
        shares[last] -= ratio
    carried: dict[str, Decimal] = defaultdict(Decimal)
    by_id: dict[str, dict] = {}
    share = Decimal(0)
    for k, row in enumerate(ordered):
        share += shares[k]
        by_id[row["record_id"]] = row
        if share > 0:
            carried[row["record_id"]] += sizes[k] * share
    kept = sorted(((rid, min(v, abs(Decimal(by_id[rid]["eur"])))) for rid, v in carried.items()
                   if v >= min_amount), key=lambda x: (-x[1], x[0]))[:max_branches]
    return [(acc, by_id[rid], value) for rid, value in kept]
