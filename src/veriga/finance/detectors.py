"""THB red flags R1-R12 (docs/domain.md) and the laundering shapes (:mod:`veriga.finance.shapes`),
as SQL over the ledger.

Each detector runs one query (DuckDB dialect, transpiled for Spark) returning one row per
transaction it rests on, with the group it belongs to (usually the account) and the group's
figures. :mod:`veriga.finance.analyze` turns each group into a Finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from veriga import analysis
from veriga.engine import Engine
from veriga.finance import shapes
from veriga.finance.ledger import sql_decimal as D
from veriga.finance.ledger import words_regex
from veriga.finance.params import Params
from veriga.findings import N_, Text, eur, num, pct

FATF = "FATF-APG (2018) Financial Flows from Human Trafficking"
FINCEN14 = "FinCEN FIN-2014-A008 (2014) Recognizing Activity Associated with Human Trafficking"
FINCEN20 = "FinCEN FIN-2020-A008 (2020) Supplemental Advisory on Human Trafficking"
FUNNEL = "FinCEN FIN-2014-A005 (2014) Funnel Accounts"
EUROPOL = "Europol (2015) The THB Financial Business Model"
OSCE = "OSCE (2019) Following the Money"
WAGE_WORDS = ("SALARY", "WAGE", "ALGA", "PALK", "LOHN", "WYNAGRODZENIE", "ZARPLATA",
              "ЗАРПЛАТА", "ЗАПЛАТА", "SALARIU", "PAYROLL", "LÖN ")
COLUMNS = ("account", "record_id", "ref", "dn", "eur", "cp_account")


def row(alias: str) -> str:
    """The columns every detector returns for a transaction, from table ``alias``."""
    return ", ".join(f"{alias}.{c}" for c in COLUMNS)


@dataclass
class Group:
    """What one finding rests on: its transactions and figures."""

    key: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    m: dict[str, Any] = field(default_factory=dict)

    @property
    def accounts(self) -> list[str]:
        return sorted({r["account"] for r in self.rows if r["account"]})


@dataclass(frozen=True)
class Detector:
    """One detector: its SQL, how a group is explained and scored, and its description."""

    kind: str  # R1..R12 or shape.*
    title: str
    citation: str
    sql: Callable[[Params], str]
    explain: Callable[[Group, Params], tuple[float, Text]]
    shape: str | None = None
    role: str = "proceeds_account"  # the chain role of the account a finding is about
    counterpart: str | None = None  # the role it gives the other accounts of its evidence
    params: tuple[str, ...] = ()  # the parameter sections it reads besides ``common``
    #: its rows are the transfers of a shape, payer (``account``) to payee (``cp_account``):
    #: a finding flags exactly those accounts and names any other as context
    participants: bool = False
    #: tables computed once before ``sql`` runs (name, SQL), in order
    stages: Callable[[Params], list[tuple[str, str]]] | None = None
    #: the engines it runs on (an analysis on another engine leaves it out, and says so)
    engines: tuple[str, ...] = ("duckdb", "spark")

    @property
    def about(self) -> analysis.Detector:
        return describe(self.kind, self.title, self.role, self.citation,
                        ("common", *self.params), self.counterpart)


def describe(kind: str, title: str, role: str, citation: str, params: tuple[str, ...],
             counterpart: str | None = None) -> analysis.Detector:
    """A finance detector's description, with its place in docs/domain.md."""
    anchor = kind.lower().replace(".", "-").replace("_", "-")
    return analysis.Detector(kind=kind, title=title, role=role, citation=citation,
                             docs=f"docs/domain.md#{anchor}", params=params,
                             counterpart=counterpart)


def run(engine: Engine, detector: Detector, params: Params) -> list[Group]:
    """Run one detector; rows grouped by ``grp``, figures from the ``m_*`` columns."""
    for name, sql in detector.stages(params) if detector.stages else ():
        engine.materialize(name, sql)
    table = engine.query(detector.sql(params))
    groups: dict[str, Group] = {}
    for row in table.to_pylist():
        row = {k.lower(): v for k, v in row.items()}
        group = groups.get(row["grp"])
        if group is None:
            group = groups[row["grp"]] = Group(row["grp"])
            group.m = {k[2:]: v for k, v in row.items() if k.startswith("m_")}
        group.rows.append({k: row.get(k) for k in ("account", "record_id", "ref", "dn", "eur",
                                                  "cp_account")})
    for group in groups.values():
        unique = {r["record_id"]: r for r in group.rows}
        group.rows = sorted(unique.values(), key=lambda r: (r["dn"], r["record_id"]))
    return [groups[k] for k in sorted(groups)]


def _eur(value: Any) -> str:
    return f"{Decimal(value or 0):,.2f} EUR"


def _clip(value: float) -> float:
    return round(min(0.99, max(0.0, value)), 2)


