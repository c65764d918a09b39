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


def labels(lang: str) -> Labels:
    """Schema names, link labels and amounts in ``lang`` (see :mod:`veriga.chain.labels`)."""
    return Labels(translations(lang).gettext, lang)
