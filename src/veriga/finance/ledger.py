"""The ledger every financial analysis reads: one row per booked transaction, checked once.

``prepare`` turns the case's ``transaction`` records into the table ``ledger`` (duplicates
across separately imported, overlapping statements removed, by what identifies an entry,
never within one statement; amounts in EUR where a rate is
known; a payment method for every row; own-account transfers marked: both accounts' statements
are in the case and name the same holder — a name alone is not enough, relatives and
namesakes share names), the table ``legs``
(the two sides of one transfer seen on two statements) and ``edges`` (each movement between
two accounts once). SQL is written once in DuckDB's dialect; the Spark engine transpiles it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from veriga.engine import Engine

HOLDERS_SCHEMA = pa.schema([("account", pa.string()), ("holder", pa.string())])
CASH_WORDS = ("ATM", "CASH", "BARGELD", "GELDAUTOMAT", "SKAIDRA NAUDA", "SULARAHA", "KÄTEIS",
              "NAUDAS IEMAKSA", "BANKOMAT")
EPOCH = "DATE '1970-01-01'"


def words_regex(words: Sequence[str]) -> str:
    """A regular expression (RE2 and Java alike) matching any of ``words``, as SQL text."""
    parts = []
    for word in words:
        if re.search(r"[\\^$|?*+()\[\]{}']", word):
            raise ValueError(f"keyword {word!r}: use letters, digits, spaces and dots only")
        parts.append(word.upper().replace(".", "[.]"))
    return "'" + "|".join(parts) + "'"


def sql_decimal(value: Decimal | int | float) -> str:
    """A number as an exact SQL decimal literal."""
    return f"CAST({Decimal(str(value))} AS DECIMAL(18,4))"


def holders_table(pairs: Iterable[tuple[str, str]]) -> pa.Table:
    """(account, holder name) pairs, one holder per account (the most frequent spelling)."""
    counts: dict[str, Counter[str]] = {}
    for account, holder in pairs:
        if account and holder:
            counts.setdefault(account, Counter())[" ".join(holder.upper().split())] += 1
    rows = sorted((a, c.most_common(1)[0][0]) for a, c in counts.items())
    return pa.table({"account": [r[0] for r in rows], "holder": [r[1] for r in rows]},
                    schema=HOLDERS_SCHEMA)


#: What identifies a booked entry across separately imported, overlapping statements. Banks
#: repeat references (NONREF, EREF, N, the counterparty's IBAN), so a reference alone is not
#: an entry: two entries with one reference and different days or amounts are two entries.
ENTRY_KEY = ("account, booking_date, value_date, amount, upper(currency), ref, "
             "counterparty_account, counterparty_name, description")


def ledger_sql(lazy: bool = False) -> str:
    """The ledger's SQL; ``lazy`` leaves out what needs the whole table (duplicates across
    imports, own-account marks), so that a query for a few accounts reads only theirs.

    Duplicates: identical entries within one source (statement file) are separate bookings
    (two equal fees on one day); the same entry in two sources is one. So the k-th copy of an
    entry in each source is numbered, and of the k-th copies only one source's is kept: a
    source with two copies and an overlapping one with the same two give two, not four."""
    cash = words_regex(CASH_WORDS)
    numbered = ('SELECT *, 1 AS rn FROM "transaction"' if lazy else f"""SELECT *,
    row_number() OVER (PARTITION BY {ENTRY_KEY}, nth ORDER BY record_id) AS rn
  FROM (SELECT *,
      row_number() OVER (PARTITION BY {ENTRY_KEY}, source_id ORDER BY record_id) AS nth
    FROM "transaction") c""")
    own = ("FALSE AS own\nFROM base b" if lazy else """COALESCE(h1.holder IS NOT NULL
    AND h1.holder = h2.holder AND s.account IS NOT NULL, FALSE) AS own
FROM base b
LEFT JOIN holders h1 ON h1.account = b.account
LEFT JOIN holders h2 ON h2.account = b.cp_account
LEFT JOIN (SELECT DISTINCT account FROM base) s ON s.account = b.cp_account""")
    return f"""
