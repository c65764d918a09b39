"""Money flows for a Sankey diagram: who paid whom how much, and the transactions behind it.

Three ways to look at the case's ledger (:mod:`veriga.finance.ledger`), each reusing an
analysis rather than repeating it:

- :func:`overview` — every movement of the case once (the ledger's ``edges``, plus cash, card
  and other payments without a counterparty account), summed per pair of holders (or of
  accounts), own-account transfers left out;
- :func:`around` — the forward and/or backward trace of :func:`veriga.finance.trace` from one
  account (or a holder's accounts), laid out by hop: the amounts are the *traced* money
  attributed to each movement, not the whole transactions;
- :func:`proceeds` — source and application of funds from the saved findings of
  ``veriga analyze`` (:mod:`veriga.finance.proceeds`): the estimate's lines (client payments,
  card takings, cash deposits, wages, fees) into the accounts that received them, flagged
  transfers between flagged accounts, and where the accounts retaining proceeds sent the
  money (transfers — abroad marked —, cash, card payments), with their unflagged income.

A Sankey must be acyclic (ECharts refuses cycles), and money does go round. The trace is
acyclic by construction: a node is an account *at one hop*. The overview and proceeds are
made acyclic after the fact: the nodes are ordered so that as much money as possible flows
forward (the weighted greedy heuristic of Eades, Lin & Smyth, 1993), and each flow that
would go backward is drawn into a copy of its target marked ``↺`` ("money coming back"),
placed where it cannot close a cycle. No amount is changed or dropped: the links always sum
to the movements, and the copy names the same accounts, so its drill-down is the same.

Only the ``top`` largest flows are drawn; the rest go to the bucket nodes "other payers" and
"other recipients" (per hop in a trace) unless both ends are drawn anyway. Every link keeps
what it stands for, so :func:`transactions` lists exactly the rows that sum to its value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import pyarrow as pa

from veriga.engine import Engine
from veriga.finance.ledger import EDGES_SQL, HELD_SQL, LEGS_SQL
from veriga.finance.proceeds import LINES
from veriga.finance.trace import RowsOf, trace
from veriga.findings import N_, Finding, ReviewState
from veriga.model.dates import day_number, from_day_number
from veriga.model.normalize import country_of

ZERO = Decimal(0)
FLAG_SCORE = 0.5  # a finding scoring at least this is "flagged" (as in veriga.finance)
OTHER_IN, OTHER_OUT = "other:payers", "other:recipients"
BACK = "#back"  # suffix of the copy of a node that receives money coming back
CASE_ESTIMATE = "Proceeds estimate for the case"
Mode = Literal["overview", "trace", "proceeds"]
Direction = Literal["forward", "backward", "both"]

#: English labels of the nodes that are not accounts or holders (msgids for the UI).
METHOD_OUT = {"cash": N_("Cash withdrawals"), "card": N_("Card payments"),
              "fee": N_("Bank fees"), "other": N_("Other payments"), "p2p": N_("Other payments"),
              "transfer": N_("Other payments")}
METHOD_IN = {"cash": N_("Cash deposits"), "card": N_("Other credits"),
             "fee": N_("Other credits"), "other": N_("Other credits"), "p2p": N_("Other credits"),
             "transfer": N_("Other credits")}
SOURCE_LABELS = {"R1": N_("Client payments (R1)"),
                 "R11": N_("Card takings via processors (R11)"),
                 "R4": N_("Cash deposits via funnel accounts (R4)"),
                 "R2": N_("Wages into a controller's account (R2)"),
                 "R8": N_("Recruitment fees (R8)"), "R3": N_("Wages handed on (R3)"),
                 "flagged": N_("Other flagged income"),
                 "other": N_("Other income (not flagged)")}
BUCKET_LABELS = {OTHER_IN: N_("Other payers"), OTHER_OUT: N_("Other recipients"),
                 "other": N_("Other accounts")}
_ACCOUNT = re.compile(r"[A-Za-z0-9~]{8,42}")
_LAYER = re.compile(r"^L(\d+):")


# -- what a Sankey is made of ----------------------------------------------------------------

@dataclass
class Pair:
    """Money between two nodes before drawing: the unit the drill-down goes back to."""

    source: str
    target: str
    value: Decimal = ZERO
    count: int = 0
    first: int | None = None  # day numbers since 1970-01-01
    last: int | None = None
    records: dict[str, Decimal] | None = None  # record id -> the part of it in this pair

    def add(self, record_id: str | None, value: Decimal, day: int) -> None:
        self.value += value
        self.count += 1
        self.first = day if self.first is None else min(self.first, day)
        self.last = day if self.last is None else max(self.last, day)
        if self.records is not None and record_id is not None:
            self.records[record_id] = self.records.get(record_id, ZERO) + value


@dataclass
class Node:
    id: str
    label: str
    kind: str  # holder | account | method | source | bucket | start
    accounts: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    abroad: bool = False
    held: bool = False  # the statements of (one of) its accounts are in the case
    flagged: list[str] = field(default_factory=list)  # kinds of the findings on its accounts
    entity_id: str | None = None  # the holder, or the account's BankAccount entity
    depth: int | None = None  # the column, where the layout is fixed (a trace's hops)
    returning: bool = False  # the copy that receives money coming back (see BACK)


@dataclass
class Link:
    source: str
    target: str
    value: Decimal
    count: int
    first: date | None
    last: date | None
    members: list[tuple[str, str]] = field(default_factory=list)  # the pairs it draws


@dataclass
class Sankey:
    mode: Mode
    nodes: list[Node]
    links: list[Link]
    home: str | None
    total: Decimal  # all the money drawn (the sum of the links)
    internal: Decimal = ZERO  # between accounts of one holder, not drawn
    without_eur: int = 0  # movements left out: no EUR amount (no rate on the statement)
    traced: bool = False  # the values are traced money attributed to transactions
    #: the proceeds view: the estimate's lines (the case's proceeds finding), the one figure
    #: of the proceeds; ``total`` counts money again at each account it passes
    estimate: Decimal | None = None
    pairs: dict[tuple[str, str], Pair] = field(default_factory=dict)
    moves_sql: str | None = None  # the overview's movements, for the drill-down

    def link(self, source: str, target: str) -> Link | None:
        return next((k for k in self.links if k.source == source and k.target == target),
                    None)


@dataclass
class Context:
    """What the flows are drawn with besides the ledger.

    ``owners``: account -> holder entity id (nodes per holder where known, else per
    account); ``flagged``: account -> kinds of the findings resting on its transactions;
    ``home``: the case's main country (accounts elsewhere are marked abroad)."""

    owners: Mapping[str, str] = field(default_factory=dict)
    flagged: Mapping[str, Collection[str]] = field(default_factory=dict)
    home: str | None = None
    by_holder: bool = True

    def node_of(self, account: str) -> str:
        if self.by_holder and account in self.owners:
            return "h:" + self.owners[account]
        return "a:" + account