def _share(a: Any, b: Any) -> float:
    return float(Decimal(a or 0) / Decimal(b)) if b else 0.0


# -- R1: many small payers fanning in ---------------------------------------------------

def r1_sql(p: Params) -> str:
    q = p.r1
    return f"""
WITH small AS (
  SELECT * FROM ledger
  WHERE eur > 0 AND eur <= {D(q.max_payment)} AND method IN ('p2p', 'transfer') AND NOT own
), acc AS (
  SELECT account, COUNT(*) AS n, COUNT(DISTINCT cp) AS payers, COUNT(DISTINCT ym) AS months,
         SUM(eur) AS total
  FROM small GROUP BY account
)
SELECT s.account AS grp, {row('s')},
  a.n AS m_n, a.payers AS m_payers, a.months AS m_months, a.total AS m_total,
  f.inflow AS m_inflow, f.passed AS m_passed
FROM small s JOIN acc a ON a.account = s.account LEFT JOIN flows f ON f.account = s.account
WHERE a.payers >= {int(q.min_payers)} AND a.n >= {int(q.min_per_month)} * a.months
"""


def r1_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    per_month = m["n"] / max(1, m["months"])
    moved = _share(m["passed"], m["inflow"])
    score = 0.4 + 0.1 * min(1.0, per_month / (2 * p.r1.min_per_month)) + 0.45 * min(
        1.0, moved / float(p.r12.min_pass_share))
    text = Text(N_(
        "Account %(account)s received %(n)s small payments (up to %(max)s each, %(total)s in "
        "all) from %(payers)s different payers, %(per_month)s a month over %(months)s "
        "month(s). %(moved)s of everything credited to it was moved on within %(days)s days. "
        "Many small payers fanning into one account, with the money leaving again at once, is "
        "how client payments for sexual services look when they are collected for someone "
        "else."), {"account": g.key, "n": m["n"], "max": eur(p.r1.max_payment),
                   "total": eur(m["total"]), "payers": m["payers"], "per_month": num(per_month),
                   "months": m["months"], "moved": pct(moved),
                   "days": p.common.pass_window_days})
    return _clip(score), text


# -- R2: several workers' wages into one account ------------------------------------------

def r2_sql(p: Params) -> str:
    return f"""
WITH w AS (
  SELECT * FROM ledger
  WHERE eur > 0 AND NOT own AND regexp_matches(text, {words_regex(WAGE_WORDS)})
), g AS (
  SELECT account, cp, ym, COUNT(*) AS n FROM w GROUP BY account, cp, ym
  HAVING COUNT(*) >= {int(p.r2.min_wages)}
), tot AS (
  SELECT account, COUNT(*) AS n, COUNT(DISTINCT ym) AS months, SUM(w.eur) AS total
  FROM w JOIN g USING (account, cp, ym) GROUP BY account
)
SELECT w.account AS grp, {row('w')},
  t.n AS m_n, t.months AS m_months, t.total AS m_total
FROM w JOIN g USING (account, cp, ym) JOIN tot t ON t.account = w.account
"""


def r2_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    per_month = m["n"] / max(1, m["months"])
    score = 0.6 + 0.05 * min(7.0, per_month - p.r2.min_wages)
    text = Text(N_(
        "Account %(account)s received %(n)s wage payments (%(total)s), %(per_month)s a month "
        "from the same employer, at least %(min)s in one month. One account receiving the "
        "wages of several workers is a sign that their pay is controlled by someone else."),
        {"account": g.key, "n": m["n"], "total": eur(m["total"]), "per_month": num(per_month),
         "min": p.r2.min_wages})
    return _clip(score), text


# -- R3: wage credited, most of it out to the same third party within 48 h ---------------

def r3_sql(p: Params) -> str:
    q = p.r3
    return f"""
WITH wage AS (
  SELECT * FROM ledger
  WHERE eur >= {D(q.min_wage)} AND NOT own AND regexp_matches(text, {words_regex(WAGE_WORDS)})
), out AS (
  SELECT * FROM ledger WHERE eur < 0 AND NOT own AND method IN ('transfer', 'p2p')
), pair AS (
  SELECT w.account, o.cp AS taker, w.record_id AS wid, w.ref AS wref, w.dn AS wdn,
    w.eur AS weur, w.cp_account AS wcp, o.record_id AS oid, o.ref AS oref, o.dn AS odn,
    o.eur AS oeur, o.cp_account AS ocp
  FROM wage w JOIN out o ON o.account = w.account
   AND o.dn BETWEEN w.dn AND w.dn + {int(q.within_days)}
   AND o.cp <> w.cp AND -o.eur > {D(q.min_share)} * w.eur
), tk AS (
  SELECT taker, COUNT(DISTINCT account) AS workers, COUNT(*) AS n, SUM(-oeur) AS back,
    SUM(weur) AS wages
  FROM pair GROUP BY taker
)
SELECT p.taker AS grp, p.account, p.wid AS record_id, p.wref AS ref, p.wdn AS dn,
  p.weur AS eur, p.wcp AS cp_account, t.workers AS m_workers, t.n AS m_n, t.back AS m_back,
  t.wages AS m_wages
FROM pair p JOIN tk t ON t.taker = p.taker
UNION ALL
SELECT p.taker AS grp, p.account, p.oid AS record_id, p.oref AS ref, p.odn AS dn,
  p.oeur AS eur, p.ocp AS cp_account, t.workers, t.n, t.back, t.wages
FROM pair p JOIN tk t ON t.taker = p.taker
"""


