"""Extraction from an ``Advertisement`` entity however it came in (crawled, from a WARC,
imported as FtM): its text is extracted, and the values it already states are kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from veriga.osint.extract.types import Extracted

TEXT_PROPS = ("title", "bodyText", "description", "summary", "contactName")


def _props(entity: Any) -> Mapping[str, Sequence[str]]:
    """Property values of an EntityProxy or of its FtM JSON dict."""
    if isinstance(entity, Mapping):
        props: Mapping[str, Sequence[str]] = entity.get("properties", {})
        return props
    return {name: entity.get(name) for name in entity.properties}


@dataclass
class AdValues:
    """What an ad says: stated values merged with those extracted from its text."""

    entity_id: str | None
    extracted: Extracted
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    handles: list[tuple[str, str]] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    prices: list[tuple[float, str, str | None]] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    language: str | None = None


def advertisement_text(entity: Any) -> str:
    """The ad's text fields joined by newlines, in a fixed order (spans index this text)."""
    props = _props(entity)
    return "\n".join(v for p in TEXT_PROPS for v in props.get(p, ()) if v)


def _stated_phone(value: str, region: str | None) -> str | None:
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def extract_advertisement(entity: Any, *, country_hint: str | None = None) -> AdValues:
    """Extract from an ``Advertisement`` (EntityProxy or FtM JSON dict). The ad's own
    ``country`` property is the phone hint unless ``country_hint`` is given."""
    from veriga.osint.extract import extract

    props = _props(entity)
    countries = [c for c in props.get("country", ()) if c]
    region = (country_hint or (countries[0] if countries else "")).upper() or None
    found = extract(advertisement_text(entity), country_hint=region)
    stated_phones = [p for v in props.get("phone", ()) if (p := _stated_phone(v, region))]
    ages = [int(float(v)) for v in props.get("statedAge", ()) if v.replace(".", "").isdigit()]
    entity_id = entity.get("id") if isinstance(entity, Mapping) else entity.id
    return AdValues(
        entity_id=entity_id, extracted=found,
        phones=_unique(stated_phones + [p.e164 for p in found.phones]),
        emails=_unique([e.lower() for e in props.get("email", ())]
                       + [e.address for e in found.emails]),
        handles=_unique([(h.platform, h.value) for h in found.handles]),
        ages=_unique(ages + [a.years for a in found.ages]),
        prices=_unique([(p.amount, p.currency, p.unit) for p in found.prices]),
        cities=_unique([p.name for p in found.places]),
        language=found.language.iso3 if found.language else (
            next(iter(props.get("language", ())), None)))
