"""The labour case: the companies, people, roles, accounts, contracts, workers and payroll of
a case, read once from its entities into plain tables the detectors share.

A company is one *firm*, keyed ``COUNTRY:REGISTRATION`` (``?:REG`` where no record gives its
country and no other firm has that number): the register, the BODS statements, the A1
declarations, the payroll and the invoices name the same company by its registration number,
each in its own file. People are keyed by their entity id; a worker of the A1 declarations
and of the payroll by name, folded as the resolution folds it (script, case, accents,
spellings and endings, order of the names) so that ``JABŁONSKI WOJCIECH`` and ``Wojciech
Jabłonski``, or ``Павлов Георги`` and ``PAVLOV GEORGI``, are one worker; other records of
a person (bookings, call subscribers) join a worker by that name, by one typo, or by an
initial for one of the names where only one worker fits.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import pyarrow as pa
from followthemoney import EntityProxy

from veriga.model.holdings import holdings
from veriga.resolve.link import dates_agree
from veriga.resolve.names import person_key

#: What the family reads (besides the bulk records).
SCHEMATA = ("Company", "Organization", "LegalEntity", "Person", "Directorship", "Ownership",
            "BankAccount", "Employment", "Payment", "Contract", "ContractAward", "Event",
            "UnknownLink", "Trip", "Address")

HOUSING_WORDS = ("HOUSING", "ACCOMMODATION", "RENT", "DORMITORY", "MAJOITUS", "MAJUTUS",
                 "ĪRE", "NAKTSMĪTNE", "ЖИЛЬЕ", "КВАРТИРА", "NOCLEG", "ZAKWATEROWANIE")
TRANSPORT_WORDS = ("TRANSPORT", "TRAVEL", "BUS", "KULJETUS", "TRANSPORTS", "ТРАНСПОРТ",
                   "DOJAZD", "PRZEJAZD")


def reg_key(reg: str | None) -> str:
    """A registration number as compared: upper case, spaces out (the SQL does the same)."""
    return (reg or "").strip().replace(" ", "").upper()


def fold(name: str | None) -> str:
    """A person's name as compared: case and accents folded, parts sorted."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("ł", "l").replace("ø", "o").replace("đ", "d")
    return " ".join(sorted(re.findall(r"\w+", text)))


def day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def amount(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except (InvalidOperation, TypeError):
        return None


def worker_fold(name: str | None) -> str:
    """A worker's name as compared: the resolution's person key (romanised from any script,
    the spellings of one sound and the inflectional endings folded, the parts sorted), so
    that ``Павлов Георги`` in a booking and ``PAVLOV GEORGI`` on an A1 form are one worker;
    :func:`fold` where it gives none."""
    if not name:
        return ""
    return person_key(name).key or fold(name)


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one inserted, deleted or changed letter,
    or two neighbouring letters swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    swapped = len(a) == len(b) and a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]
    return a[i + 1:] == b[i + 1:] or a[i:] == b[i + 1:] or a[i + 1:] == b[i:] or swapped


def _initialled(parts: list[str], by_token: dict[str, set[str]]) -> str | None:
    """The one worker a name with one initial can be (``V. Kravchenko``): the other parts
    the same, the worker's remaining part starting with the initial."""
    initial = [p for p in parts if len(p) == 1]
    full = [p for p in parts if len(p) > 1]
    if len(initial) != 1 or not full or min(map(len, full)) < 4:
        return None
    found = set()
    for w in by_token.get(full[0], ()):
        rest = w.split()
        if len(rest) != len(parts) or not all(t in rest for t in full):
            continue
        for t in full:
            rest.remove(t)
        if rest[0].startswith(initial[0]):
            found.add(w)
    return found.pop() if len(found) == 1 else None