def r3_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    who = g.key.removeprefix("NAME:")
    score = 0.4 + 0.15 * min(4, m["workers"] - 1) + 0.03 * min(5, m["n"] - 1)
    text = Text(N_(
        "%(n)s time(s), a wage credited to one of %(workers)s account(s) was followed within "
        "%(days)s days by a transfer of more than %(share)s of it to %(who)s: %(back)s of "
        "%(wages)s in wages went to the same third party. Wages handed over at once point to "
        "debt bondage or wage withholding, above all when several workers pay the same "
        "person."), {"n": m["n"], "workers": m["workers"], "days": p.r3.within_days,
                     "share": pct(p.r3.min_share), "who": who, "back": eur(m["back"]),
                     "wages": eur(m["wages"])})
    return _clip(score), text


# -- R4: funnel account: cash in (several places), out by transfer ------------------------

def r4_sql(p: Params) -> str:
    q, w = p.r4, p.common.pass_window_days
    return f"""
WITH dep AS (
  SELECT * FROM ledger WHERE eur > 0 AND method = 'cash'
), acc AS (
  SELECT account, COUNT(*) AS n, SUM(eur) AS cash_in, COUNT(DISTINCT text) AS places
  FROM dep GROUP BY account HAVING COUNT(*) >= {int(q.min_deposits)}
), days AS (
  SELECT DISTINCT account, dn FROM dep
), fwd AS (
  SELECT DISTINCT {row('o')}
  FROM ledger o JOIN days d ON d.account = o.account AND o.dn BETWEEN d.dn AND d.dn + {int(w)}
  WHERE o.eur < 0 AND o.method IN ('transfer', 'p2p') AND NOT o.own
), fs AS (
  SELECT account, SUM(-eur) AS forwarded, COUNT(DISTINCT cp_account) AS dests
  FROM fwd GROUP BY account
), hit AS (
  SELECT a.*, f.forwarded, f.dests FROM acc a JOIN fs f ON f.account = a.account
  WHERE f.forwarded >= {D(q.min_forwarded)} * a.cash_in
)
SELECT h.account AS grp, {row('d')},
  h.n AS m_n, h.cash_in AS m_cash_in, h.places AS m_places, h.forwarded AS m_forwarded,
  h.dests AS m_dests
FROM hit h JOIN dep d ON d.account = h.account
UNION ALL
SELECT h.account, {row('f')},
  h.n, h.cash_in, h.places, h.forwarded, h.dests
FROM hit h JOIN fwd f ON f.account = h.account
"""


def r4_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    share = _share(m["forwarded"], m["cash_in"])
    score = 0.55 + 0.15 * min(1.0, (m["places"] - 1) / 3) + 0.25 * min(1.0, share)
    text = Text(N_(
        "Account %(account)s took %(n)s cash deposits (%(cash_in)s, %(places)s different "
        "deposit descriptions or places) and sent %(forwarded)s (%(share)s) on by transfer to "
        "%(dests)s account(s) within %(days)s days of the deposits: a funnel account."),
        {"account": g.key, "n": m["n"], "cash_in": eur(m["cash_in"]), "places": m["places"],
         "forwarded": eur(m["forwarded"]), "share": pct(share), "dests": m["dests"],
         "days": p.common.pass_window_days})
    return _clip(score), text


# -- R5: structuring cash below thresholds ------------------------------------------------

def r5_sql(p: Params) -> str:
    q = p.r5
    k = int(q.split_window_days)
    return f"""
WITH cash AS (
  SELECT *, CASE WHEN eur > 0 THEN 1 ELSE -1 END AS dir, ABS(eur) AS amt
  FROM ledger WHERE method = 'cash' AND eur IS NOT NULL AND eur <> 0
), w AS (
  SELECT *, SUM(CASE WHEN amt >= {D(q.split_min_amount)} THEN amt ELSE 0 END)
    OVER (PARTITION BY account, dir ORDER BY dn
          RANGE BETWEEN {k} PRECEDING AND {k} FOLLOWING) AS near_sum
  FROM cash
), hit AS (
  SELECT * FROM w WHERE amt < {D(q.threshold)} AND (
    amt >= {D(q.near)} * {D(q.threshold)}
    OR (amt < {D(q.split_threshold)} AND amt >= {D(q.split_min_amount)}
        AND near_sum >= {D(q.split_threshold)}))
), acc AS (
  SELECT account, COUNT(*) AS n, SUM(amt) AS total, MAX(amt) AS biggest FROM hit
  GROUP BY account HAVING COUNT(*) >= {int(q.min_count)}
)
SELECT h.account AS grp, {row('h')},
  a.n AS m_n, a.total AS m_total, a.biggest AS m_biggest
FROM hit h JOIN acc a ON a.account = h.account
"""