WITH t AS (
  {numbered}
), base AS (
  SELECT record_id, source_id, locator, account, ref, booking_date AS day,
    CAST(date_diff('day', {EPOCH}, booking_date) AS BIGINT) AS dn,
    CAST(COALESCE(amount_eur, CASE WHEN upper(currency) = 'EUR' THEN amount END)
         AS DECIMAL(18,2)) AS eur,
    amount, upper(currency) AS currency,
    counterparty_account AS cp_account, counterparty_name AS cp_name,
    counterparty_country AS cp_country,
    CASE WHEN method IN ('cash', 'card', 'fee', 'p2p', 'transfer') THEN method
         WHEN regexp_matches(upper(COALESCE(counterparty_name, '') || ' '
                                   || COALESCE(description, '')), {cash}) THEN 'cash'
         WHEN counterparty_account IS NOT NULL THEN 'transfer'
         ELSE 'other' END AS method,
    description,
    upper(COALESCE(counterparty_name, '') || ' | ' || COALESCE(description, '')) AS text,
    CASE WHEN counterparty_account IS NOT NULL THEN counterparty_account
         WHEN trim(COALESCE(counterparty_name, '')) <> ''
           THEN 'NAME:' || upper(trim(counterparty_name))
         ELSE 'TEXT:' || upper(trim(COALESCE(description, ''))) END AS cp,
    strftime(booking_date, '%Y-%m') AS ym
  FROM t WHERE rn = 1
)
SELECT b.*,
  {own}
"""


LEGS_SQL = """
SELECT a.record_id, b.record_id AS mirror_id
FROM ledger a JOIN ledger b
  ON b.account = a.cp_account AND b.cp_account = a.account AND b.amount = -a.amount
 AND b.dn BETWEEN a.dn - 3 AND a.dn + 3
"""

HELD_SQL = "SELECT DISTINCT account FROM ledger"

EDGES_SQL = """
SELECT record_id, account AS src, cp_account AS dst, dn, -eur AS eur, ref
FROM ledger WHERE eur < 0 AND cp_account IS NOT NULL AND NOT own
UNION ALL
SELECT l.record_id, l.cp_account AS src, l.account AS dst, l.dn, l.eur, l.ref
FROM ledger l LEFT JOIN held h ON h.account = l.cp_account
LEFT JOIN (SELECT DISTINCT record_id FROM legs) g ON g.record_id = l.record_id
WHERE l.eur > 0 AND l.cp_account IS NOT NULL AND NOT l.own
  AND (h.account IS NULL OR g.record_id IS NULL)
"""


def flows_sql(window_days: int, long_window_days: int) -> str:
    """Per account: inflow, the part moved on again within the short and the long window
    (by transfer or cash), days with credits, outflow, what was spent otherwise, how much
    of the inflow came from the two biggest payers and how much of the outflow went to the
    two biggest payees."""
    return f"""
WITH daily AS (
  SELECT account, dn,
    SUM(CASE WHEN eur > 0 THEN eur ELSE 0 END) AS cin,
    SUM(CASE WHEN eur < 0 AND method IN ('transfer', 'p2p', 'cash') THEN -eur ELSE 0 END)
      AS cout,
    SUM(CASE WHEN eur < 0 THEN -eur ELSE 0 END) AS allout
  FROM ledger WHERE NOT own AND eur IS NOT NULL GROUP BY account, dn
), payers AS (
  SELECT account, cp, SUM(eur) AS paid,
    row_number() OVER (PARTITION BY account ORDER BY SUM(eur) DESC, cp) AS rank
  FROM ledger WHERE NOT own AND eur > 0 GROUP BY account, cp
), top AS (
  SELECT account, SUM(paid) AS top2 FROM payers WHERE rank <= 2 GROUP BY account
), payees AS (
  SELECT account, cp, SUM(-eur) AS got,
    row_number() OVER (PARTITION BY account ORDER BY SUM(-eur) DESC, cp) AS rank
  FROM ledger WHERE NOT own AND eur < 0 GROUP BY account, cp
), otop AS (
  SELECT account, SUM(got) AS out_top2 FROM payees WHERE rank <= 2 GROUP BY account
), win AS (
  SELECT account, dn, cin, cout, allout,
    SUM(cout) OVER (PARTITION BY account ORDER BY dn
                    RANGE BETWEEN CURRENT ROW AND {int(window_days)} FOLLOWING) AS out_next,
    SUM(cout) OVER (PARTITION BY account ORDER BY dn
                    RANGE BETWEEN CURRENT ROW AND {int(long_window_days)} FOLLOWING)
      AS out_long
  FROM daily
)
SELECT w.account, SUM(cin) AS inflow,
  SUM(CASE WHEN cin < out_next THEN cin ELSE out_next END) AS passed,
  SUM(CASE WHEN cin < out_long THEN cin ELSE out_long END) AS passed_long,
  SUM(CASE WHEN cin > 0 THEN 1 ELSE 0 END) AS credit_days,
  SUM(allout) AS outflow, SUM(allout - cout) AS spent, MAX(t.top2) AS top2,
  MAX(o.out_top2) AS out_top2
