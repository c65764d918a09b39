"""goAML suspicious-transaction reports (STR) built from confirmed findings.

Unlike the entity exports, a report is made from what findings rest on: the workspace
(``ws.exports.report``) hands over a :class:`Material` (the confirmed findings, the
transaction records they cite, the accounts and their holders, as the user may release them)
and :meth:`GoAML.write_report` writes one ``<report>``:

- the header (``rentity_id``, codes, local currency, reporting person, action) from the FIU
  profile (:mod:`veriga.ingest.goaml.profile`), the reference and the date of writing;
- ``reason``: each finding's title, review and explanation;
- one ``transaction`` per payment: the two legs of a transfer seen on both accounts'
  statements are one transaction, from the debited account to the credited one, each side
  an account with its bank, holder (``t_entity``, or a ``signatory`` for a person) and
  country, or, where the bank data names no account (cash, a card payment), the party by
  name;
- ``report_indicators``: the profile's indicators of the findings' kinds and its defaults.

The report is checked against the profile's mandatory fields and the project's XSD
(:mod:`veriga.ingest.goaml.schema`) and not written when either fails (:class:`Invalid`
lists every problem).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import phonenumbers
from lxml import etree

from veriga.errors import VerigaError
from veriga.export.base import Exporter, HandlingOf
from veriga.findings import Finding
from veriga.ingest.goaml.profile import Profile
from veriga.ingest.goaml.schema import problems
from veriga.model import EntityProxy

MAX_REASON = 4000
LEG_DAYS = 3  # the two legs of one transfer are booked at most this many days apart
UNNAMED = "not named in the bank data"


class Invalid(VerigaError):
    """A report that the FIU profile or the schema refuses; nothing was written."""

    def __init__(self, found: Sequence[str]) -> None:
        lines = "\n".join(f"  - {p}" for p in found[:30])
        more = f"\n  ... and {len(found) - 30} more" if len(found) > 30 else ""
        super().__init__(f"the goAML report is not valid and was not written "
                         f"({len(found)} problem(s)):\n{lines}{more}")
        self.problems = list(found)


@dataclass
class Material:
    """What a report rests on, as the workspace releases it to the user."""

    case: str
    findings: list[Finding]
    records: list[dict[str, Any]]  # ``transaction`` records (with record_id)
    accounts: dict[str, EntityProxy] = field(default_factory=dict)  # number -> BankAccount
    holders: dict[str, EntityProxy] = field(default_factory=dict)  # number -> holder


@dataclass
class Written:
    """What a report holds."""

    transactions: int
    accounts: int
    indicators: list[str]
    reference: str


def _sub(parent: Any, tag: str, value: Any = None) -> Any:
    """A child element; ``None`` (no child) for an empty value unless it is a container."""
    if value is None:
        return etree.SubElement(parent, tag)
    text = " ".join(str(value).split())
    if not text:
        return None
    child = etree.SubElement(parent, tag)
    child.text = text
    return child


def _opt(parent: Any, tag: str, value: Any) -> None:
    if value is not None and str(value).strip():
        _sub(parent, tag, value)


def _dt(day: date | datetime) -> str:
    if isinstance(day, datetime):
        return day.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{day.isoformat()}T00:00:00"


def _country(value: str | None) -> str | None:
    if value and len(value) == 2 and value.isalpha():
        return value.upper()
    return None


def _iban_country(number: str | None) -> str | None:
    if number and len(number) >= 15 and number[:2].isalpha() and number[2:4].isdigit():
        return number[:2].upper()
    return None


def _split(name: str) -> tuple[str | None, str]:
    parts = name.split()
    if len(parts) < 2:
        return None, name
    return " ".join(parts[:-1]), parts[-1]


@dataclass
class _Tx:
    debit: dict[str, Any] | None  # the record on the paying account's statement
    credit: dict[str, Any] | None  # the record on the receiving account's statement

    @property
    def main(self) -> dict[str, Any]:
        found = self.debit or self.credit
        assert found is not None
        return found


def pair_legs(records: Iterable[dict[str, Any]]) -> list[_Tx]:
    """Each payment once: a debit on account A to B and a credit on B from A of the same
    amount within :data:`LEG_DAYS` days are its two legs."""
    debits: list[dict[str, Any]] = []
    credits: dict[tuple, list[dict[str, Any]]] = {}
    for rec in sorted(records, key=lambda r: (r["booking_date"], r["record_id"])):
        if rec["amount"] < 0:
            debits.append(rec)
        else:
            key = (rec["counterparty_account"], rec["account"], rec["amount"])
            credits.setdefault(key, []).append(rec)
    out: list[_Tx] = []
    for rec in debits:
        mirror = None
        if rec["counterparty_account"]:
            key = (rec["account"], rec["counterparty_account"], -rec["amount"])
            for cand in credits.get(key, []):
                if abs((cand["booking_date"] - rec["booking_date"]).days) <= LEG_DAYS:
                    mirror = cand
                    credits[key].remove(cand)
                    break
        out.append(_Tx(rec, mirror))
    out += [_Tx(None, rec) for found in credits.values() for rec in found]
    return sorted(out, key=lambda t: (t.main["booking_date"], t.main["record_id"]))


class _Builder:
    def __init__(self, material: Material, profile: Profile) -> None:
        self.m, self.p = material, profile

    # -- parties --------------------------------------------------------------------------

    def person(self, parent: Any, tag: str, proxy: EntityProxy | None, name: str) -> Any:
        elem = _sub(parent, tag)
        p = self.p
        first = proxy.first("firstName") if proxy is not None else None
        last = proxy.first("lastName") if proxy is not None else None
        if not last:
            first, last = _split(name)
        if proxy is not None:
            gender = proxy.first("gender")
            _opt(elem, "gender", p.gender.get(gender) if gender else None)
        _opt(elem, "first_name", first)
        if proxy is not None:
            _opt(elem, "middle_name", proxy.first("middleName"))
        _sub(elem, "last_name", last)
        if proxy is None:
            return elem
        birth = proxy.first("birthDate")
        _opt(elem, "birthdate", _dt(date.fromisoformat(birth)) if birth and len(birth) == 10
             else None)
        _opt(elem, "birth_place", proxy.first("birthPlace"))
        _opt(elem, "ssn", proxy.first("socialSecurityNumber"))
        _opt(elem, "id_number", proxy.first("idNumber"))
        nationalities = [c.upper() for c in proxy.get("nationality")][:3]
        for k, code in enumerate(nationalities, start=1):
            _opt(elem, f"nationality{k}", _country(code))
        _opt(elem, "residence", _country(proxy.first("country")))
        self.contacts(elem, proxy)
        for email in proxy.get("email")[:3]:
            _opt(elem, "email", email)
        _opt(elem, "occupation", proxy.first("profession"))
        return elem

    def contacts(self, elem: Any, proxy: EntityProxy) -> None:
        phones = proxy.get("phone")
        if phones:
            box = _sub(elem, "phones")
            for phone in phones[:5]:
                one = _sub(box, "phone")
                try:
                    parsed = phonenumbers.parse(phone)
                    prefix, number = str(parsed.country_code), str(parsed.national_number)
                except phonenumbers.NumberParseException:
                    prefix, number = None, phone
                _opt(one, "tph_country_prefix", prefix)
                _sub(one, "tph_number", number)
        addresses = proxy.get("address")
        if addresses:
            box = _sub(elem, "addresses")
            for address in addresses[:5]:
                _sub(_sub(box, "address"), "address", address)

    def entity(self, parent: Any, tag: str, proxy: EntityProxy | None, name: str) -> Any:
        elem = _sub(parent, tag)
        _sub(elem, "name", proxy.first("name") if proxy is not None and proxy.first("name")
             else name)
        if proxy is None:
            return elem
        _opt(elem, "commercial_name", proxy.first("alias"))
        _opt(elem, "incorporation_legal_form", proxy.first("legalForm"))
        _opt(elem, "incorporation_number", proxy.first("registrationNumber"))
        self.contacts(elem, proxy)
        _opt(elem, "email", proxy.first("email"))
        _opt(elem, "incorporation_country_code",
             _country(proxy.first("jurisdiction") or proxy.first("country")))
        _opt(elem, "tax_number", proxy.first("taxNumber"))
        return elem

    def account(self, parent: Any, tag: str, number: str, rec: dict[str, Any], own: bool
                ) -> Any:
        """``number``'s account; ``rec`` is a record on its statement (``own``) or naming it
        as the counterparty."""
        elem = _sub(parent, tag)
        acc = self.m.accounts.get(number)
        holder = self.m.holders.get(number)
        bic = (acc.first("bic") if acc is not None else None) or \
            (None if own else rec.get("counterparty_bic"))
        _opt(elem, "institution_name", acc.first("bankName") if acc is not None else None)
        _opt(elem, "swift", bic)
        _sub(elem, "account", number)
        _opt(elem, "currency_code", (acc.first("currency") if acc is not None else None)
             or (rec.get("currency") if own else None))
        name = holder.first("name") if holder is not None else \
            (None if own else rec.get("counterparty_name"))
        _opt(elem, "account_name", name)
        _opt(elem, "iban", number if _iban_country(number) else None)
        if holder is not None and holder.first("name"):
            if holder.schema.is_a("Person"):
                sig = _sub(elem, "signatory")
                _sub(sig, "is_primary", "true")
                self.person(sig, "t_person", holder, holder.first("name") or "")
            else:
                self.entity(elem, "t_entity", holder, holder.first("name") or "")
        return elem

    def my_client(self, number: str | None) -> bool:
        acc = self.m.accounts.get(number or "")
        bic = (acc.first("bic") or "").upper() if acc is not None else ""
        return bool(bic) and any(bic.startswith(b) for b in self.p.my_client_bics)

    def side(self, tx_elem: Any, way: str, number: str | None, rec: dict[str, Any],
             own: bool, method: str) -> None:
        tag = f"t_{way}_my_client" if self.my_client(number) else f"t_{way}"
        elem = _sub(tx_elem, tag)
        _sub(elem, f"{way}_funds_code", self.p.funds.get(method) or self.p.funds.get("other")
             or method.upper())
        country = None
        if number:
            self.account(elem, f"{way}_account", number, rec, own)
            country = _iban_country(number) or (None if own else
                                                _country(rec.get("counterparty_country")))
        else:
            name = rec.get("counterparty_name") or UNNAMED
            self.entity(elem, f"{way}_entity", None, name)
            country = _country(rec.get("counterparty_country"))
        _opt(elem, f"{way}_country", country)

    # -- the report -----------------------------------------------------------------------

    def build(self, reference: str, action: str | None, now: datetime) -> tuple[Any, Written]:
        p, m = self.p, self.m
        root = etree.Element("report")
        _opt(root, "rentity_id", p.rentity_id)
        _opt(root, "rentity_branch", p.rentity_branch)
        _sub(root, "submission_code", p.submission_code)
        _sub(root, "report_code", p.report_code)
        _sub(root, "entity_reference", reference)
        _sub(root, "submission_date", _dt(now))
        _sub(root, "currency_code_local", p.currency_code_local)
        if p.reporting_person:
            rp = p.reporting_person
            person = _sub(root, "reporting_person")
            for key in ("gender", "title", "first_name", "last_name"):
                _opt(person, key, rp.get(key))
            if rp.get("phone"):
                phones = _sub(_sub(person, "phones"), "phone")
                _sub(phones, "tph_number", rp["phone"])
            _opt(person, "email", rp.get("email"))
            _opt(person, "occupation", rp.get("occupation"))
        _opt(root, "reason", self.reason())
        _opt(root, "action", action or p.action)
        numbers: set[str] = set()
        accounts: set[str] = set()
        count = 0
        for tx in pair_legs(m.records):
            self.transaction(root, tx, numbers, accounts)
            count += 1
        indicators = list(dict.fromkeys(
            [p.indicators[f.kind] for f in m.findings if f.kind in p.indicators]
            + list(p.default_indicators)))
        if indicators:
            box = _sub(root, "report_indicators")
            for code in indicators:
                _sub(box, "indicator", code)
        return root, Written(count, len(accounts), indicators, reference)

    def transaction(self, root: Any, tx: _Tx, numbers: set[str], accounts: set[str]) -> None:
        rec = tx.main
        debit = tx.debit
        if debit is not None:
            payer, payee = debit["account"], debit["counterparty_account"]
        else:
            payer, payee = rec["counterparty_account"], rec["account"]
        elem = _sub(root, "transaction")
        number = (debit or {}).get("ref") or (tx.credit or {}).get("ref") or rec["record_id"]
        base, k = number, 1
        while number in numbers:
            k += 1
            number = f"{base}/{k}"
        numbers.add(number)
        _sub(elem, "transactionnumber", number)
        _sub(elem, "internal_ref_number", rec["record_id"])
        location = self.location(payer if debit is not None else payee)
        _opt(elem, "transaction_location", location)
        _opt(elem, "transaction_description", rec.get("description"))
        _sub(elem, "date_transaction", _dt(rec["booking_date"]))
        if rec.get("value_date"):
            _sub(elem, "value_date", _dt(rec["value_date"]))
        method = rec.get("method") or "other"
        _sub(elem, "transmode_code", self.p.transmode.get(method)
             or self.p.transmode.get("other") or method.upper())
        _sub(elem, "amount_local", f"{self.amount(rec):.2f}")
        for way, num, own_rec in (("from", payer, debit), ("to", payee, tx.credit)):
            own = own_rec is not None
            self.side(elem, way, num, own_rec or rec, own, method)
            if num:
                accounts.add(num)

    def location(self, number: str | None) -> str | None:
        acc = self.m.accounts.get(number or "")
        bank = acc.first("bankName") if acc is not None else None
        country = _iban_country(number)
        return ", ".join(x for x in (bank, country) if x) or None

    def amount(self, rec: dict[str, Any]) -> Decimal:
        local = self.p.currency_code_local
        if (rec.get("currency") or "").upper() == local:
            return abs(Decimal(rec["amount"]))
        if local == "EUR" and rec.get("amount_eur") is not None:
            return abs(Decimal(rec["amount_eur"]))
        raise VerigaError(f"transaction {rec.get('ref') or rec['record_id']} is in "
                          f"{rec.get('currency')}, the FIU's local currency is {local} and "
                          "no rate is known; the report was not written")

    def reason(self) -> str | None:
        parts = []
        for f in self.m.findings:
            review = f.review
            when = review.at.date().isoformat() if review.at else ""
            head = f"{f.kind} {f.title}".strip()
            parts.append(f"{head} (finding {f.id}, score {f.score:.2f}; confirmed by "
                         f"{review.by or 'unknown'} {when}: {review.reason or ''}). "
                         f"{f.explanation}")
        text = " ".join(parts)
        if len(text) <= MAX_REASON:
            return text or None
        kept: list[str] = []
        for k, part in enumerate(parts):
            rest = len(parts) - k
            tail = f" And {rest} further finding(s): " + ", ".join(
                f.id for f in self.m.findings[k:])
            if len(" ".join([*kept, part])) + len(tail) > MAX_REASON:
                return (" ".join(kept) + tail)[:MAX_REASON]
            kept.append(part)
        return " ".join(kept)[:MAX_REASON]


def build_report(material: Material, profile: Profile, reference: str,
                 action: str | None = None, now: datetime | None = None
                 ) -> tuple[Any, Written]:
    """The ``<report>`` element and what it holds; :class:`Invalid` when the profile or
    the schema refuses it."""
    if not material.records:
        raise VerigaError("the findings rest on no transaction the report may hold; "
                          "nothing was written")
    root, written = _Builder(material, profile).build(
        reference, action, now or datetime.now(UTC))
    found = problems(root, profile)
    if found:
        raise Invalid(found)
    return root, written


@dataclass(frozen=True)
class GoAML(Exporter):
    """A goAML report from confirmed findings (``--finding``), not from a set of entities."""

    from_findings: ClassVar[bool] = True

    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        raise VerigaError("goaml builds a report from confirmed findings: give them with "
                          "veriga export --format goaml --finding ID")

    def write_report(self, material: Material, out: Path, profile: Profile, reference: str,
                     action: str | None = None, now: datetime | None = None) -> Written:
        """Build, check and write the report (atomically: all or nothing)."""
        root, written = build_report(material, profile, reference, action, now)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, out)
        return written


GOAML = GoAML("goaml", "goaml.xml", "application/xml",
              "goAML suspicious-transaction report from confirmed findings (--finding ID)")

__all__ = ["GOAML", "GoAML", "Invalid", "Material", "Written", "build_report", "pair_legs"]
