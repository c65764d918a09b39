"""Shared by the bank statement importers (camt.05x, MT940/MT942).

A parser hands over :class:`Statement` and :class:`Entry` objects; the :class:`Ledger` checks
them the way investigators rely on (IBAN checksum, balances, duplicates, exact amounts, dates
in range), builds the ``transaction`` table and the account, holder and counterparty drafts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from veriga.ingest import duck
from veriga.ingest.base import Draft, EntityTable, ImportContext, RecordBatch
from veriga.ingest.normalise import entity_table
from veriga.model.currency import STORED_EXPONENT, exponent, fits, format_amount, sql_exponent
from veriga.model.ids import make_id
from veriga.model.normalize import Rejected, normalize_account
from veriga.model.records import PENDING_TRANSACTION, TRANSACTION

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 15  # the records keep 18 digits, 3 of them decimals
MIN_DATE = date(1900, 1, 1)


@dataclass
class Entry:
    """One booked entry as parsed; ``amount`` is signed (negative for a debit)."""

    locator: str
    amount: Decimal
    booking_date: date | None
    value_date: date | None = None
    currency: str | None = None
    ref: str | None = None  # stored reference
    bank_ref: str | None = None  # the servicer's unique reference, used to spot duplicates
    amount_eur: Decimal | None = None
    counterparty_account: str | None = None
    counterparty_name: str | None = None
    counterparty_bic: str | None = None
    counterparty_country: str | None = None
    method: str | None = None
    description: str | None = None
    #: ``None`` for a booked entry; else why it is not booked (pending, info, future)
    status: str | None = None


#: Statuses of entries that are not booked, by camt code; another code is kept as written.
STATUSES = {"PDNG": "pending", "INFO": "info", "FUTR": "future"}


@dataclass
class Statement:
    """One statement, report or notification: the account and its balances."""

    locator: str
    account: str | None
    currency: str | None = None
    owner: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    opening: Decimal | None = None
    closing: Decimal | None = None
    interim: Decimal | None = None  # interim booked balance (camt.052 ITBD), if no closing
    movements: Decimal = Decimal(0)
    entries: int = 0
    account_id: str | None = field(default=None, repr=False)
    #: entries not booked, by status: kept apart, outside the movements and the balance
    unbooked: dict[str, int] = field(default_factory=dict)


def clean_amount(value: Decimal) -> Decimal:
    """Exact amount with negative zero turned into zero."""
    return value + 0


class Ledger:
    """Collects checked transaction rows and the entity drafts of one file."""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.rows: dict[str, list[Any]] = {f.name: [] for f in TRANSACTION.schema}
        self.unbooked: dict[str, list[Any]] = {f.name: [] for f in PENDING_TRANSACTION.schema}
        self.index = 0
        self.seen_run = ctx.run_state.setdefault("bank_transactions", {})
        # key -> (file name, statement locator, entry locator) of the entry's first sighting
        self.seen_file: dict[tuple[Any, ...], tuple[str, str, str]] = {}
        self.yielded: set[str] = set()
        self.accounts: dict[str, str | None] = {}  # raw -> normalised (None: rejected)
        self.ids: dict[tuple, str] = {}
        self._why: dict[str, str] = {}
        self.max_date = date.today() + timedelta(days=366)
        self.owners: dict[str, str] = {}  # account -> holder name, for the payment edges
        self.quanta: dict[str | None, Decimal] = {}
        self.known: set[tuple[str, str | None]] = set()  # counterparties with drafts made

    # -- accounts and parties ---------------------------------------------------------

    def account(self, raw: str | None, locator: str, field_name: str) -> str | None:
        """Normalised account number; a bad IBAN is reported (and ``None`` returned)."""
        if not raw or not raw.strip():
            return None
        if raw in self.accounts:
            valid = self.accounts[raw]
            if valid is None:
                self.ctx.reject(locator, field_name, raw, self._why[raw])
            return valid
        try:
            valid = normalize_account(raw)
        except Rejected as exc:
            valid = None
            self._why[raw] = str(exc)
            self.ctx.reject(locator, field_name, raw, str(exc))
        self.accounts[raw] = valid
        return valid

    def make_id(self, *parts: str) -> str:
        """Cached :func:`make_id` (the same parties recur on thousands of entries)."""
        found = self.ids.get(parts)
        if found is None:
            found = self.ids[parts] = make_id(*parts)
        return found

    def start(self, stmt: Statement) -> list[Draft]:
        """Check the statement's own account; drafts for the account and its holder."""
        if stmt.account is None or not stmt.account.strip():
            self.ctx.reject(stmt.locator, "account", None,
                            "statement names no account; its entries are kept without one")
            stmt.account = None
            return []
        valid = self.account(stmt.account, stmt.locator, "account")
        if valid is None:
            stmt.account = "".join(stmt.account.split()).upper()
            self.ctx.reject(stmt.locator, "account", stmt.account,
                            "entries kept under the account number as written")
        else:
            stmt.account = valid
        if stmt.owner and stmt.owner.strip():
            self.owners.setdefault(stmt.account, " ".join(stmt.owner.split()))
        return self.parties(stmt.account, stmt.owner, stmt.locator, currency=stmt.currency,
                            bic=stmt.bic, bank_name=stmt.bank_name, iban_ok=valid is not None)

    def parties(
        self, account: str | None, name: str | None, locator: str, *, currency: str | None = None,
        bic: str | None = None, bank_name: str | None = None, iban_ok: bool = True,
    ) -> list[Draft]:
        """BankAccount, its holder (LegalEntity) and the Ownership between them."""
        if not account:
            return []
        drafts: list[Draft] = []
        acc_id = self.make_id("account", account)
        if acc_id not in self.yielded:
            self.yielded.add(acc_id)
            acc = Draft("BankAccount", acc_id, locator)
            is_iban = iban_ok and account[:2].isalpha() and len(account) >= 15
            acc.add("iban" if is_iban else "accountNumber", account)
            acc.add("currency", currency)
            acc.add("bic", bic)
            acc.add("bankName", bank_name)
            drafts.append(acc)
        name = " ".join(name.split()) if name else None
        if name:
            holder_id = self.make_id("holder", account, name)
            if holder_id not in self.yielded:
                self.yielded.add(holder_id)
                holder = Draft("LegalEntity", holder_id, locator)
                holder.add("name", name)
                own = Draft("Ownership", make_id("ownership", holder_id, acc_id), locator)
                own.add("owner", holder_id)
                own.add("asset", acc_id)
                own.add("role", "account holder")
                drafts += [holder, own]
        return drafts

    # -- entries ----------------------------------------------------------------------

    def add(self, stmt: Statement, entry: Entry) -> list[Draft]:
        """Check one entry and keep it (unless rejected or a duplicate); counterparty drafts.
        An entry that is not booked is kept apart (:meth:`add_unbooked`)."""
        if entry.status is not None:
            return self.add_unbooked(stmt, entry)
        self.index += 1
        loc = entry.locator
        amount = entry.amount + 0  # negative zero made zero
        stmt.movements += amount
        stmt.entries += 1
        currency = (entry.currency or stmt.currency or "").upper() or None
        quantum = self.quanta.get(currency)
        if quantum is None:
            places = min(exponent(currency), STORED_EXPONENT)
            quantum = self.quanta[currency] = Decimal(1).scaleb(-places)
        if amount != amount.quantize(quantum) or not -MAX_AMOUNT < amount < MAX_AMOUNT:
            self._exact(amount, currency, loc)  # reports it
            return []
        booking = entry.booking_date
        if booking is None or not MIN_DATE <= booking <= self.max_date:
            self._date(booking, loc, "booking_date", required=True)  # reports it
            return []
        value_date = entry.value_date
        if value_date is not None and not MIN_DATE <= value_date <= self.max_date:
            value_date = self._date(value_date, loc, "value_date", required=False)
        cp_account = self.account(entry.counterparty_account, loc, "counterparty_account")
        if self._duplicate(stmt, entry, amount, booking, cp_account):
            return []
        eur = entry.amount_eur
        if eur is None and currency == "EUR":
            eur = amount
        elif eur is not None:
            eur = clean_amount(eur.quantize(CENT, rounding=ROUND_HALF_EVEN))
        name = _one_line(entry.counterparty_name)
        r = self.rows
        r["record_id"].append(f"{self.ctx.source_id}:{self.index}")
        r["source_id"].append(self.ctx.source_id)
        r["locator"].append(loc)
        r["account"].append(stmt.account)
        r["ref"].append(entry.ref)
        r["booking_date"].append(booking)
        r["value_date"].append(value_date)
        r["amount"].append(amount)
        r["currency"].append(currency)
        r["amount_eur"].append(eur)
        r["counterparty_account"].append(cp_account)
        r["counterparty_name"].append(name)
        r["counterparty_bic"].append(entry.counterparty_bic)
        r["counterparty_country"].append(entry.counterparty_country or _country(cp_account))
        r["method"].append(entry.method)
        r["description"].append(_one_line(entry.description))
        r["balance_after"].append(None)
        if cp_account is None or (cp_account, name) in self.known:
            return []  # no counterparty, or its drafts came with an entry before
        self.known.add((cp_account, name))
        return self.parties(cp_account, entry.counterparty_name, loc,
                            bic=entry.counterparty_bic)

    def add_unbooked(self, stmt: Statement, entry: Entry) -> list[Draft]:
        """Keep a pending (or informational, or future) entry as a ``pending_transaction``
        record, checked like a booked one but outside the statement's movements and
        balance and never a duplicate of a booked entry. The parser counts such entries
        in ``stmt.unbooked`` for the warning :meth:`end` gives."""
        assert entry.status is not None
        self.index += 1
        ctx, loc = self.ctx, entry.locator
        amount = clean_amount(entry.amount)
        currency = (entry.currency or stmt.currency or "").upper() or None
        if not self._exact(amount, currency, loc):
            return []
        cp_account = self.account(entry.counterparty_account, loc, "counterparty_account")
        eur = amount if currency == "EUR" else entry.amount_eur
        values = {
            "record_id": f"{ctx.source_id}:{self.index}", "source_id": ctx.source_id,
            "locator": loc, "account": stmt.account, "ref": entry.ref,
            "booking_date": self._date(entry.booking_date, loc, "booking_date", False),
            "value_date": self._date(entry.value_date, loc, "value_date", required=False),
            "amount": amount, "currency": currency,
            "amount_eur": None if eur is None else clean_amount(
                eur.quantize(CENT, rounding=ROUND_HALF_EVEN)),
            "counterparty_account": cp_account,
            "counterparty_name": _one_line(entry.counterparty_name),
            "counterparty_bic": entry.counterparty_bic,
            "counterparty_country": entry.counterparty_country or _country(cp_account),
            "method": entry.method, "description": _one_line(entry.description),
            "balance_after": None, "status": entry.status,
        }
        for key, value in values.items():
            self.unbooked[key].append(value)
        return self.parties(cp_account, entry.counterparty_name, loc,
                            bic=entry.counterparty_bic)

    def _exact(self, amount: Decimal, currency: str | None, loc: str) -> bool:
        """Whether the amount has no more decimals than its currency and fits the records;
        if not, it is reported."""
        if fits(amount, currency) and abs(amount) < MAX_AMOUNT:
            return True
        what = f"{currency}'s" if currency else "an amount's"
        self.ctx.reject(loc, "amount", amount, f"amount has more than {what} "
                        f"{exponent(currency)} decimals or is too large to keep exactly; "
                        "record skipped")
        return False

    def _date(self, value: date | None, loc: str, name: str, required: bool) -> date | None:
        if value is None:
            if required:
                self.ctx.reject(loc, name, None, "entry has no booking date; record skipped")
            return None
        if MIN_DATE <= value <= self.max_date:
            return value
        what = "record skipped" if required else "value left empty"
        self.ctx.reject(loc, name, value.isoformat(),
                        f"date out of range ({MIN_DATE} to {self.max_date}); {what}")
        return None

    def _duplicate(
        self, stmt: Statement, entry: Entry, amount: Decimal, booking: date, cp: str | None
    ) -> bool:
        """Report and drop an entry already seen in another statement of this file or run.

        With a bank reference, the entry is that reference on that day with that amount
        (banks repeat references across days and entries: a reference alone is no entry);
        without one, also its counterparty, text and customer reference."""
        if entry.bank_ref:
            key: tuple = (stmt.account, booking, amount, "ref", entry.bank_ref)
        else:
            key = (stmt.account, booking, amount, cp or _one_line(entry.counterparty_name),
                   _one_line(entry.description), entry.ref)
        here = (self.ctx.file_name, stmt.locator)
        first = self.seen_file.get(key) or self.seen_run.get(key)
        if first is None:
            self.seen_file[key] = (*here, entry.locator)
            return False
        if first[:2] == here:  # identical entries within one statement are real bookings
            return False
        what = (f"date, amount and bank reference {entry.bank_ref!r}" if entry.bank_ref
                else "date, amount, counterparty and text")
        self.ctx.reject(entry.locator, "ref", entry.bank_ref or entry.ref,
                        f"duplicate transaction (same account and {what}) of {first[0]}:"
                        f"{first[2]} from an overlapping statement; kept only once")
        return True

    def end(self, stmt: Statement, require_balances: bool = False) -> None:
        """Opening balance + movements must equal the closing balance (or, in an interim
        report without one, the interim booked balance). Entries not booked are counted in
        a warning: the user sees how many the statement has and that they are apart."""
        if stmt.unbooked:
            n = sum(stmt.unbooked.values())
            counts = ", ".join(f"{k} {v}" for k, v in sorted(stmt.unbooked.items()))
            self.ctx.warn(stmt.locator, "status", counts,
                          f"{n} entr{'y' if n == 1 else 'ies'} not booked ({counts}): kept as "
                          "pending_transaction records, outside the ledger and the balance")
        closing, what = stmt.closing, "closing"
        if closing is None and stmt.interim is not None:
            closing, what = stmt.interim, "interim booked"
        if stmt.opening is None or closing is None:
            if require_balances:
                missing = "opening" if stmt.opening is None else "closing"
                self.ctx.reject(stmt.locator, "balance", None,
                                f"statement has no {missing} balance; the file may be truncated")
            return
        expected = stmt.opening + stmt.movements
        if expected != closing:
            diff = clean_amount(closing - expected)
            self.ctx.reject(
                stmt.locator, "balance", str(closing),
                f"balance mismatch: opening {stmt.opening} + {stmt.entries} entries "
                f"{stmt.movements} = {expected}, but {what} balance is {closing} "
                f"(difference {diff})",
            )

    def unbooked_batch(self) -> RecordBatch | None:
        """The entries not booked (pending, info, future) as one Arrow batch."""
        if not self.unbooked["record_id"]:
            return None
        schema = PENDING_TRANSACTION.schema
        arrays = [column(self.unbooked[f.name], f.type) for f in schema]
        return RecordBatch(PENDING_TRANSACTION.name, pa.Table.from_arrays(arrays,
                                                                          schema=schema))

    def payments(self, batch: RecordBatch | None) -> Iterator[Draft | EntityTable]:
        """Payment edges of the kept transactions (see :func:`payment_entities`)."""
        if batch is not None:
            yield from payment_entities(self.ctx, batch.table, self.owners)

    def batch(self) -> RecordBatch | None:
        """The kept transactions as one Arrow batch; registers them for the rest of the run."""
        self.seen_run.update(self.seen_file)
        if not self.rows["record_id"]:
            return None
        arrays = [column(self.rows[f.name], f.type) for f in TRANSACTION.schema]
        return RecordBatch("transaction", pa.Table.from_arrays(arrays,
                                                               schema=TRANSACTION.schema))