@dataclass
class Row:
    """One transaction behind a link."""

    record_id: str
    day: date
    amount: Decimal  # as booked, in its currency, signed as on the account's statement
    currency: str | None
    eur: Decimal | None
    value: Decimal  # its part of the link (the EUR amount; the traced part in a trace)
    ref: str | None
    account: str  # the statement it is on
    payer: str | None
    payee: str | None
    counterparty: str | None  # the name on the statement
    description: str | None
    method: str
    source_id: str
    locator: str | None


@dataclass
class Page:
    rows: list[Row]
    total: int  # rows behind the link
    value: Decimal  # their sum (equals the link's value)


CENT = Decimal("0.01")

# -- helpers ---------------------------------------------------------------------------------

def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def is_account(text: str | None) -> bool:
    """Whether a trace's endpoint names an account (an IBAN or account number), rather than
    a payee such as an ATM or a shop."""
    return bool(text) and bool(_ACCOUNT.fullmatch(text or "")) and any(
        c.isdigit() for c in text or "")


def _has(engine: Engine, table: str) -> bool:
    try:
        engine.query(f"SELECT 1 AS x FROM {table} LIMIT 1")
    except Exception:  # noqa: BLE001 - engines raise their own "no such table" errors
        return False
    return True


def ensure_edges(engine: Engine) -> None:
    """The ledger's ``legs``, ``held`` and ``edges`` (see :mod:`veriga.finance.ledger`), made
    on ``engine`` if a full analysis has not made them already."""
    if not _has(engine, "edges"):
        engine.materialize("legs", LEGS_SQL)
        engine.materialize("held", HELD_SQL)
        engine.materialize("edges", EDGES_SQL)


def held_accounts(engine: Engine) -> set[str]:
    """Accounts whose statements are in the case."""
    return set(engine.query("SELECT DISTINCT account FROM ledger").column(0).to_pylist())


def home_country(engine: Engine) -> str | None:
    """The country of most of the case's statements (the IBAN's first two letters)."""
    rows = engine.query("SELECT upper(substr(account, 1, 2)) AS c, COUNT(*) AS n FROM ledger "
                        "GROUP BY 1 ORDER BY n DESC, c LIMIT 1").to_pylist()
    return rows[0]["c"] if rows and str(rows[0]["c"]).isalpha() else None


