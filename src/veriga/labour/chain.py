"""The subcontracting chain: who paid whom for work, from the main contractor down to the firm
that employs the workers, with what each tier passed down and kept, and where the money
left the chain.

The heavy part is SQL over the engine's tables (DuckDB dialect; the Spark engine transpiles
it), so that both engines give the same chains:

- ``lab_pairs``: one row per (buyer firm, supplier firm): invoices (the bulk records of kind
  ``invoice``; firms keyed ``COUNTRY:REGISTRATION``), contracts (client → contractor) and bank
  payments between accounts the two firms hold (the finance ledger's ``edges``).
- ``lab_up``: the firms above an employer of workers, with their distance, by joining each
  supplier's heaviest buyer (``lab_top``) upwards level by level (no recursive SQL: Spark
  has none).
- ``lab_out``: what each firm account paid out by cash, to accounts abroad and to accounts
  of the people who direct or own firms of the case.

Python then walks the few pairs above each employer into tiers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from veriga.engine import Engine
from veriga.model.records import RECORD_KINDS

#: The invoice records' schema (:mod:`veriga.model.records`).
INVOICE_SCHEMA = RECORD_KINDS["invoice"].schema


def firm_sql(reg: str, country: str, name: str) -> str:
    """The firm key of an invoice party, as :mod:`veriga.labour.case` makes it (by the name
    where the registration number is missing)."""
    return (f"upper(COALESCE(NULLIF(trim({country}), ''), '?')) || ':' || "
            f"COALESCE(NULLIF(upper(replace(trim({reg}), ' ', '')), ''), "
            f"'~' || upper(regexp_replace({name}, '[^A-Za-z0-9]', '', 'g')))")


def pairs_sql(with_ledger: bool) -> str:
    buyer = firm_sql("buyer_reg", "buyer_country", "buyer_name")
    supplier = firm_sql("supplier_reg", "supplier_country", "supplier_name")
    eur = ("COALESCE(amount_eur, CASE WHEN upper(currency) = 'EUR' THEN net_amount END)")
    paid = """
  UNION ALL
  SELECT a.holder AS buyer, b.holder AS supplier, 0 AS invoices, CAST(0 AS DECIMAL(18,2)),
    CAST(0 AS DECIMAL(18,2)), CAST(e.eur AS DECIMAL(18,2)) AS paid, 1 AS payments,
    e.record_id AS sample, NULL AS first_day
  FROM edges e JOIN lab_accounts a ON a.account = e.src AND a.kind = 'firm'
  JOIN lab_accounts b ON b.account = e.dst AND b.kind = 'firm'
  WHERE a.holder <> b.holder""" if with_ledger else ""
    return f"""
WITH parts AS (
  SELECT {buyer} AS buyer, {supplier} AS supplier, 1 AS invoices,
    CAST({eur} AS DECIMAL(18,2)) AS invoiced, CAST(0 AS DECIMAL(18,2)) AS contracted,
    CAST(0 AS DECIMAL(18,2)) AS paid, 0 AS payments, record_id AS sample,
    issue_date AS first_day
  FROM invoice
  UNION ALL
  SELECT buyer, supplier, 0, CAST(0 AS DECIMAL(18,2)), CAST(COALESCE(value, 0) AS DECIMAL(18,2)),
    CAST(0 AS DECIMAL(18,2)), 0, NULL, signed
  FROM lab_contracts{paid}
)
SELECT buyer, supplier, SUM(invoices) AS invoices, SUM(invoiced) AS invoiced,
  SUM(contracted) AS contracted, SUM(paid) AS paid, SUM(payments) AS payments,
  MIN(sample) AS sample, MIN(first_day) AS first_day