def near(key: str, by_token: dict[str, set[str]]) -> str | None:
    """The one worker whose folded name has the same parts as ``key`` but one, which differs
    from its part by a single letter or two swapped ones (a clerk's typo), among names of
    two or three parts of at least four letters; or the one worker a name with an initial
    for one part can be."""
    parts = key.split()
    if not 2 <= len(parts) <= 3:
        return None
    if min(map(len, parts)) == 1:
        return _initialled(parts, by_token)
    if min(map(len, parts)) < 4:
        return None
    found = set()
    for token in parts:
        for w in by_token.get(token, ()):
            others, theirs = list(parts), w.split()
            if len(theirs) != len(parts):
                continue
            others.remove(token)
            rest = list(theirs)
            rest.remove(token)
            if all(_one_edit(x, y) for x, y in zip(sorted(others), sorted(rest), strict=True)):
                found.add(w)
    return found.pop() if len(found) == 1 else None


def address_key(text: str | None) -> str:
    """An address as compared: case, accents and punctuation folded."""
    return " ".join(fold(text).split()) if text else ""


@dataclass
class Firm:
    key: str
    reg: str
    country: str
    name: str = ""
    entity_ids: list[str] = field(default_factory=list)
    founded: date | None = None
    dissolved: date | None = None
    address: str = ""
    employees: int | None = None  # headcount declared to the register or tax office
    turnover: Decimal | None = None  # last annual turnover declared, EUR
    vat: str = ""
    sector: str = ""
    status: str = ""

    @property
    def entity_id(self) -> str:
        return self.entity_ids[0] if self.entity_ids else self.key


@dataclass
class Posting:
    """One A1 / posting declaration: a worker sent by a firm to a host country."""

    entity_id: str
    worker: str  # folded worker key
    worker_id: str  # the Person entity
    sender: str  # firm key
    host_firm: str | None
    host_country: str | None
    site: str | None
    start: date | None
    end: date | None
    employed_since: date | None = None
    record: str = ""  # the declaration's number


@dataclass
class Pay:
    """One payroll payment to a worker, with what the payroll deducted for housing and
    transport (deduction payments from the worker to the firm in the same month)."""

    entity_id: str
    firm: str
    worker: str
    worker_id: str
    month: str
    net: Decimal
    account: str | None = None
    housing: Decimal = Decimal(0)
    transport: Decimal = Decimal(0)
    deduction_ids: list[str] = field(default_factory=list)
    gross: Decimal | None = None  # before tax, contributions and deductions (a Payslip's)
    hours: Decimal | None = None  # hours the slip pays for, overtime included
    working_time: Decimal | None = None  # share of full time (1 = full time)


@dataclass
class Contract:
    entity_id: str
    ref: str
    client: str | None
    contractor: str | None
    signed: date | None
    signed_country: str | None
    value: Decimal | None
    start: date | None
    end: date | None
    award_ids: list[str] = field(default_factory=list)


