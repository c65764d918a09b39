"""Banks, valid IBANs (ISO 13616 mod 97) and BICs, and per-bank transaction references."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

IBAN_LENGTH = {"LV": 21, "EE": 20, "FI": 18, "BG": 22, "RO": 24, "PL": 28, "UA": 29, "LT": 20}


@dataclass
class Bank:
    """A bank and the format its statements reach the investigator in."""

    key: str
    name: str
    country: str
    bic: str
    code: str  # the bank part of the IBAN's BBAN
    fmt: str  # camt | mt940 | csv_lv | csv_en | csv_ee | none (counterparty only)
    counter: int = field(default=0)

    def next_ref(self, year: int) -> str:
        """A transaction reference unique within this bank."""
        self.counter += 1
        return f"{self.key.upper()}{year % 100:02d}{self.counter:09d}"


def _bank_list() -> list[Bank]:
    return [
        Bank("haba", "Swedbank AS (LV)", "LV", "HABALV22", "HABA", "camt"),
        Bank("unla", "SEB banka AS", "LV", "UNLALV2X", "UNLA", "camt"),
        Bank("parx", "AS Citadele banka", "LV", "PARXLV22", "PARX", "csv_lv"),
        Bank("riko", "Luminor Bank AS (LV)", "LV", "RIKOLV2X", "RIKO", "mt940"),
        Bank("hbee", "Swedbank AS (EE)", "EE", "HABAEE2X", "22", "camt"),
        Bank("lhvb", "AS LHV Pank", "EE", "LHVBEE22", "77", "csv_ee"),
        Bank("ndea", "Nordea Bank Abp", "FI", "NDEAFIHH", "1", "camt"),
        Bank("okoy", "OP Osuuskunta", "FI", "OKOYFIHH", "5", "mt940"),
        Bank("revo", "Revolut Bank UAB", "LT", "REVOLT21", "32500", "csv_en"),
        Bank("uncr", "UniCredit Bulbank AD", "BG", "UNCRBGSF", "UNCR", "camt"),
        Bank("stsa", "DSK Bank AD", "BG", "STSABGSF", "STSA", "none"),
        Bank("rncb", "Banca Comerciala Romana SA", "RO", "RNCBROBU", "RNCB", "none"),
        Bank("brde", "BRD - Groupe Societe Generale SA", "RO", "BRDEROBU", "BRDE", "none"),
        Bank("bpko", "PKO Bank Polski SA", "PL", "BPKOPLPW", "10201026", "none"),
        Bank("pban", "JSC CB PrivatBank", "UA", "PBANUA2X", "305299", "none"),
    ]


class Banks:
    """The banks of one world; the counters make references unique per bank."""

    def __init__(self) -> None:
        self.all = _bank_list()
        self.by_key = {b.key: b for b in self.all}

    def in_country(self, country: str) -> list[Bank]:
        return [b for b in self.all if b.country == country]


def iban_check(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def make_iban(rng: random.Random, bank: Bank) -> str:
    """A random valid IBAN at ``bank`` with the country's length and BBAN layout."""
    length = IBAN_LENGTH[bank.country]
    rest = length - 4 - len(bank.code)
    if bank.country == "BG":
        tail = "".join(rng.choice("0123456789") for _ in range(6)) + \
            "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(rest - 6))
    elif bank.country == "RO":
        tail = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(rest))
    else:
        tail = "".join(rng.choice("0123456789") for _ in range(rest))
    bban = bank.code + tail
    return bank.country + iban_check(bank.country, bban) + bban


def valid_iban(iban: str) -> bool:
    text = iban.replace(" ", "").upper()
    if IBAN_LENGTH.get(text[:2]) != len(text):
        return False
    return int("".join(str(int(c, 36)) for c in text[4:] + text[:4])) % 97 == 1
