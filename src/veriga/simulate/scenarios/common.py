"""Helpers shared by the scenarios: records that name people, routes, bookings, police."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from veriga.simulate.names import local_phone, variant
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


def cents(rng: random.Random, lo: float, hi: float) -> int:
    return int(rng.uniform(lo, hi) * 100)


def euros(rng: random.Random, lo: int, hi: int, step: int = 10) -> int:
    return rng.randrange(lo, hi + 1, step) * 100


def ref(person: Person, file: str, rid: str, written: str | None = None,
        noise: str | None = None) -> None:
    """Note in the ground truth that record ``rid`` of ``file`` refers to ``person``."""
    entry = {"file": file, "id": rid}
    if written is not None:
        entry["written"] = written
        entry["noise"] = noise or ""
    person.records.append(entry)


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
    """Plan a travel booking row; returns the carrier (for the card payment's merchant)."""
    rng = ctx.rng
    plan = ctx.plan
    bid = f"BK{len(plan.bookings) + 1:07d}"
    mode, name = carrier(rng, a, b)
    dep = datetime.combine(day, time(rng.choice((6, 8, 10, 13, 17, 21)), rng.choice((0, 30))))
    written, noise = variant(rng, passenger.name, "EE")
    paid_by, payer_noise = variant(rng, payer.name, "EE")
    plan.bookings.append({
        "booking_id": bid, "booked_at": (dep - timedelta(days=rng.randint(1, 4))).strftime(
            "%Y-%m-%d %H:%M"), "carrier": name, "mode": mode, "passenger_name": written,
        "passenger_phone": passenger.phone, "payer_name": paid_by, "payer_phone": payer.phone,
        "from_city": a, "to_city": b, "departure": dep.strftime("%Y-%m-%d %H:%M"),
        "price": f"{price / 100:.2f}", "currency": "EUR"})
    ref(passenger, BOOKINGS, bid, written, noise)
    ref(payer, BOOKINGS, bid, paid_by, payer_noise)
    return name


def police_record(ctx: Ctx, person: Person, country: str, day: date, role_note: str,
                  city: str) -> None:
    rng = ctx.rng
    rows = ctx.plan.police.setdefault(country, [])
    rid = f"POL-{country}-{len(rows) + 1:06d}"
    written, noise = variant(rng, person.name, country)
    rows.append({
        "record_id": rid, "recorded_on": day.strftime("%d.%m.%Y"), "name": written,
        "birth_date": person.birth.strftime("%d.%m.%Y") if rng.random() < 0.8 else "",
        "nationality": person.nationality if rng.random() < 0.7 else {
            "BG": "Bulgaria", "RO": "Romania", "UA": "Ukraine", "LV": "Latvia", "EE": "Estonia",
            "FI": "Finland", "PL": "Poland"}[person.nationality],
        "phone": local_phone(rng, person.phone, country), "city": city,
        "note": role_note})
    ref(person, POLICE.format(cc=country.lower()), rid, written, noise)


def ngo_record(ctx: Ctx, person: Person, day: date, situation: str, city: str) -> None:
    rng = ctx.rng
    rid = f"NGO-{len(ctx.plan.ngo) + 1:05d}"
    written, noise = variant(rng, person.name, "FI")
    parts = written.split(" ", 1) + [""]
    ctx.plan.ngo.append({
        "case_no": rid, "contact_date": day.isoformat(), "first_name": parts[0],
        "last_name": parts[1], "nationality": person.nationality,
        "phone": local_phone(rng, person.phone, person.nationality),
        "city": city, "situation": situation})
    ref(person, NGO, rid, written, noise)