def r5_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    q = p.r5
    score = 0.55 + 0.1 * min(4.0, m["n"] / 5)
    text = Text(N_(
        "Account %(account)s made %(n)s cash transactions (%(total)s) that each stayed below a "
        "threshold: just below %(threshold)s (at least %(near)s of it), or between %(low)s and "
        "%(high)s while deposits or withdrawals within %(days)s days either side added up to "
        "more. The largest was %(biggest)s. Splitting cash to stay under reporting thresholds "
        "is structuring."), {"account": g.key, "n": m["n"], "total": eur(m["total"]),
                             "threshold": eur(q.threshold), "near": pct(q.near),
                             "low": eur(q.split_min_amount), "high": eur(q.split_threshold),
                             "days": q.split_window_days, "biggest": eur(m["biggest"])})
    return _clip(score), text


# -- R6: spend on ad sites, lodging in several places, tickets ----------------------------

def r6_sql(p: Params) -> str:
    q = p.r6
    return f"""
WITH s AS (
  SELECT *,
    CASE WHEN regexp_matches(text, {words_regex(q.ad_words)}) THEN 'ads'
         WHEN regexp_matches(text, {words_regex(q.lodging_words)}) THEN 'lodging'
         WHEN regexp_matches(text, {words_regex(q.ticket_words)}) THEN 'tickets' END AS what
  FROM ledger WHERE eur < 0 AND (method = 'card' OR cp_account IS NULL)
), k AS (
  SELECT account,
    SUM(CASE WHEN what = 'ads' THEN 1 ELSE 0 END) AS ads,
    COUNT(DISTINCT CASE WHEN what = 'lodging' THEN text END) AS places,
    SUM(CASE WHEN what = 'tickets' THEN 1 ELSE 0 END) AS tickets,
    SUM(CASE WHEN what IS NOT NULL THEN -eur ELSE 0 END) AS spent
  FROM s GROUP BY account
), hit AS (
  SELECT *, (CASE WHEN ads > 0 THEN 1 ELSE 0 END)
          + (CASE WHEN places >= {int(q.min_lodging_cities)} THEN 1 ELSE 0 END)
          + (CASE WHEN tickets >= 2 THEN 1 ELSE 0 END) AS kinds
  FROM k
)
SELECT s.account AS grp, {row('s')},
  h.ads AS m_ads, h.places AS m_places, h.tickets AS m_tickets, h.spent AS m_spent,
  h.kinds AS m_kinds
FROM s JOIN hit h ON h.account = s.account
WHERE s.what IS NOT NULL AND h.ads > 0 AND h.kinds >= {int(q.min_kinds)}
"""


def r6_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    score = 0.5 + 0.15 * (m["kinds"] - p.r6.min_kinds) + 0.1 * min(1.0, m["places"] / 10)
    text = Text(N_(
        "Account %(account)s paid online ad sites %(ads)s time(s), hotels or short-term "
        "rentals at %(places)s different places and bought travel tickets %(tickets)s "
        "time(s), %(spent)s in all, by card or at merchants. Paying for ads together with "
        "rooms in changing places and tickets is the spending pattern of people who advertise "
        "and move others for sexual exploitation."),
        {"account": g.key, "ads": m["ads"], "places": m["places"], "tickets": m["tickets"],
         "spent": eur(m["spent"])})
    return _clip(score), text


# -- R7: rent and living costs for others -------------------------------------------------

def r7_sql(p: Params) -> str:
    q = p.r7
    return f"""
WITH r AS (
  SELECT * FROM ledger
  WHERE eur < 0 AND NOT own AND method IN ('transfer', 'p2p')
    AND regexp_matches(text, {words_regex(q.rent_words)})
), m AS (
  SELECT account, ym, COUNT(DISTINCT cp) AS payees,
    MAX(CASE WHEN regexp_matches(text, '{q.beds_pattern}') THEN 1 ELSE 0 END) AS beds
  FROM r GROUP BY account, ym
), hot AS (
  SELECT * FROM m WHERE payees >= {int(q.min_payees)} OR beds = 1
), acc AS (
  SELECT r.account, COUNT(*) AS n, SUM(-r.eur) AS total, MAX(h.payees) AS payees,
    MAX(h.beds) AS beds, COUNT(DISTINCT r.ym) AS months
  FROM r JOIN hot h ON h.account = r.account AND h.ym = r.ym
  WHERE h.payees >= {int(q.min_payees)} OR regexp_matches(r.text, '{q.beds_pattern}')
  GROUP BY r.account
)
SELECT r.account AS grp, {row('r')},
  a.n AS m_n, a.total AS m_total, a.payees AS m_payees, a.beds AS m_beds, a.months AS m_months
FROM r JOIN hot h ON h.account = r.account AND h.ym = r.ym JOIN acc a ON a.account = r.account
WHERE h.payees >= {int(q.min_payees)} OR regexp_matches(r.text, '{q.beds_pattern}')
"""


