"""Resolution records: one row per person or company, in the columns the linkage reads.

:func:`build_records` turns FollowTheMoney entities (``Person``; ``Company``,
``Organization``, ``LegalEntity`` and whatever else is a legal entity; the ``BankAccount``
and ``Ownership`` entities giving each holder its IBANs; ``Address`` entities named by an
``addressEntity``; the links between parties, ``Payment``, ``Employment``, ``Directorship``
and the like, giving each person its context) into one Arrow table (:data:`SCHEMA`):

==============  ======================================================================
column          value
==============  ======================================================================
record_id       the entity's id
kind            ``person`` or ``company``
name            the first value of ``name`` as written (else the first alias, else
                first, middle and last names joined)
names           every ``name``, ``alias`` and ``previousName`` as written
name_key        the first usable name's key (:mod:`veriga.resolve.names`: romanised,
                folded, stemmed, tokens sorted and joined by a space), or null
tokens          the token keys of every usable name, sorted, each once
phonetic        the metaphone codes of those tokens, sorted, each once
initials        the first letters of the ``name_key`` tokens, sorted, as one string
symbols         rigour's name symbols of the usable names (``NAME:Q…``, ``ORGCLS:LLC``),
                when asked for (``build_records(..., symbols=True)``), else empty
legal_forms     a company's legal forms, one spelling each (``spzoo``, ``sia``, ``eood``:
                :attr:`veriga.resolve.names.NameKey.legal_forms`)
gender          ``f``/``m``: a person's ``gender``, else the hint its name's endings give;
                null for companies or when nothing says
birth_date      a person's first possible ``birthDate`` as an ISO date, or null
phones          E.164 (taken as it is when already in that form, as the importers store
                it); a number without a country code read with the record's countries
emails          lower-cased
ibans           normalised IBANs: of the accounts the entity holds through an
                ``Ownership``, and identifiers of its own that are IBANs
reg_numbers     ``registrationNumber``, ``taxNumber``, ``idNumber``, ``passportNumber``:
                romanised, letters and digits only, upper-case
countries       ISO 3166-1 alpha-2, upper-case, from ``country``, ``nationality``,
                ``citizenship``, ``jurisdiction``, ``mainCountry``
address_key     the first address's tokens (rigour's address fingerprint, romanised),
                sorted, each once, joined by a space, or null
context         a person's context: the keys of the companies its links tie it to
                (:mod:`veriga.resolve.context`), sorted; empty for companies
problems        what was left out and why, one string each
==============  ======================================================================

Nothing in an entity stops the run: a value that cannot be used is left out and becomes a
problem (``field: reason: "value"``; :func:`problem_report` reads them back as
:class:`Problem` rows for the family to show).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from rigour.addresses import address_fingerprint
from rigour.text.translit import ascii_text

from veriga.model import EntityProxy
from veriga.model.holdings import holdings
from veriga.model.normalize import Rejected, normalize_account, normalize_date, normalize_phone
from veriga.resolve.context import Tie, context_tie, contexts
from veriga.resolve.names import (
    COMPANY,
    PERSON,
    Kind,
    NameKey,
    looks_like_company,
    name_key,
    name_symbols,
)

log = logging.getLogger(__name__)

_LIST = pa.list_(pa.string())

#: The columns of the resolution records, in order.
SCHEMA = pa.schema([
    ("record_id", pa.string()),
    ("kind", pa.string()),
    ("name", pa.string()),
    ("names", _LIST),
    ("name_key", pa.string()),
    ("tokens", _LIST),
    ("phonetic", _LIST),
    ("initials", pa.string()),
    ("symbols", _LIST),
    ("legal_forms", _LIST),
    ("gender", pa.string()),
    ("birth_date", pa.string()),
    ("phones", _LIST),
    ("emails", _LIST),
    ("ibans", _LIST),
    ("reg_numbers", _LIST),
    ("countries", _LIST),
    ("address_key", pa.string()),
    ("context", _LIST),
    ("problems", _LIST),
])

NAME_PROPS = ("name", "alias", "previousName")
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
REG_PROPS = ("registrationNumber", "taxNumber", "idNumber", "passportNumber")

#: Records are kept as Arrow batches of this many rows while they are built.
BATCH_ROWS = 50_000
#: At most this many names of one entity are read (the rest is reported).
MAX_NAMES = 20
#: The earliest birth date taken as possible.
MIN_BIRTH = date(1900, 1, 1)
#: A registration number needs at least this many letters and digits.
MIN_REG_CHARS = 4

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REG_CHARS = re.compile(r"[^0-9A-Z]+")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_PARTIAL = re.compile(r"^\d{4}(-\d{2})?$")


@dataclass(frozen=True)
class Problem:
    """A value left out of a record, and why."""

    record_id: str
    field: str
    value: str
    reason: str

    def text(self) -> str:
        """The problem as it is kept in the ``problems`` column: ``field: reason: "value"``
        (the value JSON-quoted; a reason never contains ``": "``)."""
        return f"{self.field}: {self.reason}: {json.dumps(self.value, ensure_ascii=False)}"

    @classmethod
    def parse(cls, record_id: str, text: str) -> Problem:
        """The problem a ``problems`` string holds (:meth:`text` read back)."""
        parts = text.split(": ", 2)
        if len(parts) < 3:
            return cls(record_id, parts[0], "", parts[-1])
        try:
            value = json.loads(parts[2])
        except ValueError:
            value = parts[2]
        return cls(record_id, parts[0], str(value), parts[1])


@dataclass
class _Row:
    record_id: str
    kind: Kind
    countries: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    ibans: list[str] = field(default_factory=list)
    address_ids: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.record_id, column, value, reason))


def record_kind(proxy: EntityProxy) -> Kind | None:
    """``person`` for a Person, ``company`` for any other legal entity (Company,
    Organization, PublicBody ...), None for anything else. A plain ``LegalEntity`` (a party
    of unknown kind, as a bank statement's counterparty is) is a person when its name reads
    as a person's (:func:`~veriga.resolve.names.looks_like_company` says no)."""
    if proxy.schema.is_a("Person"):
        return PERSON
    if proxy.schema.name == "LegalEntity":
        name = proxy.first("name", quiet=True)
        return PERSON if name and not looks_like_company(name) else COMPANY
    if proxy.schema.is_a("LegalEntity"):
        return COMPANY
    return None


def build_records(entities: Iterable[EntityProxy], *, today: date | None = None,
                  symbols: bool = False) -> pa.Table:
    """The resolution records of ``entities`` (:data:`SCHEMA`), ordered by record id.

    One pass: bank accounts, ownerships and addresses are kept aside and joined to their
    holders at the end, so the entities may come in any order; the records are kept as
    Arrow batches of :data:`BATCH_ROWS` meanwhile, so a million take a few hundred MB.
    ``today`` (by default the current date) is the latest possible birth date. An entity
    id seen twice keeps its first entity. ``symbols`` fills the ``symbols`` column (empty
    lists otherwise): rigour's name tagger costs about 5 s and 400 MB once per process,
    then some 10 µs a name."""
    builder = _Builder(today or date.today(), symbols)
    for proxy in entities:
        builder.add(proxy)
    return builder.finish()


def problem_report(table: pa.Table) -> list[Problem]:
    """Every problem of a table of resolution records, in the table's order."""
    out: list[Problem] = []
    for record_id, problems in zip(table.column("record_id").to_pylist(),
                                   table.column("problems").to_pylist(), strict=True):
        out.extend(Problem.parse(record_id, text) for text in problems or ())
    return out


class _Builder:
    """Resolution records gathered batch by batch, and what joins them at the end."""

    def __init__(self, today: date, symbols: bool) -> None:
        self.today = today
        self.symbols = symbols
        self.columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
        self.batches: list[pa.RecordBatch] = []
        self.links: list[EntityProxy] = []
        self.ties: list[Tie] = []  # the links between parties (the records' context)
        self.addresses: dict[str, str] = {}
        self.address_refs: dict[str, list[str]] = {}  # record id: Address entity ids

    def add(self, proxy: EntityProxy) -> None:
        if not proxy.id:
            return
        tie = context_tie(proxy)
        if tie is not None:
            self.ties.append(tie)
        if proxy.schema.is_a("BankAccount") or proxy.schema.is_a("Ownership"):
            self.links.append(proxy)
            return
        if proxy.schema.is_a("Address"):
            text = _address_text(proxy)
            if text:
                self.addresses[proxy.id] = text
            return
        kind = record_kind(proxy)
        if kind is None:
            return
        row = _read(proxy, kind, self.today, self.symbols)
        text = row.values.pop("address_text", None)
        if text:
            _address_key(row, text)
        elif row.address_ids:
            self.address_refs[row.record_id] = row.address_ids
        self._append(row)

    def _append(self, row: _Row) -> None:
        columns, values = self.columns, row.values
        columns["record_id"].append(row.record_id)
        columns["kind"].append(row.kind)
        for name in ("name", "name_key", "initials", "gender", "birth_date", "address_key"):
            columns[name].append(values.get(name))
        for name in ("names", "tokens", "phonetic", "symbols", "legal_forms", "phones", "emails",
                     "reg_numbers"):
            columns[name].append(values.get(name) or [])
        columns["ibans"].append(list(dict.fromkeys(row.ibans)))
        columns["countries"].append(sorted(row.countries))
        columns["context"].append([])
        columns["problems"].append([p.text() for p in row.problems])
        if len(columns["record_id"]) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.columns["record_id"]:
            self.batches.append(pa.RecordBatch.from_pydict(self.columns, schema=SCHEMA))
            self.columns = {name: [] for name in SCHEMA.names}

    def finish(self) -> pa.Table:
        self._flush()
        table = pa.Table.from_batches(self.batches, schema=SCHEMA)
        self.batches = []
        if table.num_rows:
            table = _first_of_each_id(table.take(pc.sort_indices(table["record_id"])))
        return self._with_context(self._join(table))

    def _with_context(self, table: pa.Table) -> pa.Table:
        """The ``context`` of every person's record (:mod:`veriga.resolve.context`)."""
        if not self.ties or not table.num_rows:
            return table
        index = SCHEMA.get_field_index("context")
        return table.set_column(index, SCHEMA.field("context"), pa.array(
            contexts(table, self.ties), type=SCHEMA.field("context").type))

    def _join(self, table: pa.Table) -> pa.Table:
        """The IBANs of held accounts and the addresses of Address entities, added to the
        records they belong to."""
        patches: dict[str, _Row] = {}
        for record_id, ids in self.address_refs.items():
            text = next((self.addresses[i] for i in ids if i in self.addresses), None)
            if text:
                row = patches.setdefault(record_id, _Row(record_id, PERSON, []))  # a patch
                _address_key(row, text)
        _attach_accounts(patches, self.links)
        if not patches:
            return table
        ids = table["record_id"]
        where = pc.indices_nonzero(pc.is_in(ids, value_set=pa.array(list(patches)))).to_pylist()
        if not where:
            return table
        ibans = table["ibans"].to_pylist()
        problems = table["problems"].to_pylist()
        address_keys = table["address_key"].to_pylist()
        for i in where:
            patch = patches[ids[i].as_py()]
            ibans[i] = list(dict.fromkeys([*ibans[i], *patch.ibans]))
            problems[i] = [*problems[i], *(p.text() for p in patch.problems)]
            if patch.values.get("address_key"):
                address_keys[i] = patch.values["address_key"]
        for name, values in (("ibans", ibans), ("problems", problems),
                             ("address_key", address_keys)):
            index = SCHEMA.get_field_index(name)
            table = table.set_column(index, SCHEMA.field(name),
                                     pa.array(values, type=SCHEMA.field(name).type))
        return table


def _first_of_each_id(table: pa.Table) -> pa.Table:
    """A table sorted by record id (stably) without the later rows of an id seen twice."""
    ids = table["record_id"]
    if len(ids) < 2:
        return table
    repeated = pc.equal(ids.slice(1), ids.slice(0, len(ids) - 1))
    if not pc.any(repeated).as_py():
        return table
    keep = pa.concat_arrays([pa.array([True]), pc.invert(repeated).combine_chunks()])
    return table.filter(keep)


def _read(proxy: EntityProxy, kind: Kind, today: date, symbols: bool) -> _Row:
    record_id = proxy.id or ""
    row = _Row(record_id, kind, [])
    try:
        row.countries = _countries(proxy)
        _names(row, proxy, symbols)
        _gender(row, proxy)
        row.values["birth_date"] = _birth_date(row, proxy, today) if kind == PERSON else None
        row.values["phones"] = _phones(row, proxy)
        row.values["emails"] = _emails(row, proxy)
        row.values["reg_numbers"] = _reg_numbers(row, proxy)
        row.address_ids = [v for v in proxy.get("addressEntity", quiet=True) if v]
        row.values["address_text"] = next((v for v in proxy.get("address", quiet=True)
                                           if v and v.strip()), None)
    except Exception as exc:  # noqa: BLE001 - one unreadable entity must not stop the run
        log.warning("resolution record %s: %s left fields out", record_id,
                    type(exc).__name__)
        row.problem("record", "", f"could not be read completely ({type(exc).__name__})")
    return row


def _names(row: _Row, proxy: EntityProxy, symbols: bool) -> None:
    names = list(dict.fromkeys(v for p in NAME_PROPS for v in proxy.get(p, quiet=True) if v))
    if not names and row.kind == PERSON:
        parts = [proxy.first(p, quiet=True) for p in ("firstName", "middleName", "lastName")]
        composed = " ".join(p for p in parts if p)
        names = [composed] if composed else []
    first = proxy.first("name", quiet=True) or (names[0] if names else None)
    if len(names) > MAX_NAMES:
        row.problem("names", str(len(names)), f"more than {MAX_NAMES} names; the rest not read")
        names = names[:MAX_NAMES]
    keys: list[NameKey] = []
    for text in names:
        key = name_key(text, row.kind)
        keys.append(key)
        for reason in key.problems:
            row.problem("name", text, reason)
    if not names:
        row.problem("name", "", "no name")
    usable = [k for k in keys if k.usable]
    primary = usable[0] if usable else None
    tokens = sorted({t for k in usable for t in k.tokens})
    row.values.update(
        name=first, names=names, name_key=primary.key if primary else None,
        tokens=tokens, phonetic=sorted({c for k in usable for c in k.phonetic}),
        initials=primary.initials if primary else None,
        symbols=name_symbols([k.text for k in usable], row.kind) if symbols else [],
        legal_forms=sorted({f for k in usable for f in k.legal_forms}),
        gender=primary.gender if primary else None)


def _gender(row: _Row, proxy: EntityProxy) -> None:
    """A person's stated gender overrides the hint of the name's endings."""
    if row.kind != PERSON:
        return
    stated = {v.strip().lower()[:1] for v in proxy.get("gender", quiet=True) if v}
    stated &= {"f", "m"}
    if len(stated) == 1:
        row.values["gender"] = stated.pop()


def _countries(proxy: EntityProxy) -> list[str]:
    out: list[str] = []
    for prop in COUNTRY_PROPS:
        for value in proxy.get(prop, quiet=True):
            code = value.strip().upper()
            if code == "UK":
                code = "GB"
            if len(code) == 2 and code.isascii() and code.isalpha() and code not in out:
                out.append(code)
    return out


def _birth_date(row: _Row, proxy: EntityProxy, today: date) -> str | None:
    kept: str | None = None
    for value in proxy.get("birthDate", quiet=True):
        day, reason = _check_birth_date(value, today)
        if day is None:
            row.problem("birth_date", value, reason)
        elif kept is None:
            kept = day
        elif day != kept:
            row.problem("birth_date", value, f"another birth date ({kept}) was kept")
    return kept


def _check_birth_date(value: str, today: date) -> tuple[str | None, str]:
    """The ISO date of a birth date, or None and why it cannot be one."""
    text = value.strip()
    if _PARTIAL.match(text):
        return None, "only a year or a month; not a full date"
    match = _ISO_DAY.match(text)
    if match is None:
        try:
            text = normalize_date(text)
        except Rejected:
            return None, "not a date"
        match = _ISO_DAY.match(text)
        if match is None:
            return None, "not a full date"
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return None, f"impossible date (month {month})"
    try:
        born = date(year, month, day)
    except ValueError:
        return None, f"impossible date (day {day} of month {month})"
    if born < MIN_BIRTH:
        return None, f"impossible date (before {MIN_BIRTH.year})"
    if born > today:
        return None, "impossible date (in the future)"
    return born.isoformat(), ""


def _phones(row: _Row, proxy: EntityProxy) -> list[str]:
    out: list[str] = []
    for value in proxy.get("phone", quiet=True):
        number = _phone(row, value)
        if number and number not in out:
            out.append(number)
    return out


def _phone(row: _Row, value: str) -> str | None:
    text = value.strip()
    if _E164.match(text):  # as the importers store a phone they could read
        return text
    international = text.startswith(("+", "00"))
    if not international and not row.countries:
        row.problem("phones", value, "no country code and the record has no country")
        return None
    for region in [None] if international else row.countries:
        try:
            return normalize_phone(text, region)
        except Rejected:
            continue
    where = "its country code" if international else "the record's countries"
    row.problem("phones", value, f"not a possible number for {where}")
    return None


def _emails(row: _Row, proxy: EntityProxy) -> list[str]:
    out: list[str] = []
    for value in proxy.get("email", quiet=True):
        email = value.strip().lower()
        if not _EMAIL.match(email):
            row.problem("emails", value, "not an email address")
        elif email not in out:
            out.append(email)
    return out


def _reg_numbers(row: _Row, proxy: EntityProxy) -> list[str]:
    out: list[str] = []
    for prop in REG_PROPS:
        for value in proxy.get(prop, quiet=True):
            number = _REG_CHARS.sub("", ascii_text(value).upper())
            if _is_iban(number):
                row.ibans.append(number)
            elif len(number) < MIN_REG_CHARS or len(set(number)) == 1:
                row.problem("reg_numbers", value, "too short or a placeholder")
            elif number not in out:
                out.append(number)
    return out


def _is_iban(text: str) -> bool:
    if len(text) < 15 or not (text[:2].isalpha() and text[2:4].isdigit()):
        return False
    try:
        normalize_account(text)
    except Rejected:
        return False
    return True


def _attach_accounts(rows: dict[str, _Row], links: list[EntityProxy]) -> None:
    """The IBANs of the accounts each holder holds, on a row per holder in ``rows``."""
    for holding in holdings(links):
        row = rows.setdefault(holding.owner_id, _Row(holding.owner_id, PERSON, []))
        found: list[str] = []
        others: list[str] = []
        for number in holding.numbers:
            try:
                account = normalize_account(number)
            except Rejected:
                row.problem("ibans", number, "an IBAN that fails its checksum")
                continue
            (found if _is_iban(account) else others).append(account)
        row.ibans.extend(found)
        if not found:  # an account known only by a domestic number
            for number in others:
                row.problem("ibans", number, "an account number that is not an IBAN")


def _address_text(proxy: EntityProxy) -> str | None:
    full = proxy.first("full", quiet=True)
    if full:
        return full
    parts = [proxy.first(p, quiet=True) for p in ("street", "postalCode", "city", "country")]
    text = " ".join(p for p in parts if p)
    return text or None


def _address_key(row: _Row, text: str) -> None:
    try:
        fingerprint = address_fingerprint(text)
        tokens = ascii_text(fingerprint or "").lower().split()
    except Exception:  # noqa: BLE001 - an address that cannot be read is a problem
        tokens = []
    if tokens:
        row.values["address_key"] = " ".join(sorted(set(tokens)))
    else:
        row.problem("address_key", text, "nothing in the address to compare")
