"""Sexual exploitation: recruited abroad, rotated between Nordic-Baltic cities, advertised
online; clients pay by P2P, card and cash; proceeds go home and into cars and property."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from veriga.simulate.ad_templates import edit_body
from veriga.simulate.ad_variants import ESCORT_FAMILIES, family_of, pick
from veriga.simulate.bookings import MonthBook
from veriga.simulate.names import LANGUAGE, strip_diacritics
from veriga.simulate.plan import AdPlan, Ctx, MonthOut
from veriga.simulate.scenarios.common import (
    BORDER_LT,
    COUNTRY_OF,
    booking,
    cents,
    euros,
    ngo_record,
    police_record,
)
from veriga.simulate.texts import ESCORT_OPERATION, NATIONALITY_WORD, fill, noisy
from veriga.simulate.world import BASE_DATE, CITIES, Person, month_days, month_start

SCENARIO = "sexual-exploitation"
ESCORT_SITE = "nightlist.example"
ROTATION = [c for cc in ("FI", "EE", "LV") for c in CITIES[cc][:3]]
SECOND_SITE = "baltic-dates.example"  # a second board the operations cross-post to
CROSS_POST = 0.3  # share of an operation's ads posted on the second board
# share of a woman's ads posted under the operation's other work phone: her photos (reposted,
# transformed) are what ties the two phones together, as investigators find them
SWAP_PHONE = 0.2
HANDLE_SHARE = 0.1  # share of an operation's ads that give its Telegram handle
MINOR_SHARE = 0.05  # share of a managed operation's ads stating an age under 18


class SexualOperation:
    """One organised group: recruiter, controllers, mules, front company, victims."""

    def __init__(self, ctx: Ctx, op_id: str, n_victims: int) -> None:
        self.ctx, self.op = ctx, op_id
        w, rng, gt = ctx.world, ctx.rng, ctx.gt
        self.origin = origin = rng.choice(("BG", "RO", "UA"))
        base = rng.choice(("LV", "EE", "FI"))
        gt.operation(op_id, SCENARIO, f"Group from {origin} exploiting {n_victims} women in "
                                      "Finland, Estonia and Latvia")
        self.recruiter = w.person(origin, "recruiter", operation=op_id)
        self.controller = w.person(origin, "controller", female=False, operation=op_id,
                                   city=CITIES[base][0])
        self.transporter = w.person(origin, "transporter", female=False, operation=op_id)
        self.mules = [w.person(origin, "money_mule", operation=op_id,
                               city=CITIES[cc][0]) for cc in ("EE", "FI")]
        self.work_phones = [w.phone(base) for _ in range(2)]
        self.controller.note = "holds work phones " + ", ".join(self.work_phones)
        # registered in Latvia (where its accounts are): its foreign director and owner
        # appear in the register with Latvian endings
        self.front = w.company("LV", f"{rng.choice(('Relax', 'Lotus', 'Orchid'))} Spa SIA",
                               "front_company", "wellness", self.mules[0],
                               owner=self.controller, operation=op_id, employees=1,
                               function="massage salon receiving card takings")
        self.victims = [w.person(origin, "victim", female=True, operation=op_id, age=(18, 24))
                        for _ in range(n_victims)]
        self.relatives = [w.person(origin, "lawful", operation=None) for _ in range(3)]
        for r in self.relatives:  # the controller's family at home: his name and address
            r.name = self.controller.name.relative(rng, r.name.female)
            r.address = self.controller.address
            r.note = f"relative of {self.controller.id}"
            w.link_decoy(r, self.controller.id, "relative")
        # accounts
        self.ctl_acct = w.account(self.controller, rng.choice(("haba", "unla", "hbee")))
        self.ctl_rev = w.account(self.controller, "revo", profile="none")
        self.mule_accts = [w.account(m, b, profile="none")
                           for m, b in zip(self.mules, ("hbee", "ndea"), strict=True)]
        self.front_acct = w.account(self.front, rng.choice(("parx", "riko")), profile="none")
        self.rec_acct = w.account(self.recruiter, "uncr", profile="none")
        self.victim_accts = [w.account(v, "revo", profile="none") for v in self.victims]
        self.rel_accts = [w.account(r, country=origin, profile="none", statement=False)
                          for r in self.relatives]
        self.clients = [w.person(rng.choice(("FI", "EE", "LV")), "client", female=False)
                        for _ in range(6 * n_victims)]
        self.client_accts = [w.account(c, profile="none", statement=False) for c in self.clients]
        acquirer = w.company("EE", "PayLink Processing OÜ", "lawful", "payments",
                             w.person("EE", "lawful"))
        # the statements name it as its register does (a second one is "... 2 OÜ"), unaccented
        self.acquirer_name = strip_diacritics(acquirer.name)
        self.acquirer = w.account(acquirer, "hbee", profile="none", statement=False)
        self.landlords = [w.account(w.person(cc, "lawful"), country=cc, profile="none",
                                    statement=False) for cc in ("FI", "EE", "LV")]
        self.dealer = w.account(w.company("LV", "Auto Baltic Motors SIA", "lawful", "car sales",
                                          w.person("LV", "lawful")), "unla", profile="none",
                                statement=False)
        self.notary = w.account(w.person("BG", "lawful"), "stsa", profile="none",
                                statement=False)
        self.notary.holder_name = "Notary escrow " + self.notary.holder_name
        for p in (self.recruiter, self.controller, self.transporter, *self.mules):
            gt.operations[op_id]["actors"].append(p.id)
        gt.operations[op_id]["actors"].extend([self.front.id, *(v.id for v in self.victims)])
        self._typologies()
        self._routes()
        self._plan_ads()
        self._plan_records()

    # -- ground truth ---------------------------------------------------------------------

    def _typologies(self) -> None:
        gt, op = self.ctx.gt, self.op
        self.t_fan = {v.id: gt.typology(f"{op}-R1-{v.id}", "R1", "fan_in", op,
                                        "many small client payments (P2P) into a victim's account",
                                        [a.iban]) for v, a in zip(self.victims,
                                                                  self.victim_accts, strict=True)}
        self.t_pass = gt.typology(f"{op}-R12-pass", "R12", "pass_through", op,
                                  "victims' accounts forward takings to the controller same day",
                                  [a.iban for a in self.victim_accts] + [self.ctl_rev.iban])
        self.t_card = gt.typology(f"{op}-R11-acquirer", "R11", None, op,
                                  "card takings settled by a payment processor to a front company",
                                  [self.front_acct.iban])
        self.t_funnel = gt.typology(f"{op}-R4-funnel", "R4", "gather_scatter", op,
                                    "cash deposited by mules in several cities, sent on to the "
                                    "controller", [a.iban for a in self.mule_accts])
        self.t_struct = gt.typology(f"{op}-R5-structuring", "R5", None, op,
                                    "cash deposits kept below 5,000 EUR",
                                    [a.iban for a in self.mule_accts])
        self.t_spend = gt.typology(f"{op}-R6-spend", "R6", None, op,
                                   "ad sites, short-term rentals, hotels and tickets for others",
                                   [self.ctl_acct.iban])
        self.t_rent = gt.typology(f"{op}-R7-rent", "R7", None, op,
                                  "rent of flats housing the victims", [self.ctl_acct.iban])
        self.t_remit = gt.typology(f"{op}-R9-remit", "R9", "fan_out", op,
                                   f"remittances to relatives in {self.origin}",
                                   [self.ctl_acct.iban])
        self.t_cycle = gt.typology(f"{op}-cycle", "R12", "cycle", op,
                                   "controller -> front company -> mule -> controller",
                                   [self.ctl_acct.iban, self.front_acct.iban,
                                    self.mule_accts[0].iban])
        self.t_scatter = gt.typology(f"{op}-scatter-gather", "R12", "scatter_gather", op,
                                     "property bought through several mules' transfers",
                                     [self.ctl_acct.iban, self.notary.iban]
                                     + [a.iban for a in self.mule_accts])

    def _routes(self) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        end = ctx.world.end
        self.stays: dict[str, list[tuple[str, date, date]]] = {}
        self._tickets: list[tuple[date, str, Person]] = []
        for v in self.victims:
            day = BASE_DATE + timedelta(days=rng.randint(3, 20))
            city = rng.choice(ROTATION)
            stays = []
            route = [{"city": v.city, "country": v.nationality, "from": BASE_DATE.isoformat(),
                      "to": (day - timedelta(days=1)).isoformat(), "stage": "recruitment"}]
            carrier = booking(ctx, v, self.controller, v.city, city, day - timedelta(days=1),
                              euros(rng, 60, 140))
            self._tickets.append((day - timedelta(days=3), carrier, v))
            while day <= end:
                length = rng.randint(6, 18)
                stop = min(day + timedelta(days=length - 1), end)
                stays.append((city, day, stop))
                route.append({"city": city, "country": COUNTRY_OF[city],
                              "from": day.isoformat(), "to": stop.isoformat(),
                              "stage": "exploitation"})
                nxt = rng.choice([c for c in ROTATION if c != city])
                if stop < end:
                    carrier = booking(ctx, v, self.controller, city, nxt, stop + timedelta(days=1),
                                      euros(rng, 20, 90))
                    self._tickets.append((stop - timedelta(days=1), carrier, v))
                city, day = nxt, stop + timedelta(days=2)
            self.stays[v.id] = stays
            ctx.gt.routes[v.id] = route
        first = min(s[0][1] for s in self.stays.values())
        gt, op = ctx.gt, self.op
        gt.stage(op, "recruitment", BASE_DATE, first, [self.recruiter.id],
                 "lover-boy approach and fake job offers on social media")
        gt.stage(op, "transport", first - timedelta(days=2), end, [self.transporter.id,
                 self.controller.id], "bus and ferry tickets bought by the controller")
        gt.stage(op, "exploitation", first, end, [self.controller.id],
                 "online ads, short stays in rented flats")
        gt.stage(op, "proceeds", first, end, [self.controller.id, *(m.id for m in self.mules),
                 self.front.id], "cash deposits, processor settlements, remittances, car, flat")

    def where(self, victim_id: str, day: date) -> str | None:
        for city, a, b in self.stays[victim_id]:
            if a <= day <= b:
                return city
        return None

    def _plan_ads(self) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        lang = "ru" if self.origin == "UA" else "en"
        templates = ESCORT_OPERATION[lang]
        nat = NATIONALITY_WORD["en" if lang == "en" else "ru"][self.origin]
        names = ["Nika", "Vika", "Alisa", "Mia", "Sofi", "Lara", "Kira", "Eva", "Bella", "Jana"]
        # choices added later draw from a stream of their own, so that the world's other
        # draws (records, decoys) stay as they were
        extra = random.Random(f"{ctx.seed}:ads:{self.op}")
        # the operation's wording family and its choices: a stream of their own again
        words = random.Random(f"{ctx.seed}:adwords:{self.op}")
        family = family_of(ctx.seed, self.op, ESCORT_FAMILIES)
        handle = (f"{extra.choice(('vip', 'sweet', 'angel', 'baltic', 'nordic'))}_"
                  f"{extra.choice(('girls', 'ladies', 'models', 'dolls'))}{extra.randint(10, 99)}")

        def repost(body: str, lang: str) -> str:
            """A repost's edit, sometimes with the operation's Telegram handle."""
            body = edit_body(extra, body, lang)
            return f"{body} Telegram @{handle}" if extra.random() < HANDLE_SHARE else body

        for i, v in enumerate(self.victims):
            photos = tuple(f"{self.op}-{v.id}-{k}" for k in range(3))
            for city, a, b in self.stays[v.id]:
                day = a
                while day <= b:
                    hour = rng.choice((10, 21))
                    for _ in range(rng.randint(1, 2)):
                        phone = self.work_phones[i % 2]
                        if extra.random() < SWAP_PHONE:  # the other phone takes her ads
                            phone = self.work_phones[(i + 1) % 2]
                        site = ESCORT_SITE if extra.random() >= CROSS_POST else SECOND_SITE
                        local_lang = rng.choice((lang, LANGUAGE[COUNTRY_OF[city]]))
                        tpl = rng.choice(ESCORT_OPERATION.get(local_lang, templates))
                        contact = rng.choice(names)
                        age = 19 + rng.randint(0, 3)
                        price = rng.choice((50, 60, 70, 80))
                        title, body = fill(tpl, city=city, name=contact, age=age, nat=nat,
                                           price=price, phone="{phone}")
                        when = datetime.combine(day, time(hour, 0, rng.randint(0, 50)))
                        title, body = noisy(rng, title), noisy(rng, body)
                        ad_lang = local_lang
                        if family is not ESCORT_OPERATION:  # the operation's own wording
                            ad_lang, wtpl = pick(words, family, local_lang, lang)
                            if family is ESCORT_FAMILIES[-1] and words.random() < MINOR_SHARE:
                                age = 17  # a stated minor
                            title, body = fill(wtpl, city=city, name=contact, age=age,
                                               nat=NATIONALITY_WORD["ru" if ad_lang == "ru"
                                                                    else "en"][self.origin],
                                               price=price, phone="{phone}")
                            title, body = noisy(words, title), noisy(words, body)
                        ctx.plan.ads.append(AdPlan(
                            when=when, site=site, category="escort", lang=ad_lang, city=city,
                            country=COUNTRY_OF[city], phone=phone, contact=contact,
                            title=title, body=repost(body, ad_lang),
                            price=price, photos=tuple(rng.sample(photos, 2)), op=self.op,
                            kind="operation", advertiser=v.id, age=age,
                            nationality=self.origin))
                    day += timedelta(days=rng.randint(2, 4))

    def _plan_records(self) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        v = rng.choice(self.victims)
        city, a, _b = self.stays[v.id][0]
        cc = COUNTRY_OF[city]
        police_record(ctx, v, cc, a + timedelta(days=1), "identified in a check at a flat", city)
        police_record(ctx, self.controller, cc, a + timedelta(days=1),
                      "present at the flat, paid the rent", city)
        for other in self.victims[1:3]:
            c2, a2, _ = self.stays[other.id][-1]
            police_record(ctx, other, COUNTRY_OF[c2], a2, "ID check, hotel", c2)
        ngo_record(ctx, self.victims[-1], self.stays[self.victims[-1].id][0][1] +
                   timedelta(days=3), "called hotline: has to give all money to 'boyfriend', "
                   "moved every week", self.stays[self.victims[-1].id][0][0], home=True)
        police_record(ctx, self.mules[0], "EE", BASE_DATE + timedelta(days=40),
                      "traffic stop, large amount of cash", "Tallinn")
        police_record(ctx, self.transporter, "LT", BASE_DATE + timedelta(days=2),
                      "drove a minibus with young women, border check", BORDER_LT)
        self._decoys(city, a)

    def _decoys(self, city: str, day: date) -> None:
        """Look-alikes a resolver must keep apart from the group: a relative of the controller
        (a brother if he has one) checked at the same home address, a lawful namesake of the
        controller and one of a victim (each travelling and checked by the police), a
        victim's mother calling the hotline (same family name and address)."""
        ctx, w, rng = self.ctx, self.ctx.world, self.ctx.rng
        cc = COUNTRY_OF[city]
        relative = next((r for r in self.relatives if not r.name.female), self.relatives[0])
        police_record(ctx, self.controller, cc, day + timedelta(days=9),
                      "questioned about the flat's rent", city, home=True)
        police_record(ctx, relative, cc, day + timedelta(days=9),
                      "visiting family, the car is registered to this relative", city,
                      home=True)
        boss = self.controller
        twin = w.person(self.origin, "decoy", female=False, age=(25, 60))
        twin.name, twin.note = boss.name, f"namesake of {boss.id}"
        w.link_decoy(twin, boss.id, "namesake")
        police_record(ctx, twin, "FI" if cc != "FI" else "EE", day + timedelta(days=20),
                      "witness of a theft, no remarks", "Helsinki" if cc != "FI" else "Tallinn")
        booking(ctx, twin, twin, twin.city, "Riga", day + timedelta(days=4), euros(rng, 40, 90))
        victim = self.victims[0]
        namesake = w.person(self.origin, "decoy", female=True, age=(18, 30))
        namesake.name, namesake.note = victim.name, f"namesake of {victim.id}"
        w.link_decoy(namesake, victim.id, "namesake")
        booking(ctx, namesake, namesake, namesake.city, "Tallinn", day + timedelta(days=6),
                euros(rng, 40, 90))
        police_record(ctx, namesake, "EE", day + timedelta(days=8), "ID check, no remarks",
                      "Tallinn")
        caller = self.victims[-1]
        mother = w.person(self.origin, "decoy", female=True, age=(40, 60))
        mother.name = caller.name.relative(rng, True)
        mother.address, mother.city = caller.address, caller.city
        mother.note = f"mother of {caller.id}"
        w.link_decoy(mother, caller.id, "relative")
        ngo_record(ctx, mother, day + timedelta(days=12),
                   "mother worried: her daughter works abroad and sends no news", caller.city,
                   home=True)

    # -- money and calls per month --------------------------------------------------------

    def month(self, out: MonthOut, m: int) -> None:
        rng = self.ctx.month_rng(self.op, m)
        book, gt, op = out.book, self.ctx.gt, self.op
        first = month_start(m)
        cash_pot = 0
        for d in range(month_days(m)):
            day = first + timedelta(days=d)
            card_total = 0
            for v, vacct in zip(self.victims, self.victim_accts, strict=True):
                city = self.where(v.id, day)
                if city is None:
                    continue
                takings = 0
                for _ in range(rng.randint(2, 5)):
                    k = rng.randrange(len(self.clients))
                    client, cacct = self.clients[k], self.client_accts[k]
                    price = euros(rng, 60, 150, 10)
                    roll = rng.random()
                    hour = rng.choice((18, 19, 20, 21, 22, 23))
                    if roll < 0.35:
                        book.credit(day, vacct, price, cacct.holder_name, cacct.iban,
                                    cacct.bank.bic, rng.choice(("", "paldies", "kiitos",
                                                                "for massage", "x")),
                                    method="p2p", tags=(self.t_fan[v.id],), cp_id=client.id)
                        takings += price
                        gt.proceeds(op, "client_p2p", price)
                    elif roll < 0.6:
                        card_total += price
                        gt.proceeds(op, "client_card", price)
                    else:
                        cash_pot += price
                        gt.proceeds(op, "client_cash", price)
                    if rng.random() < 0.7:
                        out.calls.append((client.phone, self.work_phones[0 if rng.random() < .5
                                                                         else 1],
                                          datetime.combine(day, time(hour - 1, rng.randint(0, 59))),
                                          rng.randint(20, 150), "voice"))
                if takings:
                    book.transfer(day, vacct, self.ctl_rev, takings * 9 // 10, "", (self.t_pass,),
                                  method="p2p")
                out.calls.append((self.controller.phone, v.phone, datetime.combine(
                    day, time(rng.randint(9, 23), rng.randint(0, 59))), rng.randint(30, 600),
                    "voice"))
            if card_total:
                book.credit(day + timedelta(days=1) if d + 1 < month_days(m) else day,
                            self.front_acct, card_total * 98 // 100, self.acquirer_name,
                            self.acquirer.iban, self.acquirer.bank.bic,
                            f"PAYLINK PAYOUT {day:%Y%m%d}", tags=(self.t_card,),
                            cp_id=self.acquirer.holder, cp_var=("no_diacritics",))
            if cash_pot > 250_000 or (cash_pot and d == month_days(m) - 1):
                self._bank_cash(book, rng, day, cash_pot)
                cash_pot = 0
        self._spend(book, rng, m)

    def _bank_cash(self, book: MonthBook, rng: random.Random, day: date, pot: int) -> None:
        """Mules deposit the cash in several cities below 5,000 EUR and pass it on."""
        cities = [c for cc in ("FI", "EE", "LV") for c in CITIES[cc][:2]]
        for i, acct in enumerate(self.mule_accts):
            share = pot // 2
            moved = 0
            while share > 0:
                chunk = min(share, cents(rng, 2800, 4990))
                book.cash(day, acct, chunk, rng.choice(cities), (self.t_funnel, self.t_struct))
                share -= chunk
                moved += chunk
            nxt = day + timedelta(days=1 if i == 0 else 0)
            if nxt.month != day.month:
                nxt = day
            book.transfer(nxt, acct, self.ctl_acct, moved, "aizdevums" if i == 0 else "loan",
                          (self.t_funnel,))

    def _spend(self, book: MonthBook, rng: random.Random, m: int) -> None:
        """Tickets, rentals, ads, rent, remittances, the loan cycle, the car and the flat."""
        first, last = month_start(m), month_start(m + 1) - timedelta(days=1)
        ctl = self.ctl_acct
        for day, carrier, _v in self._tickets:
            if first <= day <= last:
                book.card(day, ctl, euros(rng, 25, 120, 1), f"{carrier} tickets",
                          tags=(self.t_spend,))
        for v in self.victims:
            for city, a, _b in self.stays[v.id]:
                if first <= a <= last:
                    merchant = rng.choice(("AIRBNB * HM", "BOOKING.COM HOTEL", "HOTEL"))
                    book.card(a, ctl, euros(rng, 180, 520, 1), f"{merchant} {city}",
                              tags=(self.t_spend,))
                    book.card(a, ctl, euros(rng, 20, 60, 1), f"{ESCORT_SITE} TOP ADS",
                              tags=(self.t_spend,))
        for k, landlord in enumerate(self.landlords):
            book.transfer(first + timedelta(days=2 + k), ctl, landlord, euros(rng, 550, 900),
                          f"rent {first:%m/%Y} flat", (self.t_rent,))
        for week in range(4):
            rel = self.rel_accts[(week + m) % len(self.rel_accts)]
            book.transfer(first + timedelta(days=6 + 7 * week), ctl, rel, euros(rng, 300, 900),
                          rng.choice(("za mama", "help", "подарък", "")), (self.t_remit,))
        if m % 3 == 1:  # cycle: controller -> front company -> mule -> controller
            amount = euros(rng, 2000, 5000, 100)
            d0 = first + timedelta(days=10)
            book.transfer(d0, ctl, self.front_acct, amount, "loan agreement 1/26", (self.t_cycle,))
            book.transfer(d0 + timedelta(days=1), self.front_acct, self.mule_accts[0],
                          amount - 10000, "consulting services", (self.t_cycle,))
            book.transfer(d0 + timedelta(days=2), self.mule_accts[0], ctl, amount - 15000,
                          "return", (self.t_cycle,))
        if m == 1:
            book.transfer(first + timedelta(days=14), ctl, self.dealer, euros(rng, 18000, 34000,
                          100), "BMW X5 pirkums / car purchase", (self.t_spend,))
        if m == 2 or (self.ctx.world.months <= 2 and m == 1):
            d0 = first + timedelta(days=18)
            for acct in self.mule_accts:
                part = euros(rng, 4000, 6000, 100)
                book.transfer(d0, ctl, acct, part, "loan", (self.t_scatter,))
                book.transfer(d0 + timedelta(days=1), acct, self.notary, part - 5000,
                              "deposit apartment Varna", (self.t_scatter,))
