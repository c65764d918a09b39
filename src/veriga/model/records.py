"""Bulk record kinds: rows too many for statements (transactions, call records).

Each kind has a fixed Arrow schema; importers fill it and the engine queries it as Parquet.
Every row keeps ``record_id``, ``source_id`` and ``locator`` so a finding can cite it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

AMOUNT = pa.decimal128(18, 2)

PROVENANCE = [
    pa.field("record_id", pa.string(), nullable=False),
    pa.field("source_id", pa.string(), nullable=False),
    pa.field("locator", pa.string(), nullable=False),
]


@dataclass(frozen=True)
class RecordKind:
    """A bulk table: its name, Arrow schema, required fields and the natural key."""

    name: str
    fields: tuple[pa.Field, ...]
    required: tuple[str, ...]
    description: str
    phones: tuple[str, ...] = ()  # fields normalised to E.164
    accounts: tuple[str, ...] = ()  # fields normalised as IBAN / account numbers

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([*PROVENANCE, *self.fields])

    def field(self, name: str) -> pa.Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


TRANSACTION = RecordKind(
    name="transaction",
    description="One booked bank transaction as seen from `account` (amount > 0 is a credit).",
    fields=(
        pa.field("account", pa.string()),  # IBAN or account number of the statement holder
        pa.field("ref", pa.string()),  # the bank's transaction reference
        pa.field("booking_date", pa.date32()),
        pa.field("value_date", pa.date32()),
        pa.field("amount", AMOUNT),
        pa.field("currency", pa.string()),
        pa.field("amount_eur", AMOUNT),
        pa.field("counterparty_account", pa.string()),
        pa.field("counterparty_name", pa.string()),
        pa.field("counterparty_bic", pa.string()),
        pa.field("counterparty_country", pa.string()),
        pa.field("method", pa.string()),  # transfer | card | cash | p2p | fee | other
        pa.field("description", pa.string()),
        pa.field("balance_after", AMOUNT),
    ),
    required=("account", "booking_date", "amount", "currency"),
    accounts=("account", "counterparty_account"),
)

CALL = RecordKind(
    name="call",
    description="One call detail record or message between two phone numbers (E.164).",
    fields=(
        pa.field("caller", pa.string()),
        pa.field("callee", pa.string()),
        pa.field("start", pa.timestamp("s")),
        pa.field("duration_s", pa.int64()),
        pa.field("kind", pa.string()),  # voice | sms | data
        pa.field("cell_id", pa.string()),
        pa.field("imei", pa.string()),
    ),
    required=("caller", "callee", "start"),
    phones=("caller", "callee"),
)

RECORD_KINDS: dict[str, RecordKind] = {k.name: k for k in (TRANSACTION, CALL)}
