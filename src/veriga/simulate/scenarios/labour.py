"""Labour exploitation: a main contractor, a subcontracting chain ending in letterbox and
phoenix companies, posted workers with A1 forms, recruitment fees and wage kickbacks."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from veriga.simulate.ad_templates import edit_body
from veriga.simulate.ad_variants import JOB_FAMILIES, family_of, pick
from veriga.simulate.names import LANGUAGE, make_phone
from veriga.simulate.plan import AdPlan, Ctx, MonthOut
from veriga.simulate.scenarios.common import (
    A1,
    BORDER_LT,
    PAYROLL,
    booking,
    euros,
    ngo_record,
    police_record,
)
from veriga.simulate.texts import COUNTRY_WORD, JOB_OPERATION, SECTOR_WORD, fill, noisy
from veriga.simulate.world import (
    BASE_DATE,
    CITIES,
    Account,
    Company,
    Person,
    month_days,
    month_start,
)

SCENARIO = "labour-exploitation"
JOB_SITE = "jobs-abroad.example"
SECOND_JOB_SITE = "work-nordic.example"  # a second board the recruiters cross-post to
CROSS_POST = 0.3
SECOND_PHONE = 0.35  # share of the recruiter's ads given with the agency's Viber number
MORE_REPOSTS = (2, 6)  # further reposts of an agency's job ads beyond one per three workers
SECTORS = ("construction", "agriculture", "cleaning", "shipyard")


class LabourOperation:
    """Main contractor -> subcontractor -> letterbox/phoenix companies -> posted workers."""

    def __init__(self, ctx: Ctx, op_id: str, n_workers: int, controller: Person | None = None,
                 ctl_acct: Account | None = None) -> None:
        self.ctx, self.op = ctx, op_id
        w, rng, gt = ctx.world, ctx.rng, ctx.gt
        self.sector = rng.choice(SECTORS)
        self.host = host = rng.choice(("FI", "EE", "LV"))
        self.origin = origin = rng.choice(("UA", "BG", "RO"))
        self.send = send = rng.choice(("PL", "BG", "RO"))
        self.site_city = CITIES[host][0] if self.sector != "shipyard" else (
            "Rauma" if host == "FI" else CITIES[host][0])
        gt.operation(op_id, SCENARIO, f"{self.sector} workers from {origin} posted to {host} "
                                      f"through letterbox companies in {send}")
        suffix = {"FI": "Oy", "EE": "AS", "LV": "SIA", "PL": "Sp. z o.o.", "BG": "EOOD",
                  "RO": "SRL", "UA": "TOV"}
        self.controller = controller or w.person(origin, "controller", female=False,
                                                 operation=op_id, city=self.site_city)
        self.recruiter = w.person(origin, "recruiter", operation=op_id)
        self.straw = w.person(send, "money_mule", female=False, operation=op_id)
        self.straw.note = "straw director of the letterbox and phoenix companies"
        boss = w.person(host, "lawful", female=False)
        self.main = w.company(host, f"{rng.choice(('Nord', 'Balt', 'Meri', 'Kalev'))}"
                              f"{rng.choice(('bygg', 'build', 'works'))} {suffix[host]}",
                              "lawful", self.sector, boss, employees=rng.randint(80, 400),
                              function="main contractor (unaware)")
        word = {"FI": "Rakennus", "EE": "Ehitus", "LV": "Būve"}[host]
        self.sub = w.company(host, f"{rng.choice(('Pro', 'Smart', 'Fast'))} {word} "
                             f"{suffix[host]}", "front_company", self.sector, self.controller,
                             operation=op_id, employees=3, function="first-tier subcontractor")
        addr = w.address(send, CITIES[send][0])
        self.letterboxes = []
        months = ctx.world.months
        span = max(1, months // 3 + (months % 3 > 0))
        for k in range(3):
            founded = month_start(k * span) - timedelta(days=rng.randint(20, 60))
            dissolved = month_start(min((k + 1) * span, months)) + timedelta(days=rng.randint(
                5, 25)) if k < 2 else None
            self.letterboxes.append(w.company(
                send, f"{rng.choice(('Euro', 'Inter', 'Baltic', 'Global'))}"
                f"{rng.choice(('Staff', 'Work', 'Team', 'Labor'))} {k + 1 if k else ''} "
                f"{suffix[send]}".replace("  ", " "), "front_company", self.sector, self.straw,
                owner=self.controller, operation=op_id, founded=founded, dissolved=dissolved,
                address=addr, employees=n_workers,
                function="letterbox employer" if k == 0 else "phoenix successor"))
        self.agency = w.company(origin, f"{rng.choice(('Work', 'Job', 'Euro'))}"
                                f"{rng.choice(('Travel', 'Line', 'Step'))} {suffix[origin]}",
                                "front_company", "recruitment agency", self.recruiter,
                                operation=op_id, function="recruitment agency charging fees")
        self.workers = [w.person(origin, "victim", female=self.sector == "cleaning" and
                                 rng.random() < .7, operation=op_id, age=(19, 55))
                        for _ in range(n_workers)]
        # two brothers (or siblings) posted together: the same family name and home address
        first, second = self.workers[0], self.workers[1]
        second.name = first.name.relative(rng, second.name.female)
        second.address = first.address
        second.note = f"sibling of {first.id}"
        w.link_decoy(second, first.id, "relative")
        w.link_decoy(first, second.id, "relative")
        # accounts
        self.ctl_acct = ctl_acct or w.account(self.controller,
                                              rng.choice(("haba", "riko", "hbee", "okoy")))
        self.sub_acct = w.account(self.sub, {"FI": "ndea", "EE": "hbee", "LV": "unla"}[host],
                                  profile="none")
        self.main_acct = w.account(self.main, {"FI": "okoy", "EE": "hbee", "LV": "haba"}[host],
                                   profile="business")
        self.lb_accts = [w.account(c, rng.choice(("parx", "riko", "unla")), profile="none")
                         for c in self.letterboxes]
        self.agency_acct = w.account(self.agency, rng.choice(("riko", "unla")), profile="none")
        self.worker_accts = {}
        self.direct = set()  # workers whose wages go straight to the controller (R2)
        for i, wk in enumerate(self.workers):
            if i % 3 == 2:
                self.direct.add(wk.id)
            else:
                self.worker_accts[wk.id] = w.account(wk, rng.choice(("revo", "lhvb", "parx")),
                                                     profile="none")
        self.family = [w.account(w.person(origin, "lawful"), country=origin, profile="none",
                                 statement=False) for _ in range(2)]
        self.landlord = w.account(w.person(host, "lawful"), country=host, profile="none",
                                  statement=False)
        gt.operations[op_id]["actors"] = [self.controller.id, self.recruiter.id, self.straw.id,
                                          self.sub.id, self.agency.id,
                                          *(c.id for c in self.letterboxes),
                                          *(wk.id for wk in self.workers)]
        self.arrival = {wk.id: BASE_DATE + timedelta(days=rng.randint(0, 20))
                        for wk in self.workers}
        self._typologies()
        self._plan()

    def _typologies(self) -> None:
        gt, op = self.ctx.gt, self.op
        lb = [a.iban for a in self.lb_accts]
        self.t_chain = gt.typology(f"{op}-chain", "R12", "pass_through", op,
                                   "main contractor -> subcontractor -> letterbox, money passed "
                                   "on within days", [self.main_acct.iban, self.sub_acct.iban, *lb])
        self.t_r2 = gt.typology(f"{op}-R2-wages", "R2", "fan_in", op,
                                "several workers' wages paid into the controller's account",
                                [self.ctl_acct.iban])
        self.t_r3 = gt.typology(f"{op}-R3-kickback", "R3", "fan_in", op,
                                "wage credited, most of it sent to the controller within 48 h",
                                [self.ctl_acct.iban, *(a.iban for a in self.worker_accts.values())])
        self.t_r8 = gt.typology(f"{op}-R8-fees", "R8", "fan_in", op,
                                "many workers paying the same recruitment agency",
                                [self.agency_acct.iban])
        self.t_r10 = gt.typology(f"{op}-R10-cash", "R10", None, op,
                                 "letterbox companies withdraw cash", lb)
        self.t_r5 = gt.typology(f"{op}-R5-structuring", "R5", None, op,
                                "cash withdrawals just below 10,000 EUR", lb)
        self.t_r7 = gt.typology(f"{op}-R7-housing", "R7", None, op,
                                "controller pays the workers' dormitory", [self.ctl_acct.iban])
        self.t_r9 = gt.typology(f"{op}-R9-remit", "R9", "fan_out", op,
                                f"controller remits to {self.origin}", [self.ctl_acct.iban])
        self.t_r13 = gt.typology(f"{op}-R13-payroll", "R13", None, op,
                                 f"payroll lists far fewer workers than the {len(self.workers)} "
                                 "posted on A1 forms", lb)

    def _evidence(self, file: str, column: str, value: str) -> None:
        evidence = self.ctx.gt.typologies[self.t_r13]["evidence"]
        item = {"file": file, "column": column, "value": value}
        if item not in evidence:
            evidence.append(item)

    def active_letterbox(self, day: date) -> int:
        for k, c in enumerate(self.letterboxes):
            if c.dissolved is None or day < c.dissolved - timedelta(days=10):
                return k
        return len(self.letterboxes) - 1

    def _plan(self) -> None:
        ctx, rng, gt, op = self.ctx, self.ctx.rng, self.ctx.gt, self.op
        end = ctx.world.end
        first = min(self.arrival.values())
        gt.stage(op, "recruitment", BASE_DATE - timedelta(days=30), first, [self.recruiter.id,
                 self.agency.id], "deceptive job ads, fee to the agency")
        gt.stage(op, "transport", first - timedelta(days=2), max(self.arrival.values()),
                 [self.recruiter.id], "bus from the origin country paid by the agency")
        gt.stage(op, "exploitation", first, end, [self.controller.id, self.sub.id,
                 *(c.id for c in self.letterboxes)], f"{self.sector} work at {self.site_city}")
        gt.stage(op, "proceeds", first, end, [self.controller.id, self.straw.id],
                 "kickbacks, wages into one account, cash from letterbox companies")
        for wk in self.workers:
            day = self.arrival[wk.id]
            booking(ctx, wk, self.recruiter, wk.city, self.site_city, day - timedelta(days=2),
                    euros(rng, 70, 130))
            gt.routes[wk.id] = [
                {"city": wk.city, "country": wk.nationality, "from": (BASE_DATE - timedelta(
                    days=30)).isoformat(), "to": (day - timedelta(days=2)).isoformat(),
                 "stage": "recruitment"},
                {"city": self.site_city, "country": self.host, "from": day.isoformat(),
                 "to": end.isoformat(), "stage": "exploitation"}]
            for lb in self.letterboxes:
                start = max(day, lb.founded + timedelta(days=5))
                stop = lb.dissolved or end
                if start > stop or start > end:
                    continue
                rid = f"A1-{len(ctx.plan.a1) + 1:06d}"
                ctx.plan.a1.append(self._a1_row(rid, wk, lb, start, stop))
                self._evidence(A1, "sending_company_id", lb.reg_no)
        for lb in self.letterboxes:
            lb.employees = len(self.workers)
        v = rng.choice(self.workers)
        police_record(ctx, v, self.host, first + timedelta(days=25),
                      "labour inspection at site; no contract, passport kept by 'brigadier'",
                      self.site_city)
        police_record(ctx, self.controller, self.host, first + timedelta(days=25),
                      "introduced himself as brigadier at the site", self.site_city)
        police_record(ctx, self.recruiter, "LT", first - timedelta(days=1),
                      "accompanied a bus of workers at a border check", BORDER_LT)
        passenger = next((wk for wk in self.workers if not wk.name.female), self.workers[0])
        police_record(ctx, passenger, "LT", first - timedelta(days=1),
                      "passenger of a bus of workers, border check", BORDER_LT)
        worker = self.workers[0]
        ngo_record(ctx, worker, first + timedelta(days=35),
                   "works 12 h/day, owes 'debt' for travel and housing, wages taken",
                   self.site_city, home=True)
        self._decoys(worker, first)
        lang = LANGUAGE[self.origin] if self.origin != "UA" else rng.choice(("uk", "ru"))
        # choices added later draw from a stream of their own (the world's draws stay); the
        # agency's second number is tied to the recruiter's by the agency's logo, reposted
        extra = random.Random(f"{ctx.seed}:ads:{op}")
        viber = make_phone(extra, self.origin)
        self.recruiter.note = (self.recruiter.note + "; " if self.recruiter.note else "") + \
            f"also advertises under {viber}"
        # the agency's wording family and its further reposts: a stream of their own again
        words = random.Random(f"{ctx.seed}:adwords:{op}")
        family = family_of(ctx.seed, op, JOB_FAMILIES)
        planned = max(3, len(self.workers) // 3)
        for i in range(planned + words.randint(*MORE_REPOSTS)):
            draw = rng if i < planned else words  # reposts beyond the first draw on their own
            day = BASE_DATE - timedelta(days=draw.randint(1, 40)) + timedelta(days=i * 3)
            tpl = draw.choice(JOB_OPERATION[lang])
            pay, fee = draw.choice((2200, 2500, 2800, 3000)), draw.choice((200, 300, 450))
            slots = {"country_word": COUNTRY_WORD[lang][self.host],
                     "sector": SECTOR_WORD[self.sector][lang], "pay": pay, "fee": fee,
                     "count": draw.choice((10, 20, 30, 50)), "phone": "{phone}"}
            title, body = fill(tpl, **slots)
            when = datetime.combine(max(day, BASE_DATE), time(9, draw.randint(0, 59)))
            site = JOB_SITE if extra.random() >= CROSS_POST else SECOND_JOB_SITE
            phone = self.recruiter.phone if extra.random() >= SECOND_PHONE else viber
            title, body = noisy(draw, title), noisy(draw, body)
            if family is not JOB_OPERATION:  # the agency's own wording
                title, body = fill(pick(words, family, lang, "ru")[1], **slots)
                title, body = noisy(words, title), noisy(words, body)
            ctx.plan.ads.append(AdPlan(
                when=when, site=site, category="job", lang=lang, city=self.recruiter.city,
                country=self.origin, phone=phone, contact=self.agency.name, title=title,
                body=edit_body(extra, body, lang, job=True), price=pay, photos=(
                    f"{op}-site",), op=op, kind="operation", advertiser=self.agency.id))

    def _decoys(self, worker: Person, first: date) -> None:
        """Look-alikes a resolver must keep apart from the workers: a worker's mother calling
        the hotline (same family name and address) and a lawful namesake of another worker
        in a police record."""
        ctx, w, rng = self.ctx, self.ctx.world, self.ctx.rng
        mother = w.person(self.origin, "decoy", female=True, age=(45, 65))
        mother.name = worker.name.relative(rng, True)
        mother.address, mother.city = worker.address, worker.city
        mother.note = f"mother of {worker.id}"
        w.link_decoy(mother, worker.id, "relative")
        ngo_record(ctx, mother, first + timedelta(days=50),
                   f"mother asks for help: her child stopped calling from {self.site_city}",
                   worker.city, home=True)
        target = self.workers[-1]
        twin = w.person(self.origin, "decoy", female=target.name.female, age=(19, 55))
        twin.name = target.name
        twin.note = f"namesake of {target.id}"
        w.link_decoy(twin, target.id, "namesake")
        police_record(ctx, twin, self.host, first + timedelta(days=40),
                      "witness of a traffic accident, no remarks", CITIES[self.host][1])

    def _a1_row(self, rid: str, wk: Person, lb: Company, start: date, stop: date) -> dict:
        rng = self.ctx.rng
        return {"declaration_id": rid, "worker_name": None,
                "birth_date": wk.birth.isoformat(), "nationality": wk.nationality,
                "sending_company": None, "sending_company_id": lb.reg_no,
                "sending_country": lb.country, "host_company": None,
                "host_company_id": self.sub.reg_no, "host_country": self.host,
                "site_city": self.site_city, "start_date": start.isoformat(),
                "end_date": stop.isoformat(), "sector": self.sector,
                "a1_certificate": f"{lb.country}/{rng.randint(100000, 999999)}/26",
                "_worker": wk.id, "_sender": lb.id, "_host": self.sub.id}

    # -- money per month ------------------------------------------------------------------

    def month(self, out: MonthOut, m: int) -> None:
        ctx, gt, op = self.ctx, self.ctx.gt, self.op
        rng = ctx.month_rng(self.op, m)
        book = out.book
        first = month_start(m)
        days = month_days(m)
        k = self.active_letterbox(first + timedelta(days=5))
        lb, lb_acct = self.letterboxes[k], self.lb_accts[k]
        if m == 0:
            for wk in self.workers:
                fee = euros(rng, 300, 800, 50)
                acct = self.worker_accts.get(wk.id)
                day = self.arrival[wk.id] + timedelta(days=rng.randint(0, 3))
                if acct is not None:
                    book.transfer(day, acct, self.agency_acct, fee, f"oformlennya {wk.name.latin}",
                                  (self.t_r8,))
                else:
                    book.credit(day, self.agency_acct, fee, wk.name.latin, "", "",
                                f"fee {wk.name.latin}", method="cash", tags=(self.t_r8,),
                                cp_id=wk.id)
                gt.proceeds(op, "recruitment_fee", fee)
        invoice = len(self.workers) * euros(rng, 2600, 3200, 10)
        d_inv = first + timedelta(days=4)
        book.transfer(d_inv, self.main_acct, self.sub_acct, invoice,
                      f"Invoice {m + 1:03d}/{first:%Y} {self.sector} works", (self.t_chain,))
        passed = invoice * 85 // 100
        book.transfer(d_inv + timedelta(days=1), self.sub_acct, lb_acct, passed,
                      f"subcontract {first:%m/%Y}", (self.t_chain,))
        payday = first + timedelta(days=min(days - 3, 24))
        paid_total = 0
        listed = 0
        for i, wk in enumerate(self.workers):
            if self.arrival[wk.id] > payday:
                continue
            gross = euros(rng, 900, 1200, 10)
            housing, transport = 25000, 8000
            net = gross - housing - transport
            paid_total += net
            on_payroll = i % 4 == 0
            if on_payroll:
                listed += 1
                rid = f"PR{len(ctx.plan.payroll) + 1:07d}"
                acct = self.worker_accts.get(wk.id)
                ctx.plan.payroll.append({
                    "payroll_id": rid, "period": f"{first:%Y-%m}", "company_id": lb.reg_no,
                    "company_name": None, "employee_id": f"{lb.reg_no}-{i + 1:04d}",
                    "employee_name": None, "gross": f"{gross / 100:.2f}",
                    "deduction_housing": f"{housing / 100:.2f}",
                    "deduction_transport": f"{transport / 100:.2f}", "net": f"{net / 100:.2f}",
                    "paid_to_iban": acct.iban if acct else self.ctl_acct.iban,
                    "paid_on": payday.isoformat(), "_company": lb.id, "_employee": wk.id})
                self._evidence(PAYROLL, "company_id", lb.reg_no)
            gt.proceeds(op, "housing_transport_deduction", housing + transport)
            if wk.id in self.direct:
                book.transfer(payday, lb_acct, self.ctl_acct, net, f"alga {wk.name.latin}",
                              (self.t_r2,))
                gt.proceeds(op, "wages_to_controller", net)
            else:
                acct = self.worker_accts[wk.id]
                book.transfer(payday, lb_acct, acct, net, f"salary {first:%m/%Y}", (self.t_r3,))
                back = net * rng.randint(55, 75) // 100
                back_day = payday + timedelta(days=rng.randint(0, 1))
                book.transfer(back_day, acct, self.ctl_acct, back, rng.choice(
                    ("", "borg", "debt", "za zhytlo", "dolg")), (self.t_r3,))
                gt.proceeds(op, "wage_kickback", back)
        if listed:
            gt.typologies[self.t_r13]["description"] = (
                f"payroll lists {listed} of {len(self.workers)} posted workers")
        rest = passed - paid_total
        day = d_inv + timedelta(days=2)
        while rest > 1_000_000:
            chunk = euros(rng, 9000, 9950, 10)
            book.cash(day, lb_acct, -chunk, lb.address.rsplit(", ", 1)[-1],
                      (self.t_r10, self.t_r5))
            rest -= chunk
            day += timedelta(days=1)
        if rest > 0:
            book.transfer(day, lb_acct, self.ctl_acct, rest // 2, "loan repayment",
                          (self.t_chain,))
        book.transfer(first + timedelta(days=3), self.ctl_acct, self.landlord,
                      euros(rng, 1500, 3000, 50), f"hostel {first:%m/%Y} {len(self.workers)} "
                      "beds", (self.t_r7,))
        for j, fam in enumerate(self.family):
            book.transfer(first + timedelta(days=12 + j * 7), self.ctl_acct, fam,
                          euros(rng, 1000, 3000, 50), "", (self.t_r9,))
        for wk in self.workers:
            out.calls.append((self.controller.phone, wk.phone, datetime.combine(
                first + timedelta(days=rng.randrange(days)), time(rng.randint(6, 21),
                                                                  rng.randint(0, 59))),
                rng.randint(15, 240), rng.choice(("voice", "sms"))))
        out.calls.append((self.recruiter.phone, self.controller.phone, datetime.combine(
            first + timedelta(days=rng.randrange(days)), time(11, 5)), 300, "voice"))
