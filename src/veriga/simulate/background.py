"""The lawful population every scenario is embedded in, and its look-alike decoys.

Background statement holders get ordinary monthly movements generated on the fly from a
per-account, per-month random stream, so nothing here grows with the number of transactions.
"""

from __future__ import annotations

import random
import zlib
from datetime import date, datetime, time, timedelta

from veriga.simulate.ad_templates import with_stock_phrases
from veriga.simulate.ad_variants import (
    ESCORT_LAWFUL_WORDY,
    JOB_LAWFUL_AGENCY,
    SALON_PROFILE,
    pick,
)
from veriga.simulate.banks import make_iban
from veriga.simulate.bookings import Txn
from veriga.simulate.names import LANGUAGE, make_name, make_phone, strip_diacritics, typed
from veriga.simulate.plan import AdPlan, Ctx, MonthOut
from veriga.simulate.scenarios.common import euros
from veriga.simulate.texts import ESCORT_LAWFUL, JOB_LAWFUL, SECTOR_WORD, fill, noisy
from veriga.simulate.world import (
    BASE_DATE,
    CITIES,
    Account,
    Company,
    Person,
    month_days,
    month_start,
)

HELD_BANKS = ("haba", "unla", "parx", "riko", "hbee", "lhvb", "ndea", "okoy", "revo")
MERCHANTS = {
    "LV": ("RIMI", "MAXIMA", "Narvesen", "Circle K", "Drogas", "Lido", "Elvi"),
    "EE": ("Prisma", "Selver", "Rimi", "Circle K", "Apotheka", "Comarket"),
    "FI": ("K-Market", "S-Market", "Lidl", "Alko", "Neste", "R-kioski", "Tokmanni"),
    "LT": ("Maxima", "IKI", "Norfa"),
}
EMPLOYERS = ("Logistika", "Baltic Foods", "Nordic Retail", "City Clinic", "Tech Solutions",
             "Metsä Services", "Harbour Logistics", "Green Energy", "Print House")
SUFFIX = {"LV": "SIA", "EE": "OÜ", "FI": "Oy", "LT": "UAB"}
COUNTRY_OF_BANK = {"haba": "LV", "unla": "LV", "parx": "LV", "riko": "LV", "hbee": "EE",
                   "lhvb": "EE", "ndea": "FI", "okoy": "FI", "revo": "LV"}
BG_SITE = "nightlist.example"
JOB_SITE = "jobs-abroad.example"
LAWFUL_WORDY = 0.3  # share of lawful escorts and salons whose ads use indicator-like words
LAWFUL_AGENCY = 0.35  # share of lawful job advertisers writing as staffing agencies


Party = tuple[str, str, str, str]  # name, IBAN, BIC, identity


