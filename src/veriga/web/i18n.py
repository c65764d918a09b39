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
    (r"amount has more decimals than its currency or is too large to keep exactly",
     N_("amount has more decimals than its currency or is too large to keep exactly")),
    (r"relationship without a known subject and interested party \((?P<detail>.+)\)",
     N_("relationship without a known subject and interested party (%(detail)s)")),
    (r"(?P<then>\w+) (?P<late>\S+) is before (?P<first>\w+) (?P<early>\S+): an impossible "
     r"order of dates",
     N_("%(then)s %(late)s is before %(first)s %(early)s: an impossible order of dates")),
    (r"kept as an event, out of the ledger",
     N_("kept as an event, out of the ledger")),
    (r"kept as written",
     N_("kept as written")),
    (r"this one kept out of the ledger",
     N_("this one kept out of the ledger")),
    (r"(?P<value>.+) is not a valid entity",
     N_("%(value)s is not a valid entity")),
    (r"transaction (?P<id>\S+) has parties whose role gives no direction",
     N_("transaction %(id)s has parties whose role gives no direction")),
    (r"the report already has transaction (?P<id>\S+) \((?P<where>.+)\)",
     N_("the report already has transaction %(id)s (%(where)s)")),
    (r"VAT number (?P<value>.+) is not valid for (?P<country>[A-Z]{2}): it has the prefix "
     r"(?P<prefix>\w+), not (?P<expected>\w+)",
     N_("VAT number %(value)s is not valid for %(country)s: it has the prefix %(prefix)s, not "
        "%(expected)s")),
    (r"ignored",
     N_("ignored")),
    (r"left out",
     N_("left out")),
    (r"both kept",
     N_("both kept")),
    (r"kept only once",
     N_("kept only once")),
    (r"kept as one entry",
     N_("kept as one entry")),
    (r"checked up to here",
     N_("checked up to here")),
    (r"expected (?P<n>\d+) columns, found (?P<found>\d+)",
     N_("expected %(n)s columns, found %(found)s")),
    (r"field before the first :20: reference",
     N_("field before the first :20: reference")),
    (r"text outside any MT940 field",
     N_("text outside any MT940 field")),
    (r"invalid JSON: (?P<detail>.+)",
     N_("invalid JSON: %(detail)s")),
    (r"not UTF-8 \(byte (?P<byte>\d+)\): FtM JSON must be UTF-8",
     N_("not UTF-8 (byte %(byte)s): FtM JSON must be UTF-8")),
    (r"not UTF-8 \(byte (?P<byte>\d+)\)",
     N_("not UTF-8 (byte %(byte)s)")),
    (r"names no charset and is not UTF-8 \(byte (?P<byte>\d+)\): read as UTF-8 with "
     r"replacement characters",
     N_("names no charset and is not UTF-8 (byte %(byte)s): read as UTF-8 with replacement "
        "characters")),
    (r"give its charset with --encoding",
     N_("give its charset with --encoding")),
    (r"not a JSON object",
     N_("not a JSON object")),
    (r"not a JSON object \(an ad\)",
     N_("not a JSON object (an ad)")),
    (r"properties is not an object",
     N_("properties is not an object")),
    (r"entity has no id",
     N_("entity has no id")),
    (r"unknown schema",
     N_("unknown schema")),
    (r"schema is abstract and cannot hold entities",
     N_("schema is abstract and cannot hold entities")),
    (r"(?P<schema>\w+) has no property (?P<prop>.+)",
     N_("%(schema)s has no property %(prop)s")),
    (r"nested value is not allowed",
     N_("nested value is not allowed")),
    (r"nested value where a single value belongs",
     N_("nested value where a single value belongs")),
    (r"balance is not D/C, YYMMDD, currency, amount",
     N_("balance is not D/C, YYMMDD, currency, amount")),
    (r"amount has more than the (?P<n>\d+) decimals of (?P<ccy>\w+)",
     N_("amount has more than the %(n)s decimals of %(ccy)s")),
    (r"amount has more than (?P<ccy>\w+)'s (?P<n>\d+) decimals or is too large to keep "
     r"exactly",
     N_("amount has more than %(ccy)s's %(n)s decimals or is too large to keep exactly")),
    (r"statement line :61: cannot be parsed \(date, D/C mark, amount\)",
     N_("statement line :61: cannot be parsed (date, D/C mark, amount)")),
    (r"statement line :61: after other characters on its line",
     N_("statement line :61: after other characters on its line")),
    (r"entry skipped, the file may be truncated",
     N_("entry skipped, the file may be truncated")),
    (r"not read as an entry \(the balance check shows it missing\)",
     N_("not read as an entry (the balance check shows it missing)")),
    (r"its entries are kept without one",
     N_("its entries are kept without one")),
    (r"entries kept under the account number as written",
     N_("entries kept under the account number as written")),
    (r"duplicate transaction \(same account and date, amount and bank reference "
     r"(?P<ref>.+)\) of (?P<first>.+) from an overlapping statement",
     N_("duplicate transaction (same account and date, amount and bank reference %(ref)s) of "
        "%(first)s from an overlapping statement")),
    (r"duplicate transaction \(same account and date, amount, counterparty and text\) of "
     r"(?P<first>.+) from an overlapping statement",
     N_("duplicate transaction (same account and date, amount, counterparty and text) of "
        "%(first)s from an overlapping statement")),
    (r"balance mismatch: opening (?P<opening>\S+) \+ (?P<n>\d+) entries (?P<moves>\S+) = "
     r"(?P<expected>\S+), but closing balance is (?P<closing>\S+) \(difference "
     r"(?P<diff>\S+)\)",
     N_("balance mismatch: opening %(opening)s + %(n)s entries %(moves)s = %(expected)s, but "
        "closing balance is %(closing)s (difference %(diff)s)")),
    (r"balance mismatch: opening (?P<opening>\S+) \+ (?P<n>\d+) entries (?P<moves>\S+) = "
     r"(?P<expected>\S+), but interim booked balance is (?P<closing>\S+) \(difference "
     r"(?P<diff>\S+)\)",
     N_("balance mismatch: opening %(opening)s + %(n)s entries %(moves)s = %(expected)s, but "
        "interim booked balance is %(closing)s (difference %(diff)s)")),
    (r"balance mismatch: opening (?P<opening>\S+) \+ (?P<n>\d+) entries (?P<moves>\S+) = "
     r"(?P<expected>\S+), but intermediate balance (?P<tag>:\d\dM:) is (?P<closing>\S+) "
     r"\(difference (?P<diff>\S+)\)",
     N_("balance mismatch: opening %(opening)s + %(n)s entries %(moves)s = %(expected)s, but "
        "intermediate balance %(tag)s is %(closing)s (difference %(diff)s)")),
    (r"this page opens with (?P<opening>\S+), but the previous page closed with "
     r"(?P<closing>\S+) \(line (?P<line>\d+)\)",
     N_("this page opens with %(opening)s, but the previous page closed with %(closing)s "
        "(line %(line)s)")),
    (r"the statement goes on after this intermediate balance, but its next page is not next "
     r"in this file",
     N_("the statement goes on after this intermediate balance, but its next page is not next "
        "in this file")),
    (r"value date (?P<value>\S+) is no calendar date",
     N_("value date %(value)s is no calendar date")),
    (r"entry kept with its entry date (?P<date>\S+), value date left empty",
     N_("entry kept with its entry date %(date)s, value date left empty")),
    (r"value date is no valid YYMMDD date and the line has no entry date, so its booking "
     r"date is unknown",
     N_("value date is no valid YYMMDD date and the line has no entry date, so its booking "
        "date is unknown")),
    (r"the (?P<n>\d+) transaction details add up to (?P<total>\S+), not to the entry amount "
     r"(?P<amount>\S+)",
     N_("the %(n)s transaction details add up to %(total)s, not to the entry amount "
        "%(amount)s")),
    (r"transaction left out of the ledger",
     N_("transaction left out of the ledger")),
    (r"(?P<n>\d+) entry not booked \((?P<counts>.+)\): kept as pending_transaction records, "
     r"outside the ledger and the balance",
     N_("%(n)s entry not booked (%(counts)s): kept as pending_transaction records, outside "
        "the ledger and the balance")),
    (r"(?P<n>\d+) entries not booked \((?P<counts>.+)\): kept as pending_transaction "
     r"records, outside the ledger and the balance",
     N_("%(n)s entries not booked (%(counts)s): kept as pending_transaction records, outside "
        "the ledger and the balance")),
    (r"not an HTML page \(no markup, or binary\)",
     N_("not an HTML page (no markup, or binary)")),
    (r"page holds no title and no text",
     N_("page holds no title and no text")),
    (r"ad without title and text",
     N_("ad without title and text")),
    (r"not an image \(no PNG, JPEG, GIF, WebP, BMP, TIFF or ICO header\)",
     N_("not an image (no PNG, JPEG, GIF, WebP, BMP, TIFF or ICO header)")),
    (r"image larger than (?P<n>\d+) pixels \(decompression bomb\?\)",
     N_("image larger than %(n)s pixels (decompression bomb?)")),
    (r"WARC cut or damaged here, the rest is skipped: (?P<detail>.+)",
     N_("WARC cut or damaged here, the rest is skipped: %(detail)s")),
    (r"payload does not match its digest",
     N_("payload does not match its digest")),
    (r"skipped as altered or damaged",
     N_("skipped as altered or damaged")),
    (r"not a time \(seconds or milliseconds since 1970\)",
     N_("not a time (seconds or milliseconds since 1970)")),
    (r"not a BODS entity, person or relationship statement",
     N_("not a BODS entity, person or relationship statement")),
    (r"share is neither an exact percentage nor a range of 0 to 100",
     N_("share is neither an exact percentage nor a range of 0 to 100")),
    (r"the link is kept without it",
     N_("the link is kept without it")),
    (r"relationship without a known subject and interested party",
     N_("relationship without a known subject and interested party")),
    (r"malformed CSV: (?P<detail>.+)",
     N_("malformed CSV: %(detail)s")),
    (r"registration number (?P<value>.+) is not valid for (?P<country>[A-Z]{2}) "
     r"\((?P<detail>.+)\)",
     N_("registration number %(value)s is not valid for %(country)s (%(detail)s)")),
    (r"(?P<value>.+) is not a valid url",
     N_("%(value)s is not a valid url")),
    (r"phone (?P<value>.+) cannot be parsed: (?P<detail>.+)",
     N_("phone %(value)s cannot be parsed: %(detail)s")),
    (r"not a valid date \(YYYY-MM-DD or YYYY-MM-DDThh:mm:ss\)",
     N_("not a valid date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)")),
    (r"not a positive amount",
     N_("not a positive amount")),
    (r"not a transmode code of the profile",
     N_("not a transmode code of the profile")),
    (r"read as (?P<value>'.+')",
     N_("read as %(value)s")),
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
