"""Company registration and VAT numbers, checked and normalised per country (python-stdnum).

A number is checked by the country's own rules: the check digits of stdnum's module for that
register (Latvian PVN, Estonian registrikood, Finnish Y-tunnus, Romanian CUI/ONRC, ...), or,
where a register's numbers carry no check digit (Polish KRS, Lithuanian company code, German
Handelsregister), their format. A valid number is returned in stdnum's compact form (VAT
numbers with their country prefix, ``LV40003009497``); an invalid one raises
:class:`~veriga.model.normalize.Rejected` with the reason. A number of a country with no
known rules (or of no known country) is compacted the same way (no spaces, dots or dashes,
upper case) but not checked: nothing is rejected that cannot be checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Any

from veriga.model.normalize import Rejected

COMPANY = "company"
VAT = "vat"


@dataclass(frozen=True)
class Rule:
    """One way a country writes a number: a stdnum module, or a format without check digit."""

    label: str
    module: str | None = None  # stdnum module, e.g. "stdnum.ee.registrikood"
    pattern: str | None = None  # full-match regular expression on the compact text


#: Registration numbers of companies, by country: the rules tried in order.
COMPANY_RULES: dict[str, tuple[Rule, ...]] = {
    "LV": (Rule("Latvian registration number", "stdnum.lv.pvn"),),
    "EE": (Rule("Estonian registry code", "stdnum.ee.registrikood"),),
    "LT": (Rule("Lithuanian company code", pattern=r"\d{9}"),),
    "FI": (Rule("Finnish business ID (Y-tunnus)", "stdnum.fi.ytunnus"),),
    "SE": (Rule("Swedish organisation number", "stdnum.se.orgnr"),),
    "NO": (Rule("Norwegian organisation number", "stdnum.no.orgnr"),),
    "DK": (Rule("Danish CVR number", "stdnum.dk.cvr"),),
    "BG": (Rule("Bulgarian UIC (EIK/BULSTAT)", "stdnum.bg.vat"),),
    "RO": (Rule("Romanian CUI", "stdnum.ro.cui"), Rule("Romanian ONRC number", "stdnum.ro.onrc")),
    "PL": (Rule("Polish KRS number", pattern=r"\d{10}"), Rule("Polish NIP", "stdnum.pl.nip"),
           Rule("Polish REGON", "stdnum.pl.regon")),
    "UA": (Rule("Ukrainian EDRPOU code", "stdnum.ua.edrpou"),),
    "MD": (Rule("Moldovan IDNO", "stdnum.md.idno"),),
    "DE": (Rule("German Handelsregister number", "stdnum.de.handelsregisternummer"),
           Rule("German Handelsregister number",
                pattern=r"(HRA|HRB|GNR|PR|VR|GSR)\d{1,6}[A-Z]{0,2}")),
    "FR": (Rule("French SIREN", "stdnum.fr.siren"),),
    "CZ": (Rule("Czech IČO", pattern=r"\d{8}"),),
    "HR": (Rule("Croatian OIB", "stdnum.hr.oib"),),
    "SI": (Rule("Slovenian registration number", "stdnum.si.maticna"),),
    "AT": (Rule("Austrian company register number", "stdnum.at.businessid"),),
    "ES": (Rule("Spanish CIF", "stdnum.es.cif"),),
    "IT": (Rule("Italian partita IVA", "stdnum.it.iva"),),
    "PT": (Rule("Portuguese NIPC", "stdnum.pt.nif"),),
    "BE": (Rule("Belgian enterprise number", "stdnum.be.vat"),),
}

#: VAT numbers outside the EU (EU members use stdnum.eu.vat).
VAT_RULES: dict[str, tuple[Rule, ...]] = {
    "NO": (Rule("Norwegian MVA number", "stdnum.no.mva"),),
    "GB": (Rule("UK VAT number", "stdnum.gb.vat"),),
    "CH": (Rule("Swiss VAT number", "stdnum.ch.vat"),),
    "UA": (Rule("Ukrainian individual tax number (IPN)", pattern=r"\d{10}|\d{12}"),),
    "MD": (Rule("Moldovan VAT code", pattern=r"\d{7}"),),
}

#: VAT prefixes that are not the ISO code (Greece writes EL).
VAT_PREFIX = {"GR": "EL"}

EU_VAT = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
          "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")


@lru_cache(maxsize=64)
def _module(name: str) -> Any:
    return import_module(name)


def _plain(value: str) -> str:
    """A number that cannot be checked, compacted as stdnum compacts: no spaces, dots or
    dashes, upper case (``1234567-8`` as in a register and ``12345678`` as in an invoice
    are one number)."""
    return re.sub(r"[\s.\-]+", "", value).upper()


def _squeeze(value: str) -> str:
    return re.sub(r"[\s.\-/]+", "", value).upper()


def _apply(rule: Rule, text: str) -> str:
    """The compact number if ``rule`` accepts ``text``; raises stdnum's ValidationError or
    :class:`Rejected` otherwise."""
    if rule.module is not None:
        mod = _module(rule.module)
        return str(mod.validate(text))
    assert rule.pattern is not None
    compact = _squeeze(text)
    if re.fullmatch(rule.pattern, compact) is None:
        raise Rejected("wrong format")
    return compact


#: stdnum's exceptions, in words
WHY = {"InvalidChecksum": "wrong check digit", "InvalidLength": "wrong length",
       "InvalidFormat": "wrong format", "InvalidComponent": "a part of it is not valid"}


def _why(exc: Exception) -> str:
    known = WHY.get(type(exc).__name__)
    if known:
        return known
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message).rstrip(".").lower()


def _check(rules: tuple[Rule, ...], text: str, value: str, what: str, country: str) -> str:
    from stdnum.exceptions import ValidationError

    reasons: list[str] = []
    for rule in rules:
        try:
            return _apply(rule, text)
        except (ValidationError, Rejected) as exc:
            reasons.append(f"{rule.label}: {_why(exc)}")
    raise Rejected(f"{what} {value!r} is not valid for {country} ({'; '.join(reasons)})")


@lru_cache(maxsize=262_144)
def normalize_registration(value: str, country: str | None, scheme: str = COMPANY) -> str:
    """The compact form of a company registration (``scheme="company"``) or VAT number
    (``"vat"``) of ``country`` (ISO alpha-2); raises :class:`Rejected` with the reason."""
    text = value.strip()
    if not text:
        raise Rejected("empty number")
    cc = (country or "").strip().upper()
    if scheme == VAT:
        return _vat(text, value, cc)
    if scheme != COMPANY:
        raise ValueError(f"unknown number scheme {scheme!r}")
    rules = COMPANY_RULES.get(cc)
    if rules is None:
        return _plain(text)
    return _check(rules, text, value, "registration number", cc)


def _vat(text: str, value: str, cc: str) -> str:
    squeezed = _squeeze(text)
    prefix = VAT_PREFIX.get(cc, cc)
    if re.match(r"^[A-Z]{2}", squeezed) and not squeezed.isdigit():
        given = squeezed[:2]
        if cc and given not in (prefix, cc):
            raise Rejected(f"VAT number {value!r} is not valid for {cc}: it has the prefix "
                           f"{given}, not {prefix}")
        if not cc:
            cc = "GR" if given == "EL" else given
            prefix = VAT_PREFIX.get(cc, cc)
        squeezed = squeezed[2:]
    if cc in EU_VAT:
        rules: tuple[Rule, ...] = (Rule(f"{cc} VAT number", "stdnum.eu.vat"),)
        checked = _check(rules, prefix + squeezed, value, "VAT number", cc)
        return checked if checked[:2] == prefix else prefix + checked
    if cc in VAT_RULES:
        checked = _check(VAT_RULES[cc], squeezed, value, "VAT number", cc)
        return checked if checked.startswith(prefix) else prefix + checked
    return (prefix + squeezed) if cc else _plain(text)


def checker(scheme: str) -> Callable[[str, str | None], str]:
    """``normalize_registration`` for one scheme, as a two-argument function."""
    return lambda value, country: normalize_registration(value, country, scheme)


def known_countries(scheme: str = COMPANY) -> list[str]:
    """The countries whose numbers of ``scheme`` are checked (others are only compacted)."""
    return sorted(COMPANY_RULES) if scheme == COMPANY else sorted({*EU_VAT, *VAT_RULES})
