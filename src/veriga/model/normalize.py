"""Normalise raw values before they enter the model; each function says why it rejects.

FtM silently drops phones without a country hint and dates that are not ISO, so every value
passes through here first and a rejection becomes a reported reason instead of a lost value.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from normality import ascii_text

#: Date layouts tried in order when the mapping names none (day-first, as in Europe).
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d", "%d.%m.%y")
_ISO_PREFIX = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?")


class Rejected(ValueError):
    """A value that cannot be normalised; the message is the reason shown to the user."""


def normalize_phone(value: str, country: str | None = None) -> str:
    """Return the E.164 form of a phone number, using ``country`` (ISO alpha-2) as hint."""
    text = value.strip()
    if not text:
        raise Rejected("empty phone number")
    region = country.upper() if country else None
    if region == "UK":
        region = "GB"
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+") and region is None:
        raise Rejected(f"phone {value!r} has no country code and no country hint")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise Rejected(f"phone {value!r} cannot be parsed: {exc}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise Rejected(f"phone {value!r} is not a possible number for {region or 'its country'}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_date(value: str, fmt: str | None = None) -> str:
    """Return an ISO 8601 date (or date-time prefix) for a raw date string."""
    text = value.strip()
    if not text:
        raise Rejected("empty date")
    formats = (fmt,) if fmt else DATE_FORMATS
    for candidate in formats:
        try:
            parsed = datetime.strptime(text, candidate)
        except ValueError:
            continue
        if "%H" in candidate:
            return parsed.isoformat(timespec="seconds")
        return parsed.date().isoformat()
    if fmt is None:
        match = _ISO_PREFIX.match(text)
        if match and _valid_iso_prefix(match.group(0)):
            return match.group(0)
    raise Rejected(f"date {value!r} does not match {fmt or 'a known date format'}")


def _valid_iso_prefix(text: str) -> bool:
    try:
        if len(text) >= 10:
            date.fromisoformat(text[:10])
        if len(text) > 10:
            datetime.fromisoformat(text)
        elif len(text) == 7:
            date.fromisoformat(text + "-01")
    except ValueError:
        return False
    return True


def normalize_amount(value: str, decimal: str = ".", thousands: str | None = None) -> Decimal:
    """Parse a money amount exactly; ``decimal`` and ``thousands`` describe the notation."""
    text = value.strip().replace("\u00a0", " ")
    if thousands is None:
        thousands = "." if decimal == "," else ","
    text = text.replace(thousands, "")
    if decimal != ".":
        text = text.replace(decimal, ".")
    text = text.replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise Rejected(f"amount {value!r} is not a number") from None
    if not amount.is_finite():
        raise Rejected(f"amount {value!r} is not a finite number")
    return amount + 0  # turns -0 into 0


def romanize(value: str) -> str | None:
    """Latin-script ASCII form of a name, or None when it is already plain ASCII."""
    if value.isascii():
        return None
    latin = ascii_text(value)
    return latin if latin and latin != value else None


def country_of(account: str) -> str | None:
    """The country of an IBAN (its first two letters); None for an account number that is
    not one (digits first, or too short to be an IBAN)."""
    head = account[:2].upper()
    return head if head.isalpha() and len(account) > 4 else None


def normalize_account(value: str) -> str:
    """An account number without spaces; IBANs upper-cased and checked (ISO 13616 mod 97)."""
    text = "".join(value.split()).upper()
    if not text:
        raise Rejected("empty account number")
    if len(text) >= 15 and text[:2].isalpha() and text[2:4].isdigit():
        if not text.isalnum() or not text.isascii():
            raise Rejected(f"IBAN {value!r} contains characters other than letters and digits")
        digits = "".join(str(int(c, 36)) for c in text[4:] + text[:4])
        if not digits.isdigit() or int(digits) % 97 != 1:
            raise Rejected(f"IBAN {value!r} fails its checksum")
    return text