def column(values: list[Any], kind: pa.DataType) -> pa.Array:
    """An Arrow array of ``values``; decimals go through their text, which Arrow reads
    exactly and some twenty times faster than it converts ``Decimal`` objects."""
    if pa.types.is_decimal(kind):
        text = [None if v is None else format(v, "f") for v in values]
        return pa.array(text, pa.string()).cast(kind)
    return pa.array(values, kind)


# -- payment edges for the graph --------------------------------------------------------

_PAYMENTS_SQL = """
WITH g AS (
  SELECT CASE WHEN amount < 0 THEN account ELSE counterparty_account END AS payer,
         CASE WHEN amount < 0 THEN counterparty_account ELSE account END AS beneficiary,
         strftime(booking_date, '%Y-%m') AS month, currency,
         sum(abs(amount)) AS total, count(*) AS n,
         min(booking_date) AS first, max(booking_date) AS last,
         min_by(locator, __row) AS locator,
         min_by(counterparty_name, __row) FILTER (WHERE counterparty_name IS NOT NULL)
           AS cp_name,
         bool_or(amount < 0) AS outgoing, min(__row) AS __first
  FROM tx
  WHERE account IS NOT NULL AND counterparty_account IS NOT NULL
    AND booking_date IS NOT NULL AND counterparty_account <> account
  GROUP BY ALL
)
SELECT payer, beneficiary, month, currency, {amount} AS amount,
       n::VARCHAR || ' transaction' || CASE WHEN n <> 1 THEN 's' ELSE '' END AS summary,
       strftime(first, '%Y-%m-%d') AS first, strftime(last, '%Y-%m-%d') AS last,
       locator, cp_name, outgoing
FROM g ORDER BY __first
"""