def r7_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    score = 0.5 + 0.1 * min(3, m["payees"] - 1) + (0.2 if m["beds"] else 0.0)
    text = Text(N_(
        "Account %(account)s paid rent or accommodation %(n)s time(s) (%(total)s) in "
        "%(months)s month(s), to up to %(payees)s different landlords in one month. Paying for "
        "several homes or beds means paying the living costs of others.") if not m["beds"]
        else N_(
        "Account %(account)s paid rent or accommodation %(n)s time(s) (%(total)s) in "
        "%(months)s month(s), to up to %(payees)s different landlords in one month. Payment "
        "texts name several beds or persons. Paying for several homes or beds means paying the "
        "living costs of others."), {"account": g.key, "n": m["n"], "total": eur(m["total"]),
                                     "months": m["months"], "payees": m["payees"]})
    return _clip(score), text


# -- R8: many people paying the same recruiter or agency -----------------------------------

def r8_sql(p: Params) -> str:
    q = p.r8
    return f"""
WITH pc AS (
  SELECT account, cp, COUNT(*) AS k FROM ledger WHERE eur > 0 GROUP BY account, cp
), one AS (
  SELECT l.* FROM ledger l JOIN pc ON pc.account = l.account AND pc.cp = l.cp
  WHERE pc.k <= {int(q.max_payments)} AND NOT l.own
    AND l.eur > {D(q.min_amount)} AND l.eur <= {D(q.max_amount)}
), w AS (
  SELECT *, COUNT(*) OVER (PARTITION BY account ORDER BY dn
                           RANGE BETWEEN {int(q.window_days)} PRECEDING AND CURRENT ROW) AS burst
  FROM one
), hot AS (
  SELECT account, MAX(burst) AS peak FROM w GROUP BY account
  HAVING MAX(burst) >= {int(q.min_payers)}
), acc AS (
  SELECT o.account, COUNT(*) AS n, SUM(o.eur) AS total, MAX(h.peak) AS peak
  FROM one o JOIN hot h ON h.account = o.account GROUP BY o.account
)
SELECT o.account AS grp, {row('o')},
  a.n AS m_n, a.total AS m_total, a.peak AS m_peak
FROM one o JOIN acc a ON a.account = o.account
"""


def r8_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    score = 0.55 + 0.1 * min(4.0, m["peak"] / p.r8.min_payers - 1) * 2
    text = Text(N_(
        "Account %(account)s received one-off payments of %(low)s to %(high)s from %(n)s "
        "different payers (%(total)s), %(peak)s of them within %(days)s days. Many people each "
        "paying the same recipient once, in a wave, is what recruitment fees look like."),
        {"account": g.key, "low": eur(p.r8.min_amount), "high": eur(p.r8.max_amount),
         "n": m["n"], "total": eur(m["total"]), "peak": m["peak"], "days": p.r8.window_days})
    return _clip(score), text


# -- R9: frequent remittances to origin countries -----------------------------------------

def r9_sql(p: Params) -> str:
    q = p.r9
    countries = ", ".join(f"'{c}'" for c in q.origin_countries)
    return f"""
WITH mon AS (
  SELECT account, COUNT(DISTINCT ym) AS months FROM ledger GROUP BY account
), r AS (
  SELECT * FROM ledger
  WHERE eur < 0 AND NOT own AND method IN ('transfer', 'p2p') AND cp_country IN ({countries})
    AND cp_country <> substr(account, 1, 2)
), acc AS (
  SELECT r.account, COUNT(*) AS n, COUNT(DISTINCT r.cp) AS recipients, SUM(-r.eur) AS total,
    MAX(m.months) AS months, MIN(r.cp_country) AS country
  FROM r JOIN mon m ON m.account = r.account GROUP BY r.account
  HAVING COUNT(*) >= {D(q.min_per_month)} * MAX(m.months)
     AND COUNT(DISTINCT r.cp) >= {int(q.min_recipients)}
)
SELECT r.account AS grp, {row('r')},
  a.n AS m_n, a.recipients AS m_recipients, a.total AS m_total, a.months AS m_months,
  a.country AS m_country
FROM r JOIN acc a ON a.account = r.account
"""


