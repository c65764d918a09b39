"""Subcontracting chains of the labour operations, and their lawful look-alikes.

Each labour operation's controller runs chains for several main contractors (construction,
agriculture, meat processing, cleaning firms of the host country): 2 to 5 tiers from the main
contractor down to the firm that employs the workers, usually a letterbox in the sending
country under a straw director, replaced by a phoenix successor (same director, owner or
address) that takes over its workers, contract and money. Every tier invoices the one above
it under a written contract and is paid by transfer; the employer pays the workers little,
takes fees, kickbacks and deductions, and passes the rest to the controller in cash and
transfers. Lawful chains, staffing agencies, genuine postings, an accountant's address
hosting many firms and firms dissolved with no successor are the decoys.

Everything here draws from streams of its own (``{seed}:chains:...``) so that a world's
other draws stay where they were; the answer key's ``labour_schemes`` names every scheme and
decoy with its companies, accounts and records (docs/simulate.md).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from veriga.simulate.names import make_name
from veriga.simulate.plan import Ctx, MonthOut
from veriga.simulate.scenarios.common import A1, PAYROLL, booking, euros
from veriga.simulate.world import (
    BASE_DATE,
    CITIES,
    Account,
    Company,
    Person,
    month_days,
    month_start,
)

CONTRACTS = "labour/contracts.csv"
INVOICES = "labour/invoices.csv"
EVENTS = "registers/company_events.csv"
BOOKINGS = "travel/bookings.csv"

SUFFIX = {"FI": "Oy", "EE": "OÜ", "LV": "SIA", "LT": "UAB", "PL": "Sp. z o.o.", "BG": "EOOD",
          "RO": "SRL", "UA": "TOV"}
#: Standard VAT rates (%); invoices between countries are reverse-charged (no VAT).
VAT_RATE = {"FI": 25.5, "EE": 24.0, "LV": 21.0, "LT": 21.0, "PL": 23.0, "BG": 20.0,
            "RO": 21.0, "UA": 20.0}
#: The host country's monthly minimum for full-time work in 2026 (cents): the statutory
#: minimum in EE and LV, the generally binding collective agreement's lowest pay in FI
#: (illustrative: Finland has no statutory minimum).
MIN_WAGE = {"FI": 195000, "EE": 94800, "LV": 78000}
#: Hosts with a statutory minimum wage: the answer key names pay below it only there.
STATUTORY = ("EE", "LV")
#: Housing and transport an employer may deduct, as a share of gross pay (the simulator's
#: convention for what is lawful; documented in docs/simulate.md).
LAWFUL_DEDUCTION = 0.25
FULL_TIME_HOURS = 168
POSTING_LIMIT_MONTHS = 12  # 18 with a motivated notification
MAIN_WORDS = {
    "construction": {"FI": "Rakennus", "EE": "Ehitus", "LV": "Būvniecība"},
    "agriculture": {"FI": "Puutarha", "EE": "Agro", "LV": "Agro"},
    "meat processing": {"FI": "Lihatalo", "EE": "Lihatööstus", "LV": "Gaļas pārstrāde"},
    "cleaning": {"FI": "Siivouspalvelut", "EE": "Puhastus", "LV": "Tīrīšanas serviss"},
}
PLACE = ("Pohjola", "Kaleva", "Saimaa", "Viru", "Harju", "Daugava", "Kurzeme", "Nordic",
         "Baltic", "Meri", "Järvi", "Vidzeme", "Lahti", "Tammi")
MIDDLE = ("Alfa", "Prime", "Astra", "Vega", "Delta", "Nova", "Orion", "Lumo", "Zenit", "Arctic")
MIDDLE_KIND = ("Group", "Services", "Projekt", "Partners", "Solutions")
EMPLOYER = ("Euro", "Inter", "Trans", "Global", "Best", "Multi", "Star")
EMPLOYER_KIND = ("Personnel", "Work Force", "Staff", "Labor", "Montage", "Team")
SUBJECT = {"construction": "construction works", "agriculture": "harvesting and packing",
           "meat processing": "meat cutting and packing", "cleaning": "cleaning services",
           "shipyard": "hull and outfitting works"}
SEND = ("PL", "BG", "RO", "LT")
ORIGIN = ("UA", "BG", "RO")
BANKS = {"FI": ("ndea", "okoy"), "EE": ("hbee", "lhvb"), "LV": ("haba", "unla", "parx", "riko"),
         "LT": ("revo",), "PL": ("parx", "riko", "unla"), "BG": ("uncr", "parx"),
         "RO": ("riko", "unla"), "UA": ("riko",)}


@dataclass
class Firm:
    """A company of a chain and the account it invoices to."""

    company: Company
    account: Account
    start: date = BASE_DATE  # first day it works in the chain
    stop: date | None = None  # last day (a phoenix predecessor's)


@dataclass
class Chain:
    """Tiers from the main contractor (``tiers[0]``) to the employers of the workers (the last
    tier: one firm, or a phoenix succession of firms each working from its ``start``)."""

    id: str
    op: Any  # the LabourOperation, or None for lawful chains
    sector: str
    host: str
    site_city: str
    tiers: list[Firm]
    employers: list[Firm]
    margins: list[float]  # share each contractor tier keeps (index = tier - 1)
    rate: int  # cents per worker and month billed to the main contractor
    workers: list[Person] = field(default_factory=list)
    worker_accts: dict[str, Account] = field(default_factory=dict)
    arrival: dict[str, date] = field(default_factory=dict)
    unregistered: set[str] = field(default_factory=set)
    late: set[str] = field(default_factory=set)  # declared posted weeks after arriving
    contracts: list[str] = field(default_factory=list)
    contract_of: dict[tuple[str, str], str] = field(default_factory=dict)
    invoices: list[str] = field(default_factory=list)
    a1: list[str] = field(default_factory=list)
    payroll: dict[str, list[str]] = field(default_factory=dict)  # employer id -> payroll ids
    tags: dict[str, str] = field(default_factory=dict)
    lawful: bool = False
    posted: bool = True  # the employer posts its workers from another state

    def employer(self, day: date) -> Firm:
        for firm in self.employers:
            if firm.stop is None or day <= firm.stop:
                return firm
        return self.employers[-1]


def _company(c: Company) -> dict[str, str]:
    return {"id": c.id, "registration_number": c.reg_no, "country": c.country, "name": c.name}


class LabourSchemes:
    """The chains, successions and decoys of a labour or mixed world (see the module doc)."""

    def __init__(self, ctx: Ctx, ops: list, chains: int, decoys: int) -> None:
        self.ctx, self.ops = ctx, ops
        self.chains: list[Chain] = []
        self.invoice_seq: dict[str, int] = {}
        self.contract_seq = 0
        self.event_seq = 0
        self.rng = random.Random(f"{ctx.seed}:chains")
        self.letterbox_addresses: dict[str, list[str]] = {}
        self.schemes = ctx.gt.labour_schemes
        self._names = {p.name.latin for p in ctx.world.people.values()}
        with self._own_stream():
            for op in ops:
                self._operation_chain(op)
            for k in range(chains):
                self._scheme_chain(k, ops[k % len(ops)])
            self._decoys(decoys)

    @contextmanager
    def _own_stream(self) -> Iterator[None]:
        """The world's factories draw from this module's stream while it builds."""
        w, ctx = self.ctx.world, self.ctx
        saved = w.rng, ctx.rng
        w.rng = ctx.rng = self.rng
        try:
            yield
        finally:
            w.rng, ctx.rng = saved

    # -- helpers ---------------------------------------------------------------------------

    def _person(self, country: str, role: str, **kw: Any) -> Person:
        """A new person whose name nobody of the world has yet (names are few per country;
        namesakes are made on purpose elsewhere)."""
        person = self.ctx.world.person(country, role, **kw)
        for _ in range(20):
            if person.name.latin not in self._names:
                break
            person.name = make_name(self.rng, country, person.name.female)
        self._names.add(person.name.latin)
        return person

    def _event(self, c: Company, day: date, event: str, value: str = "") -> None:
        c.events.append((day, event, value))

    def _contract(self, chain: Chain, client: Firm, contractor: Firm, start: date,
                  end: date, monthly: int, workers: int) -> str:
        rng = self.rng
        self.contract_seq += 1
        signed = start - timedelta(days=rng.randint(3, 30))
        ref = f"SC-{signed.year}-{self.contract_seq:05d}"
        months = max(1, round((end - start).days / 30))
        # a letterbox's contract is "signed" where its straw director never is: in the host
        signed_in = chain.host if not chain.lawful else contractor.company.country
        city = chain.site_city if signed_in == chain.host else CITIES[signed_in][0]
        self.ctx.plan.contracts.append({
            "contract_ref": ref, "signed_date": signed.isoformat(), "signed_city": city,
            "signed_country": signed_in, "start_date": start.isoformat(),
            "end_date": end.isoformat(), "client_name": None,
            "client_reg": client.company.reg_no, "client_country": client.company.country,
            "contractor_name": None, "contractor_reg": contractor.company.reg_no,
            "contractor_country": contractor.company.country,
            "value": f"{monthly * months / 100:.2f}", "currency": "EUR",
            "subject": f"{SUBJECT[chain.sector]}, {chain.site_city}",
            "site_city": chain.site_city, "workers": workers,
            "_client": client.company.id, "_contractor": contractor.company.id})
        chain.contracts.append(ref)
        chain.contract_of[(client.company.id, contractor.company.id)] = ref
        return ref

    def _invoice(self, out: MonthOut, chain: Chain, supplier: Firm, buyer: Firm, day: date,
                 net: int, tags: tuple[str, ...], paid_after: int) -> None:
        """``supplier`` invoices ``buyer`` on ``day``; the buyer pays it ``paid_after`` days
        later by transfer to the account the invoice names."""
        s, b = supplier.company, buyer.company
        seq = self.invoice_seq[s.id] = self.invoice_seq.get(s.id, 0) + 1
        letters = "".join(w[0] for w in s.name.split()[:2]).upper()
        number = f"{letters}{s.reg_no[-3:]}-{day.year}/{seq:03d}"
        rate = VAT_RATE[s.country] if s.country == b.country else 0.0
        vat = round(net * rate / 100)
        ref = chain.contract_of.get((b.id, s.id), "")
        self.ctx.plan.invoices.append({
            "invoice_no": number, "issue_date": day.isoformat(),
            "due_date": (day + timedelta(days=14)).isoformat(), "supplier_name": s.name,
            "supplier_reg": s.reg_no, "supplier_vat": s.vat, "supplier_country": s.country,
            "buyer_name": b.name, "buyer_reg": b.reg_no, "buyer_vat": b.vat,
            "buyer_country": b.country, "contract_ref": ref,
            "description": f"{SUBJECT[chain.sector]} {day:%m/%Y}, {chain.site_city}",
            "net_amount": f"{net / 100:.2f}", "vat_amount": f"{vat / 100:.2f}",
            "total_amount": f"{(net + vat) / 100:.2f}", "currency": "EUR",
            "pay_to_iban": supplier.account.iban})
        chain.invoices.append(number)
        out.book.transfer(day + timedelta(days=paid_after), buyer.account, supplier.account,
                          net + vat, f"Invoice {number}", tags)

    def _firm(self, country: str, name: str, role: str, sector: str, director: Person,
              owner: Person | None = None, op: str | None = None, founded: date | None = None,
              dissolved: date | None = None, address: str | None = None, employees: int = 0,
              function: str = "", profile: str = "none") -> Firm:
        w, rng = self.ctx.world, self.rng
        c = w.company(country, name, role, sector, director, owner=owner, operation=op,
                      founded=founded, dissolved=dissolved, address=address,
                      employees=employees, function=function)
        bank = rng.choice(BANKS[country])
        acct = w.account(c, bank, profile=profile)
        return Firm(c, acct)

    def _main(self, host: str, sector: str) -> Firm:
        rng = self.rng
        boss = self._person(host, "lawful", female=rng.random() < .3)
        name = f"{rng.choice(PLACE)} {MAIN_WORDS[sector][host]} {SUFFIX[host]}".replace(
            "OÜ", "AS" if host == "EE" else "OÜ")
        firm = self._firm(host, name, "lawful", sector, boss, employees=rng.randint(80, 900),
                          function="main contractor", profile="business")
        firm.company.turnover = firm.company.employees * rng.randint(90, 180) * 1000
        return firm

    def _letterbox_address(self, country: str) -> str:
        """An address in ``country`` where many firms are registered (a few per world)."""
        pool = self.letterbox_addresses.setdefault(country, [])
        if len(pool) < 2 or self.rng.random() < 0.2:
            pool.append(self.ctx.world.address(country, CITIES[country][0], self.rng))
        return self.rng.choice(pool)

    # -- the operations' own chain: main contractor, first tier, letterboxes ----------------

    def _operation_chain(self, op: Any) -> None:
        """The chain :class:`LabourOperation` books (main -> subcontractor -> letterbox and
        its phoenixes): contracts for it, invoices for its transfers (:meth:`month`), and its
        schemes in the answer key."""
        rng = self.rng
        main = Firm(op.main, op.main_acct)
        sub = Firm(op.sub, op.sub_acct)
        lbs = [Firm(c, a, start=max(BASE_DATE, c.founded + timedelta(days=5)),
                    stop=c.dissolved - timedelta(days=10) if c.dissolved else None)
               for c, a in zip(op.letterboxes, op.lb_accts, strict=True)]
        chain = Chain(f"{op.op}-CH0", op, op.sector, op.host, op.site_city, [main, sub], lbs,
                      [0.15, 0.0], 0)
        chain.workers = list(op.workers)
        chain.worker_accts = dict(op.worker_accts)
        chain.arrival = dict(op.arrival)
        end = self.ctx.world.end
        n = len(op.workers)
        self._contract(chain, main, sub, BASE_DATE, end, n * 290000, n)
        for lb in lbs:
            self._contract(chain, sub, lb, lb.start, lb.stop or end, n * 246000, n)
            lb.company.declared_employees = rng.choice((0, 0, 1))
            self._event(lb.company, lb.company.founded + timedelta(days=rng.randint(1, 9)),
                        "address_changed", lb.company.address)
        op.sub.turnover = rng.randint(20, 90) * 1000
        self.chains.append(chain)
        for prev, nxt in zip(lbs, lbs[1:], strict=False):
            self._succession(prev.company, nxt.company)

    def _succession(self, prev: Company, nxt: Company) -> None:
        """Register events of a phoenix succession: the predecessor goes into liquidation and
        is struck off or dissolved; the successor is registered shortly before."""
        rng = self.rng
        assert prev.dissolved is not None
        w = self.ctx.world
        director = w.people[nxt.director].name.latin
        self._event(nxt, nxt.founded, "director_appointed", director)
        self._event(prev, prev.dissolved - timedelta(days=rng.randint(20, 40)),
                    "liquidation_started", "")
        end = "struck_off" if rng.random() < 0.5 else "dissolved"
        prev.status = end
        self._event(prev, prev.dissolved, end, "")

    # -- further chains of the operations ---------------------------------------------------

    def _scheme_chain(self, k: int, op: Any) -> None:
        ctx, rng, w = self.ctx, self.rng, self.ctx.world
        months = w.months
        sector = rng.choice(tuple(MAIN_WORDS))
        host = rng.choice(("FI", "EE", "LV"))
        send = rng.choice(SEND)
        origin = rng.choice(ORIGIN)
        site = rng.choice(CITIES[host][:3])
        depth = 2 + k % 4  # tiers, main contractor included: 2, 3, 4, 5
        main = self._main(host, sector)
        tiers = [main]
        for t in range(1, depth - 1):
            # middle tiers: a front in the host country first, then firms abroad
            cc = host if t == 1 else rng.choice((host, send))
            new = t == depth - 2 and rng.random() < 0.6
            founded = (BASE_DATE - timedelta(days=rng.randint(30, 120))) if new else None
            firm = self._firm(cc, f"{rng.choice(MIDDLE)} {rng.choice(MIDDLE_KIND)} "
                              f"{SUFFIX[cc]}", "front_company", sector,
                              op.straw if rng.random() < 0.5 else op.controller,
                              owner=op.controller, op=op.op, founded=founded,
                              employees=rng.randint(1, 4), function=f"tier {t} subcontractor")
            firm.company.turnover = rng.randint(30, 200) * 1000 if not new else None
            tiers.append(firm)
        # the employers: a letterbox and, in most chains, its phoenix successor(s)
        phoenixes = 0 if k % 5 == 4 else (1 if months < 6 else 1 + (k % 3 == 0))
        address = self._letterbox_address(send)
        employers: list[Firm] = []
        span = max(1, months // (phoenixes + 1))
        name = f"{rng.choice(EMPLOYER)}{rng.choice(EMPLOYER_KIND).replace(' ', '')}"
        for j in range(phoenixes + 1):
            start = month_start(j * span) if j else BASE_DATE
            stop = month_start((j + 1) * span) - timedelta(days=1) if j < phoenixes else None
            founded = (start - timedelta(days=rng.randint(20, 75)) if j
                       else BASE_DATE - timedelta(days=rng.randint(60, 400)))
            dissolved = stop + timedelta(days=rng.randint(15, 40)) if stop else None
            same_address = j == 0 or rng.random() < 0.7
            firm = self._firm(
                send, f"{name} {j + 1 if j else ''} {SUFFIX[send]}".replace("  ", " "),
                "front_company", sector, op.straw, owner=op.controller, op=op.op,
                founded=founded, dissolved=dissolved,
                address=address if same_address else self._letterbox_address(send),
                function="letterbox employer" if j == 0 else "phoenix successor")
            firm.start, firm.stop = max(start, founded + timedelta(days=3)), stop
            firm.company.declared_employees = rng.choice((0, 0, 1, 2))
            employers.append(firm)
        margins = [round(rng.uniform(0.06, 0.2), 3) for _ in range(depth - 1)]
        chain = Chain(f"{op.op}-CH{k + 1}", op, sector, host, site, tiers, employers, margins,
                      euros(rng, 3200, 4200, 50))
        n = rng.randint(6, 9) if ctx.size.name in ("tiny", "small") else rng.randint(6, 12)
        chain.workers = [self._person(origin, "victim", female=sector == "cleaning" and
                                  rng.random() < .7, operation=op.op, age=(19, 55))
                         for _ in range(n)]
        for i, wk in enumerate(chain.workers):
            chain.arrival[wk.id] = BASE_DATE + timedelta(days=rng.randint(0, 18))
            if i % 2 == 0:  # the others are paid into the controller's account
                chain.worker_accts[wk.id] = w.account(wk, rng.choice(("revo", "lhvb", "parx")),
                                                      profile="none")
            if i % 4 == 3:
                chain.unregistered.add(wk.id)
        op_truth = ctx.gt.operations[op.op]
        op_truth["actors"] += [*(f.company.id for f in tiers[1:]),
                               *(f.company.id for f in employers), *(p.id for p in
                                                                     chain.workers)]
        for stage in op_truth["stages"]:
            if stage["stage"] == "exploitation":
                stage["actors"] += [f.company.id for f in [*tiers[1:], *employers]]
        for prev, nxt in zip(employers, employers[1:], strict=False):
            self._succession(prev.company, nxt.company)
        self._chain_contracts(chain)
        self._tags(chain)
        self._postings(chain, bogus=True)
        self._travel(chain, origin)
        self.chains.append(chain)

    def _chain_contracts(self, chain: Chain) -> None:
        end = self.ctx.world.end
        n = len(chain.workers)
        value = n * chain.rate
        firms = chain.tiers
        for i in range(len(firms) - 1):
            self._contract(chain, firms[i], firms[i + 1], BASE_DATE, end, value, n)
            value = int(value * (1 - chain.margins[i]))
        for emp in chain.employers:
            self._contract(chain, firms[-1], emp, emp.start, emp.stop or end, value, n)

    def _tags(self, chain: Chain) -> None:
        gt, op = self.ctx.gt, chain.op
        accounts = [f.account.iban for f in [*chain.tiers, *chain.employers]]
        base = chain.id
        chain.tags = {
            "chain": gt.typology(f"{base}-R12-chain", "R12", "pass_through", op.op,
                                 "subcontracting chain passing the contract's money down to "
                                 "letterbox employers and on to the controller", accounts),
            "R2": gt.typology(f"{base}-R2-wages", "R2", "fan_in", op.op,
                              "workers' wages paid into the controller's account",
                              [op.ctl_acct.iban]),
            "R3": gt.typology(f"{base}-R3-kickback", "R3", "fan_in", op.op,
                              "wages credited and most of them sent back to the controller",
                              [op.ctl_acct.iban, *(a.iban for a in chain.worker_accts.values())]),
            "R10": gt.typology(f"{base}-R10-cash", "R10", None, op.op,
                               "letterbox employers withdraw the contract's money in cash",
                               [f.account.iban for f in chain.employers]),
        }

    def _postings(self, chain: Chain, bogus: bool) -> None:
        """A1 declarations of the workers, one per employer they worked for."""
        rng, plan, end = self.rng, self.ctx.plan, self.ctx.world.end
        # the service is provided to the lowest tier established in the host state
        host = [f for f in chain.tiers if f.company.country == chain.host][-1].company
        for i, wk in enumerate(chain.workers):
            for emp in chain.employers:
                start = max(chain.arrival[wk.id], emp.start)
                stop = emp.stop or end
                if start > stop:
                    continue
                if bogus and i % 5 == 1:  # declared as posted long before: beyond 18 months
                    start = start - timedelta(days=rng.randint(560, 700))
                late = start + timedelta(days=rng.randint(30, 50))
                if bogus and i % 5 == 3 and emp is chain.employers[0]:
                    # at the site from the bus on, declared posted only weeks later (or only
                    # by the successor)
                    chain.late.add(wk.id)
                    if late > stop:
                        continue
                    start = late
                rid = f"A1-{len(plan.a1) + 1:06d}"
                since = (start if bogus else start - timedelta(days=rng.randint(400, 3000)))
                plan.a1.append({
                    "declaration_id": rid, "worker_name": None,
                    "birth_date": wk.birth.isoformat(), "nationality": wk.nationality,
                    "sending_company": None, "sending_company_id": emp.company.reg_no,
                    "sending_country": emp.company.country, "host_company": None,
                    "host_company_id": host.reg_no,
                    "host_country": chain.host, "site_city": chain.site_city,
                    "start_date": start.isoformat(), "end_date": stop.isoformat(),
                    "sector": chain.sector,
                    "a1_certificate": f"{emp.company.country}/{rng.randint(100000, 999999)}/"
                                      f"{start:%y}",
                    "employed_since": since.isoformat(),
                    "_worker": wk.id, "_sender": emp.company.id,
                    "_host": host.id})
                chain.a1.append(rid)

    def _travel(self, chain: Chain, origin: str) -> None:
        op = chain.op
        for wk in chain.workers:
            day = chain.arrival[wk.id]
            booking(self.ctx, wk, op.recruiter, wk.city, chain.site_city,
                    day - timedelta(days=2), euros(self.rng, 70, 130))
            self.ctx.gt.routes[wk.id] = [
                {"city": wk.city, "country": wk.nationality,
                 "from": (BASE_DATE - timedelta(days=30)).isoformat(),
                 "to": (day - timedelta(days=2)).isoformat(), "stage": "recruitment"},
                {"city": chain.site_city, "country": chain.host, "from": day.isoformat(),
                 "to": self.ctx.world.end.isoformat(), "stage": "exploitation"}]

    # -- decoys ----------------------------------------------------------------------------

    def _decoys(self, n: int) -> None:
        for k in range(n):
            kind = k % 5
            if kind in (0, 3):
                self._lawful_chain(k, staffing=False)
            elif kind == 1:
                self._lawful_chain(k, staffing=True)
            elif kind == 2:
                self._accountant(k)
            else:
                self._lawful_dissolution(k)

    def _lawful_chain(self, k: int, staffing: bool) -> None:
        """A lawful chain: established firms with staff and turnover, margins of 3-10 %, and
        the employer paying its workers in full; a staffing agency of the host country, or a
        genuine posting from a firm with real business at home."""
        rng, w = self.rng, self.ctx.world
        sector = rng.choice(tuple(MAIN_WORDS))
        host = rng.choice(("FI", "EE", "LV"))
        site = rng.choice(CITIES[host][:3])
        main = self._main(host, sector)
        tiers = [main]
        depth = 2 + k % 3
        for t in range(1, depth - 1):
            firm = self._firm(host, f"{rng.choice(PLACE)} {rng.choice(MIDDLE_KIND)} "
                              f"{SUFFIX[host]}", "decoy", sector, self._person(host, "lawful"),
                              employees=rng.randint(15, 120), function=f"tier {t} lawful "
                              "subcontractor", profile="business")
            firm.company.turnover = firm.company.employees * rng.randint(70, 140) * 1000
            tiers.append(firm)
        cc = host if staffing else rng.choice(SEND)
        word = "Henkilöstöpalvelut" if cc == "FI" else "Staffing"
        name = (f"{rng.choice(PLACE)} {word} {SUFFIX[cc]}" if staffing
                else f"{rng.choice(PLACE)} Budowa {SUFFIX[cc]}".replace("Budowa", {
                    "PL": "Budowa", "BG": "Stroy", "RO": "Construct", "LT": "Statyba"}[cc]))
        emp = self._firm(cc, name, "decoy", sector, self._person(cc, "lawful"),
                         employees=rng.randint(40, 300),
                         function="licensed staffing agency" if staffing else
                         "genuine posting employer with business at home", profile="business")
        emp.company.turnover = emp.company.employees * rng.randint(40, 90) * 1000
        origin = cc  # an agency's workers are local, a posting firm's its own nationals
        chain = Chain(f"LAWFUL-{k + 1:03d}", None, sector, host, site, tiers, [emp],
                      [round(rng.uniform(0.03, 0.1), 3) for _ in range(depth - 1)],
                      euros(rng, 3600, 4600, 50), lawful=True, posted=not staffing)
        n = rng.randint(3, 6)
        chain.workers = [self._person(origin, "decoy", female=sector == "cleaning", age=(21, 58))
                         for _ in range(n)]
        for wk in chain.workers:
            wk.note = (f"agency worker of {emp.company.id}, paid in full" if staffing else
                       f"posted worker of {emp.company.id}, employed there before, paid in full")
            chain.arrival[wk.id] = BASE_DATE
            chain.worker_accts[wk.id] = w.account(wk, rng.choice(("revo", "lhvb", "parx",
                                                                    "bpko")),
                                                  profile="none", statement=False)
        self._chain_contracts(chain)
        if not staffing:
            self._postings(chain, bogus=False)
        self.chains.append(chain)

    def _accountant(self, k: int) -> None:
        """An accountant's office whose address is the registered office of many clients."""
        rng, w = self.rng, self.ctx.world
        cc = rng.choice(("LV", "EE", "PL", "BG"))
        boss = self._person(cc, "lawful")
        office = w.address(cc, CITIES[cc][0], rng)
        firm = self._firm(cc, f"{rng.choice(PLACE)} Accounting {SUFFIX[cc]}", "decoy",
                          "accounting", boss, address=office, employees=rng.randint(4, 15),
                          function="accounting firm hosting its clients' registered offices",
                          profile="business")
        firm.company.turnover = rng.randint(200, 900) * 1000
        clients = [firm.company]
        for _ in range(rng.randint(8, 14)):
            trade = rng.choice(("Trade", "Consult", "IT", "Design", "Logistics"))
            c = w.company(cc, f"{rng.choice(MIDDLE)} {trade} {SUFFIX[cc]}",
                          "decoy", rng.choice(("retail", "IT", "design", "transport")),
                          self._person(cc, "lawful"), address=office,
                          employees=rng.randint(1, 25), function="client of an accountant, "
                          "registered at its office")
            c.turnover = c.employees * rng.randint(50, 150) * 1000
            clients.append(c)
        self.schemes.append({
            "id": f"DECOY-ADDR-{k + 1:03d}", "kind": "shared_address", "decoy": True,
            "operation": None, "companies": [_company(c) for c in clients],
            "address": office, "records": [], "accounts": [firm.account.iban],
            "note": "an accountant's office registered as the seat of its clients: many "
                    "firms at one address, each with its own director, staff and turnover"})

    def _lawful_dissolution(self, k: int) -> None:
        """A firm wound up lawfully: liquidation, dissolution, no successor."""
        rng, w = self.rng, self.ctx.world
        cc = rng.choice(("FI", "EE", "LV", "PL"))
        director = self._person(cc, "lawful")
        gone = BASE_DATE + timedelta(days=rng.randint(20, max(21, (w.end - BASE_DATE).days)))
        c = w.company(cc, f"{rng.choice(PLACE)} {rng.choice(('Rakennus', 'Build', 'Montage'))}"
                      f" {SUFFIX[cc]}", "decoy", "construction", director,
                      founded=BASE_DATE - timedelta(days=rng.randint(2000, 6000)),
                      dissolved=gone, employees=0, function="dissolved lawfully, no successor")
        c.turnover = rng.randint(100, 600) * 1000
        self._event(c, gone - timedelta(days=rng.randint(60, 120)), "liquidation_started", "")
        self._event(c, gone, "dissolved", "")
        self.schemes.append({
            "id": f"DECOY-DISS-{k + 1:03d}", "kind": "lawful_dissolution", "decoy": True,
            "operation": None, "companies": [_company(c)], "records": [], "accounts": [],
            "note": "liquidated and dissolved with its debts paid; no firm took over its "
                    "workers, contracts or accounts"})

    # -- money, month by month -------------------------------------------------------------

    def month(self, out: MonthOut, m: int) -> None:
        for chain in self.chains:
            rng = self.ctx.month_rng(chain.id, m)
            if chain.op is not None and chain.id.endswith("-CH0"):
                self._operation_invoices(out, chain, m)
            elif chain.lawful:
                self._lawful_month(out, chain, m, rng)
            else:
                self._scheme_month(out, chain, m, rng)

    def _operation_invoices(self, out: MonthOut, chain: Chain, m: int) -> None:
        """The invoices behind the transfers the operation booked this month (main contractor
        to first tier, first tier to the letterbox working then)."""
        op = chain.op
        main, sub = chain.tiers
        for txn in list(out.book.by_iban.get(op.main_acct.iban, ())):
            if txn.amount < 0 and txn.cp_iban == op.sub_acct.iban:
                self._record_invoice(chain, sub, main, txn.day - timedelta(days=3), -txn.amount)
        for txn in list(out.book.by_iban.get(op.sub_acct.iban, ())):
            if txn.amount < 0 and op.t_chain in txn.tags:
                lb = next((f for f in chain.employers if f.account.iban == txn.cp_iban), None)
                if lb is not None:
                    self._record_invoice(chain, lb, sub, txn.day - timedelta(days=2),
                                         -txn.amount)

    def _record_invoice(self, chain: Chain, supplier: Firm, buyer: Firm, day: date,
                        gross: int) -> None:
        """An invoice for a payment already booked (``gross`` with VAT when domestic)."""
        s, b = supplier.company, buyer.company
        seq = self.invoice_seq[s.id] = self.invoice_seq.get(s.id, 0) + 1
        letters = "".join(w[0] for w in s.name.split()[:2]).upper()
        number = f"{letters}{s.reg_no[-3:]}-{day.year}/{seq:03d}"
        rate = VAT_RATE[s.country] if s.country == b.country else 0.0
        net = round(gross / (1 + rate / 100))
        self.ctx.plan.invoices.append({
            "invoice_no": number, "issue_date": day.isoformat(),
            "due_date": (day + timedelta(days=7)).isoformat(), "supplier_name": s.name,
            "supplier_reg": s.reg_no, "supplier_vat": s.vat, "supplier_country": s.country,
            "buyer_name": b.name, "buyer_reg": b.reg_no, "buyer_vat": b.vat,
            "buyer_country": b.country, "contract_ref": chain.contract_of.get((b.id, s.id), ""),
            "description": f"{SUBJECT[chain.sector]} {day:%m/%Y}",
            "net_amount": f"{net / 100:.2f}", "vat_amount": f"{(gross - net) / 100:.2f}",
            "total_amount": f"{gross / 100:.2f}", "currency": "EUR",
            "pay_to_iban": supplier.account.iban})
        chain.invoices.append(number)

    def _pass_down(self, out: MonthOut, chain: Chain, m: int, rng: random.Random,
                   tags: tuple[str, ...]) -> tuple[Firm, int, date]:
        """Invoices up the chain for this month's work and payments down it; returns the
        employer, what it received and when."""
        first = month_start(m)
        present = sum(1 for d in chain.arrival.values() if d <= first + timedelta(days=20))
        value = present * chain.rate
        day = first + timedelta(days=2)  # the month's work invoiced in advance
        emp = chain.employer(first + timedelta(days=10))
        firms = [*chain.tiers, emp]
        # invoices are issued bottom up, paid top down, each a few days after the one above
        amounts = [value]
        for i in range(len(firms) - 2):
            amounts.append(int(amounts[-1] * (1 - chain.margins[i])))
        for i in range(len(firms) - 1):
            self._invoice(out, chain, firms[i + 1], firms[i], day + timedelta(days=i),
                          amounts[i], tags, paid_after=5 + 2 * i)
        last = amounts[-1]
        rate = VAT_RATE[emp.company.country] if emp.company.country == \
            firms[-2].company.country else 0.0
        received = last + round(last * rate / 100)
        return emp, received, day + timedelta(days=5 + 2 * (len(firms) - 2))

    def _scheme_month(self, out: MonthOut, chain: Chain, m: int, rng: random.Random) -> None:
        op, gt, plan = chain.op, self.ctx.gt, self.ctx.plan
        book = out.book
        first, days = month_start(m), month_days(m)
        host_min = MIN_WAGE[chain.host]
        if m == 0:
            for wk in chain.workers:
                fee = euros(rng, 300, 900, 50)
                acct = chain.worker_accts.get(wk.id)
                day = chain.arrival[wk.id] + timedelta(days=rng.randint(0, 3))
                if acct is not None:
                    book.transfer(day, acct, op.agency_acct, fee, f"oplata {wk.name.latin}",
                                  (op.t_r8,))
                else:
                    book.credit(day, op.agency_acct, fee, wk.name.latin, "", "",
                                f"fee {wk.name.latin}", method="cash", tags=(op.t_r8,),
                                cp_id=wk.id)
                gt.proceeds(op.op, "recruitment_fee", fee)
        tags = (chain.tags["chain"],)
        emp, received, paid = self._pass_down(out, chain, m, rng, tags)
        # a phoenix takes over its predecessor's money before the predecessor is struck off
        for prev, nxt in zip(chain.employers, chain.employers[1:], strict=False):
            if prev.stop is not None and first <= prev.stop + timedelta(days=5) < \
                    first + timedelta(days=days):
                book.transfer(prev.stop + timedelta(days=5), prev.account, nxt.account,
                              euros(rng, 3000, 9000, 100), "transfer of funds, takeover", tags)
        emp = chain.employer(first + timedelta(days=10))
        payday = first + timedelta(days=min(days - 3, 24))
        paid_total = 0
        for i, wk in enumerate(chain.workers):
            if chain.arrival[wk.id] > payday:
                continue
            hours = rng.randint(230, 290)
            gross = host_min * rng.randint(70, 90) // 100
            housing = gross * rng.randint(25, 35) // 100 // 100 * 100
            transport = gross * rng.randint(8, 14) // 100 // 100 * 100
            net = gross - housing - transport
            paid_total += net
            if wk.id not in chain.unregistered:
                rid = f"PR{len(plan.payroll) + 1:07d}"
                acct = chain.worker_accts.get(wk.id)
                plan.payroll.append({
                    "payroll_id": rid, "period": f"{first:%Y-%m}",
                    "company_id": emp.company.reg_no, "company_name": None,
                    "employee_id": f"{emp.company.reg_no}-{i + 1:04d}", "employee_name": None,
                    "gross": f"{gross / 100:.2f}", "deduction_housing": f"{housing / 100:.2f}",
                    "deduction_transport": f"{transport / 100:.2f}", "net": f"{net / 100:.2f}",
                    "paid_to_iban": acct.iban if acct else op.ctl_acct.iban,
                    "paid_on": payday.isoformat(), "hours": hours,
                    "min_wage_host": f"{host_min / 100:.2f}",
                    "company_country": emp.company.country,
                    "_company": emp.company.id, "_employee": wk.id})
                chain.payroll.setdefault(emp.company.id, []).append(rid)
            gt.proceeds(op.op, "housing_transport_deduction", housing + transport)
            acct = chain.worker_accts.get(wk.id)
            if acct is None:
                book.transfer(payday, emp.account, op.ctl_acct, net, f"alga {wk.name.latin}",
                              (chain.tags["R2"],))
                gt.proceeds(op.op, "wages_to_controller", net)
            else:
                book.transfer(payday, emp.account, acct, net, f"salary {first:%m/%Y}",
                              (chain.tags["R3"],))
                back = net * rng.randint(55, 75) // 100
                book.transfer(payday + timedelta(days=rng.randint(0, 1)), acct, op.ctl_acct,
                              back, rng.choice(("", "borg", "dolg", "za zhytlo", "debt")),
                              (chain.tags["R3"],))
                gt.proceeds(op.op, "wage_kickback", back)
        rest = received - paid_total
        day = max(paid, payday) + timedelta(days=1)
        cash = (chain.tags["R10"], *tags)
        while rest > 1_200_000:
            chunk = euros(rng, 9000, 9950, 10)
            book.cash(min(day, first + timedelta(days=days - 1)), emp.account, -chunk,
                      emp.company.address.rsplit(", ", 1)[-1], cash)
            rest -= chunk
            day += timedelta(days=1)
        if rest > 0:
            book.transfer(min(day, first + timedelta(days=days - 1)), emp.account, op.ctl_acct,
                          rest * 2 // 3, "consulting services", tags)
        for wk in chain.workers:
            out.calls.append((op.controller.phone, wk.phone, datetime.combine(
                first + timedelta(days=rng.randrange(days)),
                time(rng.randint(6, 21), rng.randint(0, 59))), rng.randint(15, 240),
                rng.choice(("voice", "sms"))))

    def _lawful_month(self, out: MonthOut, chain: Chain, m: int, rng: random.Random) -> None:
        plan = self.ctx.plan
        first = month_start(m)
        emp = chain.employers[0]
        self._pass_down(out, chain, m, rng, ())
        payday = first + timedelta(days=9)
        host_min = MIN_WAGE[chain.host]
        for i, wk in enumerate(chain.workers):
            gross = host_min * rng.randint(150, 190) // 100
            housing = gross * rng.randint(0, 10) // 100 // 100 * 100 if chain.posted else 0
            net = (gross - housing) * 78 // 100
            rid = f"PR{len(plan.payroll) + 1:07d}"
            plan.payroll.append({
                "payroll_id": rid, "period": f"{first:%Y-%m}",
                "company_id": emp.company.reg_no, "company_name": None,
                "employee_id": f"{emp.company.reg_no}-{i + 1:04d}", "employee_name": None,
                "gross": f"{gross / 100:.2f}", "deduction_housing": f"{housing / 100:.2f}",
                "deduction_transport": "0.00", "net": f"{net / 100:.2f}",
                "paid_to_iban": chain.worker_accts[wk.id].iban, "paid_on": payday.isoformat(),
                "hours": rng.randint(150, 172), "min_wage_host": f"{host_min / 100:.2f}",
                "company_country": emp.company.country,
                "_company": emp.company.id, "_employee": wk.id})
            chain.payroll.setdefault(emp.company.id, []).append(rid)
            out.book.transfer(payday, emp.account, chain.worker_accts[wk.id], net,
                              f"salary {first:%m/%Y}")

    # -- the answer key --------------------------------------------------------------------

    def write_key(self) -> None:
        """Every scheme and decoy, with its companies, accounts and records (called when the
        world is written, so that the invoices and payroll of every month are known)."""
        self._employed_since()
        self._payroll_details()
        for chain in self.chains:
            if chain.lawful:
                self._lawful_key(chain)
            else:
                self._scheme_key(chain)
        self._shared_keys()

    def _payroll_details(self) -> None:
        """Hours, the host's minimum and the employer's country on the payroll rows the
        operations and the background planned (a stream per row): the operations' workers
        do 230-290 hours a month, a staffing firm's a full-time month."""
        world, seed = self.ctx.world, self.ctx.seed
        host = {r["_sender"]: r["host_country"] for r in self.ctx.plan.a1}
        for chain in self.chains:
            host.update((f.company.id, chain.host) for f in chain.employers)
        for row in self.ctx.plan.payroll:
            if "hours" in row:
                continue
            company = world.companies[row["_company"]]
            rng = random.Random(f"{seed}:hours:{row['payroll_id']}")
            row["hours"] = rng.randint(230, 290) if company.role == "front_company" else \
                rng.randint(160, 170)
            cc = host.get(company.id)
            row["min_wage_host"] = f"{MIN_WAGE[cc] / 100:.2f}" if cc in MIN_WAGE else ""
            row["company_country"] = company.country

    def _employed_since(self) -> None:
        """Since when each worker of an A1 form worked for the sending company, for the forms
        the operations and the background planned: a letterbox's workers from the first day
        of their posting, a staffing firm's for years (a stream per form)."""
        companies, seed = self.ctx.world.companies, self.ctx.seed
        for row in self.ctx.plan.a1:
            if "employed_since" in row:
                continue
            start = date.fromisoformat(row["start_date"])
            if companies[row["_sender"]].role != "front_company":
                rng = random.Random(f"{seed}:employed:{row['declaration_id']}")
                start -= timedelta(days=rng.randint(400, 3000))
            row["employed_since"] = start.isoformat()

    def _records(self, chain: Chain) -> list[dict[str, str]]:
        return ([{"file": CONTRACTS, "id": r} for r in chain.contracts]
                + [{"file": INVOICES, "id": r} for r in chain.invoices])

    def _scheme_key(self, chain: Chain) -> None:
        op, add = chain.op, self.schemes.append
        firms = [*chain.tiers, *chain.employers]
        tiers = [_company(f.company) for f in chain.tiers]
        add({"id": chain.id, "kind": "subcontracting_chain", "decoy": False,
             "operation": op.op, "companies": [_company(f.company) for f in firms],
             "tiers": tiers + [[_company(f.company) for f in chain.employers]],
             "depth": len(chain.tiers) + 1, "margins": chain.margins,
             "accounts": [f.account.iban for f in firms] + [op.ctl_acct.iban],
             "controller": op.controller.id, "records": self._records(chain),
             "note": f"{len(chain.tiers) + 1} tiers from the main contractor "
                     f"{chain.tiers[0].company.name} down to the employer of the workers; "
                     "money leaves at the bottom in cash and transfers to the controller"})
        for j, (prev, nxt) in enumerate(zip(chain.employers, chain.employers[1:],
                                            strict=False)):
            p, s = prev.company, nxt.company
            shared = [k for k, same in (("director", p.director == s.director),
                                        ("owner", p.owner == s.owner),
                                        ("address", p.address == s.address)) if same]
            recs = [{"file": CONTRACTS, "id": chain.contract_of[(chain.tiers[-1].company.id,
                                                                 s.id)]}]
            recs += [{"file": EVENTS, "id": e} for e in self._event_ids(p, s)]
            add({"id": f"{chain.id}-PHX{j + 1}", "kind": "phoenix", "decoy": False,
                 "operation": op.op, "companies": [_company(p), _company(s)],
                 "predecessor": _company(p), "successor": _company(s), "shared": shared,
                 "took_over": ["workers", "contracts", "accounts"] if not
                 chain.id.endswith("-CH0") else ["workers", "contracts"],
                 "accounts": [prev.account.iban, nxt.account.iban], "records": recs,
                 "note": f"{p.name} {p.status or 'dissolved'} on {p.dissolved}; {s.name}, "
                         f"registered {s.founded}, took over its workers and contract"})
        for emp in chain.employers:
            c = emp.company
            recs = [{"file": A1, "id": r} for r in self._a1_of(chain, c)]
            add({"id": f"{chain.id}-LBX-{c.id}", "kind": "letterbox", "decoy": False,
                 "operation": op.op, "companies": [_company(c)], "accounts": [emp.account.iban],
                 "records": recs, "note": f"{c.name}: registered at a shared address under a "
                                          "straw director, no staff or turnover at home, "
                                          "employs the workers on paper only"})
            add({"id": f"{chain.id}-NOEMP-{c.id}", "kind": "no_employees_large_flows",
                 "decoy": False, "operation": op.op, "companies": [_company(c)],
                 "accounts": [emp.account.iban], "records": [],
                 "note": f"{c.name} declares {c.declared_employees or 0} employees but passes "
                         "the contract's money through its account"})
            if recs:
                reasons = ["no_turnover_or_staff_in_sending_state", "not_employed_before",
                           "contract_signed_in_host_state"]
                if any(self._long(r) for r in self._a1_rows(chain, c)):
                    reasons.append("posting_beyond_limit")
                if any(w in chain.unregistered for w in self._a1_workers(chain, c)):
                    reasons.append("contradicted_by_payroll")
                if any(w in chain.late for w in self._a1_workers(chain, c)):
                    reasons.append("contradicted_by_bookings")
                add({"id": f"{chain.id}-BOGUS-{c.id}", "kind": "bogus_posting",
                     "decoy": False, "operation": op.op, "companies": [_company(c)],
                     "accounts": [], "records": recs, "reasons": reasons,
                     "people": sorted(self._a1_workers(chain, c)),
                     "note": f"{c.name} posts workers it never employed before and has no "
                             "business in its own country"})
            rows = [r for r in self.ctx.plan.payroll if r["_company"] == c.id]
            over = [{"file": PAYROLL, "id": r["payroll_id"]} for r in rows
                    if float(r["deduction_housing"]) + float(r["deduction_transport"])
                    > LAWFUL_DEDUCTION * float(r["gross"])]
            if over:
                add({"id": f"{chain.id}-DEDUCT-{c.id}", "kind": "excessive_deductions",
                     "decoy": False, "operation": op.op, "companies": [_company(c)],
                     "accounts": [], "records": over,
                     "note": "housing and transport deducted above "
                             f"{int(LAWFUL_DEDUCTION * 100)} % of gross pay"})
            low = [{"file": PAYROLL, "id": r["payroll_id"]} for r in rows
                   if float(r["net"]) * 100 < MIN_WAGE[chain.host]]
            if low and chain.host in STATUTORY:
                add({"id": f"{chain.id}-MINWAGE-{c.id}", "kind": "below_min_wage",
                     "decoy": False, "operation": op.op, "companies": [_company(c)],
                     "accounts": [], "records": low,
                     "note": f"net pay below the {chain.host} minimum of "
                             f"{MIN_WAGE[chain.host] / 100:.2f} EUR a month for full-time work"})
        own = chain.id.endswith("-CH0")  # the operation's own chain: its typologies
        r3, r2 = (op.t_r3, op.t_r2) if own else (chain.tags["R3"], chain.tags["R2"])
        if own:
            listed = {r["_employee"] for r in self.ctx.plan.payroll}
            chain.unregistered = {w.id for w in chain.workers if w.id not in listed}
        paid = [a.iban for a in chain.worker_accts.values()]
        add({"id": f"{chain.id}-KICKBACK", "kind": "wage_kickback", "decoy": False,
             "operation": op.op, "companies": [_company(f.company) for f in chain.employers],
             "accounts": [op.ctl_acct.iban, *paid], "records": [],
             "people": sorted(chain.worker_accts), "typology": r3,
             "note": "wages credited to the workers and 55-75 % sent back to the controller "
                     "within two days"})
        direct = [w.id for w in chain.workers if w.id not in chain.worker_accts]
        if direct:
            add({"id": f"{chain.id}-SHARED", "kind": "shared_wage_account", "decoy": False,
                 "operation": op.op,
                 "companies": [_company(f.company) for f in chain.employers],
                 "accounts": [op.ctl_acct.iban], "records": [], "people": direct,
                 "typology": r2,
                 "note": "several workers' wages paid into the controller's account"})
        for wk in chain.workers:
            if wk.id in chain.unregistered:
                recs = [r for r in ({"file": BOOKINGS, "id": rec["id"]} for rec in wk.records
                                    if rec["file"] == BOOKINGS)]
                add({"id": f"{chain.id}-UNREG-{wk.id}", "kind": "unregistered_worker",
                     "decoy": False, "operation": op.op,
                     "companies": [_company(f.company) for f in chain.employers],
                     "accounts": [], "records": recs, "people": [wk.id],
                     "note": "travels to the site and takes the controller's calls, posted on "
                             "an A1 form, but is on no payroll"})
        newest = [f for f in chain.tiers[1:] + chain.employers
                  if (self._contract_date(chain, f) - f.company.founded).days < 183]
        for f in newest:
            ref = self._contract_to(chain, f)
            add({"id": f"{chain.id}-NEW-{f.company.id}", "kind": "new_firm_large_subcontract",
                 "decoy": False, "operation": op.op, "companies": [_company(f.company)],
                 "accounts": [f.account.iban], "records": [{"file": CONTRACTS, "id": ref}],
                 "note": f"{f.company.name}, founded {f.company.founded}, wins a subcontract "
                         "worth hundreds of thousands within months"})

    def _lawful_key(self, chain: Chain) -> None:
        add = self.schemes.append
        firms = [*chain.tiers, *chain.employers]
        emp = chain.employers[0]
        add({"id": chain.id, "kind": "lawful_subcontracting", "decoy": True,
             "operation": None, "companies": [_company(f.company) for f in firms],
             "tiers": [_company(f.company) for f in firms], "depth": len(firms),
             "margins": chain.margins, "accounts": [f.account.iban for f in firms],
             "records": self._records(chain),
             "note": "established firms with staff and turnover, margins of 3-10 %, workers "
                     "paid in full"})
        pay = [{"file": PAYROLL, "id": r} for r in chain.payroll.get(emp.company.id, [])]
        if chain.posted:
            add({"id": f"{chain.id}-POSTING", "kind": "genuine_posting", "decoy": True,
                 "operation": None, "companies": [_company(emp.company)],
                 "accounts": [emp.account.iban],
                 "records": [{"file": A1, "id": r} for r in chain.a1] + pay,
                 "people": [w.id for w in chain.workers],
                 "note": f"{emp.company.name} has {emp.company.employees} staff and real "
                         "turnover at home; its workers worked for it before, postings within "
                         "12 months"})
        else:
            add({"id": f"{chain.id}-AGENCY", "kind": "staffing_agency", "decoy": True,
                 "operation": None, "companies": [_company(emp.company)],
                 "accounts": [emp.account.iban], "records": pay,
                 "people": [w.id for w in chain.workers],
                 "note": f"{emp.company.name}, a licensed staffing agency with "
                         f"{emp.company.employees} staff, hiring out workers paid in full"})

    def _shared_keys(self) -> None:
        """Addresses hosting several letterboxes, straw directors of many firms, recruitment
        agencies paid by many workers; and the lawful staffing firms of the background."""
        w, add = self.ctx.world, self.schemes.append
        by_address: dict[str, list[Company]] = {}
        by_director: dict[str, list[Company]] = {}
        for c in w.companies.values():
            if c.role == "front_company" and c.operation:
                by_address.setdefault(c.address, []).append(c)
                by_director.setdefault(c.director, []).append(c)
        for n, (address, firms) in enumerate(sorted(by_address.items())):
            if len(firms) >= 2:
                add({"id": f"ADDR-{n + 1:03d}", "kind": "shared_address", "decoy": False,
                     "operation": firms[0].operation, "address": address,
                     "companies": [_company(c) for c in firms], "accounts": [],
                     "records": [], "note": f"{len(firms)} firms of the scheme registered at "
                                            "one address"})
        for pid, firms in sorted(by_director.items()):
            person = w.people[pid]
            if len(firms) >= 3 and person.role != "controller":
                add({"id": f"STRAW-{pid}", "kind": "straw_director", "decoy": False,
                     "operation": person.operation, "people": [pid],
                     "companies": [_company(c) for c in firms], "accounts": [],
                     "records": [], "note": f"one straw director for {len(firms)} firms"})
        for op in self.ops:
            add({"id": f"{op.op}-FEES", "kind": "recruitment_fees", "decoy": False,
                 "operation": op.op, "companies": [_company(op.agency)],
                 "accounts": [op.agency_acct.iban], "records": [],
                 "people": [op.recruiter.id], "typology": op.t_r8,
                 "note": "many workers paying fees to the same recruitment agency"})
        for c in w.companies.values():
            if c.function.startswith("honest staffing firm"):
                add({"id": f"DECOY-POST-{c.id}", "kind": "genuine_posting", "decoy": True,
                     "operation": None, "companies": [_company(c)], "accounts": c.accounts,
                     "records": [], "note": "a staffing firm posting its own workers with A1 "
                                            "forms and paying them in full"})

    def _event_ids(self, *companies: Company) -> list[str]:
        people = self.ctx.world.people
        return [str(row["event_id"]) for c in companies for row in register_events(c, people)
                if row["event"] not in ("registered",)]

    def _a1_rows(self, chain: Chain, c: Company) -> list[dict[str, Any]]:
        ids = set(chain.a1)
        return [r for r in self.ctx.plan.a1 if r["_sender"] == c.id and
                (r["declaration_id"] in ids or chain.id.endswith("-CH0"))]

    def _a1_of(self, chain: Chain, c: Company) -> list[str]:
        return [r["declaration_id"] for r in self._a1_rows(chain, c)]

    def _a1_workers(self, chain: Chain, c: Company) -> set[str]:
        return {r["_worker"] for r in self._a1_rows(chain, c)}

    @staticmethod
    def _long(row: dict[str, Any]) -> bool:
        start, end = date.fromisoformat(row["start_date"]), date.fromisoformat(row["end_date"])
        return (end - start).days > 18 * 30.5

    def _contract_to(self, chain: Chain, firm: Firm) -> str:
        return next(ref for (client, contractor), ref in chain.contract_of.items()
                    if contractor == firm.company.id)

    def _contract_date(self, chain: Chain, firm: Firm) -> date:
        ref = self._contract_to(chain, firm)
        row = next(r for r in self.ctx.plan.contracts if r["contract_ref"] == ref)
        return date.fromisoformat(row["signed_date"])


def register_events(c: Company, people: dict[str, Person]) -> list[dict[str, str | None]]:
    """The register's history of ``c``, oldest first: registration, the first director and
    owner, then what happened since (address changes, liquidation, dissolution...)."""
    events: list[tuple[date, str, str]] = [(c.founded, "registered", c.address),
                                           (c.founded, "director_appointed",
                                            people[c.director].name.latin)]
    if c.owner != c.director:
        events.append((c.founded, "owner_changed", people[c.owner].name.latin))
    events += [e for e in c.events if not (e[1] == "director_appointed" and e[0] == c.founded)]
    if c.dissolved is not None and not any(e[1] in ("dissolved", "struck_off")
                                           for e in c.events):
        events.append((c.dissolved, "dissolved", ""))
    events.sort(key=lambda e: e[0])
    return [{"event_id": f"{c.country}-{c.reg_no}-{n + 1:02d}", "registration_number": c.reg_no,
             "country": c.country, "name": None, "date": day.isoformat(), "event": event,
             "value": value, "_company": c.id}
            for n, (day, event, value) in enumerate(events)]


def turnover(c: Company, seed: int) -> int | None:
    """The last annual turnover ``c`` declared (EUR): its own if set, else one in proportion
    to its staff for lawful firms (a stream per company); None for fronts that filed none."""
    if c.turnover is not None or c.role not in ("lawful", "decoy") or not c.employees:
        return c.turnover
    return c.employees * random.Random(f"{seed}:register:{c.id}").randint(40, 160) * 1000


def register_status(c: Company) -> tuple[str, date]:
    """The register's status of ``c`` and since when."""
    if c.dissolved is None:
        return "active", c.founded
    return (c.status or "liquidated"), c.dissolved
