"""Structured indicators: read from what the extraction found in an ad (``scope: ad``) or
from the ad against the other ads of the case (``scope: corpus``: the market price of a
city, the names and cities under one phone). A family file names a rule and its params;
each rule returns the spans of the values it rests on (None where a value was stated in the
ad's properties rather than written in its text)."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from veriga.osint.extract.types import Extracted


@dataclass
class AdFacts:
    """What the screening knows of one ad: its text and extraction, and the values the ad
    states besides (phones in E.164, contact names, cities, ages)."""

    id: str | None
    text: str
    extracted: Extracted
    domain: str | None = None  # sex_ads | job_ads | None (unknown: both are tried)
    phones: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    ages: tuple[int, ...] = ()  # stated in the ad's properties, not in its text


@dataclass
class Context:
    """What the other ads of a case say: market prices and pay (medians over advertisers,
    so that one prolific advertiser does not set them) and what each phone carries."""

    price_by_city: dict[str, float] = field(default_factory=dict)
    price_all: float | None = None
    pay_all: float | None = None
    names_by_phone: dict[str, set[str]] = field(default_factory=dict)
    cities_by_phone: dict[str, set[str]] = field(default_factory=dict)
    ads_by_phone: dict[str, int] = field(default_factory=dict)


#: A rule's hit: (start, end) in the ad's text or None, and the value it rests on.
RuleHit = tuple[int | None, int | None, str]
RuleFn = Callable[[AdFacts, Mapping[str, Any], Context | None], list[RuleHit]]


@dataclass(frozen=True)
class RuleSpec:
    scope: str  # "ad" | "corpus"
    params: dict[str, float]
    fn: RuleFn
    doc: str


def session_price(facts: AdFacts) -> tuple[float, int, int] | None:
    """The ad's lowest price per hour or per session (not per night or month) in EUR, with
    its span."""
    found = [(p.amount, p.start, p.end) for p in facts.extracted.prices
             if p.currency == "EUR" and p.unit in (None, "hour") and p.amount >= 10]
    return min(found) if found else None


def monthly_pay(facts: AdFacts) -> tuple[float, int, int] | None:
    """The ad's highest pay per month in EUR (amounts of 500 or more without a unit count as
    monthly), with its span."""
    found = [(p.amount, p.start, p.end) for p in facts.extracted.prices
             if p.currency == "EUR" and (p.unit == "month" or (p.unit is None
                                                               and p.amount >= 500))]
    return max(found) if found else None


def _stated_age_below(facts: AdFacts, params: Mapping[str, Any],
                      context: Context | None) -> list[RuleHit]:
    years = params["years"]
    hits: list[RuleHit] = [(a.start, a.end, str(a.years)) for a in facts.extracted.ages
                           if a.years < years]
    written = {a.years for a in facts.extracted.ages}
    hits += [(None, None, str(a)) for a in facts.ages if a < years and a not in written]
    return hits


_PLAIN_PHONE = re.compile(r"[\d +()\-]*")


def obscured(raw: str) -> bool:
    """A phone written to dodge search: words or emoji for digits, look-alike letters,
    fullwidth digits, or digits broken up by dots, slashes or single spaces."""
    if any(not c.isascii() or c.isalpha() for c in raw):
        return True
    if _PLAIN_PHONE.fullmatch(raw):
        groups = [g for g in re.split(r"[ \-()]+", raw) if g.strip("+")]
        return len(groups) >= 6 and sum(len(g) <= 1 for g in groups) >= 4
    separators = sum(c in "./*_|,:" for c in raw)
    return separators >= 3


def _obscured_phone(facts: AdFacts, params: Mapping[str, Any],
                    context: Context | None) -> list[RuleHit]:
    return [(p.start, p.end, p.raw) for p in facts.extracted.phones if obscured(p.raw)]


def _phone_spans(facts: AdFacts, phone: str) -> tuple[int | None, int | None]:
    for p in facts.extracted.phones:
        if p.e164 == phone:
            return p.start, p.end
    return None, None


def _many_names(facts: AdFacts, params: Mapping[str, Any],
                context: Context | None) -> list[RuleHit]:
    if context is None:
        return []
    hits: list[RuleHit] = []
    for phone in facts.phones:
        names = context.names_by_phone.get(phone, set())
        if len(names) >= params["names"]:
            start, end = _phone_spans(facts, phone)
            hits.append((start, end, f"{phone}: {len(names)} names"))
    return hits


def _many_cities(facts: AdFacts, params: Mapping[str, Any],
                 context: Context | None) -> list[RuleHit]:
    if context is None:
        return []
    hits: list[RuleHit] = []
    for phone in facts.phones:
        cities = context.cities_by_phone.get(phone, set())
        if len(cities) >= params["cities"]:
            start, end = _phone_spans(facts, phone)
            hits.append((start, end, f"{phone}: {len(cities)} cities"))
    return hits


def _price_below_market(facts: AdFacts, params: Mapping[str, Any],
                        context: Context | None) -> list[RuleHit]:
    price = session_price(facts)
    if context is None or price is None:
        return []
    market = next((context.price_by_city[c] for c in facts.cities
                   if c in context.price_by_city), context.price_all)
    if market is None or price[0] >= params["share"] * market:
        return []
    return [(price[1], price[2], f"{price[0]:g} EUR, market {market:g} EUR")]


def _pay_above_market(facts: AdFacts, params: Mapping[str, Any],
                      context: Context | None) -> list[RuleHit]:
    pay = monthly_pay(facts)
    if context is None or pay is None or context.pay_all is None:
        return []
    if pay[0] < params["factor"] * context.pay_all:
        return []
    return [(pay[1], pay[2], f"{pay[0]:g} EUR, market {context.pay_all:g} EUR")]


RULES: dict[str, RuleSpec] = {
    "stated_age_below": RuleSpec("ad", {"years": 21}, _stated_age_below,
                                 "a stated age under `years`"),
    "obscured_phone": RuleSpec("ad", {}, _obscured_phone,
                               "a phone written in words, emoji or broken-up digits"),
    "many_names_one_phone": RuleSpec("corpus", {"names": 3}, _many_names,
                                     "at least `names` contact names under the ad's phone"),
    "many_cities_one_phone": RuleSpec("corpus", {"cities": 3}, _many_cities,
                                      "ads in at least `cities` cities under the ad's phone"),
    "price_below_market": RuleSpec("corpus", {"share": 0.5},
                                   _price_below_market,
                                   "a price per hour under `share` of the market's median"),
    "pay_above_market": RuleSpec("corpus", {"factor": 1.5},
                                 _pay_above_market,
                                 "monthly pay at least `factor` times the market's median"),
}


def _advertiser_median(values: Iterable[tuple[str, float]]) -> tuple[float, int] | None:
    """Median over advertisers of each advertiser's median value, and how many there were."""
    per: dict[str, list[float]] = defaultdict(list)
    for who, value in values:
        per[who].append(value)
    if not per:
        return None
    return statistics.median(statistics.median(v) for v in per.values()), len(per)


