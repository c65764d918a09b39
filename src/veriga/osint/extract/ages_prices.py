"""Stated ages ("22 y.o.", "22 лет", "22 gadi", "22v") and prices with their currency and,
when the ad says it, what they are per (hour, night, month)."""

from __future__ import annotations

import re

from veriga.osint.extract.types import Age, Price

_AGE_UNITS = (
    r"y\.?\s?o\.?|y/o|yo|yrs?|years?(?:\s+old)?|y(?=\b)|"            # en
    r"лет|года?|г\.|годин[аи]?|г(?=\b)|"                               # ru, bg
    r"років|роки|рік|р\.|"                                             # uk
    r"gadi|gadus|g\.|g(?=\b)|"                                         # lv
    r"aastat|aastane|a\.|a(?=\b)|"                                     # et
    r"vuotta|vuotias|v\.|v(?=\b)|"                                     # fi
    r"de\s+ani|ani|"                                                   # ro
    r"lata|lat|l\.")                                                   # pl
_AGE_AFTER = re.compile(rf"(?<![\d.,])(?P<n>\d{{2}})\s?(?:{_AGE_UNITS})(?!\w)", re.I)
_AGE_BEFORE = re.compile(
    r"(?:\bage|\bi\s+am|\bi'm|\bshe\s+is|возраст|вік|възраст|vecums|vanus|ikä|vârsta|"
    r"wiek|мне|ей)\s*[:\-]?\s*(?P<n>\d{2})(?!\d|[.,]\d|\s*(?:€|eur|евро|euro|лв|zł|lei|грн))",
    re.I)

CURRENCIES = {
    "EUR": r"€|eur(?:o|os)?|euro|евро|евра|євро|eiro|eur\b|e(?=\s*(?:/|$|[.,!\s]))",
    "BGN": r"лв\.?|лева|bgn|leva",
    "PLN": r"zł|zl|pln|złotych|zlotych",
    "RON": r"lei|ron|leu",
    "UAH": r"грн\.?|гривень|гривні|uah|₴",
    "RUB": r"руб\.?|рублей|₽|rub",
    "USD": r"\$|usd",
}
_CURRENCY = "|".join(f"(?P<{code}>{pattern})" for code, pattern in CURRENCIES.items())
_AMOUNT = r"(?P<amount>\d{1,3}(?:[ \u00a0.,]\d{3})+|\d+)(?:[.,](?P<cents>\d{1,2}))?"
_UNITS = {
    "hour": r"/\s?h\b|/\s?ч\b|/\s?hr|/\s?hour|per\s+hour|an\s+hour|for\s+1\s?h|за\s+час|"
            r"1\s?h\b|60\s?min|/\s?tunti|tunnissa|/\s?st\b|/\s?godz|/\s?oră|/\s?ora|/\s?год",
    "night": r"/\s?night|per\s+night|a\s+night|за\s+ночь|за\s+нощ|/\s?nakt|/\s?öö|/\s?yö|"
             r"/\s?noc|/\s?noapte|за\s+ніч",
    "month": r"/\s?month|per\s+month|a\s+month|в\s+месяц|на\s+месяц|/\s?мес|/\s?міс|"
             r"на\s+місяць|/\s?kk|/\s?mies|/\s?luna|/\s?mēn|/\s?kuu|на\s+месец|/\s?месец",
}
_UNIT = re.compile(r"\s*(?:" + "|".join(f"(?P<{u}>{p})" for u, p in _UNITS.items()) + ")",
                   re.I)
_PRICE_AFTER = re.compile(rf"(?<![\w.,]){_AMOUNT}\s?(?:{_CURRENCY})(?!\w)", re.I)
_PRICE_BEFORE = re.compile(rf"(?<!\w)(?:{_CURRENCY})\s?{_AMOUNT}(?![\d\w])", re.I)


def find_ages(text: str) -> list[Age]:
    """Ages between 16 and 79 stated next to a unit or after "age"/"I am"."""
    found: dict[int, Age] = {}
    for pattern in (_AGE_AFTER, _AGE_BEFORE):
        for m in pattern.finditer(text):
            years = int(m.group("n"))
            if 16 <= years <= 79:
                found.setdefault(m.start("n"), Age(years, m.start(), m.end()))
    return sorted(found.values(), key=lambda a: a.start)


def _amount(m: re.Match[str]) -> float:
    whole = re.sub(r"[ \u00a0.,]", "", m.group("amount"))
    cents = m.group("cents")
    return float(whole) + (int(cents) / 10 ** len(cents) if cents else 0.0)


def find_prices(text: str) -> list[Price]:
    """Amounts with a currency, either side of the number."""
    found: dict[int, Price] = {}
    for pattern in (_PRICE_AFTER, _PRICE_BEFORE):
        for m in pattern.finditer(text):
            currency = next(c for c in CURRENCIES if m.group(c))
            end, unit = m.end(), None
            u = _UNIT.match(text, end)
            if u:
                unit = next(k for k in _UNITS if u.group(k))
                end = u.end()
            else:
                before = text[max(0, m.start() - 12):m.start()].lower()
                if re.search(r"(?:1\s?h|60\s?min|1\s?час)\s*[:\-]?\s*$", before):
                    unit = "hour"
            start = m.start("amount") if pattern is _PRICE_AFTER else m.start()
            if not any(p.start <= start < p.end for p in found.values()):
                found[start] = Price(_amount(m), currency, unit, start, end)
    return sorted(found.values(), key=lambda p: p.start)
