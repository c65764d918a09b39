"""Turn parsed drafts into statements: every value normalised, or rejected with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

from followthemoney.types import registry

from veriga.ingest.base import Draft, ImportContext
from veriga.model import model
from veriga.model.normalize import Rejected, normalize_date, normalize_phone, romanize
from veriga.model.regnum import COMPANY, VAT, normalize_registration
from veriga.store import statement_id

COUNTRY_PROPS = ("country", "nationality", "jurisdiction", "citizenship")
#: Identifiers of companies checked per country (:mod:`veriga.model.regnum`).
REGISTRATION_PROPS = {"registrationNumber": COMPANY, "vatCode": VAT}


def _country_hint(draft: Draft, default: str | None) -> str | None:
    for prop, raw in draft.values:
        if prop in COUNTRY_PROPS:
            code = registry.country.clean(raw)
            if code and len(code) == 2:
                return code.upper()
    return default


def normalise_value(prop_type: str, raw: str, hints: dict[str, str], country: str | None) -> str:
    """Normalise one value of an FtM property type; raises :class:`Rejected`."""
    return _normalise(prop_type, raw, hints.get("format"), hints.get("country") or country)


@lru_cache(maxsize=262_144)  # values repeat a lot (countries, dates, names, currencies)
def _normalise(prop_type: str, raw: str, fmt: str | None, country: str | None) -> str:
    if prop_type == "phone":
        return normalize_phone(raw, country)
    if prop_type == "date":
        value = normalize_date(raw, fmt)
        cleaned = registry.date.clean(value)
        if cleaned is None:
            raise Rejected(f"date {raw!r} is out of range")
        return cleaned
    cleaned = registry.get(prop_type).clean(raw)
    if cleaned is None:
        label = registry.get(prop_type).label
        raise Rejected(f"{raw!r} is not a valid {label.lower()}")
    return cleaned


def draft_statements(
    draft: Draft, ctx: ImportContext, case_id: str, now: datetime
) -> Iterator[dict[str, Any]]:
    """Statement rows for one draft; values that fail are reported to ``ctx``."""
    schema = model[draft.schema]
    own_country = _country_hint(draft, None)
    country = own_country or ctx.country
    company = schema.is_a("LegalEntity") and not schema.is_a("Person")
    props = _props(schema.name)
    base = {
        "case_id": case_id, "entity_id": draft.id, "canonical_id": draft.id,
        "schema": schema.name, "lang": None, "source_id": ctx.source_id,
        "locator": draft.locator, "first_seen": now,
    }
    yield {
        **base, "id": statement_id(case_id, draft.id, "id", draft.id, ctx.source_id),
        "prop": "id", "prop_type": "id", "value": draft.id, "original_value": None,
        "latin": None,
    }
    for prop_name, raw in draft.values:
        found = props.get(prop_name)
        if found is None:
            found = props[prop_name] = _prop(schema.name, prop_name)
        type_name, problem = found
        if problem is not None:
            ctx.reject(draft.locator, prop_name, raw, problem)
            continue
        hints = draft.hints.get(prop_name) or NO_HINTS
        try:
            if company and prop_name in REGISTRATION_PROPS:
                where = own_country or hints.get("country") or ctx.country
                value = normalize_registration(raw, where, REGISTRATION_PROPS[prop_name])
            else:
                value = _normalise(type_name, raw, hints.get("format"),
                                   hints.get("country") or country)
        except Rejected as exc:
            ctx.reject(draft.locator, prop_name, raw, str(exc))
            continue
        yield {
            **base,
            "id": statement_id(case_id, draft.id, prop_name, value, ctx.source_id),
            "prop": prop_name, "prop_type": type_name, "value": value,
            "original_value": raw if raw != value else None,
            "latin": romanize(value) if type_name == "name" else None,
        }


NO_HINTS: dict[str, str] = {}
_PROPS: dict[str, dict[str, tuple[str, str | None]]] = {}


def _props(schema: str) -> dict[str, tuple[str, str | None]]:
    """Per schema, each property asked for: its type's name and why a value of it is
    refused (``None`` when it is not); filled as the drafts ask."""
    found = _PROPS.get(schema)
    if found is None:
        found = _PROPS[schema] = {}
    return found


def _prop(schema_name: str, prop_name: str) -> tuple[str, str | None]:
    prop = model[schema_name].get(prop_name)
    if prop is None:
        return "", f"{schema_name} has no property {prop_name!r}"
    if prop.stub:
        return prop.type.name, f"{prop_name!r} is a reverse property; set it on the other entity"
    return prop.type.name, None