def r9_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    per_month = m["n"] / max(1, m["months"])
    score = 0.5 + 0.1 * min(3.0, per_month - float(p.r9.min_per_month)) + 0.05 * min(
        4, m["recipients"] - 1)
    text = Text(N_(
        "Account %(account)s sent %(n)s transfers (%(total)s) to %(recipients)s different "
        "recipients in countries of origin of trafficked persons (e.g. %(country)s), "
        "%(per_month)s a month. Frequent remittances to several people abroad are one way "
        "proceeds are moved home."), {"account": g.key, "n": m["n"], "total": eur(m["total"]),
                                      "recipients": m["recipients"], "country": m["country"],
                                      "per_month": num(per_month, 1)})
    return _clip(score), text


# -- R10: cash intensity ------------------------------------------------------------------

def r10_sql(p: Params) -> str:
    q = p.r10
    return f"""
WITH acc AS (
  SELECT account,
    SUM(CASE WHEN eur > 0 THEN eur ELSE 0 END) AS cin,
    SUM(CASE WHEN eur < 0 THEN -eur ELSE 0 END) AS cout,
    SUM(CASE WHEN eur > 0 AND method = 'cash' THEN eur ELSE 0 END) AS cash_in,
    SUM(CASE WHEN eur < 0 AND method = 'cash' THEN -eur ELSE 0 END) AS cash_out
  FROM ledger WHERE eur IS NOT NULL GROUP BY account
), hit AS (
  SELECT * FROM acc
  WHERE cash_in + cash_out >= {D(q.min_cash)}
    AND (cash_in >= {D(q.min_cash_share)} * cin OR cash_out >= {D(q.min_cash_share)} * cout)
)
SELECT l.account AS grp, {row('l')},
  h.cin AS m_cin, h.cout AS m_cout, h.cash_in AS m_cash_in, h.cash_out AS m_cash_out
FROM ledger l JOIN hit h ON h.account = l.account WHERE l.method = 'cash'
"""


def r10_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    share = max(_share(m["cash_in"], m["cin"]), _share(m["cash_out"], m["cout"]))
    score = 0.5 + 0.4 * min(1.0, (share - float(p.r10.min_cash_share)) * 2)
    text = Text(N_(
        "Account %(account)s is cash-intensive: %(cash_in)s of %(cin)s credited and "
        "%(cash_out)s of %(cout)s debited was cash (%(share)s at most). Cash breaks the money "
        "trail; a business or person whose money moves mostly as cash needs explaining."),
        {"account": g.key, "cash_in": eur(m["cash_in"]), "cin": eur(m["cin"]),
         "cash_out": eur(m["cash_out"]), "cout": eur(m["cout"]), "share": pct(share)})
    return _clip(score), text


# -- R11: third-party processors, prepaid cards, crypto -----------------------------------

def r11_sql(p: Params) -> str:
    q = p.r11
    return f"""
WITH r AS (
  SELECT *, CASE WHEN eur > 0 AND regexp_matches(text, {words_regex(q.processor_words)})
                 THEN 'processor' ELSE 'crypto or prepaid' END AS what
  FROM ledger
  WHERE (eur > 0 AND regexp_matches(text, {words_regex(q.processor_words)}))
     OR (eur < 0 AND regexp_matches(text, {words_regex(q.crypto_words)}))
), acc AS (
  SELECT account, COUNT(*) AS n, SUM(ABS(eur)) AS total, MIN(what) AS what,
    COUNT(DISTINCT cp) AS parties
  FROM r GROUP BY account HAVING COUNT(*) >= {int(q.min_count)}
)
SELECT r.account AS grp, {row('r')},
  a.n AS m_n, a.total AS m_total, a.what AS m_what, a.parties AS m_parties,
  f.inflow AS m_inflow
FROM r JOIN acc a ON a.account = r.account LEFT JOIN flows f ON f.account = r.account
"""


def r11_explain(g: Group, p: Params) -> tuple[float, Text]:
    m = g.m
    share = _share(m["total"], m["inflow"])
    score = 0.5 + 0.3 * min(1.0, share)
    text = Text(N_(
        "Account %(account)s has %(n)s movements (%(total)s) through %(parties)s third-party "
        "payment processor(s), prepaid card or crypto service(s) (%(what)s), %(share)s of its "
        "inflow. Card takings settled by a processor into a front business hide who the paying "
        "clients were."), {"account": g.key, "n": m["n"], "total": eur(m["total"]),
                           "parties": m["parties"], "what": m["what"], "share": pct(share)})
    return _clip(score), text


# -- R12: pass-through / mule accounts ----------------------------------------------------