def _live(findings: Iterable[Finding], min_score: float = FLAG_SCORE) -> list[Finding]:
    return [f for f in findings if f.score >= min_score
            and f.review.state is not ReviewState.DISMISSED
            and f.detector.startswith("veriga.finance.")]


def _records_table(records: Mapping[str, str | Decimal | None], value: str = "tag") -> pa.Table:
    ids = sorted(records)
    if value == "tag":
        return pa.table({"record_id": pa.array(ids, pa.string()),
                         "tag": pa.array([str(records[i]) for i in ids], pa.string())})
    return pa.table({"record_id": pa.array(ids, pa.string()),
                     "part": pa.array([records[i] for i in ids], pa.decimal128(18, 2))})


def any_flagged(findings: Iterable[Finding], min_score: float = FLAG_SCORE) -> bool:
    """Whether :func:`flagged_accounts` may find an account: a flagged, undismissed financial
    finding (not the proceeds estimate) rests on transactions."""
    return any(f.kind != "proceeds" and f.evidence.record_ids
               for f in _live(findings, min_score))


def flagged_accounts(engine: Engine, findings: Iterable[Finding],
                     min_score: float = FLAG_SCORE) -> dict[str, list[str]]:
    """Account -> kinds of the flagged, undismissed financial findings whose transactions
    are on its statements (an account merely paying a flagged one is not flagged)."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for f in _live(findings, min_score):
        if f.kind == "proceeds":
            continue
        for rid in f.evidence.record_ids:
            kinds[rid].add(f.kind)
    if not kinds:
        return {}
    tagged = {rid: ",".join(sorted(k)) for rid, k in kinds.items()}
    engine.register_arrow("money_tags", _records_table(tagged))
    out: dict[str, set[str]] = defaultdict(set)
    for row in engine.query("SELECT DISTINCT l.account, t.tag FROM ledger l "
                            "JOIN money_tags t ON t.record_id = l.record_id").to_pylist():
        out[row["account"]].update(row["tag"].split(","))
    return {a: sorted(k) for a, k in sorted(out.items())}


# -- the three views -----------------------------------------------------------------------

def _where_days(start: date | None, end: date | None, column: str = "dn") -> str:
    parts = []
    if start is not None:
        parts.append(f"{column} >= {day_number(start)}")
    if end is not None:
        parts.append(f"{column} <= {day_number(end)}")
    return " AND ".join(parts) or "TRUE"


def _moves_sql(ctx: Context, start: date | None, end: date | None,
               only_flagged: bool) -> str:
    """Every movement once with its two nodes: ``record_id, s, d, dn, eur``. Each kind of
    movement's payer is marked (``TRUE /*from:EXPR*/``), where the drill-down narrows them
    to a link's (:func:`_from_sources`)."""
    days = _where_days(start, end)
    flagged = ""
    if only_flagged:
        flagged = ("WHERE m.src IN (SELECT account FROM money_flagged) "
                   "OR m.dst IN (SELECT account FROM money_flagged)")
    node = ("CASE WHEN m.{0} LIKE 'x:%' THEN m.{0} "
            "ELSE COALESCE(o{0}.node, 'a:' || m.{0}) END")
    return f"""
WITH mv AS (
  SELECT record_id, src, dst, dn, eur FROM edges WHERE {days} AND TRUE /*from:src*/
  UNION ALL
  SELECT record_id, account AS src, 'x:out:' || method AS dst, dn, -eur AS eur
  FROM ledger WHERE eur < 0 AND cp_account IS NULL AND NOT own AND {days}
  AND TRUE /*from:account*/
  UNION ALL
  SELECT record_id, 'x:in:' || method AS src, account AS dst, dn, eur
  FROM ledger WHERE eur > 0 AND cp_account IS NULL AND NOT own AND {days}
  AND TRUE /*from:'x:in:' || method*/
)
SELECT m.record_id, {node.format('src')} AS s, {node.format('dst')} AS d, m.dn, m.eur
FROM mv m
LEFT JOIN money_owners osrc ON osrc.account = m.src
LEFT JOIN money_owners odst ON odst.account = m.dst
{flagged}
"""


