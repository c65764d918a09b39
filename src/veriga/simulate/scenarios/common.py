"""Helpers shared by the scenarios: records that name people, routes, bookings, police."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from veriga.simulate.names import local_phone
from veriga.simulate.plan import Ctx
from veriga.simulate.world import Person

BOOKINGS = "travel/bookings.csv"
POLICE = "police/police_{cc}.csv"
NGO = "ngo/hotline_records.csv"
A1 = "labour/a1_declarations.csv"
PAYROLL = "labour/payroll.csv"
CARRIERS = {("bus", "int"): ("Ecolines", "FlixBus"), ("bus", "dom"): ("Lux Express", "OnniBus"),
            ("ferry", "int"): ("Tallink Silja", "Viking Line"), ("flight", "int"): ("airBaltic",)}
COUNTRY_OF = {"Helsinki": "FI", "Tampere": "FI", "Turku": "FI", "Oulu": "FI", "Rauma": "FI",
              "Tallinn": "EE", "Tartu": "EE", "Pärnu": "EE", "Riga": "LV", "Liepāja": "LV",
              "Daugavpils": "LV", "Jūrmala": "LV"}
#: Where buses from the south cross into Lithuania on the way to Riga (Via Baltica).
BORDER_LT = "Marijampolė"
COUNTRY_NAME = {"BG": "Bulgaria", "RO": "Romania", "UA": "Ukraine", "LV": "Latvia",
                "EE": "Estonia", "FI": "Finland", "PL": "Poland", "LT": "Lithuania"}


def cents(rng: random.Random, lo: float, hi: float) -> int:
    return int(rng.uniform(lo, hi) * 100)


def euros(rng: random.Random, lo: int, hi: int, step: int = 10) -> int:
    return rng.randrange(lo, hi + 1, step) * 100


def carrier(rng: random.Random, a: str, b: str) -> tuple[str, str]:
    ca, cb = COUNTRY_OF.get(a, "XX"), COUNTRY_OF.get(b, "YY")
    if {ca, cb} == {"FI", "EE"}:
        mode = "ferry"
    elif ca == cb:
        mode = "bus"
    else:
        mode = rng.choice(("bus", "flight")) if "FI" in (ca, cb) else "bus"
    key = (mode, "dom" if ca == cb else "int")
    return mode, rng.choice(CARRIERS.get(key, ("Ecolines",)))


def booking(ctx: Ctx, passenger: Person, payer: Person, a: str, b: str, day: date,
            price: int) -> str:
    """Plan a travel booking row; returns the carrier (for the card payment's merchant).
    Names are written when the file is (:mod:`veriga.simulate.records`)."""
    rng = ctx.rng
    plan = ctx.plan
    bid = f"BK{len(plan.bookings) + 1:07d}"
    mode, name = carrier(rng, a, b)
    dep = datetime.combine(day, time(rng.choice((6, 8, 10, 13, 17, 21)), rng.choice((0, 30))))
    plan.bookings.append({
        "booking_id": bid, "booked_at": (dep - timedelta(days=rng.randint(1, 4))).strftime(
            "%Y-%m-%d %H:%M"), "carrier": name, "mode": mode, "passenger_name": None,
        "passenger_phone": passenger.phone, "payer_name": None, "payer_phone": payer.phone,
        "from_city": a, "to_city": b, "departure": dep.strftime("%Y-%m-%d %H:%M"),
        "price": f"{price / 100:.2f}", "currency": "EUR",
        "_passenger": passenger.id, "_payer": payer.id})
    return name


def police_record(ctx: Ctx, person: Person, country: str, day: date, role_note: str,
                  city: str, home: bool = False) -> None:
    """Plan a police record of ``person`` in ``country``: the birth date is missing in one in
    five, the home address known in half (always with ``home``)."""
    rng = ctx.rng
    rows = ctx.plan.police.setdefault(country, [])
    rid = f"POL-{country}-{len(rows) + 1:06d}"
    rows.append({
        "record_id": rid, "recorded_on": day.strftime("%d.%m.%Y"), "name": None,
        "birth_date": person.birth.strftime("%d.%m.%Y") if rng.random() < 0.8 else "",
        "nationality": person.nationality if rng.random() < 0.7 else
        COUNTRY_NAME[person.nationality],
        "phone": local_phone(rng, person.phone, country), "city": city,
        "address": person.address if home or rng.random() < 0.5 else "",
        "note": role_note, "_person": person.id})


def ngo_record(ctx: Ctx, person: Person, day: date, situation: str, city: str,
               home: bool = False) -> None:
    """Plan an NGO hotline contact: callers give a birth date and a home address sometimes
    (always the address with ``home``)."""
    rng = ctx.rng
    rid = f"NGO-{len(ctx.plan.ngo) + 1:05d}"
    ctx.plan.ngo.append({
        "case_no": rid, "contact_date": day.isoformat(), "first_name": None,
        "last_name": None, "nationality": person.nationality,
        "birth_date": person.birth.isoformat() if rng.random() < 0.5 else "",
        "phone": local_phone(rng, person.phone, person.nationality),
        "city": city, "address": person.address if home or rng.random() < 0.4 else "",
        "situation": situation, "_person": person.id})
