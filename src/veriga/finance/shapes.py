"""Laundering shapes as the open AML simulators make them, as SQL over ``edges``.

The typologies of IBM's AMLSim (``fan_in``, ``fan_out``, ``cycle``, ``bipartite``,
``stack``, ``scatter_gather``, ``gather_scatter``) and of the AMLworld generator (Altman et
al. 2023), each found as a shape of transfers between accounts: within a time window
(``spread_days``; a hop within ``window_days``), of at least ``min_amount``, with amounts
alike within ``amount_tolerance`` where the simulators make them alike, and carrying on at
least ``min_carried`` of what arrived where money passes through. Standing relationships
(payroll, rent, utility bills: the same payer and payee ``recurring_days`` apart or more)
are no part of a fan, a bipartite or a stack, and a payee of many payers (a shop) is no
member of a bipartite or a stack. Every row a query returns is one transfer of the shape,
as ``account`` (its payer) to ``cp_account`` (its payee): a finding names those accounts
as flagged, and no other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from veriga.finance.ledger import sql_decimal as D
from veriga.finance.params import Params
from veriga.findings import N_, Text, eur, pct

if TYPE_CHECKING:
    from veriga.finance.detectors import Group

AMLSIM = "IBM AMLSim (2018-2021) typologies, github.com/IBM/AMLSim"
AMLWORLD = ("Altman et al. (2023) Realistic Synthetic Financial Transactions for "
            "Anti-Money Laundering Models (AMLworld), NeurIPS Datasets and Benchmarks")


def _clip(value: float) -> float:
    return round(min(0.99, max(0.0, value)), 2)


def one_off(p: Params) -> str:
    """``se``: transfers of at least ``min_amount`` between two accounts that are no standing
    relationship (the same payer and payee ``recurring_days`` apart or more)."""
    q = p.shapes
    return f"""se AS (
  SELECT e.* FROM edges e
  LEFT JOIN (SELECT src, dst FROM edges GROUP BY src, dst
             HAVING MAX(dn) - MIN(dn) >= {int(q.recurring_days)}) r
    ON r.src = e.src AND r.dst = e.dst
  WHERE r.src IS NULL AND e.eur >= {D(q.min_amount)} AND e.src <> e.dst
)"""


def fan(p: Params, name: str, out: bool, least: int) -> str:
    """CTE ``name``: (hub, other, record_id, ref, dn, eur, src, dst) of each account's fan
    (``out``: its payments, else its credits): at least ``least`` counterparties paid (or
    paying) alike amounts within ``spread_days`` of one of them, those alike transfers at
    least ``min_alike_share`` of the hub's one-off transfers of a size near theirs that way
    from a window before to a window after (a shop's takings, any size, are not alike),
    and the hub no account serving the public (more than
    ``max_payers`` counterparties that way in the period). Reads ``se``."""
    q = p.shapes
    hub, other = ("src", "dst") if out else ("dst", "src")
    up = D(1 + q.amount_tolerance)
    s = int(q.spread_days)
    return f"""{name}_pop AS (
  SELECT {hub} AS hub FROM se GROUP BY {hub} HAVING COUNT(DISTINCT {other}) > {int(q.max_payers)}
), {name}_x AS (
  SELECT se.* FROM se LEFT JOIN {name}_pop pop ON pop.hub = se.{hub} WHERE pop.hub IS NULL
), {name}_a AS (
  SELECT x.{hub} AS hub, x.record_id AS anchor, y.{other} AS other, y.record_id, y.ref, y.dn,
    y.eur, y.src, y.dst,
    CASE WHEN y.eur BETWEEN x.eur / {up} AND x.eur * {up} THEN 1 ELSE 0 END AS alike
  FROM {name}_x x JOIN {name}_x y ON y.{hub} = x.{hub} AND y.dn BETWEEN x.dn AND x.dn + {s}
), {name}_n AS (
  SELECT x.record_id AS anchor, COUNT(*) AS n
  FROM {name}_x x JOIN {name}_x y ON y.{hub} = x.{hub}
   AND y.dn BETWEEN x.dn - {s} AND x.dn + {2 * s}
   AND y.eur BETWEEN x.eur / ({up} * {up}) AND x.eur * {up} * {up}
  GROUP BY x.record_id
), {name}_ok AS (
  SELECT a.hub, a.anchor FROM {name}_a a JOIN {name}_n n ON n.anchor = a.anchor
  GROUP BY a.hub, a.anchor
  HAVING COUNT(DISTINCT CASE WHEN a.alike = 1 THEN a.other END) >= {int(least)}
     AND SUM(a.alike) >= {D(q.min_alike_share)} * MAX(n.n)
), {name} AS (
  SELECT DISTINCT a.hub, a.other, a.record_id, a.ref, a.dn, a.eur, a.src, a.dst
  FROM {name}_a a JOIN {name}_ok k ON k.hub = a.hub AND k.anchor = a.anchor
  WHERE a.alike = 1
)"""


# -- fan-in, fan-out -------------------------------------------------------------------------

def _fan_sql(p: Params, out: bool) -> str:
    return f"""
WITH {one_off(p)}, {fan(p, "f", out, p.shapes.min_fan)},
k AS (
  SELECT hub, COUNT(DISTINCT other) AS n, SUM(eur) AS total, MAX(dn) - MIN(dn) AS days
  FROM f GROUP BY hub
)
SELECT f.hub AS grp, f.src AS account, f.record_id, f.ref, f.dn, -f.eur AS eur,
  f.dst AS cp_account, k.n AS m_n, k.total AS m_total, k.days AS m_days
FROM f JOIN k ON k.hub = f.hub
"""


def fan_in_sql(p: Params) -> str:
    return _fan_sql(p, out=False)


def fan_out_sql(p: Params) -> str:
    return _fan_sql(p, out=True)


def _fan_args(g: Group, p: Params) -> dict[str, Any]:
    m = g.m
    return {"account": g.key, "n": m["n"], "total": eur(m["total"]), "days": m["days"] + 1,
            "tolerance": pct(p.shapes.amount_tolerance)}


def _fan_score(g: Group, p: Params) -> float:
    return _clip(0.55 + 0.05 * min(6, g.m["n"] - p.shapes.min_fan)
                 + 0.1 * (g.m["days"] <= p.shapes.window_days))


def fan_in_explain(g: Group, p: Params) -> tuple[float, Text]:
    return _fan_score(g, p), Text(N_(
        "%(n)s accounts paid account %(account)s alike amounts (%(total)s in all, within "
        "%(tolerance)s of each other) over %(days)s day(s), none of them a regular payer of "
        "it: fan-in, many accounts gathering money into one."), _fan_args(g, p))


def fan_out_explain(g: Group, p: Params) -> tuple[float, Text]:
    return _fan_score(g, p), Text(N_(
        "Account %(account)s paid %(n)s accounts alike amounts (%(total)s in all, within "
        "%(tolerance)s of each other) over %(days)s day(s), none of them a regular payee of "
        "it: fan-out, one account spreading money over many."), _fan_args(g, p))


# -- gather-scatter ----------------------------------------------------------------------------

def gather_scatter_sql(p: Params) -> str:
    q = p.shapes
    least = q.min_side
    return f"""
WITH {one_off(p)}, {fan(p, "gi", False, least)}, {fan(p, "go", True, least)},
ins AS (
  SELECT hub, COUNT(DISTINCT other) AS n, SUM(eur) AS total, MIN(dn) AS d0, MAX(dn) AS d1
  FROM gi GROUP BY hub
), outs AS (
  SELECT hub, COUNT(DISTINCT other) AS n, SUM(eur) AS total, MIN(dn) AS d0, MAX(dn) AS d1
  FROM go GROUP BY hub
), k AS (
  SELECT i.hub, i.n AS n_in, o.n AS n_out, i.total AS t_in, o.total AS t_out,
    o.d1 - i.d0 AS days
  FROM ins i JOIN outs o ON o.hub = i.hub
  WHERE o.d0 >= i.d0 AND o.d1 >= i.d1 AND o.d1 - i.d0 <= {2 * int(q.spread_days)}
    AND o.total BETWEEN {D(q.min_carried)} * i.total AND i.total * {D(1 + q.amount_tolerance)}
)
SELECT k.hub AS grp, g.src AS account, g.record_id, g.ref, g.dn, -g.eur AS eur,
  g.dst AS cp_account, k.n_in AS m_n_in, k.n_out AS m_n_out, k.t_in AS m_t_in,
  k.t_out AS m_t_out, k.days AS m_days
FROM k JOIN gi g ON g.hub = k.hub
UNION ALL
SELECT k.hub, g.src, g.record_id, g.ref, g.dn, -g.eur, g.dst, k.n_in, k.n_out, k.t_in,
  k.t_out, k.days
FROM k JOIN go g ON g.hub = k.hub
"""


def gather_scatter_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    carried = _share(m["t_out"], m["t_in"])
    score = 0.6 + 0.05 * min(4, m["n_in"] + m["n_out"] - 2 * p.shapes.min_side) + 0.15 * min(
        1.0, carried)
    return _clip(score), Text(N_(
        "%(n_in)s accounts paid account %(account)s %(in)s in alike amounts, and it paid "
        "%(out)s (%(carried)s of it) on to %(n_out)s other accounts in alike amounts, all "
        "within %(days)s day(s): gather-scatter, money collected from many and spread over "
        "many through one account."),
        {"account": g.key, "n_in": m["n_in"], "n_out": m["n_out"], "in": eur(m["t_in"]),
         "out": eur(m["t_out"]), "carried": pct(carried), "days": m["days"] + 1})


def _share(a: Any, b: Any) -> float:
    return float(Decimal(a or 0) / Decimal(b)) if b else 0.0


# -- bipartite, stack --------------------------------------------------------------------------

def biclique(p: Params) -> str:
    """CTEs ``bp`` (grp, src, dst, record_id, ref, dn, eur) and ``bk`` (grp, origs, payees,
    total, d0, d1): groups of payers each paying the same at least ``min_partners`` payees
    within ``spread_days``, two payers at least, each payer alike amounts (within
    ``amount_tolerance`` of one of them, as AMLSim splits a payer's sum evenly); each group
    keyed by its least payer.
    Reads ``se``; a payee of more than ``max_payers`` payers in the period is left out."""
    q = p.shapes
    s = int(q.spread_days)
    up = D(1 + q.amount_tolerance)
    return f"""pop AS (
  SELECT dst FROM se GROUP BY dst HAVING COUNT(DISTINCT src) > {int(q.max_payers)}
), b AS (
  SELECT se.* FROM se LEFT JOIN pop ON pop.dst = se.dst WHERE pop.dst IS NULL
), pr AS (
  SELECT x.src AS o1, y.src AS o2, x.dst AS payee,
    x.record_id AS r1, x.ref AS f1, x.dn AS d1, x.eur AS x1,
    y.record_id AS r2, y.ref AS f2, y.dn AS d2, y.eur AS x2
  FROM b x JOIN b y ON y.dst = x.dst AND y.src > x.src AND y.dn BETWEEN x.dn - {s} AND x.dn + {s}
), pairs AS (
  SELECT o1, o2 FROM pr GROUP BY o1, o2
  HAVING COUNT(DISTINCT payee) >= {int(q.min_partners)}
     AND MAX(x1) <= MIN(x1) * {up} * {up} AND MAX(x2) <= MIN(x2) * {up} * {up}
     AND GREATEST(MAX(d1), MAX(d2)) - LEAST(MIN(d1), MIN(d2)) <= {s}
), mem AS (
  SELECT o1 AS o, o2 AS other FROM pairs UNION ALL SELECT o2, o1 FROM pairs
), gk AS (
  SELECT o, LEAST(o, MIN(other)) AS grp FROM mem GROUP BY o
), bp AS (
  SELECT DISTINCT gk.grp, t.src, t.dst, t.record_id, t.ref, t.dn, t.eur FROM (
    SELECT pr.o1 AS src, pr.payee AS dst, pr.r1 AS record_id, pr.f1 AS ref, pr.d1 AS dn,
      pr.x1 AS eur, pr.o1, pr.o2
    FROM pr JOIN pairs USING (o1, o2)
    UNION ALL
    SELECT pr.o2, pr.payee, pr.r2, pr.f2, pr.d2, pr.x2, pr.o1, pr.o2
    FROM pr JOIN pairs USING (o1, o2)
  ) t JOIN gk ON gk.o = t.o1
), bk AS (
  SELECT grp, COUNT(DISTINCT src) AS origs, COUNT(DISTINCT dst) AS payees, SUM(eur) AS total,
    MIN(dn) AS d0, MAX(dn) AS d1
  FROM bp GROUP BY grp HAVING COUNT(DISTINCT dst) >= {int(q.min_partners)}
)"""


def bipartite_sql(p: Params) -> str:
    return f"""
WITH {one_off(p)}, {biclique(p)}
SELECT b.grp, b.src AS account, b.record_id, b.ref, b.dn, -b.eur AS eur, b.dst AS cp_account,
  k.origs AS m_origs, k.payees AS m_payees, k.total AS m_total, k.d1 - k.d0 AS m_days
FROM bp b JOIN bk k ON k.grp = b.grp
"""


def bipartite_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    score = 0.55 + 0.05 * min(6, m["origs"] + m["payees"] - 2 * p.shapes.min_partners)
    return _clip(score), Text(N_(
        "%(origs)s accounts, starting with %(account)s, each paid the same %(payees)s "
        "accounts (%(total)s in all) within %(days)s day(s), none of them a regular payee: "
        "bipartite, a set of payers spreading money over a set of payees."),
        {"account": g.key, "origs": m["origs"], "payees": m["payees"],
         "total": eur(m["total"]), "days": m["days"] + 1})


def stack_sql(p: Params) -> str:
    q = p.shapes
    return f"""
WITH {one_off(p)}, {biclique(p)},
mids AS (
  SELECT b1.grp AS g1, b2.grp AS g2, COUNT(DISTINCT b2.src) AS n
  FROM (SELECT DISTINCT grp, dst FROM bp) b1
  JOIN (SELECT DISTINCT grp, src FROM bp) b2 ON b2.src = b1.dst AND b2.grp <> b1.grp
  GROUP BY b1.grp, b2.grp HAVING COUNT(DISTINCT b2.src) >= {int(q.min_partners)}
), st AS (
  SELECT m.g1, m.g2, m.n, k1.total AS t1, k2.total AS t2, k2.d1 - k1.d0 AS days,
    k1.origs, k2.payees
  FROM mids m JOIN bk k1 ON k1.grp = m.g1 JOIN bk k2 ON k2.grp = m.g2
  WHERE k2.d0 >= k1.d0 AND k2.d1 - k1.d0 <= {2 * int(q.spread_days)}
    AND k2.total BETWEEN {D(q.min_carried)} * k1.total AND k1.total * {D(1 + q.amount_tolerance)}
)
SELECT s.g1 || ' >> ' || s.g2 AS grp, b.src AS account, b.record_id, b.ref, b.dn,
  -b.eur AS eur, b.dst AS cp_account, s.origs AS m_origs, s.n AS m_mids,
  s.payees AS m_payees, s.t1 AS m_t1, s.t2 AS m_t2, s.days AS m_days
FROM st s JOIN bp b ON b.grp = s.g1
UNION ALL
SELECT s.g1 || ' >> ' || s.g2, b.src, b.record_id, b.ref, b.dn, -b.eur, b.dst, s.origs, s.n,
  s.payees, s.t1, s.t2, s.days
FROM st s JOIN bp b ON b.grp = s.g2
"""


def stack_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    score = 0.65 + 0.05 * min(6, m["origs"] + m["mids"] + m["payees"] - 3 * p.shapes.min_partners)
    return _clip(score), Text(N_(
        "%(origs)s accounts, starting with %(account)s, each paid the same %(mids)s "
        "accounts (%(t1)s in all), which each paid the same %(payees)s further accounts "
        "(%(t2)s, %(carried)s of it), all within %(days)s day(s): a stack, two layers of "
        "payers and payees one after the other."),
        {"account": g.key.split(" >> ")[0], "origs": m["origs"], "mids": m["mids"],
         "payees": m["payees"], "t1": eur(m["t1"]), "t2": eur(m["t2"]),
         "carried": pct(_share(m["t2"], m["t1"])), "days": m["days"] + 1})


# -- cycle -------------------------------------------------------------------------------------

def _hop(prev: int, p: Params, alias: str) -> str:
    """The join condition of hop ``prev + 1`` after hop ``prev`` of a path ``t``."""
    q = p.shapes
    return (f"{alias}.dn BETWEEN t.d{prev} AND t.d{prev} + {int(q.window_days)} "
            f"AND {alias}.eur BETWEEN {D(q.min_carried)} * t.x{prev} AND t.x{prev}")


def _cols(k: int) -> str:
    return ", ".join(f"t.a{i}" for i in range(1, k + 1)) + ", " + ", ".join(
        f"t.r{i}, t.f{i}, t.d{i}, t.x{i}" for i in range(1, k))


def _rotated(n: int, alias: str = "") -> str:
    """The key of a cycle of ``n`` accounts ``a1..a{n}``: its accounts from the least, in
    the order the money went (one key for every account it is found from)."""
    a = [f"{alias}a{i}" for i in range(1, n + 1)]
    least = "LEAST(" + ", ".join(a) + ")"
    whens = []
    for i in range(n):
        order = [a[(i + j) % n] for j in range(n)]
        whens.append(f"WHEN {a[i]} = {least} THEN " + " || ' > ' || ".join(order))
    return "CASE " + " ".join(whens) + " END"


def cycle_stages(p: Params) -> list[tuple[str, str]]:
    """The tables the cycle search builds on, each computed once before it (:func:`cycle_sql`
    reads them): the transfers that can be on a cycle, and the paths of 1 to
    ``max_cycle_length - 1`` hops through them. Kept as tables, not common table
    expressions: an engine that inlines each reference (Spark) would plan every path length
    again for every longer one, doubling the plan with each hop."""
    q = p.shapes
    longest = max(3, int(q.max_cycle_length))
    # a transfer on a cycle comes from an account paid by some transfer and goes to one
    # paying some transfer: twice pruned so, few transfers are left to start paths from
    stages = [("cycle_e", f"WITH e0 AS (SELECT * FROM edges WHERE eur >= {D(q.min_amount)} "
               "AND src <> dst), "
               "e1 AS (SELECT * FROM e0 WHERE src IN (SELECT dst FROM e0) "
               "AND dst IN (SELECT src FROM e0)) "
               "SELECT * FROM e1 WHERE src IN (SELECT dst FROM e1) "
               "AND dst IN (SELECT src FROM e1)"),
              ("cycle_p1", "SELECT src AS a1, dst AS a2, record_id AS r1, ref AS f1, dn AS d1, "
               "eur AS x1 FROM cycle_e")]
    for k in range(2, longest):  # cycle_p{k}: paths of k hops, accounts a1..a{k+1}
        seen = " AND ".join(f"e.dst <> t.a{i}" for i in range(1, k + 1))
        stages.append((f"cycle_p{k}",
                       f"SELECT {_cols(k)}, e.dst AS a{k + 1}, e.record_id AS r{k}, "
                       f"e.ref AS f{k}, e.dn AS d{k}, e.eur AS x{k} FROM cycle_p{k - 1} t "
                       f"JOIN cycle_e e ON e.src = t.a{k} AND {_hop(k - 1, p, 'e')} "
                       f"WHERE {seen}"))
    return stages


def cycle_sql(p: Params) -> str:
    """Simple cycles of 3 to ``max_cycle_length`` accounts, each hop within ``window_days``
    of the one before and carrying on ``min_carried`` to all of it, from the hop that set
    the money off (paths never visit an account twice); on the tables of
    :func:`cycle_stages`."""
    q = p.shapes
    longest = max(3, int(q.max_cycle_length))
    ctes: list[str] = []
    parts = []
    for n in range(3, longest + 1):  # c{n}: cycles of n accounts, closed by hop n
        ctes.append(f"c{n} AS (SELECT {_cols(n)}, e.record_id AS r{n}, e.ref AS f{n}, "
                    f"e.dn AS d{n}, e.eur AS x{n} FROM cycle_p{n - 1} t JOIN cycle_e e "
                    f"ON e.src = t.a{n} AND e.dst = t.a1 AND {_hop(n - 1, p, 'e')})")

        def pick(col: str, n: int = n, shift: int = 0) -> str:
            return "CASE v.i " + " ".join(
                f"WHEN {i} THEN c.{col}{(i - 1 + shift) % n + 1}" for i in range(1, n + 1)
            ) + " END"
        values = ", ".join(f"({i})" for i in range(1, n + 1))
        # each cycle once, one row per hop (the cycle read once: Spark inlines what it reuses)
        parts.append(f"SELECT {_rotated(n, 'c.')} AS grp, {pick('a')} AS account, "
                     f"{pick('r')} AS record_id, {pick('f')} AS ref, {pick('d')} AS dn, "
                     f"-{pick('x')} AS eur, {pick('a', shift=1)} AS cp_account, {n} AS len, "
                     f"c.d1, c.x1 FROM c{n} c CROSS JOIN (VALUES {values}) AS v(i)")
    ctes.append("u AS (" + "\nUNION ALL\n".join(parts) + ")")
    # times round: the days it set off on; the sum set off, each cycle's rows counted once
    ctes.append("k AS (SELECT grp, COUNT(DISTINCT d1) AS n, "
                "SUM(x1) * COUNT(DISTINCT d1) / COUNT(*) AS total FROM u GROUP BY grp)")
    return ("WITH " + ",\n".join(ctes) + "\nSELECT u.grp, u.account, u.record_id, u.ref, "
            "u.dn, u.eur, u.cp_account, k.n AS m_n, k.total AS m_total, u.len AS m_len "
            "FROM u JOIN k ON k.grp = u.grp")


def cycle_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    score = 0.6 + 0.1 * min(3, m["n"] - 1) + 0.05 * min(3, m["len"] - 3)
    text = Text(N_(
        "Money went round the circle %(circle)s and back to where it started %(n)s time(s) "
        "(%(total)s set off), each hop within %(days)s days and carrying on at least "
        "%(carried)s each time. Round-tripping through a company dresses proceeds up as loans "
        "or business income."), {"circle": g.key, "n": m["n"], "total": eur(m["total"]),
                                 "days": p.shapes.window_days,
                                 "carried": pct(p.shapes.min_carried)})
    return _clip(score), text


# -- scatter-gather ----------------------------------------------------------------------------

def scatter_sql(p: Params) -> str:
    """One payer, at least ``min_branches`` intermediaries paid within ``spread_days`` of
    each other, each passing on ``min_carried`` to all of what it got to one payee within
    ``window_days``."""
    q = p.shapes
    return f"""
WITH e AS (SELECT * FROM edges WHERE eur >= {D(q.min_amount)} AND src <> dst),
s AS (
  SELECT e1.src AS a, e2.dst AS d, e1.dst AS mid,
    e1.record_id AS r1, e1.ref AS f1, e1.dn AS d1, e1.eur AS x1,
    e2.record_id AS r2, e2.ref AS f2, e2.dn AS d2, e2.eur AS x2
  FROM e e1 JOIN e e2 ON e2.src = e1.dst AND e2.dn BETWEEN e1.dn AND e1.dn + {int(q.window_days)}
   AND e2.eur BETWEEN {D(q.min_carried)} * e1.eur AND e1.eur
  WHERE e2.dst <> e1.src AND e2.dst <> e1.dst
), w AS (
  SELECT x.a, x.d, x.r1 AS anchor, y.mid, y.r1, y.f1, y.d1, y.x1, y.r2, y.f2, y.d2, y.x2
  FROM s x JOIN s y ON y.a = x.a AND y.d = x.d AND y.d1 BETWEEN x.d1 AND x.d1 + {int(q.spread_days)}
), ok AS (
  SELECT a, d, anchor FROM w GROUP BY a, d, anchor
  HAVING COUNT(DISTINCT mid) >= {int(q.min_branches)}
), p AS (
  SELECT DISTINCT w.a, w.d, w.mid, w.r1, w.f1, w.d1, w.x1, w.r2, w.f2, w.d2, w.x2
  FROM w JOIN ok ON ok.a = w.a AND ok.d = w.d AND ok.anchor = w.anchor
), k AS (
  SELECT a, d, COUNT(DISTINCT mid) AS mids, SUM(x2) AS total FROM p GROUP BY a, d
)
SELECT s.a || ' >> ' || s.d AS grp, s.a AS account, s.r1 AS record_id, s.f1 AS ref,
  s.d1 AS dn, -s.x1 AS eur, s.mid AS cp_account, k.mids AS m_mids, k.total AS m_total
FROM p s JOIN k ON k.a = s.a AND k.d = s.d
UNION ALL
SELECT s.a || ' >> ' || s.d, s.mid, s.r2, s.f2, s.d2, -s.x2, s.d, k.mids, k.total
FROM p s JOIN k ON k.a = s.a AND k.d = s.d
"""


def scatter_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    a, d = g.key.split(" >> ")
    score = 0.6 + 0.1 * min(3, m["mids"] - 2)
    text = Text(N_(
        "%(source)s sent money to %(mids)s intermediary accounts which passed %(total)s on to "
        "the same recipient %(target)s within %(days)s days: scatter-gather, splitting one "
        "payment over several people to hide who paid."),
        {"source": a, "mids": m["mids"], "total": eur(m["total"]), "target": d,
         "days": p.shapes.window_days})
    return _clip(score), text