def to_json(sankey: Sankey, ctx: Context) -> dict[str, Any]:
    """A Sankey and the context it was drawn with as JSON values (amounts as exact text),
    to keep for every server process; :func:`from_json` makes them again."""
    def day(value: date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "mode": sankey.mode, "home": sankey.home, "total": str(sankey.total),
        "internal": str(sankey.internal), "without_eur": sankey.without_eur,
        "traced": sankey.traced, "moves_sql": sankey.moves_sql,
        "estimate": None if sankey.estimate is None else str(sankey.estimate),
        "nodes": [{f: getattr(n, f) for f in NODE_FIELDS} for n in sankey.nodes],
        "links": [[k.source, k.target, str(k.value), k.count, day(k.first), day(k.last),
                   [list(m) for m in k.members]] for k in sankey.links],
        "pairs": [[p.source, p.target, str(p.value), p.count, p.first, p.last,
                   None if p.records is None else {r: str(v) for r, v in p.records.items()}]
                  for p in sankey.pairs.values()],
        "context": {"owners": dict(ctx.owners),
                    "flagged": {a: list(k) for a, k in ctx.flagged.items()},
                    "home": ctx.home, "by_holder": ctx.by_holder},
    }


def from_json(data: dict[str, Any]) -> tuple[Sankey, Context]:
    """What :func:`to_json` made, made again."""
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value is not None else None

    pairs = {(s, t): Pair(s, t, Decimal(v), n, first, last,
                          None if records is None else {r: Decimal(x) for r, x in
                                                        records.items()})
             for s, t, v, n, first, last, records in data["pairs"]}
    sankey = Sankey(
        mode=data["mode"], nodes=[Node(**n) for n in data["nodes"]],
        links=[Link(s, t, Decimal(v), n, day(first), day(last), [(a, b) for a, b in members])
               for s, t, v, n, first, last, members in data["links"]],
        home=data["home"], total=Decimal(data["total"]), internal=Decimal(data["internal"]),
        without_eur=data["without_eur"], traced=data["traced"],
        estimate=None if data["estimate"] is None else Decimal(data["estimate"]),
        pairs=pairs, moves_sql=data["moves_sql"])
    c = data["context"]
    return sankey, Context(c["owners"], c["flagged"], c["home"], c["by_holder"])


NODE_FIELDS = ("id", "label", "kind", "accounts", "countries", "abroad", "held", "flagged",
               "entity_id", "depth", "returning")


def context_tables(ctx: Context) -> dict[str, pa.Table]:
    """The tables the moves of an overview name: the holder of each account, the flagged
    accounts."""
    owners = sorted(ctx.owners.items()) if ctx.by_holder else []
    return {"money_owners": pa.table({
                "account": pa.array([a for a, _ in owners], pa.string()),
                "node": pa.array(["h:" + o for _, o in owners], pa.string())}),
            "money_flagged": pa.table({"account": pa.array(sorted(ctx.flagged), pa.string())})}


def register_context(engine: Engine, ctx: Context,
                     tables: Mapping[str, pa.Table] | None = None) -> None:
    """:func:`context_tables` (``tables``, when the caller kept them) on ``engine`` (a kept
    overview's drill-down registers them on its own engine)."""
    for name, table in (tables if tables is not None else context_tables(ctx)).items():
        engine.register_arrow(name, table)


def overview(engine: Engine, ctx: Context, start: date | None = None,
             end: date | None = None, top: int = 30, only_flagged: bool = False) -> Sankey:
    """Every movement of the case once, summed per pair of holders (or accounts)."""
    ensure_edges(engine)
    register_context(engine, ctx)
    sql = _moves_sql(ctx, start, end, only_flagged)
    table = engine.query(f"""
SELECT s, d, SUM(eur) AS value, COUNT(*) AS n, MIN(dn) AS first, MAX(dn) AS last
FROM ({sql}) x WHERE eur IS NOT NULL GROUP BY s, d""")
    missing = engine.query(
        "SELECT COUNT(*) AS n FROM ledger WHERE eur IS NULL AND NOT own AND "
        + _where_days(start, end)).column(0)[0].as_py()
    pairs: dict[tuple[str, str], Pair] = {}
    internal = ZERO
    for row in table.to_pylist():
        value = Decimal(row["value"])
        if row["s"] == row["d"]:
            internal += value
            continue
        pairs[(row["s"], row["d"])] = Pair(row["s"], row["d"], value, row["n"], row["first"],
                                           row["last"])
    sankey = draw("overview", pairs, ctx, top, held_accounts(engine))
    sankey.internal, sankey.without_eur, sankey.moves_sql = internal, missing, sql
    return sankey


