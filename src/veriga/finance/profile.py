"""One account at a glance: monthly timeline and balance, top counterparties, cash intensity."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa

from veriga.engine import Engine

ZERO = Decimal(0)


@dataclass
class Month:
    month: str
    credits: Decimal
    debits: Decimal
    cash: Decimal
    balance: Decimal  # running sum of movements since the first statement seen


@dataclass
class Counterparty:
    name: str
    account: str | None
    country: str | None
    received: Decimal  # by the account from this counterparty
    paid: Decimal  # by the account to this counterparty
    count: int


@dataclass
class Profile:
    account: str
    transactions: int = 0
    first: str | None = None
    last: str | None = None
    credits: Decimal = ZERO
    debits: Decimal = ZERO
    cash_in: Decimal = ZERO
    cash_out: Decimal = ZERO
    own_transfers: int = 0
    months: list[Month] = field(default_factory=list)
    counterparties: list[Counterparty] = field(default_factory=list)
    currencies: dict[str, int] = field(default_factory=dict)

    @property
    def cash_share(self) -> float:
        turnover = self.credits + self.debits
        return float((self.cash_in + self.cash_out) / turnover) if turnover else 0.0


def _q(account: str) -> str:
    return "'" + account.replace("'", "''") + "'"


def account_profile(engine: Engine, account: str, top: int = 10,
                    rows: pa.Table | None = None) -> Profile:
    """The profile of ``account`` from the prepared ``ledger`` (its rows chosen once: each
    question below read the whole ledger of a large case again), or from ``rows``, the
    ledger's rows of the account when the caller has them."""
    if rows is not None:
        engine.register_arrow("profile_rows", rows)
    else:
        engine.materialize("profile_rows",
                           f"SELECT * FROM ledger WHERE account = {_q(account)}")
    prof = Profile(account)
    row = engine.query("""
SELECT COUNT(*) AS n, MIN(day) AS first, MAX(day) AS last,
  SUM(CASE WHEN eur > 0 THEN eur ELSE 0 END) AS credits,
  SUM(CASE WHEN eur < 0 THEN -eur ELSE 0 END) AS debits,
  SUM(CASE WHEN eur > 0 AND method = 'cash' THEN eur ELSE 0 END) AS cash_in,
  SUM(CASE WHEN eur < 0 AND method = 'cash' THEN -eur ELSE 0 END) AS cash_out,
  SUM(CASE WHEN own THEN 1 ELSE 0 END) AS own
FROM profile_rows""").to_pylist()[0]
    if not row["n"]:
        return prof
    prof.transactions, prof.own_transfers = row["n"], row["own"] or 0
    prof.first, prof.last = str(row["first"]), str(row["last"])
    prof.credits, prof.debits = row["credits"] or ZERO, row["debits"] or ZERO
    prof.cash_in, prof.cash_out = row["cash_in"] or ZERO, row["cash_out"] or ZERO
    balance = ZERO
    for m in engine.query("""
SELECT ym, SUM(CASE WHEN eur > 0 THEN eur ELSE 0 END) AS credits,
  SUM(CASE WHEN eur < 0 THEN -eur ELSE 0 END) AS debits,
  SUM(CASE WHEN method = 'cash' THEN ABS(eur) ELSE 0 END) AS cash
FROM profile_rows WHERE eur IS NOT NULL GROUP BY ym ORDER BY ym""").to_pylist():
        balance += m["credits"] - m["debits"]
        prof.months.append(Month(m["ym"], m["credits"], m["debits"], m["cash"], balance))
    for c in engine.query(f"""
SELECT cp, MAX(cp_account) AS account, MAX(COALESCE(cp_name, '')) AS name,
  MAX(cp_country) AS country, SUM(CASE WHEN eur > 0 THEN eur ELSE 0 END) AS received,
  SUM(CASE WHEN eur < 0 THEN -eur ELSE 0 END) AS paid, COUNT(*) AS n
FROM profile_rows WHERE eur IS NOT NULL AND method <> 'fee'
GROUP BY cp ORDER BY SUM(ABS(eur)) DESC, cp LIMIT {int(top)}""").to_pylist():
        name = c["name"] or c["cp"].split(":", 1)[-1]
        prof.counterparties.append(Counterparty(name, c["account"], c["country"],
                                                c["received"], c["paid"], c["n"]))
    for c in engine.query("SELECT currency, COUNT(*) AS n FROM profile_rows "
                          "GROUP BY currency ORDER BY currency").to_pylist():
        prof.currencies[c["currency"] or "?"] = c["n"]
    return prof