def r12_sql(p: Params) -> str:
    q = p.r12
    return f"""
WITH wages AS (
  SELECT account, SUM(eur) AS wages FROM ledger
  WHERE eur > 0 AND NOT own AND regexp_matches(text, {words_regex(WAGE_WORDS)})
  GROUP BY account
)
SELECT l.account AS grp, {row('l')},
  f.inflow AS m_inflow, f.passed AS m_passed, f.credit_days AS m_days,
  f.passed_long AS m_passed_long, f.spent AS m_spent, f.outflow AS m_outflow,
  f.top2 AS m_top2, f.out_top2 AS m_out_top2
FROM flows f JOIN ledger l ON l.account = f.account
LEFT JOIN wages w ON w.account = f.account
WHERE f.inflow >= {D(q.min_inflow)} AND (
    (f.passed >= {D(q.min_pass_share)} * f.inflow AND f.credit_days >= {int(q.min_credit_days)})
    OR (f.passed_long >= {D(q.long_pass_share)} * f.inflow
        AND f.spent <= {D(q.max_spend_share)} * f.outflow
        AND f.top2 >= {D(q.min_top2_share)} * f.inflow)
    -- a conduit (a front tier of a chain keeps a cut); a wage account passing most of the
    -- wage on to one person is left to R3
    OR (f.outflow >= {D(q.min_out_share)} * f.inflow
        AND f.passed_long >= {D(q.long_pass_share)} * f.outflow
        AND f.spent <= {D(q.max_spend_share)} * f.outflow
        AND f.top2 >= {D(q.min_top2_share)} * f.inflow
        AND f.out_top2 >= {D(q.min_payee_share)} * f.outflow
        AND f.credit_days >= {int(q.min_credit_days)}
        AND COALESCE(w.wages, 0) < 0.5 * f.inflow))
  AND NOT l.own AND l.eur IS NOT NULL AND l.method IN ('transfer', 'p2p', 'cash')
"""


def r12_explain(g: Group, p: Params) -> tuple[float, Text]:
    m, q = g.m, p.r12
    share = _share(m["passed"], m["inflow"])
    lo = float(q.min_pass_share)
    if share >= lo:
        score = 0.55 + 0.4 * min(1.0, (share - lo) / max(0.01, 1 - lo))
        text = Text(N_(
            "Account %(account)s passed %(share)s of its inflow (%(passed)s of %(inflow)s, on "
            "%(days)s days with credits) on again within %(window)s days: money arrives and "
            "leaves at once, as through a mule or pass-through account."),
            {"account": g.key, "share": pct(share), "passed": eur(m["passed"]),
             "inflow": eur(m["inflow"]), "days": m["days"],
             "window": p.common.pass_window_days})
    elif _share(m["passed_long"], m["inflow"]) < float(q.long_pass_share):
        out = _share(m["outflow"], m["inflow"])
        payees = _share(m["out_top2"], m["outflow"])
        score = 0.55 + 0.3 * min(1.0, (payees - float(q.min_payee_share)) * 5)
        text = Text(N_(
            "Account %(account)s took %(top2)s of its inflow (%(inflow)s) from one or two "
            "payers and paid %(out)s of that inflow on within %(window)s days of a credit, "
            "%(payees)s of it to one or two payees, spending only %(spent)s of its outflow on "
            "anything else (no wages, rent, shops or fees of its own). It hands on what it is "
            "paid, keeping a cut, like a front tier of a subcontracting chain."),
            {"account": g.key, "top2": pct(_share(m["top2"], m["inflow"])),
             "inflow": eur(m["inflow"]), "out": pct(out), "payees": pct(payees),
             "window": q.long_window_days, "spent": pct(_share(m["spent"], m["outflow"]))})
    else:
        long = _share(m["passed_long"], m["inflow"])
        spent = _share(m["spent"], m["outflow"])
        score = 0.55 + 0.3 * min(1.0, (long - float(q.long_pass_share)) * 10)
        text = Text(N_(
            "Account %(account)s sent %(long)s of its inflow (%(inflow)s) on again within "
            "%(window)s days by transfer or cash, and spent only %(spent)s of its outflow on "
            "anything else (no rent, shops or fees of its own); %(top2)s of its inflow came "
            "from one or two payers. It empties itself like a letterbox company or mule "
            "account."), {"account": g.key, "long": pct(long), "inflow": eur(m["inflow"]),
                          "window": q.long_window_days, "spent": pct(spent),
                          "top2": pct(_share(m["top2"], m["inflow"]))})
    return _clip(score), text


#: The laundering shapes run on DuckDB only for now: on Spark the cycle's path joins exhaust
#: the driver's heap even on a tiny ledger, and the other shapes' self-joins took many
#: minutes on a small world; an analysis on Spark leaves them out and says so.
SHAPE_ENGINES = ("duckdb",)

