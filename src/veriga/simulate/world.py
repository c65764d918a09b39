"""The people, companies and accounts of a world, with their roles.

Actors are few enough to keep in memory even at ``xl``; transactions, ads and calls are
streamed by the writers and never held here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from veriga.simulate.banks import Bank, Banks, make_iban
from veriga.simulate.names import LEGAL_FORMS, Name, make_name, make_phone
from veriga.simulate.regnumbers import registration_number, vat_number

BASE_DATE = date(2026, 1, 1)
ROLES = ("recruiter", "transporter", "controller", "money_mule", "front_company", "victim",
         "client", "lawful", "decoy")

CITIES: dict[str, tuple[str, ...]] = {
    "FI": ("Helsinki", "Tampere", "Turku", "Oulu", "Rauma"),
    "EE": ("Tallinn", "Tartu", "Pärnu"),
    "LV": ("Riga", "Liepāja", "Daugavpils", "Jūrmala"),
    "BG": ("Sofia", "Varna", "Sliven", "Pleven"),
    "RO": ("Bucharest", "Iași", "Constanța", "Craiova"),
    "UA": ("Kyiv", "Lviv", "Odesa", "Kharkiv"),
    "PL": ("Warsaw", "Gdańsk", "Łódź"),
    "LT": ("Vilnius", "Kaunas", "Klaipėda"),
}
STREETS = {"FI": "katu", "EE": " tn", "LV": " iela", "BG": " ul.", "RO": " str.", "UA": " vul.",
           "PL": " ul.", "LT": " g."}
#: The range of the random draw a registration number is made from, per country.
REG_DRAW = {"LV": (1000000, 9999999), "EE": (10000000, 16999999), "PL": (0, 999999),
            "BG": (100000000, 209999999), "RO": (10000000, 49999999),
            "UA": (30000000, 45999999)}
CURRENCY = {"PL": "PLN", "BG": "BGN", "RO": "RON", "UA": "UAH"}


def month_start(index: int) -> date:
    y, m = divmod(BASE_DATE.month - 1 + index, 12)
    return date(BASE_DATE.year + y, m + 1, 1)


def month_days(index: int) -> int:
    return (month_start(index + 1) - month_start(index)).days


@dataclass
class Account:
    iban: str
    bank: Bank
    holder: str  # id of the Person or Company
    holder_name: str
    profile: str  # background behaviour: salary, business, migrant, escort, none
    statement: bool = True
    balance: int = 0  # cents; running balance while statements are written
    currency: str = "EUR"


@dataclass
class Person:
    id: str
    name: Name
    birth: date
    nationality: str
    phone: str
    role: str
    city: str
    operation: str | None = None
    accounts: list[str] = field(default_factory=list)
    records: list[dict[str, str]] = field(default_factory=list)
    note: str = ""
    address: str = ""  # home address, in the country of nationality
    decoy_of: list[dict[str, str]] = field(default_factory=list)  # {"id", "kind"}


@dataclass
class Company:
    id: str
    name: str
    country: str
    reg_no: str
    founded: date
    dissolved: date | None
    address: str
    sector: str
    role: str
    director: str  # person id
    owner: str  # person id
    operation: str | None = None
    employees: int = 0
    function: str = ""
    accounts: list[str] = field(default_factory=list)
    records: list[dict[str, str]] = field(default_factory=list)
    decoy_of: list[dict[str, str]] = field(default_factory=list)
    vat: str = ""
    turnover: int | None = None  # last annual turnover declared, EUR (None: not filed)
    declared_employees: int | None = None  # headcount declared to the register, if other
    #: the register's history beyond founding and dissolution: (date, event, value)
    events: list[tuple[date, str, str]] = field(default_factory=list)
    status: str = ""  # the register's status if not active/liquidated (struck_off ...)


@dataclass
class Other:
    """Someone named only as the other side of payments: background payers and payees
    (neither in ``people`` nor ``companies``), kept so that every record has an identity."""

    id: str  # BP... (a person) or BC... (a company)
    name: str
    iban: str
    bic: str
    role: str  # counterparty | employer | employee | relative
    decoy_of: list[dict[str, str]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "person" if self.id.startswith("BP") else "company"


class World:
    """Registry of actors, with deterministic factories for people, companies, accounts."""

    def __init__(self, rng: random.Random, months: int, seed: int = 0) -> None:
        self.rng = rng
        self.months = months
        self.seed = seed
        self.banks = Banks()
        self.people: dict[str, Person] = {}
        self.companies: dict[str, Company] = {}
        self.others: dict[str, Other] = {}
        self._other_seq: dict[str, int] = {}
        self.accounts: dict[str, Account] = {}
        self._ibans: set[str] = set()
        self._phones: set[str] = set()
        self._company_names: set[tuple[str, str]] = set()
        self._reg_nos: set[tuple[str, str]] = set()

    @property
    def end(self) -> date:
        return month_start(self.months) - timedelta(days=1)

    def address(self, country: str, city: str, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        base = rng.choice(("Brīvības", "Tartu", "Mannerheimin", "Vitosha", "Unirii",
                                "Shevchenka", "Dąbrowskiego", "Kalna", "Pikk", "Satama"))
        return f"{base}{STREETS[country]} {rng.randint(1, 140)}, {city}"

    def phone(self, country: str) -> str:
        while True:
            number = make_phone(self.rng, country)
            if number not in self._phones:
                self._phones.add(number)
                return number

    def person(self, country: str, role: str, female: bool | None = None,
               operation: str | None = None, city: str | None = None, age: tuple = (20, 60),
               phone_country: str | None = None) -> Person:
        rng = self.rng
        female = rng.random() < 0.5 if female is None else female
        pid = f"P{len(self.people) + 1:06d}"
        years = rng.randint(*age)
        birth = date(BASE_DATE.year - years, rng.randint(1, 12), rng.randint(1, 28))
        person = Person(
            id=pid, name=make_name(rng, country, female), birth=birth, nationality=country,
            phone=self.phone(phone_country or country), role=role,
            city=city or rng.choice(CITIES[country]), operation=operation,
        )
        # the home address from a stream of its own, so that adding it moved no other draw
        home = random.Random(f"{self.seed}:home:{pid}")
        town = person.city if person.city in CITIES[country] else home.choice(CITIES[country])
        person.address = self.address(country, town, home)
        self.people[pid] = person
        return person

    def other(self, kind: str, name: str, iban: str, bic: str, role: str) -> Other:
        """A background payer or payee (``kind`` person or company) with an identity."""
        prefix = "BP" if kind == "person" else "BC"
        self._other_seq[prefix] = self._other_seq.get(prefix, 0) + 1
        oid = f"{prefix}{self._other_seq[prefix]:06d}"
        found = self.others[oid] = Other(oid, name, iban, bic, role)
        return found

    def holder(self, identity: str) -> Person | Company | Other:
        """The person, company or background party of an identity."""
        return self.people.get(identity) or self.companies.get(identity) \
            or self.others[identity]

    @staticmethod
    def link_decoy(decoy: Person | Other, target: str, kind: str) -> None:
        """``decoy`` may be taken for ``target``: a ``namesake`` or a ``relative``."""
        decoy.decoy_of.append({"id": target, "kind": kind})

    def company(self, country: str, name: str, role: str, sector: str, director: Person,
                owner: Person | None = None, operation: str | None = None,
                founded: date | None = None, dissolved: date | None = None,
                address: str | None = None, employees: int = 0, function: str = "") -> Company:
        rng = self.rng
        cid = f"C{len(self.companies) + 1:06d}"
        # the draws made before numbers were checked, so that no other draw moves; the
        # registration number then gets its country's check digit
        if country == "FI":
            draw = rng.randint(1000000, 3299999)
            rng.randint(0, 9)
        else:
            lo, hi = REG_DRAW.get(country, (0, 10 ** 9))
            draw = rng.randint(lo, hi)
        year = (founded or BASE_DATE).year
        reg = registration_number(country, draw, year)
        k = 0
        while (country, reg) in self._reg_nos:
            k += 1
            reg = registration_number(country, draw + 7919 * k, year)
        self._reg_nos.add((country, reg))
        if founded is None:
            founded = BASE_DATE - timedelta(days=rng.randint(400, 6000))
        company = Company(
            id=cid, name=self._free_name(country, name), country=country, reg_no=reg,
            founded=founded, dissolved=dissolved,
            address=address or self.address(country, rng.choice(CITIES[country])), sector=sector,
            role=role, director=director.id, owner=(owner or director).id, operation=operation,
            employees=employees, function=function, vat=vat_number(country, reg),
        )
        self.companies[cid] = company
        return company

    def _free_name(self, country: str, name: str) -> str:
        """``name``, or with a number before its legal form if the country's register
        already holds it (a register holds one company of a name)."""
        form = next((f for f in LEGAL_FORMS if name.endswith(" " + f)), "")
        base = name[:-len(form) - 1] if form else name
        candidate, k = name, 1
        while (country, candidate.casefold()) in self._company_names:
            k += 1
            candidate = f"{base} {k} {form}".rstrip()
        self._company_names.add((country, candidate.casefold()))
        return candidate

    def account(self, holder: Person | Company, bank_key: str | None = None,
                country: str | None = None, profile: str = "salary",
                statement: bool | None = None) -> Account:
        rng = self.rng
        if bank_key is None:
            country = country or (holder.nationality if isinstance(holder, Person)
                                  else holder.country)
            choices = self.banks.in_country(country) or self.banks.in_country("LV")
            bank = rng.choice(choices)
        else:
            bank = self.banks.by_key[bank_key]
        while True:
            iban = make_iban(rng, bank)
            if iban not in self._ibans:
                self._ibans.add(iban)
                break
        name = holder.name.latin if isinstance(holder, Person) else holder.name
        if statement is None:
            statement = bank.fmt != "none"
        acct = Account(iban=iban, bank=bank, holder=holder.id, holder_name=name,
                       profile=profile, statement=statement and bank.fmt != "none",
                       balance=rng.randint(200, 5000) * 100)
        if bank.country in CURRENCY and bank.fmt == "none":
            acct.currency = "EUR"
        self.accounts[iban] = acct
        holder.accounts.append(iban)
        return acct

    def statement_accounts(self) -> list[Account]:
        return [a for a in self.accounts.values() if a.statement]