def _amount_sql(column: str, exponents: Iterable[int]) -> str:
    """DuckDB SQL for :func:`format_amount` of a sum: the currency's own decimals (exact:
    every amount summed has no more)."""
    cases = " ".join(f"WHEN {e} THEN CAST(CAST({column} AS DECIMAL(38, {e})) AS VARCHAR)"
                     for e in sorted(set(exponents)))
    return f"CASE {sql_exponent('currency')} {cases} END"


#: Up to this many rows, the payments are summed in Python: a query costs more than that
#: for the small files of a bank production (one statement per account and month).
SMALL_TABLE = 20_000
PAYMENT_COLUMNS = ["account", "counterparty_account", "booking_date", "amount", "currency",
                   "locator", "counterparty_name"]
#: From this many payment edges on, they come as tables (of up to BULK_PART), not drafts.
BULK_ENTITIES = 2_000
BULK_PART = 10_000
PAYMENT_PROPS = ("payerAccount", "beneficiaryAccount", "payer", "beneficiary", "amount",
                 "currency", "startDate", "endDate", "summary")


def _payment_rows(table: pa.Table, parties: bool) -> tuple[list[tuple], list[tuple]]:
    """What :data:`_PAYMENTS_SQL` (and the accounts' query) give, summed in Python: the
    groups of payer, beneficiary, month and currency in the order of their first row."""
    groups: dict[tuple, list[Any]] = {}
    own: dict[str, str] = {}
    columns = [table[c].to_pylist() for c in PAYMENT_COLUMNS]
    for account, cp, day, amount, ccy, loc, cp_name in zip(*columns, strict=True):
        if parties and account is not None and account not in own:
            own[account] = loc
        if account is None or cp is None or day is None or cp == account:
            continue
        out = amount < 0
        key = (account, cp, f"{day:%Y-%m}", ccy) if out else (cp, account, f"{day:%Y-%m}", ccy)
        found = groups.get(key)
        if found is None:
            groups[key] = [abs(amount), 1, day, day, loc, cp_name, out]
            continue
        found[0] += abs(amount)
        found[1] += 1
        found[2] = min(found[2], day)
        found[3] = max(found[3], day)
        if found[5] is None:
            found[5] = cp_name
        found[6] = found[6] or out
    rows = [(payer, ben, month, ccy, format_amount(total, ccy),
             f"{n} transaction{'s' if n != 1 else ''}", first.isoformat(), last.isoformat(),
             loc, cp_name, out)
            for (payer, ben, month, ccy), (total, n, first, last, loc, cp_name, out)
            in groups.items()]
    return rows, list(own.items())