FROM win w LEFT JOIN top t ON t.account = w.account
LEFT JOIN otop o ON o.account = w.account GROUP BY w.account
"""


def prepare(engine: Engine, holders: pa.Table | None = None, window_days: int = 2,
            long_window_days: int = 31, ledger_only: bool = False, lazy: bool = False) -> None:
    """Create ``ledger``, ``legs``, ``held``, ``edges`` and ``flows`` on ``engine``.

    ``ledger_only`` makes just the ledger; ``lazy`` makes it a view read on demand (for a
    trace or an account profile, which touch a few accounts; see :func:`ledger_sql`).
    """
    engine.register_arrow("holders", holders if holders is not None
                          else HOLDERS_SCHEMA.empty_table())
    if lazy:
        engine.define("ledger", ledger_sql(lazy=True))
        return
    engine.materialize("ledger", ledger_sql())
    if ledger_only:
        return
    engine.materialize("legs", LEGS_SQL)
    engine.materialize("held", HELD_SQL)
    engine.materialize("edges", EDGES_SQL)
    engine.materialize("flows", flows_sql(window_days, long_window_days))


def ledger_rows(engine: Engine, record_ids: Sequence[str], columns: Sequence[str]
                ) -> dict[str, dict[str, Any]]:
    """The ledger's rows of these transactions (``columns`` of each), by record id."""
    if not record_ids:
        return {}
    engine.register_arrow("wanted_records",
                          pa.table({"record_id": pa.array(sorted(set(record_ids)), pa.string())}))
    picked = ", ".join(f"l.{c}" for c in dict.fromkeys(["record_id", *columns]))
    table = engine.query(f"SELECT {picked} FROM ledger l "
                         "JOIN wanted_records w ON w.record_id = l.record_id")
    return {r["record_id"]: r for r in table.to_pylist()}


class ByAccount:
    """Where the rows of a prepared ledger table are, by the account whose statement they
    are on: a profile or a trace reads its accounts' rows without a scan of the whole ledger
    (a large case's 1.1 million rows, scanned again for each question). Holds the row
    positions in account order (8 bytes a row) and where each account's begin; not the
    table, which is given to :meth:`rows` (the very table it was made from)."""

    def __init__(self, table: pa.Table) -> None:
        accounts = table.column("account")
        self.order = pc.sort_indices(accounts)  # stable: an account's rows keep their order
        counts = pc.value_counts(accounts.take(self.order))  # in order of first appearance
        self.where: dict[str, tuple[int, int]] = {}
        start = 0
        for value, n in zip(counts.field("values").to_pylist(),
                            counts.field("counts").to_pylist(), strict=True):
            if value is not None:
                self.where[value] = (start, n)
            start += n

    def rows(self, table: pa.Table, accounts: Iterable[str]) -> pa.Table:
        """The rows of ``table`` on the statements of ``accounts`` (none for one not held)."""
        found = [self.where[a] for a in dict.fromkeys(accounts) if a in self.where]
        if not found:
            return table.slice(0, 0)
        return table.take(pa.concat_arrays([self.order.slice(start, n)
                                            for start, n in found]))