def around(engine: Engine, ctx: Context, accounts: Sequence[str],
           direction: Direction = "forward", hops: int = 3, start: date | None = None,
           end: date | None = None, top: int = 30, held: Collection[str] | None = None,
           rows_of: RowsOf | None = None) -> Sankey:
    """The trace from (forward), into (backward) or around (both) ``accounts``, by hop.

    A node is an account (or holder) at one hop — column — so the drawing is acyclic; the
    start accounts are one node. Values are the traced money each movement carried.
    ``held``: the accounts whose statements the ledger holds, when the caller knows them
    (:func:`held_accounts`); ``rows_of``: the ledger's rows of some accounts, when the caller
    has them without a scan (:class:`veriga.finance.ledger.ByAccount`)."""
    dirs: list[Literal["forward", "backward"]] = (
        ["backward", "forward"] if direction == "both" else [direction])
    base = hops if "backward" in dirs else 0
    starts = set(accounts)
    if held is None:
        held = held_accounts(engine)
    pairs: dict[tuple[str, str], Pair] = {}
    for way in dirs:
        for account in accounts:
            found = trace(engine, account, way, hops=hops, start=start, end=end, held=held,
                          rows_of=rows_of)
            for h in found.hops:
                if way == "forward":
                    s_layer, t_layer = base + h.hop - 1, base + h.hop
                else:
                    s_layer, t_layer = base - h.hop, base - h.hop + 1
                s = _trace_node(h.source, s_layer, base, starts, ctx, h.method, outward=False)
                t = _trace_node(h.target, t_layer, base, starts, ctx, h.method, outward=True)
                pair = pairs.get((s, t))
                if pair is None:
                    pair = pairs[(s, t)] = Pair(s, t, records={})
                pair.add(h.record_id, h.attributed, day_number(h.day) or 0)
    sankey = draw("trace", pairs, ctx, top, held, layered=True)
    sankey.traced = True
    for node in sankey.nodes:
        if node.kind == "start":
            node.accounts = list(accounts)
            node.countries = sorted({c for a in accounts if (c := country_of(a))})
            node.abroad = bool(ctx.home) and any(c != ctx.home for c in node.countries)
            node.held = any(a in held for a in accounts)
            node.flagged = sorted({k for a in accounts for k in ctx.flagged.get(a, ())})
            owners = {ctx.owners.get(a) for a in accounts}
            if ctx.by_holder and len(owners) == 1 and None not in owners:
                node.entity_id = owners.pop()
    return sankey


def _trace_node(name: str, layer: int, base: int, starts: set[str], ctx: Context,
                method: str, outward: bool) -> str:
    if layer == base and name in starts:
        return f"L{layer}:start"
    if is_account(name):
        return f"L{layer}:{ctx.node_of(name)}"
    return f"L{layer}:x:{'out' if outward else 'in'}:{method}"