def _sql_payment_rows(table: pa.Table, parties: bool) -> tuple[list[tuple], list[tuple]]:
    """:func:`_payment_rows` in DuckDB, for large tables; the rows as text, as there."""
    con = duck.connect()
    try:
        tx = table.select(PAYMENT_COLUMNS).append_column(
            "__row", pa.array(range(table.num_rows), pa.int64()))
        con.register("tx", tx)
        exponents = [exponent(c) for c in pc.unique(table["currency"]).to_pylist()]
        result = con.sql(_PAYMENTS_SQL.format(amount=_amount_sql("total", exponents))
                         ).to_arrow_table()
        rows = list(zip(*(c.to_pylist() for c in result.columns), strict=True))
        own = con.execute("SELECT account, min_by(locator, __row) FROM tx WHERE account "
                          "IS NOT NULL GROUP BY account ORDER BY min(__row)").fetchall() \
            if parties else []
    finally:
        con.close()
    return rows, own


def payment_entities(
    ctx: ImportContext, table: pa.Table, owners: dict[str, str] | None = None,
    parties: bool = False,
) -> Iterator[Draft | EntityTable]:
    """FtM ``Payment`` entities: one per payer account, beneficiary account and month; as
    :class:`EntityTable` parts from :data:`BULK_ENTITIES` on (a busy account's statements
    have tens of thousands), else as drafts.

    The id is ``make_id("payment", payer, beneficiary, "YYYY-MM")`` (plus the currency when
    it is not the first one seen for that pair and month), so the two legs of a transfer
    seen on the statements of both accounts give one entity. ``table`` is in the
    ``transaction`` record schema; entries without a counterparty account (cash, card) are
    left out. ``owners`` names the holders of statement accounts; with ``parties`` the
    BankAccount drafts of every account and the holder drafts of named counterparties are
    made here too (for exports whose mapping does not make them).
    """
    owners = owners or {}
    small = table.num_rows <= SMALL_TABLE
    rows, own = _payment_rows(table, parties) if small else _sql_payment_rows(table, parties)
    made: set[str] = set()
    ids: dict[tuple, str] = {}

    def cached(*parts: str) -> str:
        found = ids.get(parts)
        if found is None:
            found = ids[parts] = make_id(*parts)
        return found

    for account, loc in own:
        yield from _party_drafts(account, owners.get(account), loc, made, cached)

    pay_ids: list[str] = []
    locators: list[str] = []
    wide: dict[str, list[str | None]] = {p: [] for p in PAYMENT_PROPS}
    payer_acc, ben_acc, payer_of, ben_of = (wide[p] for p in PAYMENT_PROPS[:4])
    for payer, ben, month, ccy, amount, summary, first, last, loc, cp_name, outgoing in rows:
        pay_id = make_id("payment", payer, ben, month)
        if pay_id in made:
            pay_id = make_id("payment", payer, ben, month, ccy or "")
        made.add(pay_id)
        if outgoing:
            payer_name, ben_name = owners.get(payer), cp_name
        else:
            payer_name, ben_name = cp_name, owners.get(ben)
        if parties:
            own_acc, own_name, other = (payer, payer_name, ben) if outgoing else \
                (ben, ben_name, payer)
            yield from _party_drafts(own_acc, own_name, loc, made, cached)
            yield from _party_drafts(other, cp_name, loc, made, cached)
        pay_ids.append(pay_id)
        locators.append(loc)
        payer_acc.append(cached("account", payer))
        ben_acc.append(cached("account", ben))
        payer_of.append(cached("holder", payer, payer_name) if payer_name else None)
        ben_of.append(cached("holder", ben, ben_name) if ben_name else None)
        wide["amount"].append(amount)
        wide["currency"].append(ccy)
        wide["startDate"].append(first)
        wide["endDate"].append(last)
        wide["summary"].append(summary)
    if len(pay_ids) < BULK_ENTITIES:  # a table's fixed cost is more than a few drafts'
        for k, (pay_id, loc) in enumerate(zip(pay_ids, locators, strict=True)):
            draft = Draft("Payment", pay_id, loc)
            for prop in PAYMENT_PROPS:
                draft.add(prop, wide[prop][k])
            yield draft
        return
    for start in range(0, len(pay_ids), BULK_PART):  # in parts: bounded memory downstream
        end = start + BULK_PART
        found = entity_table(ctx, "Payment", pay_ids[start:end], locators[start:end],
                             {prop: column[start:end] for prop, column in wide.items()})
        if found is not None:
            yield found


