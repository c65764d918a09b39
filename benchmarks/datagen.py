"""Synthetic inputs for the import benchmarks (no real data; deterministic)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from veriga.simulate.banks import iban_check

FIRST = ["Anna", "Jānis", "Ivan", "Maria", "Elena", "Mikko", "Kadri", "Ion", "Olena", "Piotr"]
LAST = ["Ozola", "Bērziņš", "Petrov", "Ivanova", "Virtanen", "Tamm", "Popescu", "Kowalski"]
COUNTRIES = ["lv", "ee", "fi", "bg", "ro", "pl", "ua"]
LOCAL = {"lv": "2{:07d}", "ee": "5{:07d}", "fi": "040{:07d}", "bg": "088{:07d}",
         "ro": "072{:07d}", "pl": "5{:08d}", "ua": "050{:07d}"}


def _iban(rng: random.Random) -> str:
    bban = "BANK" + f"{rng.randrange(10**13):013d}"
    return "LV" + iban_check("LV", bban) + bban


def ftm_entities(path: Path, count: int, seed: int = 1) -> Path:
    """``count`` FtM entities: people (local phones, dates in several forms), accounts,
    ownerships and companies, as JSON lines."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        while i < count:
            country = rng.choice(COUNTRIES)
            pid = f"p{i}"
            day = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1960, 2005)}"
            person = {"id": pid, "schema": "Person", "properties": {
                "name": [f"{rng.choice(FIRST)} {rng.choice(LAST)}"],
                "nationality": [country],
                "phone": [LOCAL[country].format(rng.randrange(10**7))],
                "birthDate": [day],
            }}
            account = {"id": f"a{i}", "schema": "BankAccount",
                       "properties": {"iban": [_iban(rng)]}}
            owner = {"id": f"o{i}", "schema": "Ownership",
                     "properties": {"owner": [pid], "asset": [f"a{i}"]}}
            company = {"id": f"c{i}", "schema": "Company", "properties": {
                "name": [f"{rng.choice(LAST)} Services {i}"], "jurisdiction": [country],
                "registrationNumber": [str(rng.randrange(10**8))]}}
            for item in (person, account, owner, company):
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            i += 4
    return path


TX_MAPPING = """\
csv: {delimiter: ";"}
country: LV
entities:
  account:
    schema: BankAccount
    keys: [iban]
    properties:
      iban: {column: iban}
  counterparty:
    schema: LegalEntity
    keys: [counterparty]
    properties:
      name: {column: counterparty}
records:
  transaction:
    account: {column: iban}
    ref: {column: reference}
    booking_date: {column: booking_date, format: "%d.%m.%Y"}
    amount: {column: amount, decimal: ","}
    currency: {column: currency}
    counterparty_account: {column: counterparty_iban}
    counterparty_name: {column: counterparty}
    description: {column: text}
"""


def transactions_csv(path: Path, rows: int, seed: int = 2) -> tuple[Path, Path]:
    """A bank CSV export (semicolon, decimal comma, DD.MM.YYYY) and its mapping."""
    rng = random.Random(seed)
    accounts = [_iban(rng) for _ in range(2000)]
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(["booking_date", "iban", "counterparty_iban", "counterparty", "amount",
                         "currency", "reference", "text"])
        for i in range(rows):
            cents = rng.randrange(-500000, 500000)
            writer.writerow([
                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2026",
                rng.choice(accounts), rng.choice(accounts), rng.choice(names),
                f"{cents / 100:.2f}".replace(".", ","), "EUR", f"TX{i:09d}",
                rng.choice(["rent", "salary", "card payment", "transfer", "cash"]),
            ])
    mapping = path.with_suffix(".mapping.yml")
    mapping.write_text(TX_MAPPING, encoding="utf-8")
    return path, mapping