class Counterparties:
    """A fixed pool of external payers and payees (name, IBAN, BIC, identity)."""

    def __init__(self, ctx: Ctx, n: int) -> None:
        rng = random.Random(f"{ctx.seed}:counterparties")
        w = ctx.world
        banks = w.banks.all
        self.people: list[Party] = []
        for _ in range(n):
            cc = rng.choice(("LV", "EE", "FI", "LV", "PL", "LT"))
            bank = rng.choice([b for b in banks if b.country == cc] or banks)
            name, iban = make_name(rng, cc, rng.random() < .5).latin, make_iban(rng, bank)
            other = w.other("person", name, iban, bank.bic, "counterparty")
            self.people.append((name, iban, bank.bic, other.id))
        self.employers: list[Party] = []
        for i in range(max(10, n // 10)):
            cc = rng.choice(("LV", "EE", "FI"))
            bank = rng.choice([b for b in banks if b.country == cc])
            name = f"{EMPLOYERS[i % len(EMPLOYERS)]} {i // len(EMPLOYERS) + 1} {SUFFIX[cc]}"
            iban = make_iban(rng, bank)
            other = w.other("company", name, iban, bank.bic, "employer")
            self.employers.append((name, iban, bank.bic, other.id))
        self.landlords = self.people[: max(5, n // 20)]


class Background:
    def __init__(self, ctx: Ctx, decoys_sex: bool, decoys_labour: bool) -> None:
        self.ctx = ctx
        w, rng, size = ctx.world, ctx.rng, ctx.size
        self.cp = Counterparties(ctx, max(200, size.background_accounts // 2))
        self.escorts: list[tuple] = []
        self.staffing: list[Account] = []
        self.staff_workers: dict[str, list[Party]] = {}
        self.staff_clients: dict[str, Company] = {}
        self.families: dict[str, Party] = {}  # migrant's account -> the relative paid at home
        self.employees: dict[str, list[tuple[Party, int]]] = {}  # business -> staff, salary
        self._phones: list[str] | None = None
        self.agency: tuple[Person, Company] | None = None
        n = size.background_accounts
        for i in range(n):
            bank = HELD_BANKS[i % len(HELD_BANKS)]
            cc = COUNTRY_OF_BANK[bank]
            if i % 10 == 9:
                director = w.person(cc, "lawful")
                comp = w.company(cc, f"{rng.choice(EMPLOYERS)} Group {i} {SUFFIX[cc]}", "lawful",
                                 rng.choice(("retail", "IT", "transport", "food")), director,
                                 employees=rng.randint(3, 60))
                w.account(comp, bank, profile="business")
            elif i % 10 == 4:
                origin = rng.choice(("UA", "BG", "RO", "PL"))
                p = w.person(origin, "decoy", city=rng.choice(CITIES[cc]), phone_country=cc)
                p.note = "migrant worker remitting own wages home"
                acct = w.account(p, bank, profile="migrant")
                self.families[acct.iban] = self._relative(p)
            else:
                w.account(w.person(cc, "lawful"), bank, profile="salary")
        if decoys_sex:
            for k in range(2 + n // 200):
                cc = ("LV", "EE", "FI")[k % 3]
                p = w.person(cc, "decoy", female=True, age=(25, 45))
                p.note = "independent lawful escort"
                acct = w.account(p, ("unla", "hbee", "ndea")[k % 3], profile="escort")
                self.escorts.append((p, acct))
            self._agency()
        if decoys_labour:
            for k in range(1 + n // 400):
                self._staffing(k)
        self._decoy_ads()

    def _relative(self, migrant: Person) -> Party:
        """The relative at home a migrant sends money to: the same family name (a decoy)."""
        w = self.ctx.world
        krng = random.Random(f"{self.ctx.seed}:family:{migrant.id}")
        bank = krng.choice([b for b in w.banks.all if b.fmt == "none"])
        female = krng.random() < 0.6
        name = migrant.name.relative(krng, female)
        iban = make_iban(krng, bank)
        other = w.other("person", name.latin, iban, bank.bic, "relative")
        w.link_decoy(other, migrant.id, "relative")
        return name.latin, iban, bank.bic, other.id

    def _employees(self, acct: Account) -> list[tuple[Party, int]]:
        """A business's own employees and their monthly salaries (cents), the same every
        month and nobody else's (made when first paid)."""
        staff = self.employees.get(acct.iban)
        if staff is None:
            w = self.ctx.world
            krng = random.Random(f"{self.ctx.seed}:staff:{acct.iban}")
            cc = COUNTRY_OF_BANK.get(acct.bank.key, "LV")
            banks = [b for b in w.banks.all if b.country == cc]
            staff = []
            for _ in range(max(1, self.ctx.size.tx_per_account_month // 6)):
                bank = krng.choice(banks)
                name, iban = make_name(krng, cc, krng.random() < .5).latin, make_iban(krng, bank)
                other = w.other("person", name, iban, bank.bic, "employee")
                staff.append(((name, iban, bank.bic, other.id), euros(krng, 900, 3000)))
            self.employees[acct.iban] = staff
        return staff

    # -- decoys ----------------------------------------------------------------------------

    def _agency(self) -> None:
        w = self.ctx.world
        owner = w.person("FI", "decoy", female=True, age=(35, 55))
        owner.note = "owner of a licensed massage studio"
        comp = w.company("FI", "Helsinki Wellness Studio Oy", "decoy", "wellness", owner,
                         employees=4, function="lawful massage studio, one phone for all staff")
        w.account(comp, "ndea", profile="escort")
        self.agency = (owner, comp)

    def _staffing(self, k: int) -> None:
        w, rng, plan = self.ctx.world, self.ctx.rng, self.ctx.plan
        cc = ("FI", "EE", "LV")[k % 3]
        boss = w.person("PL", "decoy", female=False)
        comp = w.company("PL", f"Honest Staffing {k + 1} Sp. z o.o.", "decoy", "construction",
                         boss, employees=12, function="honest staffing firm posting workers "
                         "with A1 forms, full payroll")
        acct = w.account(comp, "unla", profile="staffing")
        self.staffing.append(acct)
        workers = [w.person("PL", "decoy", female=False) for _ in range(12)]
        comp.employees = len(workers)
        client = w.company(cc, f"Legit Subcontractor {k + 1} {SUFFIX[cc]}", "decoy",
                           "construction", w.person(cc, "lawful"), employees=30,
                           function="legitimate subcontractor")
        w.account(client, "hbee", profile="business")
        for i, wk in enumerate(workers):
            wk.note = f"posted worker of {comp.id}, paid in full"
            rid = f"A1-{len(plan.a1) + 1:06d}"
            plan.a1.append({
                "declaration_id": rid, "worker_name": None,
                "birth_date": wk.birth.isoformat(), "nationality": "PL",
                "sending_company": None, "sending_company_id": comp.reg_no,
                "sending_country": "PL", "host_company": None,
                "host_company_id": client.reg_no, "host_country": cc,
                "site_city": CITIES[cc][0], "start_date": BASE_DATE.isoformat(),
                "end_date": w.end.isoformat(), "sector": "construction",
                "a1_certificate": f"PL/{rng.randint(100000, 999999)}/26",
                "_worker": wk.id, "_sender": comp.id, "_host": client.id})
            wacct = w.account(wk, "bpko", profile="none", statement=False)
            for m in range(w.months):
                first = month_start(m)
                pid = f"PR{len(plan.payroll) + 1:07d}"
                plan.payroll.append({
                    "payroll_id": pid, "period": f"{first:%Y-%m}", "company_id": comp.reg_no,
                    "company_name": None, "employee_id": f"{comp.reg_no}-{i + 1:04d}",
                    "employee_name": None, "gross": "2850.00",
                    "deduction_housing": "0.00", "deduction_transport": "0.00",
                    "net": "2280.00", "paid_to_iban": wacct.iban,
                    "paid_on": (first + timedelta(days=9)).isoformat(),
                    "_company": comp.id, "_employee": wk.id})
        self.staff_workers[acct.iban] = [(wk.name.latin, wk.accounts[0], "BPKOPLPW", wk.id)
                                         for wk in workers]
        self.staff_clients[acct.iban] = client

    def _decoy_ads(self) -> None:
        ctx, rng, w = self.ctx, self.ctx.rng, self.ctx.world
        for p, _acct in self.escorts:
            photos = tuple(f"decoy-{p.id}-{k}" for k in range(2))
            # the wording is chosen on streams of its own, the world's draws stay
            wordy = random.Random(f"{ctx.seed}:decoywords:{p.id}").random() < LAWFUL_WORDY
            day = BASE_DATE + timedelta(days=rng.randint(0, 6))
            while day <= w.end:
                lang = rng.choice(("en", LANGUAGE[p.nationality]))
                tpl = rng.choice(ESCORT_LAWFUL.get(lang, ESCORT_LAWFUL["en"]))
                price = rng.choice((150, 180, 200, 250))
                title, body = fill(tpl, name=p.name.given, age=2026 - p.birth.year, city=p.city,
                                   price=price, phone="{phone}")
                if wordy:  # lawful words that look like signs ("new in town", "young")
                    lang, tpl = pick(random.Random(f"{ctx.seed}:decoywords:{p.id}:{day}"),
                                     ESCORT_LAWFUL_WORDY, lang, "en")
                    title, body = fill(tpl, name=p.name.given, age=2026 - p.birth.year,
                                       city=p.city, price=price, phone="{phone}")
                ctx.plan.ads.append(AdPlan(
                    when=datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59))),
                    site=BG_SITE, category="escort", lang=lang, city=p.city,
                    country=p.nationality, phone=p.phone, contact=p.name.given, title=title,
                    body=body, price=price, photos=photos, op=None, kind="decoy",
                    advertiser=p.id, age=2026 - p.birth.year, nationality=p.nationality))
                day += timedelta(days=rng.randint(7, 14))
        if self.agency is not None:
            owner, comp = self.agency
            for k, name in enumerate(("Anna", "Laura", "Heidi", "Minna")):
                # a lawful salon presents its staff in the third person (own stream)
                words = random.Random(f"{ctx.seed}:salonwords:{comp.id}:{k}")
                title, body = fill(pick(words, SALON_PROFILE, "en", "en")[1], name=name,
                                   city="Helsinki", age=words.randint(24, 38), price=90,
                                   phone="{phone}")
                ctx.plan.ads.append(AdPlan(
                    when=datetime.combine(BASE_DATE + timedelta(days=k * 9), time(10, 0)),
                    site=BG_SITE, category="massage", lang="en", city="Helsinki", country="FI",
                    phone=owner.phone, contact=name, title=title, body=body, price=90,
                    photos=(f"decoy-{comp.id}-{k}",), op=None, kind="decoy",
                    advertiser=comp.id))

    # -- streamed background --------------------------------------------------------------

    def transactions(self, acct: Account, m: int, rng: random.Random) -> list[Txn]:
        """Ordinary movements of a lawful account in month ``m``."""
        cp, first, days = self.cp, month_start(m), month_days(m)
        n = max(4, int(rng.gauss(self.ctx.size.tx_per_account_month, 6)))
        out: list[Txn] = []
        cc = COUNTRY_OF_BANK.get(acct.bank.key, "LV")
        merchants = MERCHANTS[cc]
        prof = acct.profile

        def day() -> date:
            return first + timedelta(days=rng.randrange(days))

        def debit(when: date, cents: int, method: str, who: Party, text: str) -> Txn:
            """A payment to ``who`` as this holder typed the payee's name."""
            name, var = typed(who[0], acct.iban, who[1], who[3].startswith(("P", "BP")))
            return Txn(when, -cents, method, name, who[1], who[2], text, cp_id=who[3],
                       cp_var=var)

        def credit(when: date, cents: int, method: str, who: Party, text: str) -> Txn:
            """A payment from ``who``, named as the payer's bank names it."""
            return Txn(when, cents, method, who[0], who[1], who[2], text, cp_id=who[3])

        if prof in ("salary", "migrant", "escort"):
            emp = cp.employers[zlib.crc32(acct.iban.encode()) % len(cp.employers)]
            if prof != "escort":
                out.append(credit(first + timedelta(days=min(days - 1, 9)),
                                  euros(rng, 900, 3200, 1), "transfer", emp,
                                  f"Alga/Salary {first:%m/%Y}"))
            ll = cp.landlords[zlib.crc32(acct.iban.encode() + b"l") % len(cp.landlords)]
            out.append(debit(first + timedelta(days=2), euros(rng, 300, 800), "transfer", ll,
                             f"rent {first:%m/%Y}"))
            if prof == "migrant":
                out.append(debit(first + timedelta(days=11), euros(rng, 150, 450), "transfer",
                                 self.families[acct.iban], "support for family"))
            if prof == "escort":
                for _ in range(rng.randint(8, 20)):
                    out.append(credit(day(), euros(rng, 150, 250), "p2p", rng.choice(cp.people),
                                      rng.choice(("", "thanks", "appointment"))))
                out.append(Txn(day(), -euros(rng, 20, 40), "card", f"{BG_SITE} ADS"))
        elif prof in ("business", "staffing"):
            for _ in range(max(2, n // 4)):
                out.append(credit(day(), euros(rng, 800, 25000), "transfer",
                                  rng.choice(cp.employers), f"Invoice {rng.randint(1000, 9999)}"))
            staff = self.staff_workers.get(acct.iban)
            if staff:
                for worker in staff:
                    out.append(debit(first + timedelta(days=9), 228000, "transfer", worker,
                                     f"wynagrodzenie {first:%m/%Y}"))
                client = self.staff_clients[acct.iban]
                name = strip_diacritics(client.name)
                out.append(Txn(first + timedelta(days=3), len(staff) * 330000, "transfer",
                               name, "", "", "invoice posting services", cp_id=client.id,
                               cp_var=("no_diacritics",) if name != client.name else ()))
            for employee, salary in self._employees(acct):
                out.append(debit(first + timedelta(days=9), salary, "transfer", employee,
                                 f"salary {first:%m/%Y}"))
            out.append(Txn(first + timedelta(days=min(22, days - 1)), -euros(rng, 500, 6000),
                           "transfer", "State Revenue Service", "", "", "taxes"))
        while len(out) < n:
            roll = rng.random()
            if roll < 0.75:
                out.append(Txn(day(), -rng.randint(150, 9000), "card", rng.choice(merchants)))
            elif roll < 0.85:
                out.append(Txn(day(), -euros(rng, 20, 200), "cash",
                               f"ATM withdrawal {rng.choice(CITIES.get(cc, CITIES['LV']))}"))
            else:
                who = rng.choice(cp.people)
                amt = rng.randint(500, 15000)
                when, incoming = day(), rng.random() < .5
                text = rng.choice(("", "dinner", "thanks", "tickets"))
                out.append(credit(when, amt, "p2p", who, text) if incoming
                           else debit(when, amt, "p2p", who, text))
        out.append(Txn(first + timedelta(days=days - 1), -rng.choice((0, 150, 250, 300)) or -99,
                       "fee", "Account fee", text="monthly service fee"))
        return out

    def calls(self, out: MonthOut, m: int, n: int) -> None:
        rng = self.ctx.month_rng("calls", m)
        pool = self._phones
        if pool is None:
            prng = random.Random(f"{self.ctx.seed}:phones")
            pool = self._phones = [make_phone(prng, rng_cc) for rng_cc in
                                   ("LV", "EE", "FI") * 300]
            pool += [p.phone for p in self.ctx.world.people.values() if p.role in
                     ("lawful", "decoy")][:2000]
        first, days = month_start(m), month_days(m)
        for _ in range(n):
            a, b = rng.choice(pool), rng.choice(pool)
            if a == b:
                continue
            out.calls.append((a, b, datetime.combine(first + timedelta(days=rng.randrange(days)),
                                                     time(rng.randint(7, 22), rng.randint(0, 59),
                                                          rng.randint(0, 59))),
                              rng.randint(5, 900), "voice" if rng.random() < .8 else "sms"))

    def ad(self, i: int, when: datetime) -> AdPlan:
        """The ``i``-th background ad: lawful advertisers posting a few ads each."""
        seed = self.ctx.seed
        adv = i // 3
        arng = random.Random(f"{seed}:adv:{adv}")
        cc = arng.choice(("FI", "EE", "LV"))
        city = arng.choice(CITIES[cc])
        phone = make_phone(arng, cc)
        rng = random.Random(f"{seed}:ad:{i}")
        if arng.random() < 0.6:
            name = make_name(arng, cc, True)
            lang = arng.choice(("en", LANGUAGE[cc]))
            tpl = rng.choice(ESCORT_LAWFUL.get(lang, ESCORT_LAWFUL["en"]))
            price = arng.choice((120, 150, 180, 200, 250))
            title, body = fill(tpl, name=name.given, age=arng.randint(23, 45), city=city,
                               price=price, phone="{phone}")
            # independent advertisers use the trade's stock phrases too (own stream)
            body = with_stock_phrases(random.Random(f"{seed}:adx:{i}"), body, lang)
            title = noisy(rng, title)
            category = arng.choice(("escort", "massage"))
            # some write "new in town", "young", or as a salon in the third person (own streams)
            style, words = random.Random(f"{seed}:advwords:{adv}"), random.Random(
                f"{seed}:adwords:{i}")
            if style.random() < LAWFUL_WORDY:
                lang, tpl = pick(words, SALON_PROFILE if category == "massage" else
                                 ESCORT_LAWFUL_WORDY, lang, "en")
                title, body = fill(tpl, name=name.given, age=style.randint(23, 27), city=city,
                                   price=price, phone="{phone}")
                body = with_stock_phrases(random.Random(f"{seed}:adx:{i}"), body, lang)
                title = noisy(words, title)
            return AdPlan(when=when, site=BG_SITE, category=category,
                          lang=lang, city=city, country=cc, phone=phone, contact=name.given,
                          title=title, body=body, price=price,
                          photos=(f"bg-{adv}",), op=None, kind="lawful")
        sector = arng.choice(tuple(SECTOR_WORD))
        lang = arng.choice(("en", LANGUAGE[cc]))
        tpl = rng.choice(JOB_LAWFUL.get(lang, JOB_LAWFUL["en"]))
        pay = arng.choice((1800, 2100, 2400, 2900))
        company = f"{arng.choice(EMPLOYERS)} {SUFFIX[cc]}"
        title, body = fill(tpl, sector=SECTOR_WORD[sector][lang], city=city, pay=pay,
                           company=company, phone="{phone}")
        if random.Random(f"{seed}:advwords:{adv}").random() < LAWFUL_AGENCY:
            # a staffing agency stating housing at cost and no fee, as lawful ones do
            tpl = pick(random.Random(f"{seed}:adwords:{i}"), JOB_LAWFUL_AGENCY, lang, "en")[1]
            title, body = fill(tpl, sector=SECTOR_WORD[sector][lang], city=city, pay=pay,
                               company=company, phone="{phone}")
        if random.Random(f"{seed}:adx:{i}").random() < 0.5:
            body = with_stock_phrases(random.Random(f"{seed}:adx:{i}:p"), body, lang, job=True)
        return AdPlan(when=when, site=JOB_SITE, category="job", lang=lang, city=city,
                      country=cc, phone=phone, contact=company, title=title, body=body,
                      price=pay, photos=(f"bg-{adv}",), op=None, kind="lawful")