def _party_drafts(account: str, name: str | None, locator: str, made: set[str],
                  cached: Any) -> Iterator[Draft]:
    acc_id = cached("account", account)
    if acc_id not in made:
        made.add(acc_id)
        acc = Draft("BankAccount", acc_id, locator)
        is_iban = account[:2].isalpha() and len(account) >= 15 and account[2:4].isdigit()
        acc.add("iban" if is_iban else "accountNumber", account)
        yield acc
    if not name:
        return
    holder_id = cached("holder", account, name)
    if holder_id in made:
        return
    made.add(holder_id)
    holder = Draft("LegalEntity", holder_id, locator)
    holder.add("name", name)
    own = Draft("Ownership", make_id("ownership", holder_id, acc_id), locator)
    own.add("owner", holder_id)
    own.add("asset", acc_id)
    own.add("role", "account holder")
    yield from (holder, own)


def _one_line(text: str | None) -> str | None:
    if not text:
        return None
    return " ".join(text.split()) or None


def _country(account: str | None) -> str | None:
    if account and len(account) >= 15 and account[:2].isalpha() and account[2:4].isdigit():
        return account[:2]
    return None


# -- payment method from bank transaction codes ----------------------------------------

_CASH_SUB = {"CWDL", "CDPT", "BCDP", "BCWD", "XBCW", "CCHQ", "CASH", "MIXD"}
_FEE_SUB = {"CHRG", "FEES", "COMM", "COMT", "SUBS", "ODFT"}
_CARD_SUB = {"POSD", "POSC", "SMRT", "XBCP", "CDCB", "CDCD", "CDCS", "CDPB"}
_CARD_FAM = {"CCRD", "MCRD"}
_TRANSFER_FAM = {"ICDT", "RCDT", "IDDT", "RDDT", "IRCT", "RRCT", "ICHQ", "RCHQ", "DRFT", "LBOX"}
_SWIFT = {"TRF": "transfer", "STO": "transfer", "DDT": "transfer", "BOE": "transfer",
          "CLR": "transfer", "CHG": "fee", "COM": "fee", "CHK": "transfer", "CMZ": "cash"}