def proceeds(engine: Engine, ctx: Context, findings: Iterable[Finding],
             start: date | None = None, end: date | None = None, top: int = 30) -> Sankey:
    """Source and application of funds from the saved findings of ``veriga analyze``.

    Sources are the lines of the proceeds estimate (each transaction of the case-level
    "proceeds" finding, under the line of the finding kind that flagged it); then the
    flagged transfers between flagged accounts; then everything the accounts retaining
    proceeds (the per-holder "proceeds" findings) paid out otherwise, and their income that
    no finding flagged."""
    live = _live(findings)
    case = next((f for f in live if f.kind == "proceeds" and f.title == CASE_ESTIMATE), None)
    if case is None:
        return draw("proceeds", {}, ctx, top, set())
    estimated = set(case.evidence.record_ids)
    line_of: dict[str, str] = {}
    for _, kind, sign, _ in LINES:
        for f in live:
            if f.kind == kind:
                for rid in f.evidence.record_ids:
                    if rid in estimated and rid not in line_of:
                        line_of[rid] = f"{kind}:{sign}"
    universe = {rid for f in live if f.kind != "proceeds" for rid in f.evidence.record_ids}
    retaining = sorted({k.value for f in live if f.kind == "proceeds" and f is not case
                        for k in f.evidence.keys if k.type == "iban"})
    tags = {rid: "u" for rid in universe}
    tags.update(line_of)
    engine.register_arrow("money_tags", _records_table(tags))
    engine.register_arrow("money_retaining", pa.table({"account": pa.array(retaining,
                                                                           pa.string())}))
    ensure_edges(engine)
    days = _where_days(start, end, "l.dn")
    rows = engine.query(f"""
SELECT l.record_id, l.account, l.cp_account, l.method, l.dn, l.eur, t.tag, g.mirror_id,
  r.account IS NOT NULL AS retaining
FROM ledger l
LEFT JOIN money_tags t ON t.record_id = l.record_id
LEFT JOIN money_retaining r ON r.account = l.account
LEFT JOIN (SELECT record_id, MIN(mirror_id) AS mirror_id FROM legs GROUP BY record_id) g
  ON g.record_id = l.record_id
WHERE l.eur IS NOT NULL AND NOT l.own AND {days}
  AND (t.tag IS NOT NULL OR r.account IS NOT NULL)
ORDER BY l.record_id""").to_pylist()
    flagged_set = {r["account"] for r in rows if r["tag"] is not None}
    pairs: dict[tuple[str, str], Pair] = {}
    drawn: set[str] = set()
    internal = ZERO

    def add(s: str, t: str, row: dict) -> None:
        nonlocal internal
        drawn.add(row["record_id"])
        value = abs(Decimal(row["eur"]))
        if s == t:
            internal += value
            return
        pair = pairs.get((s, t))
        if pair is None:
            pair = pairs[(s, t)] = Pair(s, t, records={})
        pair.add(row["record_id"], value, row["dn"])

    estimate = ZERO
    for row in rows:  # the estimate's lines, flagged transfers, applications
        tag, eur, cp = row["tag"], Decimal(row["eur"]), row["cp_account"]
        if tag and tag != "u":
            kind, sign = tag.split(":")
            estimate += abs(eur)
            if sign == "1":
                add(f"src:{kind}", ctx.node_of(row["account"]), row)
            else:
                add(f"src:{kind}", ctx.node_of(cp or row["account"]), row)
        elif eur > 0 or row["mirror_id"] in line_of:
            continue  # credits below; the other leg of a line is drawn as the line
        elif tag == "u" and cp in flagged_set:
            add(ctx.node_of(row["account"]), ctx.node_of(cp), row)
        elif row["retaining"]:
            add(ctx.node_of(row["account"]), ctx.node_of(cp) if cp
                else f"x:out:{row['method']}", row)
    for row in rows:  # what else came into the accounts retaining proceeds
        if (row["retaining"] and row["record_id"] not in drawn and row["eur"] > 0
                and row["mirror_id"] not in drawn):
            add("src:flagged" if row["tag"] else "src:other", ctx.node_of(row["account"]),
                row)
    sankey = draw("proceeds", pairs, ctx, top, held_accounts(engine))
    sankey.internal = internal
    sankey.estimate = estimate
    return sankey


# -- drawing: top flows, buckets, an acyclic layout --------------------------------------------

def _layer(node: str) -> str:
    m = _LAYER.match(node)
    return m.group(0) if m else ""


def draw(mode: Mode, pairs: Mapping[tuple[str, str], Pair], ctx: Context, top: int,
         held: Collection[str], layered: bool = False) -> Sankey:
    """Links of the ``top`` largest pairs, the rest into buckets, made acyclic; the nodes."""
    ranked = sorted(pairs.values(), key=lambda p: (-p.value, p.source, p.target))
    kept = ranked[:max(1, top)]
    shown = {p.source for p in kept} | {p.target for p in kept}
    merged: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for p in ranked:
        s, t = p.source, p.target
        if s not in shown:
            s = _layer(s) + ("other" if layered else OTHER_IN)
        if t not in shown:
            t = _layer(t) + ("other" if layered else OTHER_OUT)
        merged[(s, t)].append(p)
    links = []
    for (s, t), members in merged.items():
        firsts = [m.first for m in members if m.first is not None]
        lasts = [m.last for m in members if m.last is not None]
        links.append(Link(s, t, sum((m.value for m in members), ZERO),
                          sum(m.count for m in members), from_day_number(min(firsts, default=None)),
                          from_day_number(max(lasts, default=None)),
                          [(m.source, m.target) for m in members]))
    if not layered:
        back = feedback_links({(k.source, k.target): k.value for k in links})
        for k in links:
            if (k.source, k.target) in back:
                k.target += BACK
    links.sort(key=lambda k: (-k.value, k.source, k.target))
    ids = sorted({k.source for k in links} | {k.target for k in links})
    nodes = [_node(i, ctx, held, pairs) for i in ids]
    total = sum((k.value for k in links), ZERO)
    return Sankey(mode, nodes, links, ctx.home, total, pairs=dict(pairs))