FROM parts WHERE buyer <> supplier GROUP BY buyer, supplier
"""


OUT_SQL = """
WITH fa AS (
  SELECT a.account, a.holder AS firm, f.country
  FROM lab_accounts a LEFT JOIN lab_firms f ON f.firm = a.holder WHERE a.kind = 'firm'
), ctl AS (
  SELECT DISTINCT a.account FROM lab_accounts a JOIN lab_roles r ON r.person = a.holder
  WHERE a.kind = 'person'
)
SELECT fa.firm, l.account,
  SUM(CASE WHEN l.eur > 0 THEN l.eur ELSE 0 END) AS inflow,
  SUM(CASE WHEN l.eur < 0 AND l.method = 'cash' THEN -l.eur ELSE 0 END) AS cash,
  SUM(CASE WHEN l.eur < 0 AND l.method <> 'cash' AND l.cp_account IS NOT NULL
            AND c.account IS NULL AND fa.country IS NOT NULL
            AND substr(l.cp_account, 1, 2) <> fa.country THEN -l.eur ELSE 0 END) AS abroad,
  SUM(CASE WHEN l.eur < 0 AND c.account IS NOT NULL THEN -l.eur ELSE 0 END) AS controller,
  SUM(CASE WHEN l.eur < 0 THEN -l.eur ELSE 0 END) AS outflow,
  MIN(CASE WHEN l.eur < 0 AND (l.method = 'cash' OR c.account IS NOT NULL) THEN l.record_id
      END) AS sample
FROM ledger l JOIN fa ON fa.account = l.account
LEFT JOIN ctl c ON c.account = l.cp_account
WHERE NOT l.own
GROUP BY fa.firm, l.account
"""


def prepare_chain(engine: Engine, with_ledger: bool, max_depth: int) -> None:
    """Make ``lab_pairs``, ``lab_up`` (and ``lab_out`` with a ledger) on the engine; the
    tables ``lab_firms``, ``lab_accounts``, ``lab_roles``, ``lab_contracts``, ``lab_employers``
    and ``invoice`` must be there."""
    engine.materialize("lab_pairs", pairs_sql(with_ledger))
    # each supplier's main buyer: the chain is followed up the heaviest buyer only, so that
    # ordinary trade into a firm does not pull the whole economy above it
    engine.materialize("lab_top", """
SELECT buyer, supplier FROM (
  SELECT buyer, supplier, row_number() OVER (PARTITION BY supplier ORDER BY
    GREATEST(invoiced, paid, contracted) DESC, buyer) AS rk
  FROM lab_pairs) t WHERE rk = 1""")
    engine.materialize("lab_up0", "SELECT DISTINCT firm AS firm, firm AS employer, 0 AS depth "
                                  "FROM lab_employers")
    parts = ["SELECT * FROM lab_up0"]
    for k in range(1, max_depth + 1):
        engine.materialize(f"lab_up{k}", f"""
SELECT DISTINCT p.buyer AS firm, u.employer, {k} AS depth
FROM lab_top p JOIN lab_up{k - 1} u ON p.supplier = u.firm
WHERE p.buyer <> u.employer""")
        parts.append(f"SELECT * FROM lab_up{k}")
    engine.materialize("lab_up", " UNION ALL ".join(parts))
    if with_ledger:
        engine.materialize("lab_out", OUT_SQL)


@dataclass
class Tier:
    firm: str
    depth: int  # 0: the main contractor
    received: Decimal = Decimal(0)  # from the tier above (invoiced, else paid, else contracted)
    passed: Decimal = Decimal(0)  # to the tier below
    samples: list[str] = field(default_factory=list)  # invoice / transaction record ids

    @property
    def kept(self) -> Decimal:
        return self.received - self.passed

    @property
    def share_down(self) -> float:
        return float(self.passed / self.received) if self.received else 0.0


@dataclass
class Chain:
    """One path from a main contractor (nobody above it pays it for this work) down to an
    employer of workers."""

    tiers: list[Tier]
    pairs: list[dict[str, Any]]  # the pair rows along the path, top down

    @property
    def main(self) -> str:
        return self.tiers[0].firm

    @property
    def employer(self) -> str:
        return self.tiers[-1].firm

    @property
    def firms(self) -> list[str]:
        return [t.firm for t in self.tiers]


def value(pair: dict[str, Any]) -> Decimal:
    """What went from buyer to supplier: invoiced, else paid, else the contract's value."""
    for k in ("invoiced", "paid", "contracted"):
        if pair.get(k):
            return Decimal(pair[k])
    return Decimal(0)


