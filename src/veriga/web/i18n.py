"""Translations of the interface (gettext catalogs under web/locale, read with Babel)."""

from __future__ import annotations

import gettext
import re
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from veriga.chain.labels import N_, Labels

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"en": "English", "bg": "Български", "lv": "Latviešu", "et": "Eesti",
             "fi": "Suomi"}


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (compiled in memory from its .po file), English otherwise."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def pick(requested: str | None, default: str = "en") -> str:
    return requested if requested in LANGUAGES else default


#: What a finding's natural key is (:class:`veriga.findings.Key`), as its evidence lists it.
KEY_TYPES = {"iban": N_("IBAN"), "transaction": N_("Transaction"), "url": N_("Web address"),
             "phone": N_("Phone"), "registration": N_("Registration number"),
             "email": N_("E-mail"), "other": N_("Other identifier")}


def key_label(lang: str, key_type: str) -> str:
    """A key type (``iban``, ``phone``...) by its label in ``lang``."""
    return translations(lang).gettext(KEY_TYPES.get(key_type, key_type))


#: Where in its file a value was read, as the importers write it ("line 4", "row 2").
LOCATORS = {"line": N_("line %(n)s"), "row": N_("row %(n)s"), "record": N_("record %(n)s")}
_LOCATOR = re.compile(r"(line|row|record) (\d+)(?:, column (\d+))?")


def locator(lang: str, text: str | None) -> str:
    """An importer's locator (``line 4``, ``line 4, column 2``) in ``lang``; others as
    they are (``page:…``)."""
    found = _LOCATOR.fullmatch(text or "")
    if found is None:
        return text or ""
    gettext = translations(lang).gettext
    out = gettext(LOCATORS[found[1]]) % {"n": found[2]}
    return out + gettext(", column %(n)s") % {"n": found[3]} if found[3] else out


#: The reasons importers give for a value rejected or kept with a warning, written in English,
#: by pattern (its named groups fill the msgid's placeholders). A reason is read part by part
#: (``;``-separated: "required field amount is empty; record skipped"); a part no pattern
#: matches is shown as written.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), m) for p, m in (
    (r"required field (?P<field>\S+) is empty", N_("required field %(field)s is empty")),
    (r"(?P<fields>.+) are all empty \(one is required\)",
     N_("%(fields)s are all empty (one is required)")),
    (r"not a valid date in format (?P<format>.+?) from (?P<low>[\d-]+) to (?P<high>[\d-]+)",
     N_("not a valid date in format %(format)s from %(low)s to %(high)s")),
    (r"not a valid date from (?P<low>[\d-]+) to (?P<high>[\d-]+)",
     N_("not a valid date from %(low)s to %(high)s")),
    (r"not an amount with at most (?P<n>\d+) decimals \(decimal separator (?P<sep>.+)\)",
     N_("not an amount with at most %(n)s decimals (decimal separator %(sep)s)")),
    (r"not a whole number", N_("not a whole number")),
    (r"invalid value", N_("invalid value")),
    (r"IBAN (?P<value>.+) fails its checksum", N_("IBAN %(value)s fails its checksum")),
    (r"IBAN (?P<value>.+) contains characters other than letters and digits",
     N_("IBAN %(value)s contains characters other than letters and digits")),
    (r"phone (?P<value>.+) has no country code and no country hint",
     N_("phone %(value)s has no country code and no country hint")),
    (r"phone (?P<value>.+) is not a possible number for (?P<country>.+)",
     N_("phone %(value)s is not a possible number for %(country)s")),
    (r"date (?P<value>.+) does not match (?P<format>.+)",
     N_("date %(value)s does not match %(format)s")),
    (r"amount (?P<value>.+) is not a number", N_("amount %(value)s is not a number")),
    (r"(?P<then>\w+) (?P<late>\S+) is before (?P<first>\w+) (?P<early>\S+)",
     N_("%(then)s %(late)s is before %(first)s %(early)s")),
    (r"row left out: (?P<column>.+) is not (?P<values>.+)",
     N_("row left out: %(column)s is not %(values)s")),
    (r"entry has no booking date", N_("entry has no booking date")),
    (r"date out of range \((?P<low>\S+) to (?P<high>\S+)\)",
     N_("date out of range (%(low)s to %(high)s)")),
    (r"statement names no account", N_("statement names no account")),
    (r"statement has no opening balance", N_("statement has no opening balance")),
    (r"statement has no closing balance", N_("statement has no closing balance")),
    (r"the file may be truncated", N_("the file may be truncated")),
    (r"record skipped", N_("record skipped")),
    (r"value left empty", N_("value left empty")),
    (r"record kept", N_("record kept")),
    (r"line skipped", N_("line skipped")),
    (r"skipped", N_("skipped")),
))


def reason(lang: str, text: str | None) -> str:
    """An importer's reason for a reject or warning in ``lang``, part by part."""
    if not text or lang == "en":
        return text or ""
    gettext = translations(lang).gettext
    parts = []
    for part in text.split("; "):
        for pattern, msgid in REASONS:
            found = pattern.fullmatch(part)
            if found is not None:
                part = gettext(msgid) % found.groupdict()
                break
        parts.append(part)
    return "; ".join(parts)


def labels(lang: str) -> Labels:
    """Schema names, link labels and amounts in ``lang`` (see :mod:`veriga.chain.labels`)."""
    return Labels(translations(lang).gettext, lang)