@dataclass
class LabourCase:
    """The case's labour facts, by firm."""

    firms: dict[str, Firm] = field(default_factory=dict)
    people: dict[str, EntityProxy] = field(default_factory=dict)
    #: (firm, person entity id, "director" | "owner", the link's entity id)
    roles: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: account number -> ("firm" | "person", firm key or person id)
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)
    postings: list[Posting] = field(default_factory=list)
    pays: list[Pay] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    #: firm -> register events (date, event, value, entity id)
    events: dict[str, list[tuple[date, str, str, str]]] = field(default_factory=dict)
    #: worker key -> phones; person id -> worker key
    phones: dict[str, set[str]] = field(default_factory=dict)
    worker_of: dict[str, str] = field(default_factory=dict)
    #: worker key -> trips (entity id, arrival country, date)
    trips: dict[str, list[tuple[str, str, date]]] = field(default_factory=dict)
    worker_names: dict[str, str] = field(default_factory=dict)
    #: name key -> the one firm of that name
    firm_named: dict[str, str] = field(default_factory=dict)

    #: folded name -> the one director or owner of a firm of that name
    person_named: dict[str, str] = field(default_factory=dict)

    def name_account(self, account: str, name: str) -> None:
        """An account a statement names: a firm's if the name is one firm's, else a director's
        or owner's if it is one of theirs (case, accents and order of the names folded)."""
        if account in self.accounts:
            return
        firm = self.firm_named.get(name_key(name))
        if firm:
            self.accounts[account] = ("firm", firm)
        elif fold(name) in self.person_named:
            self.accounts[account] = ("person", self.person_named[fold(name)])

    def name(self, firm: str) -> str:
        f = self.firms.get(firm)
        return (f.name or f.reg) if f else firm.split(":", 1)[-1]

    def reg(self, firm: str) -> str:
        f = self.firms.get(firm)
        return f.reg if f else firm.split(":", 1)[-1]

    def country(self, firm: str) -> str:
        f = self.firms.get(firm)
        return f.country if f else firm.split(":", 1)[0]

    def directors(self, firm: str) -> set[str]:
        return {p for f, p, r, _ in self.roles if f == firm and r == "director"}

    def controllers(self, firm: str) -> set[str]:
        return {p for f, p, _, _ in self.roles if f == firm}

    def person_name(self, pid: str) -> str:
        p = self.people.get(pid)
        return p.caption if p is not None else pid

    # -- tables for the engine ------------------------------------------------------------

    def firm_table(self) -> pa.Table:
        rows = list(self.firms.values())
        return pa.table({
            "firm": [f.key for f in rows], "country": [f.country for f in rows],
            "founded": pa.array([f.founded for f in rows], pa.date32()),
            "dissolved": pa.array([f.dissolved for f in rows], pa.date32()),
            "address": [f.address or None for f in rows],
            "employees": pa.array([f.employees for f in rows], pa.int64())})

    def account_table(self) -> pa.Table:
        items = sorted(self.accounts.items())
        return pa.table({"account": [a for a, _ in items], "kind": [k for _, (k, _) in items],
                         "holder": [h for _, (_, h) in items]},
                        schema=pa.schema([("account", pa.string()), ("kind", pa.string()),
                                          ("holder", pa.string())]))

    def contract_table(self) -> pa.Table:
        rows = [c for c in self.contracts if c.client and c.contractor]
        return pa.table({
            "buyer": pa.array([c.client for c in rows], pa.string()),
            "supplier": pa.array([c.contractor for c in rows], pa.string()),
            "value": pa.array([c.value for c in rows], pa.decimal128(18, 2)),
            "signed": pa.array([c.signed for c in rows], pa.date32())})


def name_key(name: str | None) -> str:
    """A firm's name as compared where it has no valid registration number: folded as
    :func:`fold` does, without spaces, upper case (invoices without a number: their name
    in upper case, letters and digits only)."""
    return "~" + fold(name).replace(" ", "").upper()


def _firm_key(reg: str, country: str | None) -> str:
    return f"{(country or '?').upper()}:{reg_key(reg)}"