def _node(node_id: str, ctx: Context, held: Collection[str],
          pairs: Mapping[tuple[str, str], Pair]) -> Node:
    layer = _LAYER.match(node_id)
    depth = int(layer.group(1)) if layer else None
    key = node_id[layer.end():] if layer else node_id
    returning = key.endswith(BACK)
    key = key.removesuffix(BACK)
    node = Node(node_id, key, "account", depth=depth, returning=returning)
    if key.startswith("a:"):
        node.accounts = [key[2:]]
        node.entity_id = None
    elif key.startswith("h:"):
        node.kind, node.entity_id = "holder", key[2:]
        node.accounts = sorted(a for a, o in ctx.owners.items() if o == key[2:])
    elif key == "start":
        node.kind, node.label = "start", "start"
    elif key.startswith("x:"):
        _, way, method = key.split(":", 2)
        node.kind = "method"
        node.label = (METHOD_OUT if way == "out" else METHOD_IN).get(method, "Other payments")
    elif key.startswith("src:"):
        node.kind, node.label = "source", SOURCE_LABELS.get(key[4:], key[4:])
    else:
        node.kind, node.label = "bucket", BUCKET_LABELS.get(key, key)
    if node.kind == "holder":  # only the holder's accounts seen in the flows
        seen = {a for a in node.accounts if a in held}
        node.accounts = sorted(seen) or node.accounts
    node.countries = sorted({c for a in node.accounts if (c := country_of(a))})
    node.abroad = bool(ctx.home) and any(c != ctx.home for c in node.countries)
    node.held = any(a in held for a in node.accounts)
    node.flagged = sorted({k for a in node.accounts for k in ctx.flagged.get(a, ())})
    if node.kind == "account" and node.accounts:
        node.label = node.accounts[0]
    return node


def feedback_links(weights: Mapping[tuple[str, str], Decimal]) -> set[tuple[str, str]]:
    """Links whose removal leaves the graph acyclic, little money among them.

    Eades, Lin & Smyth (1993), weighted: take sinks to the end and sources to the front,
    else the node with the most money out less money in; a link against that order is a
    feedback link."""
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    inn: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (s, t), w in weights.items():
        if s != t:
            out[s][t] = w
            inn[t][s] = w
    remaining = set(out) | set(inn)
    front: list[str] = []
    back: list[str] = []
    while remaining:
        moved = True
        while moved:
            moved = False
            for n in sorted(remaining):
                if not any(t in remaining for t in out[n]):
                    back.append(n)
                    remaining.discard(n)
                    moved = True
                elif not any(s in remaining for s in inn[n]):
                    front.append(n)
                    remaining.discard(n)
                    moved = True
        if remaining:
            def gain(n: str) -> Decimal:
                return (sum((w for t, w in out[n].items() if t in remaining), ZERO)
                        - sum((w for s, w in inn[n].items() if s in remaining), ZERO))
            best = max(sorted(remaining), key=gain)
            front.append(best)
            remaining.discard(best)
    order = {n: i for i, n in enumerate(front + back[::-1])}
    return {(s, t) for (s, t) in weights if s != t and order[s] > order[t]}


