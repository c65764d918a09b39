"""Laundering: the shapes of the open AML simulators injected into a lawful economy.

As IBM's AMLSim and the AMLworld generator (Altman et al. 2023) do, typologies of a few to a
dozen accounts (fan-in, fan-out, cycle, scatter-gather, gather-scatter, bipartite, stack)
move money between ordinary account holders who otherwise live lawful lives. Around them
runs a lawful economy with fans of its own: employers paying their staff every month (and a
bonus once), households paying rent and utility bills, shops and a wholesaler taking many
customers' payments. Each shape varies in size, amounts (alike within a tolerance, never
copies) and how long it takes.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import date, timedelta

from veriga.simulate.plan import Ctx, MonthOut
from veriga.simulate.scenarios.common import euros
from veriga.simulate.world import BASE_DATE, Account, Company, Person, month_start

SCENARIO = "laundering"
OP = "OP-AML-001"
SHAPES = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "bipartite",
          "stack")
#: Instances of each shape per world size.
PER_SHAPE = {"tiny": 1, "small": 2, "medium": 5, "large": 12}
BANKS = ("haba", "unla", "parx", "riko", "hbee", "lhvb", "ndea", "okoy", "revo")
COUNTRY = {"haba": "LV", "unla": "LV", "parx": "LV", "riko": "LV", "hbee": "EE", "lhvb": "EE",
           "ndea": "FI", "okoy": "FI", "revo": "LV"}
SUFFIX = {"LV": "SIA", "EE": "OÜ", "FI": "Oy"}
TEXTS = ("loan", "loan repayment", "consulting services", "invoice {n}", "services {n}",
         "gift", "", "advance", "agreement {n}/26", "goods")
DESCRIPTION = {
    "fan_in": "many accounts pay one account alike amounts",
    "fan_out": "one account pays many accounts alike amounts",
    "cycle": "money goes round a circle of accounts back to where it started",
    "scatter_gather": "one account pays several intermediaries, who pay one recipient",
    "gather_scatter": "many accounts pay one account, which pays many others",
    "bipartite": "a set of accounts each pays the same set of accounts",
    "stack": "two bipartite layers: payers to intermediaries, intermediaries to recipients",
}


@dataclass(frozen=True, slots=True)
class Move:
    """One planned transfer of a shape (amount in cents)."""

    day: date
    src: Account
    dst: Account
    cents: int
    text: str
    tag: str


class LawfulEconomy:
    """Held accounts with lawful fans: payroll, rent, utilities, shops and a wholesaler."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        w, rng = ctx.world, ctx.rng
        n = max(12, ctx.size.background_accounts // 2)
        self.households = [self._person(rng.choice(BANKS)) for _ in range(n)]
        self.employers: list[tuple[Account, list[tuple[Account, int]]]] = []
        size = max(6, n // max(1, n // 15))
        for i in range(0, n, size):
            emp = self._company(f"{rng.choice(('Nord', 'Baltic', 'Riga', 'Harbour'))} "
                                f"{rng.choice(('Works', 'Foods', 'Logistics', 'Clinic'))} {i}",
                                "employer")
            self.employers.append((emp, [(h, euros(rng, 1100, 3500, 10))
                                         for h in self.households[i:i + size]]))
        self.utilities = [self._company(f"{name} Energy", "utility") for name in ("Latvijas",
                                                                                  "Eesti")]
        self.landlords = [self._company(f"Home Rent {k + 1}", "landlord") for k in range(3)]
        self.shops = [self._company(f"{name} Store", "shop") for name in ("Elektro", "Moda",
                                                                          "Sport")]
        self.wholesaler = self._company("Baltic Wholesale", "wholesaler")
        # trading partners paying the wholesaler and the employers: accounts not in the case
        self.customers = []
        for k in range(max(20, n // 3)):
            bank = rng.choice([b for b in w.banks.all if b.country in ("LV", "EE", "LT")])
            comp = w.company(bank.country if bank.country in SUFFIX else "LV",
                             f"Trade Partner {k + 1} {SUFFIX.get(bank.country, 'SIA')}",
                             "lawful", "retail", w.person("LV", "lawful"))
            self.customers.append(w.account(comp, bank.key, profile="none", statement=False))
        self.home = {h.iban: rng.choice(self.landlords) for h in self.households}
        self.bonus_month = min(2, w.months - 1)
        lookalikes = ctx.gt.lookalikes
        for emp, team in self.employers:
            lookalikes.append({"kind": "payroll", "shape": "fan_out", "account": emp.iban,
                               "counterparties": len(team),
                               "description": "monthly payroll and a bonus run once"})
        for acct, kind in ([(u, "utility") for u in self.utilities]
                           + [(x, "landlord") for x in self.landlords]
                           + [(s, "shop") for s in self.shops]
                           + [(self.wholesaler, "wholesaler")]):
            lookalikes.append({"kind": kind, "shape": "fan_in", "account": acct.iban,
                               "counterparties": None,
                               "description": f"a {kind} paid by many customers"})

    def _person(self, bank: str) -> Account:
        w = self.ctx.world
        return w.account(w.person(COUNTRY[bank], "lawful"), bank, profile="none")

    def _company(self, name: str, what: str) -> Account:
        w, rng = self.ctx.world, self.ctx.rng
        bank = rng.choice(BANKS)
        cc = COUNTRY[bank]
        comp = w.company(cc, f"{name} {SUFFIX[cc]}", "lawful", what, w.person(cc, "lawful"),
                         employees=rng.randint(3, 40), function=f"lawful {what}")
        return w.account(comp, bank, profile="none")

    def month(self, out: MonthOut, m: int) -> None:
        rng = self.ctx.month_rng("lawful-economy", m)
        book, first = out.book, month_start(m)
        last = month_start(m + 1) - timedelta(days=1)

        def day(lo: int = 0, hi: int | None = None) -> date:
            hi = (last - first).days if hi is None else min(hi, (last - first).days)
            return first + timedelta(days=rng.randint(lo, hi))

        for emp, team in self.employers:
            payday = first + timedelta(days=9 + rng.randint(0, 1))
            for _ in range(rng.randint(3, 8)):  # its own clients' invoices
                who = rng.choice(self.customers)
                book.transfer(day(), who, emp, euros(rng, 2000, 30000, 1),
                              f"Invoice {rng.randint(1000, 9999)}")
            for h, salary in team:
                book.transfer(payday, emp, h, salary + rng.randint(-3000, 3000),
                              f"Salary {first:%m/%Y}")
                if m == self.bonus_month:  # a bonus run: one more fan-out, alike amounts
                    book.transfer(payday + timedelta(days=5), emp, h, euros(rng, 500, 700, 50),
                                  f"Bonus {first:%Y}")
        for h in self.households:
            book.transfer(day(1, 4), h, self.home[h.iban], euros(rng, 350, 900, 10),
                          f"rent {first:%m/%Y}")
            util = self.utilities[zlib.crc32(h.iban.encode()) % len(self.utilities)]
            book.transfer(day(14, 20), h, util, rng.randint(3000, 16000),
                          f"electricity {first:%m/%Y}")
            for _ in range(rng.randint(0, 3)):
                book.transfer(day(), h, rng.choice(self.shops), rng.randint(1500, 40000),
                              f"order {rng.randint(10000, 99999)}")
            for _ in range(rng.randint(6, 14)):
                book.card(day(), h, rng.randint(200, 9000),
                          rng.choice(("RIMI", "MAXIMA", "Prisma", "Circle K", "Lidl")))
            if rng.random() < 0.5:
                book.cash(day(), h, -euros(rng, 20, 200), "Riga")
        for _ in range(rng.randint(18, 30)):  # the wholesaler's varied B2B takings
            book.transfer(day(), rng.choice(self.customers), self.wholesaler,
                          rng.randint(40000, 600000), f"Invoice {rng.randint(10000, 99999)}")
        for shop in (*self.shops, self.wholesaler):
            book.transfer(first + timedelta(days=22), shop, self.landlords[0],
                          euros(rng, 1500, 3000, 10), f"rent {first:%m/%Y} premises")


class Laundering:
    """The shapes, planned up front and booked month by month."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        gt = ctx.gt
        gt.operation(OP, SCENARIO, "laundering shapes of the AML simulators (AMLSim, "
                                   "AMLworld) among ordinary account holders")
        self.rng = random.Random(f"{ctx.seed}:laundering")
        self.moves: list[Move] = []
        self.members: list[str] = []
        count = PER_SHAPE.get(ctx.size.name, 12)
        for shape in SHAPES:
            for k in range(count):
                tid = f"{OP}-{shape}-{k + 1:02d}"
                getattr(self, f"_{shape}")(tid)
        end = ctx.world.end
        gt.stage(OP, "proceeds", BASE_DATE, end, self.members,
                 "proceeds moved through fans, cycles, bipartite layers and stacks")
        gt.operations[OP]["actors"].extend(self.members)
        for mv in self.moves:
            gt.proceeds(OP, f"moved through {mv.tag.split('-')[-2]}", mv.cents)

    # -- members and timing -----------------------------------------------------------------

    def _member(self, n: int) -> list[Account]:
        """``n`` ordinary account holders (people with a salary, now and then a company) who
        take part in a shape; the rest of their movements are lawful."""
        w, rng = self.ctx.world, self.ctx.rng
        out = []
        for _ in range(n):
            bank = rng.choice(BANKS)
            cc = COUNTRY[bank]
            if rng.random() < 0.25:
                holder: Person | Company = w.company(
                    cc, f"{rng.choice(('Alfa', 'Nova', 'Prime', 'Vega', 'Orion'))} Trade "
                    f"{SUFFIX[cc]}", "front_company", "trade", w.person(cc, "money_mule",
                                                                        operation=OP),
                    operation=OP, employees=rng.randint(0, 2), function="takes part in a "
                    "laundering shape")
                acct = w.account(holder, bank, profile="business")
            else:
                holder = w.person(cc, "money_mule", operation=OP)
                acct = w.account(holder, bank, profile="salary")
            self.members.append(holder.id)
            out.append(acct)
        return out

    def _start(self, span: int) -> date:
        """A first day leaving ``span`` days before the world ends."""
        last = (self.ctx.world.end - BASE_DATE).days - span
        return BASE_DATE + timedelta(days=self.rng.randint(2, max(2, last)))

    def _amount(self, base: int, tolerance: float = 0.12) -> int:
        """``base`` cents varied within ``tolerance``; rounded to 100 EUR now and then, as
        the simulators' "large or rounded" amounts are."""
        cents = int(base * self.rng.uniform(1 - tolerance, 1 + tolerance))
        return cents // 10000 * 10000 if self.rng.random() < 0.3 else cents

    def _text(self) -> str:
        return self.rng.choice(TEXTS).format(n=self.rng.randint(100, 999))

    def _move(self, day: date, src: Account, dst: Account, cents: int, tag: str) -> None:
        self.moves.append(Move(min(day, self.ctx.world.end), src, dst, cents, self._text(), tag))

    def _register(self, tid: str, shape: str, accounts: list[Account], detail: str) -> None:
        self.ctx.gt.typology(tid, f"shape.{shape}", shape, OP,
                             f"{DESCRIPTION[shape]} ({detail})", [a.iban for a in accounts])

    def _days(self, start: date, span: int, n: int) -> list[date]:
        """When ``n`` transfers happen: all at once, at a fixed interval, or at random in
        ``span`` days (AMLSim's schedules)."""
        how = self.rng.choice(("simultaneous", "interval", "random"))
        if how == "simultaneous" or span == 0:
            return [start] * n
        if how == "interval":
            return [start + timedelta(days=span * i // max(1, n - 1)) for i in range(n)]
        return sorted(start + timedelta(days=self.rng.randint(0, span)) for _ in range(n))

    # -- the shapes ------------------------------------------------------------------------

    def _fan(self, tid: str, shape: str) -> None:
        rng = self.rng
        hub, *others = self._member(1 + rng.randint(5, 12))
        span = rng.randint(0, 18)
        base = euros(rng, 1500, 9500, 10)
        for day, other in zip(self._days(self._start(span), span, len(others)), others,
                              strict=True):
            src, dst = (other, hub) if shape == "fan_in" else (hub, other)
            self._move(day, src, dst, self._amount(base), tid)
        self._register(tid, shape, [hub, *others], f"{len(others)} accounts, {span + 1} days")

    def _fan_in(self, tid: str) -> None:
        self._fan(tid, "fan_in")

    def _fan_out(self, tid: str) -> None:
        self._fan(tid, "fan_out")

    def _cycle(self, tid: str) -> None:
        rng = self.rng
        ring = self._member(rng.randint(3, 8))
        day = self._start(5 * len(ring))
        cents = euros(rng, 3000, 20000, 10)
        for i, src in enumerate(ring):
            self._move(day, src, ring[(i + 1) % len(ring)], cents, tid)
            day += timedelta(days=rng.randint(0, 4))
            cents = int(cents * rng.uniform(0.9, 0.99))  # each keeps a cut
        self._register(tid, "cycle", ring, f"{len(ring)} accounts")

    def _scatter_gather(self, tid: str) -> None:
        rng = self.rng
        src, dst, *mids = self._member(2 + rng.randint(3, 8))
        span = rng.randint(0, 10)
        start = self._start(span + 6)
        base = euros(rng, 2000, 9000, 10)
        for day, mid in zip(self._days(start, span, len(mids)), mids, strict=True):
            cents = self._amount(base)
            self._move(day, src, mid, cents, tid)
            self._move(day + timedelta(days=rng.randint(1, 5)), mid, dst,
                       int(cents * rng.uniform(0.9, 0.99)), tid)
        self._register(tid, "scatter_gather", [src, dst, *mids],
                       f"{len(mids)} intermediaries")

    def _gather_scatter(self, tid: str) -> None:
        rng = self.rng
        n_in, n_out = rng.randint(3, 7), rng.randint(3, 7)
        hub, *others = self._member(1 + n_in + n_out)
        ins, outs = others[:n_in], others[n_in:]
        half = rng.randint(0, 9)
        start = self._start(2 * half + 2)
        base = euros(rng, 1500, 8000, 10)
        total = 0
        for day, a in zip(self._days(start, half, n_in), ins, strict=True):
            cents = self._amount(base)
            total += cents
            self._move(day, a, hub, cents, tid)
        each = int(total * rng.uniform(0.9, 0.98)) // n_out  # the hub keeps a margin
        for day, b in zip(self._days(start + timedelta(days=half + 1), half, n_out), outs,
                          strict=True):
            self._move(day, hub, b, self._amount(each, 0.1), tid)
        self._register(tid, "gather_scatter", [hub, *others], f"{n_in} in, {n_out} out")

    def _layer(self, tid: str, payers: list[Account], payees: list[Account], start: date,
               span: int, sums: dict[str, int] | None = None) -> dict[str, int]:
        """Each payer pays each payee (its sum split evenly, within a tolerance); returns
        what each payee got."""
        got = {b.iban: 0 for b in payees}
        for a in payers:
            total = sums[a.iban] if sums else euros(self.rng, 3000, 20000, 10)
            for b in payees:
                cents = self._amount(total // len(payees), 0.05)
                got[b.iban] += cents
                self._move(start + timedelta(days=self.rng.randint(0, span)), a, b, cents, tid)
        return got

    def _bipartite(self, tid: str) -> None:
        rng = self.rng
        m, n = rng.randint(2, 5), rng.randint(2, 5)
        accts = self._member(m + n)
        span = rng.randint(0, 14)
        self._layer(tid, accts[:m], accts[m:], self._start(span), span)
        self._register(tid, "bipartite", accts, f"{m} payers, {n} payees")

    def _stack(self, tid: str) -> None:
        rng = self.rng
        m, k, n = rng.randint(2, 4), rng.randint(2, 4), rng.randint(2, 4)
        accts = self._member(m + k + n)
        payers, mids, payees = accts[:m], accts[m:m + k], accts[m + k:]
        span = rng.randint(0, 6)
        start = self._start(2 * span + 8)
        got = self._layer(tid, payers, mids, start, span)
        kept = {i: int(c * rng.uniform(0.9, 0.98)) for i, c in got.items()}
        self._layer(tid, mids, payees, start + timedelta(days=span + rng.randint(1, 3)), span,
                    kept)
        self._register(tid, "stack", accts, f"{m} payers, {k} intermediaries, {n} payees")

    # -- booking ---------------------------------------------------------------------------

    def month(self, out: MonthOut, m: int) -> None:
        first, last = month_start(m), month_start(m + 1) - timedelta(days=1)
        for mv in self.moves:
            if first <= mv.day <= last:
                out.book.transfer(mv.day, mv.src, mv.dst, mv.cents, mv.text, (mv.tag,))
