"""FtM-style mapping files for CSV and XLSX: which columns become which entities and records.

```yaml
csv: {delimiter: ";", encoding: utf-8}   # optional; xlsx: {sheet: Sheet1}
country: LV                              # default hint for local phone numbers
entities:
  person:
    schema: Person
    keys: [person_id]                    # columns that identify the entity
    properties:
      name: {column: full_name}
      birthDate: {column: dob, format: "%d.%m.%Y"}
      phone: {column: phone, country: LV}
      nationality: {literal: lv}
  account:
    schema: BankAccount
    keys: [iban]
    properties:
      iban: {column: iban}
  holder:
    schema: Ownership
    keys: [person_id, iban]
    properties:
      owner: {entity: person}
      asset: {entity: account}
records:
  transaction:                           # a bulk record kind (veriga.model.records)
    account: {column: iban}
    booking_date: {column: date, format: "%d.%m.%Y"}
    amount: {column: amount, decimal: ","}
    currency: {literal: EUR}
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from veriga.errors import VerigaError
from veriga.model import model
from veriga.model.records import RECORD_KINDS


class MappingError(VerigaError):
    """A mapping file that cannot be used; the message names the place in the file."""


@dataclass
class ValueSpec:
    """Where one property or field takes its values from, and how to read them."""

    columns: list[str] = field(default_factory=list)
    literal: str | None = None
    entity: str | None = None
    format: str | None = None
    country: str | None = None
    decimal: str = "."
    thousands: str | None = None


@dataclass
class EntitySpec:
    name: str
    schema: str
    keys: list[str]
    key_literal: str
    properties: dict[str, ValueSpec]


@dataclass
class Mapping:
    entities: dict[str, EntitySpec]
    records: dict[str, dict[str, ValueSpec]]
    csv: dict[str, Any]
    xlsx: dict[str, Any]
    country: str | None
    text: str

    def columns(self) -> set[str]:
        """Every column the mapping reads."""
        used: set[str] = set()
        for ent in self.entities.values():
            used.update(ent.keys)
            for spec in ent.properties.values():
                used.update(spec.columns)
        for fields in self.records.values():
            for spec in fields.values():
                used.update(spec.columns)
        return used


def load_mapping(path: Path) -> Mapping:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path.name}: cannot read mapping: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"{path.name}: not valid YAML: {exc}") from None
    return parse_mapping(data, text=text, name=path.name)


def _spec(data: Any, where: str) -> ValueSpec:
    if isinstance(data, str):
        return ValueSpec(columns=[data])
    if not isinstance(data, dict):
        raise MappingError(f"{where}: expected a mapping like {{column: NAME}}")
    known = {"column", "columns", "literal", "entity", "format", "country", "decimal",
             "thousands"}
    unknown = set(data) - known
    if unknown:
        raise MappingError(f"{where}: unknown option(s) {', '.join(sorted(unknown))}")
    columns = list(data.get("columns") or [])
    if data.get("column") is not None:
        columns.insert(0, data["column"])
    spec = ValueSpec(
        columns=[str(c) for c in columns],
        literal=None if data.get("literal") is None else str(data["literal"]),
        entity=data.get("entity"),
        format=data.get("format"),
        country=data.get("country"),
        decimal=str(data.get("decimal", ".")),
        thousands=data.get("thousands"),
    )
    sources = bool(spec.columns) + (spec.literal is not None) + (spec.entity is not None)
    if sources != 1:
        raise MappingError(f"{where}: give exactly one of column(s), literal or entity")
    return spec


def parse_mapping(data: Any, text: str = "", name: str = "mapping") -> Mapping:
    if not isinstance(data, dict):
        raise MappingError(f"{name}: the mapping must be a YAML mapping")
    entities_data = data.get("entities") or {}
    records_data = data.get("records") or {}
    if not entities_data and not records_data:
        raise MappingError(f"{name}: defines neither 'entities' nor 'records'")
    entities: dict[str, EntitySpec] = {}
    for ent_name, ent in entities_data.items():
        where = f"{name}: entities.{ent_name}"
        if not isinstance(ent, dict):
            raise MappingError(f"{where}: expected a mapping")
        schema = model.get(ent.get("schema") or "")
        if schema is None:
            raise MappingError(f"{where}.schema: unknown schema {ent.get('schema')!r}")
        if schema.abstract:
            raise MappingError(f"{where}.schema: {schema.name} is abstract")
        keys = ent.get("keys") or ([ent["key"]] if ent.get("key") else [])
        if not keys:
            raise MappingError(f"{where}.keys: an entity needs key columns to make its id")
        props: dict[str, ValueSpec] = {}
        for prop_name, spec_data in (ent.get("properties") or {}).items():
            pwhere = f"{where}.properties.{prop_name}"
            prop = schema.get(prop_name)
            if prop is None:
                raise MappingError(f"{pwhere}: {schema.name} has no property {prop_name!r}")
            spec = _spec(spec_data, pwhere)
            if spec.entity is not None:
                if prop.type.name != "entity":
                    raise MappingError(f"{pwhere}: 'entity' is only for entity properties")
                if spec.entity not in entities_data:
                    raise MappingError(f"{pwhere}: no entity named {spec.entity!r} here")
            props[prop_name] = spec
        entities[ent_name] = EntitySpec(
            name=ent_name, schema=schema.name, keys=[str(k) for k in keys],
            key_literal=str(ent.get("key_literal") or ent_name), properties=props,
        )
    records: dict[str, dict[str, ValueSpec]] = {}
    for kind_name, fields in records_data.items():
        where = f"{name}: records.{kind_name}"
        kind = RECORD_KINDS.get(kind_name)
        if kind is None:
            raise MappingError(f"{where}: unknown record kind (known: {', '.join(RECORD_KINDS)})")
        if not isinstance(fields, dict):
            raise MappingError(f"{where}: expected a mapping of fields")
        specs: dict[str, ValueSpec] = {}
        for field_name, spec_data in fields.items():
            try:
                kind.field(field_name)
            except KeyError:
                names = ", ".join(f.name for f in kind.fields)
                raise MappingError(
                    f"{where}.{field_name}: unknown field (known: {names})"
                ) from None
            spec = _spec(spec_data, f"{where}.{field_name}")
            if spec.entity is not None:
                raise MappingError(f"{where}.{field_name}: records take columns or literals")
            specs[field_name] = spec
        missing = [f for f in kind.required if f not in specs]
        if missing:
            raise MappingError(f"{where}: required field(s) not mapped: {', '.join(missing)}")
        records[kind_name] = specs
    country = data.get("country")
    return Mapping(
        entities=entities, records=records, csv=dict(data.get("csv") or {}),
        xlsx=dict(data.get("xlsx") or {}), country=country.upper() if country else None,
        text=text,
    )