def chains(engine: Engine, max_depth: int) -> list[Chain]:
    """The chains above every employer: the heaviest path from a top firm down to it."""
    up = engine.query("SELECT firm, employer, MIN(depth) AS depth FROM lab_up "
                      "GROUP BY firm, employer").to_pylist()
    above: dict[str, set[str]] = defaultdict(set)
    for r in up:
        above[r["employer"]].add(r["firm"])
    if not above:
        return []
    rows = engine.query("""
SELECT DISTINCT p.* FROM lab_pairs p JOIN lab_up a ON a.firm = p.buyer
JOIN lab_up b ON b.firm = p.supplier AND b.employer = a.employer""").to_pylist()
    into: dict[str, list[dict[str, Any]]] = defaultdict(list)
    out_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        into[r["supplier"]].append(r)
        out_of[r["buyer"]].append(r)
    found = []
    for employer in sorted(above):
        members = above[employer]
        path = [employer]
        pairs: list[dict[str, Any]] = []
        while len(path) <= max_depth:
            ups = [r for r in into.get(path[-1], ()) if r["buyer"] in members
                   and r["buyer"] not in path]
            if not ups:
                break
            best = max(ups, key=lambda r: (value(r), r["buyer"]))
            pairs.append(best)
            path.append(best["buyer"])
        if len(path) < 2:
            continue
        path.reverse()
        pairs.reverse()
        tiers = [Tier(f, i) for i, f in enumerate(path)]
        for i, pair in enumerate(pairs):
            v = value(pair)
            tiers[i].passed += v
            tiers[i + 1].received += v
            if pair.get("sample"):
                tiers[i + 1].samples.append(pair["sample"])
        # the main contractor received what its client paid it, if the case shows that
        top = [r for r in into.get(path[0], ()) if r["buyer"] not in path]
        tiers[0].received = sum((value(r) for r in top), Decimal(0)) or tiers[0].passed
        # the employer's own pass-down: whatever it paid to firms outside the chain is not
        # counted; its "kept" is what it received
        found.append(Chain(tiers, pairs))
    return found


TO_CONTROLLERS_SQL = """
SELECT l.account, l.cp_account, SUM(-l.eur) AS eur
FROM ledger l JOIN lab_accounts a ON a.account = l.account AND a.kind = 'firm'
JOIN lab_accounts p ON p.account = l.cp_account AND p.kind = 'person'
JOIN (SELECT DISTINCT person FROM lab_roles) r ON r.person = p.holder
WHERE l.eur < 0 AND NOT l.own
GROUP BY l.account, l.cp_account
"""


def outflows(engine: Engine) -> dict[str, dict[str, Any]]:
    """Per firm: inflow and what left by cash, abroad and to the controllers' accounts, in
    all and per account of the firm (``by_account``, with ``to``: the controllers' accounts
    paid and how much)."""
    out: dict[str, dict[str, Any]] = {}
    for r in engine.query("SELECT * FROM lab_out").to_pylist():
        f = out.setdefault(r["firm"], {"inflow": Decimal(0), "cash": Decimal(0),
                                       "abroad": Decimal(0), "controller": Decimal(0),
                                       "outflow": Decimal(0), "accounts": [], "samples": [],
                                       "by_account": {}})
        for k in ("inflow", "cash", "abroad", "controller", "outflow"):
            f[k] += Decimal(r[k] or 0)
        f["accounts"].append(r["account"])
        f["by_account"][r["account"]] = {"cash": Decimal(r["cash"] or 0), "to": {}}
        if r["sample"]:
            f["samples"].append(r["sample"])
    to = engine.query(TO_CONTROLLERS_SQL).to_pylist()
    for f in out.values():
        for acct, item in f["by_account"].items():
            item["to"] = {r["cp_account"]: Decimal(r["eur"] or 0) for r in to
                          if r["account"] == acct}
    return out