_GVC_CASH = {"082", "083", "085"}
_GVC_FEE = {"805", "808", "809", "810", "814"}
_GVC_CARD = {"004", "006", "106", "107", "109", "111"}
_CASH_WORDS = ("ATM ", "CASH WITHDRAWAL", "CASH DEPOSIT", "BARGELD", "GELDAUTOMAT")


def method_for(family: str | None = None, sub: str | None = None, swift: str | None = None,
               gvc: str | None = None, text: str | None = None) -> str:
    """transfer | card | cash | fee | other, from ISO BkTxCd, SWIFT type or German GVC."""
    if sub in _CASH_SUB or family == "CNTR" or gvc in _GVC_CASH:
        return "cash"
    if sub in _FEE_SUB or gvc in _GVC_FEE:
        return "fee"
    if family in _CARD_FAM or sub in _CARD_SUB or gvc in _GVC_CARD:
        return "card"
    if family in _TRANSFER_FAM:
        return "transfer"
    code = (swift or "")[1:4] if swift and len(swift) >= 4 else ""
    if code in _SWIFT:
        return _SWIFT[code]
    if text and any(word in f"{text.upper()} " for word in _CASH_WORDS):
        return "cash"
    if gvc and gvc[0] in "01":
        return "transfer"
    return "other"
