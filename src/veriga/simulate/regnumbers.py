"""Company registration and VAT numbers as each country's register writes them, valid.

Every number passes its country's check (python-stdnum's module for it): Latvian
registration numbers (``lv.pvn``), Estonian registry codes and KMKR numbers, Finnish
Y-tunnus and ALV numbers, Bulgarian EIK, Romanian CUI, Polish NIP, Lithuanian company
codes (``lt.pvm``), Ukrainian EDRPOU, Moldovan IDNO, Swedish organisation numbers and German
VAT numbers. A number is made from the draws the simulator always made (so a world's other
draws stay where they were); its check digit is then set, and when no check digit fits the
body is moved on by one until one does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from stdnum import luhn
from stdnum.bg import vat as bg_vat
from stdnum.de import vat as de_vat
from stdnum.ee import kmkr as ee_kmkr
from stdnum.ee import registrikood as ee_reg
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.lt import pvm as lt_pvm
from stdnum.lv import pvn as lv_pvn
from stdnum.md import idno as md_idno
from stdnum.pl import nip as pl_nip
from stdnum.ro import cui as ro_cui
from stdnum.se import orgnr as se_orgnr
from stdnum.ua import edrpou as ua_edrpou

Check = Callable[[str], bool]

#: The registration number's check per country (the number as the register writes it).
REGISTRATION: dict[str, Check] = {
    "LV": lv_pvn.is_valid, "EE": ee_reg.is_valid, "FI": fi_ytunnus.is_valid,
    "BG": bg_vat.is_valid, "RO": ro_cui.is_valid, "PL": pl_nip.is_valid,
    "LT": lt_pvm.is_valid, "UA": ua_edrpou.is_valid, "MD": md_idno.is_valid,
    "SE": se_orgnr.is_valid,
}
#: The VAT number's check per country (with its country prefix; UA and MD are not in the EU
#: VAT system: their numbers are written bare, with no check digit to test).
VAT: dict[str, Check] = {
    "LV": lv_pvn.is_valid, "EE": ee_kmkr.is_valid, "FI": fi_ytunnus.is_valid,
    "BG": bg_vat.is_valid, "RO": ro_cui.is_valid, "PL": pl_nip.is_valid,
    "LT": lt_pvm.is_valid, "DE": de_vat.is_valid,
    "SE": lambda n: luhn.is_valid(n[2:-2]) and n.endswith("01"),
}


def with_check(body: str, check: Check, fmt: Callable[[str], str] = str) -> str:
    """``body`` and the first check digit ``check`` accepts (``fmt`` writes the digits as the
    register does); the body moves on by one while no digit fits."""
    width = len(body)
    number = int(body)
    for _ in range(1000):
        digits = f"{number:0{width}d}"[-width:]
        for d in "0123456789":
            text = fmt(digits + d)
            if check(text):
                return text
        number += 1
    raise ValueError(f"no valid number near {body}")  # pragma: no cover - never reached


def registration_number(country: str, draw: int, extra: int = 0) -> str:
    """A valid registration number of ``country`` from a random ``draw`` (the draws
    :meth:`veriga.simulate.world.World.company` has always made)."""
    if country == "LV":  # 11 digits, legal persons from 4 (40003..., 40103...)
        return with_check(f"4000{draw % 10 ** 7:07d}"[:10], lv_pvn.is_valid)
    if country == "EE":  # registry code: 8 digits, from 1 (companies), 7, 8 or 9
        return with_check(f"{10000000 + draw % 7000000:08d}"[:7], ee_reg.is_valid)
    if country == "FI":  # Y-tunnus 1234567-8
        return with_check(f"{draw % 10 ** 7:07d}", fi_ytunnus.is_valid,
                          lambda d: f"{d[:7]}-{d[7:]}")
    if country == "PL":  # NIP: a tax office's three digits and six more
        return with_check(f"{521 + draw % 300:03d}{draw % 10 ** 6:06d}"[:9], pl_nip.is_valid)
    if country == "BG":  # EIK (BULSTAT) of a company: 9 digits
        return with_check(f"{draw:09d}"[:8], bg_vat.is_valid)
    if country == "RO":  # CUI, 8 digits, no leading zero
        return with_check(str(max(draw, 10 ** 7))[:7], ro_cui.is_valid)
    if country == "UA":  # EDRPOU code, 8 digits
        return with_check(str(30000000 + draw % 16000000)[:7], ua_edrpou.is_valid)
    if country == "LT":  # company code, 9 digits (30... since 2004), valid as a VAT code too
        return with_check(f"30{draw % 10 ** 5:05d}1", lt_pvm.is_valid)
    if country == "MD":  # IDNO: 13 digits, 100 for legal persons, the year, a serial
        return with_check(f"10036{extra % 100:02d}{draw % 10 ** 5:05d}", md_idno.is_valid)
    if country == "SE":  # organisation number 556xxx-xxxx (aktiebolag)
        return with_check(f"556{draw % 10 ** 6:06d}", se_orgnr.is_valid,
                          lambda d: f"{d[:6]}-{d[6:]}")
    raise ValueError(f"no registration numbers for {country}")


def vat_number(country: str, reg_no: str) -> str:
    """The company's VAT number as registers and invoices write it (country prefix in the
    EU; UA's 12-digit taxpayer number and MD's 7-digit VAT code bare), derived from its
    registration number so that no random draw is spent."""
    digits = "".join(c for c in reg_no if c.isdigit())
    seed = int(hashlib.sha1(reg_no.encode(), usedforsecurity=False).hexdigest()[:12], 16)
    if country in ("LV", "BG", "RO", "PL", "LT"):
        return country + digits
    if country == "FI":
        return "FI" + digits
    if country == "EE":  # KMKR numbers are not the registry code: 10xxxxxxx
        return with_check(f"10{seed % 10 ** 6:06d}", ee_kmkr.is_valid, lambda d: "EE" + d)
    if country == "SE":
        return "SE" + digits + "01"
    if country == "DE":
        return with_check(f"{1 + seed % 9}{seed % 10 ** 7:07d}", de_vat.is_valid,
                          lambda d: "DE" + d)
    if country == "UA":  # individual tax number of a VAT payer, 12 digits
        return f"{digits}{seed % 10 ** 4:04d}"
    if country == "MD":  # the VAT payer's code: 7 digits
        return f"{seed % 10 ** 7:07d}"
    raise ValueError(f"no VAT numbers for {country}")