def is_acyclic(links: Iterable[tuple[str, str]]) -> bool:
    """Kahn's algorithm: whether links (source, target) contain no cycle."""
    out: dict[str, list[str]] = defaultdict(list)
    indegree: dict[str, int] = defaultdict(int)
    for s, t in links:
        out[s].append(t)
        indegree[t] += 1
        indegree.setdefault(s, 0)
    ready = [n for n, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        n = ready.pop()
        seen += 1
        for t in out[n]:
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    return seen == len(indegree)


# -- the drill-down ------------------------------------------------------------------------

@dataclass(frozen=True)
class LinkRows:
    """The transactions behind one link (:func:`link_rows`): which, by date, and every
    column of them when there are few; how many were picked, with their sum."""

    order: pa.Table  # record_id, part: every transaction behind the link, by date
    rows: pa.Table | None  # every column, if at most WHOLE_LINK (else read by the page)
    total: int
    value: Decimal


#: a link of at most this many transactions is read whole, to be kept and paged in memory;
#: a larger one keeps which transactions, in order, and reads each page's columns
WHOLE_LINK = 20_000
_COLUMNS = """l.record_id, l.day, l.amount, l.currency, l.eur, p.part, l.ref, l.account,
  l.cp_account, l.cp_name, l.description, l.method, l.source_id, l.locator"""


def link_rows(engine: Engine, sankey: Sankey, source: str, target: str) -> LinkRows | None:
    """The transactions behind one link of ``sankey`` (made on this engine), by date, with
    their part of the flow (kept by the caller: a link's pages are read from it, see
    :func:`page_of`); None if there is no such link."""
    link = sankey.link(source, target)
    if link is None:
        return None
    members = [sankey.pairs[m] for m in link.members]
    if sankey.moves_sql is not None:
        engine.register_arrow("money_pairs", pa.table({
            "s": pa.array([m.source for m in members], pa.string()),
            "d": pa.array([m.target for m in members], pa.string())}))
        picked = (f"SELECT x.record_id, ABS(x.eur) AS part FROM "
                  f"({_from_sources(engine, sankey.moves_sql)}) x "
                  "JOIN money_pairs p ON p.s = x.s AND p.d = x.d WHERE x.eur IS NOT NULL")
    else:
        parts: dict[str, Decimal] = defaultdict(Decimal)
        for m in members:
            for rid, value in (m.records or {}).items():
                parts[rid] += value
        engine.register_arrow("money_parts", _records_table(parts, value="part"))
        picked = "SELECT record_id, part FROM money_parts"
    engine.materialize("money_picked", picked)  # chosen once: counted, then read
    head = engine.query("SELECT COUNT(*) AS n, SUM(part) AS v FROM money_picked").to_pylist()[0]
    n = int(head["n"] or 0)
    rows = order = None
    if n <= WHOLE_LINK:
        rows = engine.query(f"SELECT {_COLUMNS} FROM money_picked p JOIN ledger l "
                            "ON l.record_id = p.record_id ORDER BY l.day, l.record_id")
        order = rows.select(["record_id", "part"])
    else:
        order = engine.query("SELECT p.record_id, p.part FROM money_picked p JOIN ledger l "
                             "ON l.record_id = p.record_id ORDER BY l.day, l.record_id")
    return LinkRows(order, rows, n, Decimal(head["v"] or 0).quantize(CENT))


_FROM = re.compile(r"TRUE /\*from:(.*?)\*/")


def _from_sources(engine: Engine, moves_sql: str) -> str:
    """The movements of ``moves_sql`` whose payers may be one of the sources of the pairs
    registered as ``money_pairs``: the raw payer of a node (itself for an outside one, the
    account of an account's node, a holder's accounts), read as a table first. The join
    with the pairs still decides; this only spares the case's other movements their
    nodes (a drill-down made every movement's two nodes of a 1.1-million-row ledger)."""
    engine.materialize("money_link_src", """
SELECT s AS v FROM money_pairs WHERE s LIKE 'x:%'
UNION SELECT substr(s, 3) FROM money_pairs WHERE s LIKE 'a:%'
UNION SELECT o.account FROM money_owners o JOIN money_pairs p ON o.node = p.s""")
    return _FROM.sub(r"(\1) IN (SELECT v FROM money_link_src)", moves_sql)


def page_of(found: LinkRows, offset: int = 0, limit: int = 50,
            engine: Engine | None = None) -> Page:
    """One page of a link's transactions (:func:`link_rows`): a slice of those read whole,
    or, for a link too large for that, the page's columns read on ``engine``."""
    if found.rows is not None:
        rows = found.rows.slice(offset, limit)
    else:
        assert engine is not None, "a link too large to read whole is read by the page"
        wanted = found.order.slice(offset, limit)
        first = dict(zip(wanted.column("record_id").to_pylist(),
                         wanted.column("part").to_pylist(), strict=True))
        engine.register_arrow("money_page", pa.table({
            "record_id": pa.array(list(first), pa.string()),
            "part": pa.array(list(first.values()), wanted.schema.field("part").type)}))
        rows = engine.query(f"SELECT {_COLUMNS} FROM money_page p JOIN ledger l "
                            "ON l.record_id = p.record_id ORDER BY l.day, l.record_id")
    out = []
    seen: set[str] = set()
    for r in rows.to_pylist():
        if r["record_id"] in seen:  # a record imported twice under one id: shown once
            continue
        seen.add(r["record_id"])
        credit = r["amount"] is not None and r["amount"] > 0
        out.append(Row(
            record_id=r["record_id"], day=r["day"], amount=r["amount"], currency=r["currency"],
            eur=r["eur"], value=Decimal(r["part"]).quantize(CENT), ref=r["ref"],
            account=r["account"], payer=r["cp_account"] if credit else r["account"],
            payee=r["account"] if credit else r["cp_account"], counterparty=r["cp_name"],
            description=r["description"], method=r["method"], source_id=r["source_id"],
            locator=r["locator"]))
    return Page(out, found.total, found.value)


def transactions(engine: Engine, sankey: Sankey, source: str, target: str,
                 offset: int = 0, limit: int = 50) -> Page | None:
    """The transactions behind one link of ``sankey`` (made on this engine), by date;
    None if there is no such link."""
    found = link_rows(engine, sankey, source, target)
    return None if found is None else page_of(found, offset, limit, engine)
