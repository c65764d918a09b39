"""Bulk record kinds: rows too many for statements (transactions, call records, invoices).

Each kind has a fixed Arrow schema; importers fill it and the engine queries it as Parquet.
Every row keeps ``record_id``, ``source_id`` and ``locator`` so a finding can cite it.

Veriga's own kinds are below; a separate package adds one by declaring a :class:`RecordKind`
in the ``veriga.record_kinds`` entry-point group (named by the kind's name), and
:data:`RECORD_KINDS` holds them all: mappings, the engine and the timeline take it from there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyarrow as pa

#: An amount in EUR (cents).
AMOUNT = pa.decimal128(18, 2)
#: An amount in its own currency: up to three decimals (ISO 4217: the Kuwaiti dinar's fils),
#: checked against the currency's own exponent when imported (:mod:`veriga.model.currency`).
MONEY = pa.decimal128(18, 3)

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
    #: groups of fields of which each row needs at least one (e.g. a party's number or name)
    required_any: tuple[tuple[str, ...], ...] = ()
    #: registration numbers: (field, the field holding its country, "company" | "vat"),
    #: checked and normalised per country (see :mod:`veriga.model.regnum`)
    registrations: tuple[tuple[str, str, str], ...] = ()
    #: the amount field whose value, when the currency is EUR, fills ``amount_eur``
    eur_amount: str | None = None
    #: (earlier, later) fields: a row where the later comes first is reported (kept)
    ordered: tuple[tuple[str, str], ...] = ()

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
        pa.field("amount", MONEY),
        pa.field("currency", pa.string()),
        pa.field("amount_eur", AMOUNT),
        pa.field("counterparty_account", pa.string()),
        pa.field("counterparty_name", pa.string()),
        pa.field("counterparty_bic", pa.string()),
        pa.field("counterparty_country", pa.string()),
        pa.field("method", pa.string()),  # transfer | card | cash | p2p | fee | other
        pa.field("description", pa.string()),
        pa.field("balance_after", MONEY),
    ),
    required=("account", "booking_date", "amount", "currency"),
    accounts=("account", "counterparty_account"),
    eur_amount="amount",
)

PENDING_TRANSACTION = RecordKind(
    name="pending_transaction",
    description="A bank entry not booked: pending (camt status PDNG), for information only "
                "(INFO) or booked in the future (FUTR), as a bank's intraday report or "
                "notification shows it. Kept apart from the booked `transaction` records, so "
                "that no ledger, balance or analysis counts it as a movement.",
    fields=(*TRANSACTION.fields,
            pa.field("status", pa.string())),  # pending | info | future | the bank's code
    required=("account", "amount", "currency", "status"),
    accounts=("account", "counterparty_account"),
    eur_amount="amount",
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

INVOICE = RecordKind(
    name="invoice",
    description="One invoice from a supplier company to a buyer company (amounts without "
                "sign; `amount_eur` is the net amount when the currency is EUR).",
    fields=(
        pa.field("invoice_no", pa.string()),
        pa.field("issue_date", pa.date32()),
        pa.field("due_date", pa.date32()),
        pa.field("supplier_reg", pa.string()),  # registration number, compact (stdnum)
        pa.field("supplier_vat", pa.string()),  # VAT number, compact with country prefix
        pa.field("supplier_country", pa.string()),  # ISO 3166-1 alpha-2
        pa.field("supplier_name", pa.string()),
        pa.field("buyer_reg", pa.string()),
        pa.field("buyer_vat", pa.string()),
        pa.field("buyer_country", pa.string()),
        pa.field("buyer_name", pa.string()),
        pa.field("contract_ref", pa.string()),
        pa.field("description", pa.string()),
        pa.field("net_amount", MONEY),
        pa.field("vat_amount", MONEY),
        pa.field("total_amount", MONEY),  # as written in the ledger (net + VAT)
        pa.field("currency", pa.string()),
        pa.field("amount_eur", AMOUNT),
        pa.field("pay_to_account", pa.string()),  # IBAN or account the invoice asks to pay
    ),
    required=("issue_date", "net_amount", "currency"),
    required_any=(("supplier_reg", "supplier_name"), ("buyer_reg", "buyer_name")),
    accounts=("pay_to_account",),
    registrations=(
        ("supplier_reg", "supplier_country", "company"),
        ("supplier_vat", "supplier_country", "vat"),
        ("buyer_reg", "buyer_country", "company"),
        ("buyer_vat", "buyer_country", "vat"),
    ),
    eur_amount="net_amount",
    ordered=(("issue_date", "due_date"),),
)

BUILTIN: dict[str, RecordKind] = {k.name: k for k in (TRANSACTION, CALL, INVOICE,
                                                       PENDING_TRANSACTION)}


class RecordKinds(Mapping[str, RecordKind]):
    """Veriga's record kinds and those of installed plugins (``veriga.record_kinds`` entry
    points, or :func:`veriga.plugins.add` in-process), read when first asked for."""

    def _all(self) -> dict[str, RecordKind]:
        from veriga import plugins

        found = plugins.load("record_kinds")
        for name, kind in found.items():
            if not isinstance(kind, RecordKind):
                raise plugins.PluginError(f"record kind {name!r} is {kind!r}, not a RecordKind")
            if kind.name != name:
                raise plugins.PluginError(f"record kind {name!r} is named {kind.name!r}: the "
                                          "entry point must be named by it")
            if name in BUILTIN:
                raise plugins.PluginError(f"record kind {name!r} is one of Veriga's own")
            taken = {f.name for f in kind.fields} & {f.name for f in PROVENANCE}
            if taken:
                raise plugins.PluginError(f"record kind {name!r} redefines {sorted(taken)}")
        return {**BUILTIN, **found}

    def __getitem__(self, name: str) -> RecordKind:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


#: Every record kind by name (Veriga's own first).
RECORD_KINDS: Mapping[str, RecordKind] = RecordKinds()