def build_context(ads: Iterable[AdFacts], min_advertisers: int = 5) -> Context:
    """The case's market and what each phone carries, from all its ads. An advertiser is
    the ad's first phone (or the ad itself); a city's median counts when at least
    ``min_advertisers`` advertisers priced ads there."""
    ctx = Context()
    prices: list[tuple[str, str | None, float]] = []
    pays: list[tuple[str, float]] = []
    for n, ad in enumerate(ads):
        who = ad.phones[0] if ad.phones else f"ad:{ad.id or n}"
        for phone in ad.phones:
            ctx.ads_by_phone[phone] = ctx.ads_by_phone.get(phone, 0) + 1
            if ad.domain != "job_ads":
                ctx.names_by_phone.setdefault(phone, set()).update(
                    " ".join(x.casefold().split()) for x in ad.names if x.strip())
                ctx.cities_by_phone.setdefault(phone, set()).update(ad.cities[:1])
        if ad.domain == "sex_ads" and (price := session_price(ad)) is not None:
            prices.append((who, ad.cities[0] if ad.cities else None, price[0]))
        if ad.domain == "job_ads" and (pay := monthly_pay(ad)) is not None:
            pays.append((who, pay[0]))
    overall = _advertiser_median((w, p) for w, _c, p in prices)
    if overall and overall[1] >= min_advertisers:
        ctx.price_all = overall[0]
    for city in {c for _w, c, _p in prices if c}:
        local = _advertiser_median((w, p) for w, c, p in prices if c == city)
        if local and local[1] >= min_advertisers:
            ctx.price_by_city[city] = local[0]
    market_pay = _advertiser_median(pays)
    if market_pay and market_pay[1] >= min_advertisers:
        ctx.pay_all = market_pay[0]
    return ctx
