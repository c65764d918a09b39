"""What the name keys and the resolution records cost (``python -m benchmarks
bench_resolve_keys``): 100,000 synthetic person names (10,000 with --quick) keyed one by one
from a cold cache (a name seen before is a cache hit, as in a case), the same for company
names, and as many Person entities (with a birth date, a phone, one in five without a
country code, an identifier, a country and an address) built into resolution records
(without rigour's name symbols). Each figure in a fresh process.

The names are drawn from small pools of made-up given names and surnames, in Latin and
Cyrillic letters, with Baltic endings, swapped order, upper case, initials and a typo in
one name of five, so that most tokens recur (as in a case) and the typos do not.
"""

from __future__ import annotations

import random
import time
from typing import Any

from benchmarks.harness import measure

GIVEN = ["Olena", "Олена", "Iryna", "Ірина", "Anna", "Анна", "Jānis", "Andris", "Andra",
         "Rūta", "Ieva", "Yurii", "Юрий", "Jurijs", "Mihails", "Михаил", "Aleksandrs",
         "Александр", "Ketevan", "Maria", "Мария", "Petras", "Inga", "Līga", "Dmitri",
         "Дмитрий", "Viktorija", "Natalia", "Наталия", "Oksana", "Оксана", "Kristīne"]
SURNAME = ["Shevchenko", "Шевченко", "Ševčenko", "Bērziņš", "Bērziņa", "Ozols", "Ozola",
           "Kazlauskas", "Kazlauskienė", "Kazlauskaitė", "Petrovs", "Петров", "Petrova",
           "Ivanovs", "Иванова", "Kalniņš", "Kalniņa", "Jankauskas", "Kovalenko", "Коваленко",
           "Liepiņa", "Bondarenko", "Бондаренко", "Petraitis", "Petraitytė", "Melnyk",
           "Мельник", "Zariņš", "Vasiliauskas", "Tkachenko", "Ткаченко", "Krūmiņa"]
COMPANY = ["Baltic", "Build", "Amber", "Nord", "Logistics", "Transport", "Rīgas", "Nami",
           "Statyba", "Агро", "Сервис", "Workforce", "Partners", "Trade", "Baltija", "Group"]
FORMS = ["SIA", "UAB", "OÜ", "AS", "Ltd", "GmbH", "EOOD", "ООО", "SRL", "Oy", "", ""]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeioulnrstkm") + word[i + 1:]


def person_names(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        given, surname = rng.choice(GIVEN), rng.choice(SURNAME)
        if rng.random() < 0.2:
            surname = _typo(rng, surname)
        if rng.random() < 0.1:
            given = given[0] + "."
        name = f"{surname} {given}" if rng.random() < 0.3 else f"{given} {surname}"
        out.append(name.upper() if rng.random() < 0.2 else name)
    return out


def company_names(n: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.sample(COMPANY, rng.randint(1, 3))
        if rng.random() < 0.2:
            words[-1] = _typo(rng, words[-1])
        form = rng.choice(FORMS)
        name = " ".join(words)
        out.append(f"{form} {name}" if rng.random() < 0.5 else f"{name} {form}")
    return out


def keys_child(n: int, kind: str) -> dict[str, Any]:
    from veriga.resolve.names import company_key, person_key

    names = person_names(n) if kind == "person" else company_names(n)
    key = person_key if kind == "person" else company_key
    start = time.perf_counter()
    usable = sum(1 for name in names if key(name).usable)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3), "per_s": round(n / seconds),
            "us_per_name": round(seconds / n * 1e6, 1), "usable": usable,
            "distinct": len(set(names)),
            "us_per_distinct_name": round(seconds / len(set(names)) * 1e6, 1)}


def records_child(n: int) -> dict[str, Any]:
    from veriga.model import model
    from veriga.resolve.records import build_records

    rng = random.Random(3)
    names = person_names(n)
    entities = []
    for i, name in enumerate(names):
        proxy = model.make_entity("Person")
        proxy.id = f"p{i:07d}"
        proxy.add("name", name, cleaned=True)
        proxy.add("birthDate", f"19{rng.randint(50, 99)}-{rng.randint(1, 12):02d}-"
                               f"{rng.randint(1, 28):02d}", cleaned=True)
        phone = f"2{rng.randint(0, 9999999):07d}"  # one in five without a country code
        proxy.add("phone", phone if rng.random() < 0.2 else f"+371{phone}", cleaned=True)
        proxy.add("country", "lv", cleaned=True)
        proxy.add("idNumber", f"{rng.randint(10, 31):02d}{rng.randint(1, 12):02d}"
                              f"{rng.randint(50, 99)}-{rng.randint(10000, 99999)}", cleaned=True)
        proxy.add("address", f"Brīvības iela {rng.randint(1, 200)}, Rīga", cleaned=True)
        entities.append(proxy)
    start = time.perf_counter()
    table = build_records(entities)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3), "per_s": round(n / seconds),
            "us_per_record": round(seconds / n * 1e6, 1), "rows": table.num_rows,
            "minutes_per_million": round(seconds / n * 1e6 / 60, 2)}


def run(quick: bool = False) -> list[dict[str, Any]]:
    n = 10_000 if quick else 100_000
    rows = []
    for kind in ("person", "company"):
        figures = measure("benchmarks.bench_resolve_keys:keys_child", n=n, kind=kind)
        rows.append({"name": f"resolve: {n:,} {kind} name keys (cold cache)", **figures})
    figures = measure("benchmarks.bench_resolve_keys:records_child", n=n)
    rows.append({"name": f"resolve: {n:,} person entities to resolution records", **figures})
    return rows