def read_case(entities: Iterable[EntityProxy]) -> LabourCase:
    """Read the case's entities into a :class:`LabourCase`."""
    entities = list(entities)
    by_id = {e.id: e for e in entities if e.id}
    case = LabourCase()
    # firms: every organisation with a registration number
    orgs = [e for e in entities if e.schema.is_a("Organization")]
    countries: dict[str, set[str]] = defaultdict(set)
    for o in orgs:
        for reg in o.get("registrationNumber"):
            for c in o.get("jurisdiction") + o.get("country"):
                countries[reg_key(reg)].add(c.upper())
    firm_of: dict[str, str] = {}  # entity id -> firm key
    by_name: dict[str, set[str]] = defaultdict(set)  # name key -> firms with a number
    for o in orgs:
        for reg in o.get("registrationNumber")[:1]:
            own = [c.upper() for c in o.get("jurisdiction") + o.get("country")]
            known = sorted(countries.get(reg_key(reg), ()))
            country = own[0] if own else (known[0] if len(known) == 1 else "?")
            for n in o.get("name"):
                by_name[name_key(n)].add(_firm_key(reg, country))
    for o in sorted(orgs, key=lambda e: e.id or ""):
        regs = o.get("registrationNumber")
        own = [c.upper() for c in o.get("jurisdiction") + o.get("country")]
        if regs:
            reg = reg_key(regs[0])
            known = sorted(countries.get(reg, ()))
            country = own[0] if own else (known[0] if len(known) == 1 else "?")
        elif o.schema.is_a("Company") and name_key(o.first("name")) != "~":
            # no valid registration number: the firm by its name and country
            reg, country = name_key(o.first("name")), own[0] if own else "?"
        else:
            continue
        key = _firm_key(reg, country)
        if reg.startswith("~"):
            same = {k for k in by_name.get(reg, ()) if k.split(":")[0] in (country, "?")
                    or country == "?"}
            if len(same) == 1:
                key = same.pop()
        firm = case.firms.get(key)
        if firm is None:
            firm = case.firms[key] = Firm(key, reg, country)
        firm.entity_ids.append(o.id or "")
        if firm.country == "?" and country != "?":
            firm.country = country
        firm_of[o.id or ""] = key
        firm.name = firm.name or o.first("name") or ""
        firm.founded = firm.founded or day(o.first("incorporationDate"))
        firm.dissolved = firm.dissolved or day(o.first("dissolutionDate"))
        firm.address = firm.address or address_key(o.first("address"))
        firm.vat = firm.vat or o.first("vatCode") or ""
        firm.sector = firm.sector or o.first("sector") or ""
        firm.status = firm.status or o.first("status") or ""
        for prop in ("employees",):
            if prop in o.schema.properties and firm.employees is None:
                value = amount(o.first(prop))
                firm.employees = int(value) if value is not None else None
        for prop in ("amountEur", "amount"):
            if firm.turnover is None:
                firm.turnover = amount(o.first(prop))
    for e in entities:
        if e.schema.is_a("Person"):
            case.people[e.id or ""] = e
    # directors and owners of firms
    for e in entities:
        if e.schema.is_a("Directorship"):
            pairs = [(o, d, "director") for o in e.get("organization") for d in e.get("director")]
        elif e.schema.is_a("Ownership"):
            pairs = [(a, o, "owner") for a in e.get("asset") for o in e.get("owner")]
        else:
            continue
        for org, person, role in pairs:
            if org in firm_of and person in case.people:
                case.roles.append((firm_of[org], person, role, e.id or ""))
    # accounts and their holders
    named_people: dict[str, set[str]] = defaultdict(set)
    for _, pid, _, _ in case.roles:
        for n in case.people[pid].get("name"):
            named_people[fold(n)].add(pid)
    # records of one director or owner in several files are several entities until merged:
    # the name stands for the first of them, unless a worker of the case bears it too with
    # a birth date that cannot be his (the firms pay wages: an account of that name they pay
    # is the worker's as likely as the director's, and a worker's wages are no controller's)
    workers = {w for e in entities if e.schema.is_a("Employment") for w in e.get("employee")}
    bearers: dict[str, set[str]] = defaultdict(set)
    for pid in workers & case.people.keys():
        for n in case.people[pid].get("name"):
            if fold(n) in named_people:
                bearers[fold(n)].add(pid)
    case.person_named = {k: min(v) for k, v in named_people.items()
                         if not _namesake(v, bearers[k] - v, case.people)}
    firm_named: dict[str, set[str]] = defaultdict(set)
    for f in case.firms.values():
        for eid in f.entity_ids:
            for n in by_id[eid].get("name") if eid in by_id else ():
                firm_named[name_key(n)].add(f.key)
    case.firm_named = {k: next(iter(v)) for k, v in firm_named.items() if len(v) == 1}
    for held in holdings(entities):
        owner = by_id.get(held.owner_id)
        if held.owner_id not in firm_of and owner is not None and not owner.schema.is_a(
                "Person"):
            for n in owner.get("name"):
                if name_key(n) in case.firm_named:
                    firm_of[held.owner_id] = case.firm_named[name_key(n)]
        if held.owner_id not in firm_of and held.owner_id not in case.people \
                and owner is not None:  # a holder named on statements: a director or owner?
            for n in owner.get("name"):
                if fold(n) in case.person_named:
                    for number in held.numbers:
                        case.accounts.setdefault(number, ("person", case.person_named[fold(n)]))
        for number in held.numbers:
            if held.owner_id in firm_of:
                case.accounts[number] = ("firm", firm_of[held.owner_id])
            elif held.owner_id in case.people:
                case.accounts.setdefault(number, ("person", held.owner_id))

    def worker_key(pid: str) -> str:
        p = case.people.get(pid)
        if p is None:
            return pid
        key = worker_fold(p.first("name"))
        if key:
            case.worker_names.setdefault(key, p.first("name") or key)
        return key or pid

    # postings: A1 declarations (Employment by the sending firm) and where they were posted
    hosts: dict[str, tuple[str | None, str | None, str | None]] = {}
    for link in entities:
        if link.schema.is_a("UnknownLink"):
            for obj in link.get("object"):
                if obj in firm_of:
                    for subj in link.get("subject"):
                        hosts.setdefault(subj, (firm_of[obj], case.country(firm_of[obj]),
                                                link.first("role")))
    for emp in entities:
        if not emp.schema.is_a("Employment"):
            continue
        employer = emp.first("employer")
        worker = emp.first("employee")
        if employer not in firm_of or not worker:
            continue
        key = worker_key(worker)
        case.worker_of[worker] = key
        host_firm, host_country, site = hosts.get(worker, (None, None, None))
        case.postings.append(Posting(
            emp.id or "", key, worker, firm_of[employer], host_firm, host_country,
            site.upper() if site else None,
            day(emp.first("startDate")), day(emp.first("endDate")),
            day(_first(emp, "employedSince") or emp.first("date")),
            emp.first("recordId") or emp.first("summary") or ""))
    # payroll: wage payments from a firm to a person, and deductions the other way
    deductions: dict[tuple[str, str, str], list[tuple[str, Decimal, str]]] = defaultdict(list)
    account_no = {e.id: (e.first("iban") or e.first("accountNumber"))
                  for e in entities if e.schema.is_a("BankAccount")}
    for pay in entities:
        if not pay.schema.is_a("Payment"):
            continue
        payer, payee = pay.first("payer"), pay.first("beneficiary")
        value = amount(pay.first("amount"))
        when = pay.first("date") or pay.first("startDate") or ""
        month = (pay.first("purpose") or "")[:7] if re.match(
            r"^\d{4}-\d{2}", pay.first("purpose") or "") else when[:7]
        if value is None or not month:
            continue
        if payer in firm_of and payee in case.people:
            key = worker_key(payee)
            case.worker_of[payee] = key
            acct = account_no.get(pay.first("beneficiaryAccount"))
            case.pays.append(Pay(pay.id or "", firm_of[payer], key, payee, month, value, acct,
                                 gross=amount(_first(pay, "grossAmount")),
                                 hours=amount(_first(pay, "hoursWorked")),
                                 working_time=amount(_first(pay, "workingTime"))))
        elif payee in firm_of and payer in case.people:
            text = " ".join(pay.get("purpose") + pay.get("programme") + pay.get("description")
                            + pay.get("summary")).upper()
            kind = ("housing" if any(w in text for w in HOUSING_WORDS) else "transport"
                    if any(w in text for w in TRANSPORT_WORDS) else None)
            if kind:
                deductions[(firm_of[payee], worker_key(payer), month)].append(
                    (kind, value, pay.id or ""))
    for slip in case.pays:
        for kind, value, pid in deductions.pop((slip.firm, slip.worker, slip.month), []):
            if kind == "housing":
                slip.housing += value
            else:
                slip.transport += value
            slip.deduction_ids.append(pid)
    # contracts and their awards
    awards: dict[str, list[EntityProxy]] = defaultdict(list)
    for e in entities:
        if e.schema.is_a("ContractAward"):
            for c in e.get("contract"):
                awards[c].append(e)
    for ct in entities:
        if not ct.schema.is_a("Contract"):
            continue
        client = next((firm_of[a] for a in ct.get("authority") if a in firm_of), None)
        given = awards.get(ct.id or "", [])
        contractor = next((firm_of[s] for a in given for s in a.get("supplier")
                           if s in firm_of), None)
        value = amount(ct.first("amountEur") or ct.first("amount"))
        if value is None:
            value = next((v for a in given if (v := amount(a.first("amount"))) is not None),
                         None)
        starts = [d for a in given if (d := day(a.first("startDate")))]
        ends = [d for a in given if (d := day(a.first("endDate")))]
        signed_country = next(iter(ct.get("country")), None)
        case.contracts.append(Contract(
            ct.id or "", ct.first("procedureNumber") or ct.first("name") or ct.first("title")
            or ct.id or "", client, contractor, day(ct.first("contractDate")),
            signed_country.upper() if signed_country else None, value,
            min(starts) if starts else None, max(ends) if ends else None,
            [a.id or "" for a in given]))
    # register events of firms
    for ev in entities:
        if ev.schema.is_a("Event"):
            for inv in ev.get("involved"):
                if inv in firm_of and (on := day(ev.first("date") or ev.first("startDate"))):
                    case.events.setdefault(firm_of[inv], []).append(
                        (on, (ev.first("name") or "").lower(), ev.first("summary") or "",
                         ev.id or ""))
    # phones and trips of workers: of every record of a person with a worker's name (the
    # bookings, call subscribers and police records name them in files of their own)
    workers = set(case.worker_of.values())
    by_token: dict[str, set[str]] = defaultdict(set)
    for w in workers:
        for token in w.split():
            by_token[token].add(w)
    for pid, someone in case.people.items():
        worker = case.worker_of.get(pid)
        for n in someone.get("name") if worker is None else ():
            folded = worker_fold(n)
            worker = folded if folded in workers else near(folded, by_token)
            if worker is not None:
                break
        if worker is not None and worker in workers:
            case.worker_of.setdefault(pid, worker)
            case.phones.setdefault(worker, set()).update(someone.get("phone"))
    for trip in entities:
        if not trip.schema.is_a("Trip"):
            continue
        arrived = day(trip.first("endDate") or trip.first("startDate") or trip.first("date"))
        end = by_id.get(trip.first("endLocation") or "")
        # the country of the destination, else its city (compared with the posting's site)
        country = (end.first("country") or end.first("city") or "" if end is not None
                   else "")
        if not arrived or not country:
            continue
        for who in trip.get("involved"):
            if who in case.worker_of:
                case.trips.setdefault(case.worker_of[who], []).append(
                    (trip.id or "", country.upper(), arrived))
    return case



def _first(entity: EntityProxy, prop: str) -> str | None:
    """``prop``'s first value where the entity's schema has it (an overlay's: a ``Payslip``
    is a ``Payment`` with its gross pay and hours)."""
    return entity.first(prop) if prop in entity.schema.properties else None


def _namesake(holders: set[str], others: set[str], people: dict[str, EntityProxy]) -> bool:
    """Whether one of ``others`` (workers of the case with the name of the director or owner
    records ``holders``) gives a birth date that cannot be that of any of the holders'
    records (not the same, one character apart or day and month swapped): two people of one
    name, not one."""
    born = {d[:10] for pid in holders for d in people[pid].get("birthDate")}
    if not born:
        return False
    for pid in others:
        dates = {d[:10] for d in people[pid].get("birthDate")}
        if dates and not any(dates_agree(a, b) for a in dates for b in born):
            return True
    return False