DETECTORS: tuple[Detector, ...] = (
    Detector("R1", N_("Many small payers fanning in"), f"{FATF}; {FINCEN14}", r1_sql, r1_explain,
             "fan_in", role="earnings", params=("r1", "r12")),
    Detector("R2", N_("Several workers' wages into one account"), f"{FINCEN20}; {FATF}", r2_sql,
             r2_explain, "fan_in", role="controller_account", params=("r2",)),
    Detector("R3", N_("Wages passed on to a third party within days"), f"{FINCEN20}; {OSCE}",
             r3_sql, r3_explain, "fan_in", role="controller_account", counterpart="earnings",
             params=("r3",)),
    Detector("R4", N_("Funnel account: cash in, transfers out"), f"{FUNNEL}; {FATF}", r4_sql,
             r4_explain, "gather_scatter", params=("r4",)),
    Detector("R5", N_("Cash structured below thresholds"), f"{FATF}; {FINCEN14}", r5_sql,
             r5_explain, role="mule_account", counterpart="cash", params=("r5",)),
    Detector("R6", N_("Spending on ads, lodging and tickets"), f"{FINCEN14}; {FATF}", r6_sql,
             r6_explain, role="logistics_account", params=("r6",)),
    Detector("R7", N_("Rent and living costs for others"), f"{FATF}; {OSCE}", r7_sql, r7_explain,
             role="controller_account", counterpart="flat", params=("r7",)),
    Detector("R8", N_("Many people paying one recipient"), f"{FINCEN20}; {EUROPOL}", r8_sql,
             r8_explain, "fan_in", role="fee_account", counterpart="earnings", params=("r8",)),
    Detector("R9", N_("Frequent remittances to origin countries"), f"{FATF}; {EUROPOL}", r9_sql,
             r9_explain, "fan_out", counterpart="abroad", params=("r9",)),
    Detector("R10", N_("Cash-intensive account"), f"{EUROPOL}; {FATF}", r10_sql, r10_explain,
             role="mule_account", counterpart="cash", params=("r10",)),
    Detector("R11", N_("Payment processors, prepaid cards, crypto"), f"{FINCEN20}; {EUROPOL}",
             r11_sql, r11_explain, role="earnings", params=("r11",)),
    Detector("R12", N_("Pass-through (mule) account"), f"{FATF}; {EUROPOL}", r12_sql,
             r12_explain, "pass_through", params=("r12",)),
    # the laundering shapes (veriga.finance.shapes): a finding flags the shape's accounts
    Detector("shape.cycle", N_("Money going round in a cycle"),
             f"{FATF}; {OSCE}; {shapes.AMLSIM}; {shapes.AMLWORLD}", shapes.cycle_sql,
             shapes.cycle_explain, "cycle", params=("shapes",), participants=True,
             stages=shapes.cycle_stages, engines=SHAPE_ENGINES),
    Detector("shape.scatter_gather", N_("Scatter-gather through intermediaries"),
             f"{FATF}; {OSCE}; {shapes.AMLSIM}; {shapes.AMLWORLD}", shapes.scatter_sql,
             shapes.scatter_explain, "scatter_gather", counterpart="abroad", params=("shapes",),
             participants=True,
             engines=SHAPE_ENGINES),
    Detector("shape.fan_in", N_("Fan-in: many accounts paying one alike amounts"),
             f"{shapes.AMLSIM}; {shapes.AMLWORLD}; {FATF}", shapes.fan_in_sql,
             shapes.fan_in_explain, "fan_in", role="mule_account", counterpart="mule_account",
             params=("shapes",), participants=True,
             engines=SHAPE_ENGINES),
    Detector("shape.fan_out", N_("Fan-out: one account paying many alike amounts"),
             f"{shapes.AMLSIM}; {shapes.AMLWORLD}; {FATF}", shapes.fan_out_sql,
             shapes.fan_out_explain, "fan_out", role="mule_account", counterpart="mule_account",
             params=("shapes",), participants=True,
             engines=SHAPE_ENGINES),
    Detector("shape.gather_scatter", N_("Gather-scatter through one account"),
             f"{shapes.AMLSIM}; {shapes.AMLWORLD}; {FATF}", shapes.gather_scatter_sql,
             shapes.gather_scatter_explain, "gather_scatter", role="mule_account",
             counterpart="mule_account", params=("shapes",), participants=True,
             engines=SHAPE_ENGINES),
    Detector("shape.bipartite", N_("Bipartite: payers each paying the same payees"),
             f"{shapes.AMLSIM}; {shapes.AMLWORLD}; {FATF}", shapes.bipartite_sql,
             shapes.bipartite_explain, "bipartite", role="mule_account",
             counterpart="mule_account", params=("shapes",), participants=True,
             engines=SHAPE_ENGINES),
    Detector("shape.stack", N_("Stack: two layers of payers and payees"),
             f"{shapes.AMLSIM}; {shapes.AMLWORLD}; {FATF}", shapes.stack_sql,
             shapes.stack_explain, "stack", role="mule_account", counterpart="mule_account",
             params=("shapes",), participants=True,
             engines=SHAPE_ENGINES),
)
