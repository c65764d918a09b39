"""Turn parsed drafts into statements: every value normalised, or rejected with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from followthemoney.types import registry

from veriga.ingest.base import Draft, EntityTable, ImportContext
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


ENTITY_TABLE_SCHEMA = pa.schema([
    ("entity_id", pa.string()), ("schema", pa.string()), ("prop", pa.string()),
    ("prop_type", pa.string()), ("value", pa.string()), ("original_value", pa.string()),
    ("latin", pa.string()), ("locator", pa.string()),
])


def entity_table(ctx: ImportContext, schema: str, ids: list[str], locators: list[str],
                 values: dict[str, list[str | None]]) -> EntityTable | None:
    """Entities of one schema as an :class:`EntityTable`, from columns: ``ids`` and
    ``locators`` one per entity, ``values`` one list per property (``None`` or blank: no
    value). For the many entities of one shape a file can bring (a bank statement's payment
    edges), at a fraction of the cost of a draft each. Every value is normalised as
    :func:`draft_statements` normalises it, once per distinct value (the import's country as
    the hint), or reported on its entity's locator; schemata whose identifiers are checked
    per country (a company's registration number) come as drafts."""
    if not ids:
        return None
    entity_ids = pa.array(ids, pa.string())
    where = pa.array(locators, pa.string())
    n = len(ids)
    parts = [_statement_columns(schema, entity_ids, "id", "id", entity_ids,
                                pa.nulls(n, pa.string()), where)]
    for prop, column in values.items():
        if prop in REGISTRATION_PROPS:
            raise ValueError(f"{schema}.{prop} is checked per country: make drafts")
        raw = pc.utf8_trim_whitespace(pa.array(column, pa.string()))
        raw = pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw)
        type_name, problem = _prop(schema, prop)
        distinct = pc.unique(raw.drop_null())
        normal: list[str | None] = []
        why: dict[str, str] = {}
        for text in distinct.to_pylist():
            if problem is not None:
                normal.append(None)
                why[text] = problem
                continue
            try:
                normal.append(_normalise(type_name, text, None, ctx.country))
            except Rejected as exc:
                normal.append(None)
                why[text] = str(exc)
        value = pc.take(pa.array(normal, pa.string()), pc.index_in(raw, distinct))
        if why:
            for k in pc.indices_nonzero(pc.and_(raw.is_valid(), value.is_null())).to_pylist():
                text = raw[k].as_py()
                ctx.reject(locators[k], prop, text, why[text])
        keep = value.is_valid()
        original = pc.if_else(pc.equal(raw, value), pa.scalar(None, pa.string()), raw)
        parts.append(_statement_columns(
            schema, entity_ids.filter(keep), prop, type_name, value.filter(keep),
            original.filter(keep), where.filter(keep)))
    return EntityTable(pa.concat_tables(parts))


def _statement_columns(schema: str, ids: pa.Array, prop: str, type_name: str,
                       value: pa.Array, original: pa.Array, where: pa.Array) -> pa.Table:
    n = len(ids)
    if type_name == "name":
        latin = pa.array([None if v is None else romanize(v) for v in value.to_pylist()],
                         pa.string())
    else:
        latin = pa.nulls(n, pa.string())
    return pa.Table.from_arrays(
        [ids, pa.array([schema] * n, pa.string()), pa.array([prop] * n, pa.string()),
         pa.array([type_name] * n, pa.string()), value, original, latin, where],
        schema=ENTITY_TABLE_SCHEMA)
