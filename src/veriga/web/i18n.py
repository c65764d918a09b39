"""Translations of the interface (gettext catalogs under web/locale, read with Babel)."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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
