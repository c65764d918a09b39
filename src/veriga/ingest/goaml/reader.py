"""goAML reports (UNODC's XML for suspicious and other transaction reports to an FIU).

Read as a stream with lxml's ``iterparse``: entities are not resolved, no DTD or network
resource is loaded, libxml2's limits stay on (``huge_tree`` off), a DOCTYPE is refused
before parsing and nesting is bounded by ``max_depth``. Each child of ``<report>`` (the
header fields, each ``<transaction>``, ``<activity>``, ``<report_indicators>``) is read and
then dropped.

What becomes of it (docs/finance.md#goaml):

- the header, the reason, the action and the indicators: an ``Event`` (the report) that
  involves every party of it;
- persons (``t_person``): ``Person`` with an ``Identification`` per identity document;
  entities (``t_entity``): ``Company`` with a ``Directorship`` per ``director_id``;
  accounts (``t_account``): ``BankAccount`` (id as bank statements give it, so both meet),
  with an ``Ownership`` from its ``t_entity`` and from each signatory;
- each transaction with a known direction: a ``Payment`` between the two parties and their
  accounts, and ``transaction`` records for the finance ledger, one per account it touches
  (the debit of the paying account and the credit of the receiving one, which the ledger
  pairs as the two legs of one transfer); a multi-party transaction whose roles give no
  direction: an ``Event`` involving its parties, kept out of the ledger with a warning.

Every value that cannot be read is a reject at its element's line and path; a transaction
without a valid date or amount is rejected whole (its parties are still read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
from lxml import etree

from veriga.ingest.base import Draft, ImportContext, Importer, Item, RecordBatch
from veriga.ingest.goaml.profile import Profile, ProfileError, load_profile
from veriga.ingest.guards import check_xml_text
from veriga.ingest.xmlsafe import (
    DTD_REFUSED,
    HEAD,
    fields,
    has_doctype,
    kid,
    kids,
    local,
    text,
)
from veriga.model.currency import fits
from veriga.model.ids import make_id
from veriga.model.normalize import Rejected, normalize_account
from veriga.model.records import TRANSACTION

MAX_AMOUNT = Decimal(10) ** 15  # the records keep 18 digits, 3 of them decimals
MIN_DATE = date(1900, 1, 1)
PARTY_KINDS = {"person": "person", "person_my_client": "person", "account": "account",
               "account_my_client": "account", "entity": "entity", "entity_my_client": "entity"}
HEADER = ("rentity_id", "rentity_branch", "submission_code", "report_code", "entity_reference",
          "fiu_ref_number", "submission_date", "currency_code_local", "reason", "action")


@dataclass
class Party:
    """One side of a transaction, or a party of a report, as read."""

    kind: str  # person | entity | account
    id: str  # its entity id (the account's, for an account)
    name: str | None = None  # the person's or entity's name, an account's holder
    holder_id: str | None = None  # an account's holder entity
    account: str | None = None  # an account's number, normalised
    bic: str | None = None
    country: str | None = None
    funds: str | None = None  # funds code of this side
    my_client: bool = False


def _loc(elem: Any, path: str) -> str:
    return f"line {elem.sourceline}, {path}"


class GoAMLImporter(Importer):
    name = "veriga.ingest.goaml"
    version = "1"
    format = "goaml"
    media_type = "application/xml"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if b"<rentity_id" in head and (b"<report>" in head or b"<report " in head
                                       or b":report" in head):
            return 95
        return 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        try:
            profile = load_profile(ctx.options.get("goaml_profile"))
        except ProfileError as exc:
            raise ctx.fail(None, str(exc)) from None
        with ctx.path.open("rb") as fh:
            check_xml_text(ctx.file_name, fh, ctx.limits)
            fh.seek(0)
            if has_doctype(fh.read(HEAD)):
                raise ctx.fail(None, DTD_REFUSED)
        reader = _Report(ctx, profile)
        try:
            with ctx.path.open("rb") as fh:
                yield from reader.run(fh)
        except etree.XMLSyntaxError as exc:
            line = exc.lineno or 1
            # one line: libxml2 quotes the offending text, line breaks included
            reason = " ".join(str(exc.msg or "").split(", line ")[0].split()) or \
                "no element found"
            raise ctx.fail(f"line {line}", f"malformed or truncated XML: {reason}") from None
        except LookupError as exc:
            raise ctx.fail(None, f"the XML declares an encoding that cannot be read ({exc})"
                           ) from None
        yield from reader.finish()


class _Report:
    """The state of one report while its elements stream by."""

    def __init__(self, ctx: ImportContext, profile: Profile) -> None:
        self.ctx, self.profile = ctx, profile
        self.header: dict[str, str] = {}
        self.header_loc = "line 1, /report"
        self.involved: list[str] = []
        self.indicators: list[str] = []
        self.rows: dict[str, list[Any]] = {f.name: [] for f in TRANSACTION.schema}
        self.row_currency: list[int] = []  # rows written before currency_code_local
        self.values: dict[str, set[tuple[str, str]]] = {}  # entity id -> values yielded
        self.numbers: dict[str, str] = {}  # transactionnumber -> locator of its first
        self.counts: dict[str, int] = {}
        self.index = 0
        self.reporting: str | None = None

    # -- the stream ---------------------------------------------------------------------

    def run(self, fh: Any) -> Iterator[Draft]:
        events = etree.iterparse(
            fh, events=("start", "end"), resolve_entities=False, no_network=True,
            load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
        depth, root = 0, None
        limit = self.ctx.limits.max_depth
        for event, elem in events:
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                    if elem.getroottree().docinfo.doctype:
                        raise self.ctx.fail(None, DTD_REFUSED)
                    if local(elem.tag) != "report":
                        raise self.ctx.fail("line 1", f"not a goAML report: the root element "
                                                      f"is {local(elem.tag)!r}, not 'report'")
                    self.header_loc = _loc(elem, "/report")
                if depth > limit:
                    raise self.ctx.fail(f"line {elem.sourceline}",
                                        f"XML nested deeper than {limit} elements (max_depth); "
                                        "refused")
                continue
            depth -= 1
            if depth != 1:
                continue
            yield from self._child(elem)
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del elem.getparent()[0]
        if root is None:
            raise self.ctx.fail(None, "no XML content")

    def _child(self, elem: Any) -> Iterator[Draft]:
        name = local(elem.tag)
        n = self.counts[name] = self.counts.get(name, 0) + 1
        path = f"/report/{name}[{n}]"
        if name in HEADER:
            value = " ".join((elem.text or "").split())
            if value:
                self.header[name] = value
        elif name == "reporting_person":
            yield from self._reporting_person(elem, path)
        elif name == "transaction":
            yield from self._transaction(elem, path)
        elif name == "activity":
            yield from self._activity(elem, path)
        elif name == "report_indicators":
            self.indicators += [" ".join(i.text.split()) for i in kids(elem, "indicator")
                                if i.text and i.text.strip()]
        if self.index and self.index % 2000 == 0:
            self.ctx.progress(0)

    def finish(self) -> Iterator[Item]:
        """The report's event and the ledger rows, once the whole file is read."""
        ctx, h = self.ctx, self.header
        currency = (h.get("currency_code_local") or "").upper() or None
        if self.row_currency:
            if currency is None:
                raise ctx.fail(self.header_loc, "the report gives no currency_code_local; "
                                                "its transactions have no currency")
            for i in self.row_currency:
                self.rows["currency"][i] = currency
                if currency == "EUR":
                    self.rows["amount_eur"][i] = self.rows["amount"][i]
        for key in ("rentity_id", "report_code", "submission_date"):
            if key not in h:
                ctx.warn(self.header_loc, key, None, f"the report has no {key}")
        report_id = make_id("goaml-report", h.get("rentity_id"), h.get("entity_reference"),
                            h.get("fiu_ref_number"), h.get("submission_date"),
                            self.ctx.file_name if not h.get("entity_reference") else None)
        event = Draft("Event", report_id, self.header_loc)
        code = h.get("report_code", "report")
        event.add("name", f"goAML {code} {h.get('entity_reference') or ''}".strip())
        event.add("date", self._date(h.get("submission_date"), self.header_loc,
                                     "submission_date", reject=False))
        event.add("recordId", h.get("entity_reference"))
        event.add("publisher", f"reporting entity {h['rentity_id']}"
                  if h.get("rentity_id") else None)
        event.add("summary", h.get("reason"))
        event.add("description", h.get("action"))
        event.add("notes", f"FIU reference {h['fiu_ref_number']}"
                  if h.get("fiu_ref_number") else None)
        for indicator in self.indicators:
            event.add("keywords", indicator)
        for entity_id in dict.fromkeys(self.involved):
            event.add("involved", entity_id)
        if self.reporting:
            event.add("organizer", self.reporting)
        yield event
        if self.rows["record_id"]:
            arrays = [pa.array(self.rows[f.name], f.type) for f in TRANSACTION.schema]
            yield RecordBatch("transaction", pa.Table.from_arrays(arrays,
                                                                  schema=TRANSACTION.schema))
        self.ctx.progress(self.ctx.path.stat().st_size)

    # -- helpers ------------------------------------------------------------------------

    def _emit(self, draft: Draft) -> Iterator[Draft]:
        """The draft with only the values not yet given for its entity (each statement keeps
        the element it was first read from)."""
        seen = self.values.get(draft.id)
        if seen is None:
            self.values[draft.id] = set(draft.values)
            yield draft
            return
        new = [v for v in draft.values if v not in seen]
        if new:
            seen.update(new)
            draft.values = new
            yield draft

    def _date(self, raw: str | None, loc: str, field: str, reject: bool = True
              ) -> str | None:
        """An ISO date of a goAML date or dateTime; a bad one is a reject at ``loc``."""
        if raw is None:
            return None
        head = raw[:10]
        try:
            day = date.fromisoformat(head)
            if len(raw) > 10 and raw[10] not in "T ":
                raise ValueError(raw)
        except ValueError:
            if reject:
                self.ctx.reject(loc, field, raw, "not a valid date (YYYY-MM-DD or "
                                                 "YYYY-MM-DDThh:mm:ss)")
            return None
        return day.isoformat()

    def _account_number(self, raw: str | None, loc: str, field: str) -> tuple[str | None, bool]:
        """(number, is a valid IBAN-or-plain number); a bad IBAN is reported and kept as
        written (compacted), as bank statements keep it."""
        if not raw:
            return None, False
        try:
            return normalize_account(raw), True
        except Rejected as exc:
            self.ctx.reject(loc, field, raw, f"{exc}; kept as written")
            return "".join(raw.split()).upper() or None, False

    # -- parties ------------------------------------------------------------------------

    def _person(self, elem: Any, path: str) -> tuple[Draft, list[Draft]]:
        f = fields(elem)
        loc = _loc(elem, path)
        first, middle, last = (f.get("first_name"), f.get("middle_name"),
                               f.get("last_name"))
        name = " ".join(p for p in (first, middle, last) if p) or f.get("alias")
        ssn, id_number = f.get("ssn"), f.get("id_number")
        passport = f.get("passport_number")
        birth = f.get("birthdate")
        key = (("ssn", ssn) if ssn else ("id", id_number) if id_number else
               ("passport", passport) if passport else
               ("name", (name or "").upper(), birth or ""))
        person = Draft("Person", make_id("goaml-person", *key), loc)
        if name is None:
            self.ctx.reject(loc, "last_name", None, "person without a name; kept with the "
                                                    "values it has")
        person.add("name", name)
        person.add("firstName", first)
        person.add("middleName", middle)
        person.add("lastName", last)
        person.add("title", f.get("title"))
        gender = f.get("gender")
        if gender:
            found = self.profile.gender_of(gender)
            if found is None:
                self.ctx.reject(loc, "gender", gender, "not a gender code of the profile "
                                f"({', '.join(self.profile.gender.values())})")
            person.add("gender", found)
        if birth:
            person.add("birthDate", self._date(birth, _loc(kid(elem, "birthdate"),
                                                            f"{path}/birthdate"), "birthdate"))
        person.add("birthPlace", f.get("birth_place"))
        person.add("motherName", f.get("mothers_name"))
        person.add("alias", f.get("alias") if first or last else None)
        person.add("socialSecurityNumber", ssn)
        person.add("idNumber", id_number)
        person.add("passportNumber", passport)
        for n in ("nationality1", "nationality2", "nationality3"):
            person.add("nationality", f.get(n))
        person.add("country", f.get("residence"))
        self._contacts(person, elem)
        person.add("profession", f.get("occupation"))
        person.add("taxNumber", f.get("tax_number"))
        person.add("notes", f.get("comments"))
        extra: list[Draft] = []
        for k, ident in enumerate(kids(elem, "identification"), start=1):
            ident_loc = _loc(ident, f"{path}/identification[{k}]")
            number = text(ident, "number")
            if not number:
                self.ctx.reject(ident_loc, "number", None, "identification without a "
                                                           "number; left out")
                continue
            kind = text(ident, "type")
            country = text(ident, "issue_country") or text(ident, "issuing_country")
            doc = Draft("Identification", make_id("goaml-id", person.id, kind, number, country),
                        ident_loc)
            doc.add("holder", person.id)
            doc.add("type", kind)
            doc.add("number", number)
            doc.add("country", country)
            doc.add("authority", text(ident, "issued_by"))
            for field, prop in (("issue_date", "startDate"), ("expiry_date", "endDate")):
                value = text(ident, field)
                if value:
                    doc.add(prop, self._date(value, ident_loc, field))
            extra.append(doc)
        return person, extra

    def _contacts(self, draft: Draft, elem: Any) -> None:
        for phones in kids(elem, "phones"):
            for phone in kids(phones, "phone"):
                number = text(phone, "tph_number")
                if not number:
                    continue
                prefix = (text(phone, "tph_country_prefix") or "").lstrip("+")
                prefix = prefix[2:] if prefix.startswith("00") else prefix
                draft.add("phone", f"+{prefix} {number}" if prefix else number)
        for addresses in kids(elem, "addresses"):
            for address in kids(addresses, "address"):
                parts = [text(address, f) for f in ("address", "zip", "town", "city", "state")]
                country = text(address, "country_code")
                line = ", ".join(p for p in parts if p)
                draft.add("address", f"{line}, {country}" if line and country else line)
        for email in kids(elem, "email"):
            draft.add("email", " ".join((email.text or "").split()) or None)

    def _entity(self, elem: Any, path: str) -> tuple[Draft, list[Draft]]:
        f = fields(elem)
        loc = _loc(elem, path)
        name = f.get("name")
        number = f.get("incorporation_number")
        country = f.get("incorporation_country_code")
        key = ("reg", (country or "").upper(), number) if number else \
            ("name", (name or "").upper())
        company = Draft("Company", make_id("goaml-entity", *key), loc)
        if name is None:
            self.ctx.reject(loc, "name", None, "entity without a name; kept with the values "
                                               "it has")
        company.add("name", name)
        company.add("alias", f.get("commercial_name"))
        company.add("legalForm", f.get("incorporation_legal_form"))
        company.add("registrationNumber", number)
        company.add("jurisdiction", country)
        company.add("sector", f.get("business"))
        company.add("taxNumber", f.get("tax_number"))
        company.add("website", f.get("url"))
        incorporated = f.get("incorporation_date")
        if incorporated:
            company.add("incorporationDate", self._date(incorporated, loc,
                                                        "incorporation_date"))
        self._contacts(company, elem)
        company.add("notes", f.get("comments"))
        extra: list[Draft] = []
        for k, director in enumerate(kids(elem, "director_id"), start=1):
            d_path = f"{path}/director_id[{k}]"
            person, more = self._person(director, d_path)
            role = text(director, "role")
            link = Draft("Directorship", make_id("goaml-director", person.id, company.id,
                                                 role), _loc(director, d_path))
            link.add("director", person.id)
            link.add("organization", company.id)
            link.add("role", role or "director")
            extra += [person, *more, link]
        return company, extra

    def _account(self, elem: Any, path: str) -> tuple[Party, list[Draft]]:
        f = fields(elem)
        loc = _loc(elem, path)
        iban_raw, number_raw = f.get("iban"), f.get("account")
        number, valid = self._account_number(iban_raw or number_raw, loc,
                                             "iban" if iban_raw else "account")
        if number is None:
            self.ctx.reject(loc, "account", None, "account without a number; left out")
            number = make_id("goaml-unnumbered", f.get("institution_name"),
                             f.get("account_name"), loc)
            valid = False
        acc = Draft("BankAccount", make_id("account", number), loc)
        is_iban = valid and len(number) >= 15 and number[:2].isalpha() and number[2:4].isdigit()
        acc.add("iban" if is_iban else "accountNumber", number)
        if iban_raw and number_raw and "".join(number_raw.split()).upper() != number:
            acc.add("accountNumber", number_raw)
        acc.add("bankName", f.get("institution_name"))
        bic = f.get("swift")
        acc.add("bic", bic)
        acc.add("currency", f.get("currency_code"))
        acc.add("name", f.get("account_name"))
        acc.add("accountType", f.get("personal_account_type"))
        acc.add("notes", f.get("comments"))
        for field, prop in (("opened", "openingDate"), ("closed", "closingDate")):
            value = f.get(field)
            if value:
                acc.add(prop, self._date(value, loc, field))
        party = Party("account", acc.id, account=number, bic=bic,
                      country=number[:2] if is_iban else None)
        extra: list[Draft] = []
        holder = kid(elem, "t_entity")
        if holder is not None:
            company, more = self._entity(holder, f"{path}/t_entity")
            own = Draft("Ownership", make_id("ownership", company.id, acc.id), company.locator)
            own.add("owner", company.id)
            own.add("asset", acc.id)
            own.add("role", "account holder")
            extra += [company, *more, own]
            party.holder_id, party.name = company.id, _name(company)
        signatories = []
        for k, sig in enumerate(kids(elem, "signatory"), start=1):
            s_path = f"{path}/signatory[{k}]"
            person_elem = kid(sig, "t_person")
            if person_elem is None:
                self.ctx.reject(_loc(sig, s_path), "t_person", None,
                                "signatory without a person; left out")
                continue
            person, more = self._person(person_elem, f"{s_path}/t_person")
            primary = (text(sig, "is_primary") or "").lower() in ("true", "1")
            role = text(sig, "role")
            own = Draft("Ownership", make_id("ownership", person.id, acc.id), _loc(sig, s_path))
            own.add("owner", person.id)
            own.add("asset", acc.id)
            own.add("role", "primary signatory" if primary else "signatory")
            own.add("description", f"goAML signatory role {role}" if role else None)
            extra += [person, *more, own]
            signatories.append((not primary, k, person))
        if party.holder_id is None and signatories:
            person = min(signatories, key=lambda s: s[:2])[2]
            party.holder_id, party.name = person.id, _name(person)
        if party.name is None:
            party.name = f.get("account_name")
        return party, [acc, *extra]

    def _side(self, elem: Any, path: str, prefix: str) -> tuple[Party | None, list[Draft]]:
        """``t_from``/``t_to`` (or their ``_my_client`` forms), or a multi-party ``party``
        (``prefix`` empty): the account, person or entity with its funds code and country."""
        f = fields(elem)
        found = None
        for child in elem:
            name = local(child.tag)
            base = name[len(prefix):] if prefix and name.startswith(prefix) else name
            if base in PARTY_KINDS:
                found = (PARTY_KINDS[base], child, name)
                break
        if found is None:
            self.ctx.reject(_loc(elem, path), local(elem.tag), None,
                            "names no account, person or entity")
            return None, []
        kind, child, name = found
        c_path = f"{path}/{name}"
        if kind == "account":
            party, drafts = self._account(child, c_path)
        elif kind == "person":
            person, drafts = self._person(child, c_path)
            drafts.insert(0, person)
            party = Party("person", person.id, name=_name(person), holder_id=person.id)
        else:
            company, drafts = self._entity(child, c_path)
            drafts.insert(0, company)
            party = Party("entity", company.id, name=_name(company), holder_id=company.id)
        party.funds = f.get(f"{prefix}funds_code")
        party.country = f.get(f"{prefix}country") or party.country
        party.my_client = local(elem.tag).endswith("_my_client") or name.endswith("_my_client")
        return party, drafts

    def _reporting_person(self, elem: Any, path: str) -> Iterator[Draft]:
        person, extra = self._person(elem, path)
        self.reporting = person.id
        for draft in (person, *extra):
            yield from self._emit(draft)

    # -- transactions ---------------------------------------------------------------------

    def _transaction(self, elem: Any, path: str) -> Iterator[Draft]:
        f = fields(elem)
        ctx = self.ctx
        loc = _loc(elem, path)
        number = f.get("transactionnumber")
        if number is None:
            ctx.reject(loc, "transactionnumber", None, "transaction without a "
                                                       "transactionnumber; read as the "
                                                       f"report's transaction {path}")
        elif number in self.numbers:
            ctx.reject(loc, "transactionnumber", number,
                       f"the report already has transaction {number} ({self.numbers[number]}); "
                       "this one kept out of the ledger")
        if number is not None and number not in self.numbers:
            self.numbers[number] = loc
            duplicate = False
        else:
            duplicate = number is not None
        sides: dict[str, Party | None] = {"from": None, "to": None}
        drafts: list[Draft] = []
        others: list[Party] = []
        for direction in ("from", "to"):
            for tag in (f"t_{direction}_my_client", f"t_{direction}"):
                side = kid(elem, tag)
                if side is not None:
                    party, more = self._side(side, f"{path}/{tag}", f"{direction}_")
                    sides[direction] = party
                    drafts += more
                    break
        involved = kid(elem, "involved_parties")
        if involved is not None:
            for k, item in enumerate(kids(involved, "party"), start=1):
                party, more = self._side(item, f"{path}/involved_parties/party[{k}]", "")
                drafts += more
                if party is None:
                    continue
                way = self.profile.role_direction(text(item, "role"))
                if way and sides[way] is None:
                    sides[way] = party
                else:
                    others.append(party)
        for draft in drafts:
            yield from self._emit(draft)
        parties = [p for p in (sides["from"], sides["to"], *others) if p is not None]
        self.involved += [p.holder_id or p.id for p in parties]
        when = self._field_date(elem, path, "date_transaction")
        amount = self._amount(elem, path)
        value_date = self._field_date(elem, path, "value_date") \
            if kid(elem, "value_date") is not None else None
        if when is None or amount is None or duplicate:
            if when is None and kid(elem, "date_transaction") is None:
                ctx.reject(loc, "date_transaction", None, "transaction without a date; "
                                                          "left out of the ledger")
            return
        code = f.get("transmode_code")
        method = self.profile.method_of(code)
        if code and method is None:
            ctx.warn(loc, "transmode_code", code, "not a transmode code of the profile; "
                                                  "read as 'other'")
        payer, payee = sides["from"], sides["to"]
        if method is None:
            method = self.profile.method_of(payer.funds if payer else None, funds=True) \
                or self.profile.method_of(payee.funds if payee else None, funds=True) \
                or "other"
        ref = number or path
        description = f.get("transaction_description")
        currency = (self.header.get("currency_code_local") or "").upper() or None
        if payer is None or payee is None or others:
            what = ("has parties whose role gives no direction" if others else
                    "names no " + ("payer" if payer is None else "payee"))
            ctx.warn(loc, "involved_parties" if involved is not None else "t_from",
                     None, f"transaction {ref} {what}; kept as an event, out of the ledger")
            event = Draft("Event", make_id("goaml-transaction", self.ctx.source_id, path), loc)
            event.add("name", f"goAML transaction {ref}")
            event.add("date", when.isoformat())
            event.add("summary", f"{amount} {currency or ''}".strip())
            event.add("description", description)
            for party in parties:
                event.add("involved", party.holder_id or party.id)
            yield event
            return
        pay = Draft("Payment", make_id("goaml-payment", self.ctx.source_id, path), loc)
        pay.add("payer", payer.holder_id)
        pay.add("beneficiary", payee.holder_id)
        pay.add("payerAccount", payer.id if payer.kind == "account" else None)
        pay.add("beneficiaryAccount", payee.id if payee.kind == "account" else None)
        pay.add("amount", f"{amount:.2f}")
        pay.add("currency", currency)
        pay.add("date", when.isoformat())
        pay.add("transactionNumber", number)
        pay.add("recordId", f.get("internal_ref_number"))
        pay.add("purpose", description)
        pay.add("description", f.get("comments"))
        location = f.get("transaction_location")
        pay.add("summary", "; ".join(p for p in (
            method, f"transmode {code}" if code else None,
            f"location {location}" if location else None) if p))
        yield pay
        for own, other, sign in ((payer, payee, -1), (payee, payer, 1)):
            if own.kind == "account":
                self._row(loc, own, other, sign * amount, when, value_date, currency, ref,
                          method, description)

    def _field_date(self, elem: Any, path: str, field: str) -> date | None:
        node = kid(elem, field)
        if node is None or not (node.text or "").strip():
            return None
        raw = node.text.strip()
        where = _loc(node, f"{path}/{field}")
        iso = self._date(raw, where, field)
        if iso is None:
            return None
        day = date.fromisoformat(iso)
        if not MIN_DATE <= day <= date.today().replace(year=date.today().year + 1):
            self.ctx.reject(where, field, raw, "date out of range (1900 to next year)")
            return None
        return day

    def _amount(self, elem: Any, path: str) -> Decimal | None:
        node = kid(elem, "amount_local")
        loc = _loc(elem, path)
        if node is None or not (node.text or "").strip():
            self.ctx.reject(loc, "amount_local", None, "transaction without an amount; left "
                                                       "out of the ledger")
            return None
        raw = node.text.strip()
        where = _loc(node, f"{path}/amount_local")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value <= 0:
            self.ctx.reject(where, "amount_local", raw, "not a positive amount; transaction "
                                                        "left out of the ledger")
            return None
        currency = (self.header.get("currency_code_local") or "").upper() or None
        if not fits(value, currency or "EUR") or value >= MAX_AMOUNT:
            self.ctx.reject(where, "amount_local", raw, "amount has more decimals than its "
                                                        "currency or is too large to keep "
                                                        "exactly; transaction left out of "
                                                        "the ledger")
            return None
        return value + 0

    def _row(self, loc: str, own: Party, other: Party, amount: Decimal, when: date,
             value_date: date | None, currency: str | None, ref: str, method: str,
             description: str | None) -> None:
        self.index += 1
        if currency is None:
            self.row_currency.append(len(self.rows["record_id"]))
        cp_account = other.account if other.kind == "account" else None
        values = {
            "record_id": f"{self.ctx.source_id}:{self.index}", "source_id": self.ctx.source_id,
            "locator": loc, "account": own.account, "ref": ref, "booking_date": when,
            "value_date": value_date, "amount": amount, "currency": currency,
            "amount_eur": amount if currency == "EUR" else None,
            "counterparty_account": cp_account, "counterparty_name": other.name,
            "counterparty_bic": other.bic, "counterparty_country": other.country,
            "method": method, "description": description, "balance_after": None,
        }
        for key, value in values.items():
            self.rows[key].append(value)

    # -- activity reports -------------------------------------------------------------------

    def _activity(self, elem: Any, path: str) -> Iterator[Draft]:
        parties = kid(elem, "report_parties")
        if parties is None:
            return
        for k, item in enumerate(kids(parties, "report_party"), start=1):
            party, drafts = self._side(item, f"{path}/report_parties/report_party[{k}]", "")
            for draft in drafts:
                yield from self._emit(draft)
            if party is not None:
                self.involved.append(party.holder_id or party.id)
                if party.kind == "account":
                    self.involved.append(party.id)


def _name(draft: Draft) -> str | None:
    for prop, value in draft.values:
        if prop == "name":
            return value
    return None
