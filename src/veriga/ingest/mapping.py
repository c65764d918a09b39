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

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from veriga.errors import VerigaError
from veriga.model import model
from veriga.model.records import RECORD_KINDS

PRESET_PREFIX = "preset:"


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
    option: str | None = None  # taken from the import options (e.g. --account)
    separator: str = " "  # joins several columns
    values: dict[str, str] | None = None  # raw value (any case) -> value
    default: str | None = None  # for raw values not in ``values`` (kept as is when absent)
    sign: SignSpec | None = None  # amounts: the column that marks debits


@dataclass
class SignSpec:
    """An amount written without sign, with a debit/credit mark in another column."""

    column: str
    debit: list[str]


@dataclass
class RowFilter:
    """Only rows whose ``column`` holds one of ``values`` are read (e.g. row type 20)."""

    column: str
    values: list[str]
    report: bool = True  # report the rows left out as rejects


@dataclass
class PresetInfo:
    """What makes a mapping a preset: its name and the header that identifies the layout."""

    name: str
    title: str
    header: list[str]
    options: dict[str, str] = field(default_factory=dict)  # option -> what to pass


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
    keep_rows: RowFilter | None = None
    preset: PresetInfo | None = None
    payments: bool = False  # make accounts, holders and monthly Payment edges from transactions

    @property
    def label(self) -> str:
        return f"preset {self.preset.name}" if self.preset else "mapping"

    def columns(self) -> set[str]:
        """Every column the mapping reads."""
        used: set[str] = {self.keep_rows.column} if self.keep_rows else set()
        for ent in self.entities.values():
            used.update(ent.keys)
            for spec in ent.properties.values():
                used.update(spec.columns)
        for fields in self.records.values():
            for spec in fields.values():
                used.update(spec.columns)
                if spec.sign:
                    used.add(spec.sign.column)
        return used

    def options(self) -> set[str]:
        """Import options (``{option: NAME}``) the mapping needs."""
        specs = [s for e in self.entities.values() for s in e.properties.values()]
        specs += [s for fields in self.records.values() for s in fields.values()]
        return {s.option for s in specs if s.option}


def load_mapping(path: Path | str) -> Mapping:
    """A mapping file, or a shipped preset when ``path`` is ``preset:NAME``."""
    if str(path).startswith(PRESET_PREFIX):
        from veriga.ingest.preset import get_preset

        return get_preset(str(path)[len(PRESET_PREFIX):])
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path.name}: cannot read mapping: {exc}") from None
    try:
        data = copy.deepcopy(_yaml(text))
    except yaml.YAMLError as exc:
        raise MappingError(f"{path.name}: not valid YAML: {exc}") from None
    return parse_mapping(data, text=text, name=path.name)


@lru_cache(maxsize=64)
def _yaml(text: str) -> Any:
    """A mapping file's YAML, parsed once per text (a folder of exports shares one mapping;
    parsing costs more than reading a small file)."""
    return yaml.safe_load(text)


def _spec(data: Any, where: str) -> ValueSpec:
    if isinstance(data, str):
        return ValueSpec(columns=[data])
    if not isinstance(data, dict):
        raise MappingError(f"{where}: expected a mapping like {{column: NAME}}")
    known = {"column", "columns", "literal", "entity", "option", "format", "country", "decimal",
             "thousands", "separator", "values", "default", "sign"}
    unknown = set(data) - known
    if unknown:
        raise MappingError(f"{where}: unknown option(s) {', '.join(sorted(unknown))}")
    columns = list(data.get("columns") or [])
    if data.get("column") is not None:
        columns.insert(0, data["column"])
    values = data.get("values")
    if values is not None and not isinstance(values, dict):
        raise MappingError(f"{where}.values: expected a mapping of raw value -> value")
    spec = ValueSpec(
        columns=[str(c) for c in columns],
        literal=None if data.get("literal") is None else str(data["literal"]),
        entity=data.get("entity"),
        option=data.get("option"),
        format=data.get("format"),
        country=data.get("country"),
        decimal=str(data.get("decimal", ".")),
        thousands=data.get("thousands"),
        separator=str(data.get("separator", " ")),
        values={str(k): str(v) for k, v in values.items()} if values else None,
        default=None if data.get("default") is None else str(data["default"]),
        sign=_sign(data.get("sign"), f"{where}.sign") if data.get("sign") is not None else None,
    )
    sources = (bool(spec.columns) + (spec.literal is not None) + (spec.entity is not None)
               + (spec.option is not None))
    if sources != 1:
        raise MappingError(f"{where}: give exactly one of column(s), literal, entity or option")
    return spec


def _sign(data: Any, where: str) -> SignSpec:
    if not isinstance(data, dict) or not data.get("column") or not data.get("debit"):
        raise MappingError(f"{where}: expected {{column: NAME, debit: [D]}}")
    debit = data["debit"] if isinstance(data["debit"], list) else [data["debit"]]
    return SignSpec(column=str(data["column"]), debit=[str(d) for d in debit])


def _row_filter(data: Any, where: str) -> RowFilter:
    if not isinstance(data, dict) or not data.get("column") or not data.get("values"):
        raise MappingError(f"{where}: expected {{column: NAME, values: [...]}}")
    return RowFilter(column=str(data["column"]), values=[str(v) for v in data["values"]],
                     report=bool(data.get("report", True)))


def _preset_info(data: Any, where: str) -> PresetInfo:
    if not isinstance(data, dict) or not data.get("name") or not data.get("header"):
        raise MappingError(f"{where}: a preset needs a name and its header columns")
    return PresetInfo(name=str(data["name"]), title=str(data.get("title") or data["name"]),
                      header=[str(h) for h in data["header"]],
                      options={str(k): str(v) for k, v in (data.get("options") or {}).items()})


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
                raise MappingError(f"{where}.{field_name}: records take columns, literals or "
                                   "options")
            specs[field_name] = spec
        missing = [f for f in kind.required if f not in specs]
        missing += [" or ".join(g) for g in kind.required_any if not any(f in specs for f in g)]
        if missing:
            raise MappingError(f"{where}: required field(s) not mapped: {', '.join(missing)}")
        records[kind_name] = specs
    country = data.get("country")
    keep = data.get("keep_rows")
    preset = data.get("preset")
    return Mapping(
        entities=entities, records=records, csv=dict(data.get("csv") or {}),
        xlsx=dict(data.get("xlsx") or {}), country=country.upper() if country else None,
        text=text, keep_rows=_row_filter(keep, f"{name}: keep_rows") if keep else None,
        preset=_preset_info(preset, f"{name}: preset") if preset else None,
        payments=bool(data.get("payments", False)),
    )
