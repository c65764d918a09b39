"""CSV and XLSX importers driven by a mapping file (see :mod:`veriga.ingest.mapping`), or by
a shipped preset when the file's header is a known bank layout (:mod:`veriga.ingest.preset`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from followthemoney.util import make_entity_id

from veriga.ingest import duck
from veriga.ingest.bankstatement import MIN_DATE, PAYMENT_COLUMNS, payment_entities
from veriga.ingest.base import Draft, ImportContext, Importer, Item, RecordBatch
from veriga.ingest.mapping import EntitySpec, Mapping, ValueSpec
from veriga.ingest.table_reader import LINE, RawTable, read_csv, read_xlsx, shown
from veriga.model.currency import sql_exponent
from veriga.model.normalize import (
    DATE_FORMATS,
    Rejected,
    normalize_account,
    normalize_phone,
)
from veriga.model.records import MONEY, RECORD_KINDS, RecordKind
from veriga.model.regnum import normalize_registration

#: Rows converted and checked at a time: the records of a large file are handed over in
#: parts of this size, so the converted rows are never all in memory at once.
CHUNK_ROWS = 50_000
TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S",
                     "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class TabularImporter(Importer):
    needs_mapping = True

    def read(self, ctx: ImportContext, mapping: Mapping) -> RawTable:
        raise NotImplementedError

    def auto_mapping(self, path: Path, encoding: str | None = None) -> Mapping:
        """The preset whose header is this file's; a clear error naming the header if none."""
        from veriga.ingest.preset import match_preset

        return match_preset(path, self.format, encoding)

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        mapping: Mapping | None = ctx.options.get("mapping")
        if mapping is None:
            mapping = self.auto_mapping(ctx.path, ctx.options.get("encoding"))
        mapping = _with_options(ctx, mapping)
        raw = self.read(ctx, mapping)
        for line, reason in raw.invalid:
            ctx.reject(f"{raw.unit} {line}", None, None, reason)
        missing = sorted(mapping.columns() - set(raw.columns))
        if missing:
            raise ctx.fail(
                None, f"column(s) {', '.join(map(repr, missing))} named in the {mapping.label} "
                f"are not in the file (it has: {shown(raw.columns)})"
            )
        ctx.progress(1)
        con = duck.connect()
        try:
            yield from _parts(con, ctx, mapping, raw)
        finally:
            con.close()


def _parts(con: duckdb.DuckDBPyConnection, ctx: ImportContext, mapping: Mapping,
           raw: RawTable) -> Iterator[Item]:
    """Records and entity drafts of the rows, part by part (:data:`CHUNK_ROWS`), so the
    converted rows of a large file are never all in memory; the payment edges of the
    transactions (summed over every part) come after the last part's records."""
    payments: list[pa.Table] = []  # the payment columns of every part
    seen: dict[str, set[bytes]] = {name: set() for name in mapping.entities}
    parts = raw.parts(CHUNK_ROWS)
    part = next(parts, None)
    while part is not None:
        following = next(parts, None)
        if mapping.keep_rows:
            part = _keep_rows(ctx, mapping, part, raw.unit)
        con.register("raw_part", part)
        for kind_name, fields in mapping.records.items():
            batch = records_from_table(con, ctx, mapping, RECORD_KINDS[kind_name], fields,
                                       raw.unit, "raw_part")
            if batch.num_rows:
                if kind_name == "transaction" and mapping.payments:
                    payments.append(batch.select(PAYMENT_COLUMNS))
                yield RecordBatch(kind_name, batch)
        if following is None and payments:
            yield from payment_entities(ctx, pa.concat_tables(payments), parties=True)
        for name, spec in mapping.entities.items():
            yield from drafts_from_table(con, mapping, spec, raw.unit, "raw_part", seen[name])
        con.unregister("raw_part")
        pa.default_memory_pool().release_unused()  # the part's memory back to the system
        part = following


def _with_options(ctx: ImportContext, mapping: Mapping) -> Mapping:
    """The mapping with ``{option: NAME}`` values filled in from the import options."""
    needed = mapping.options()
    if not needed:
        return mapping
    missing = sorted(n for n in needed if not ctx.options.get(n))
    if missing:
        hints = mapping.preset.options if mapping.preset else {}
        what = "; ".join(f"--{n} ({hints[n]})" if n in hints else f"--{n}" for n in missing)
        raise ctx.fail(None, f"this file's layout ({mapping.label}) does not name every value "
                             f"it needs; pass {what}")

    def fill(spec: ValueSpec) -> ValueSpec:
        if spec.option is None:
            return spec
        return dataclasses.replace(spec, option=None, literal=str(ctx.options[spec.option]))

    entities = {k: dataclasses.replace(e, properties={p: fill(v) for p, v in
                                                      e.properties.items()})
                for k, e in mapping.entities.items()}
    records = {k: {f: fill(v) for f, v in fields.items()} for k, fields in mapping.records.items()}
    return dataclasses.replace(mapping, entities=entities, records=records)


def _keep_rows(ctx: ImportContext, mapping: Mapping, table: pa.Table, unit: str) -> pa.Table:
    """Only the rows the mapping's ``keep_rows`` selects (e.g. transactions, not balances)."""
    rule = mapping.keep_rows
    assert rule is not None
    column = pc.utf8_trim_whitespace(table[rule.column])
    keep = pc.fill_null(pc.is_in(column, pa.array(rule.values, pa.string())), False)
    if rule.report:
        left = table.filter(pc.invert(keep))
        for line, value in zip(left[LINE].to_pylist(), left[rule.column].to_pylist(),
                               strict=True):
            ctx.reject(f"{unit} {line}", rule.column, value,
                       f"row left out: {rule.column} is not {' or '.join(rule.values)}")
    return table.filter(keep)


class CSVImporter(TabularImporter):
    name = "veriga.ingest.tabular.csv"
    version = "1"
    format = "csv"
    media_type = "text/csv"
    reads_whole = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if path.suffix.lower() in (".csv", ".tsv", ".txt") and b"\x00" not in head:
            return 50
        return 0

    def read(self, ctx: ImportContext, mapping: Mapping) -> RawTable:
        opts = mapping.csv
        encoding = ctx.options.get("encoding") or opts.get("encoding") or "utf-8"
        return read_csv(ctx.path, encoding=encoding, delimiter=opts.get("delimiter"),
                        skip_rows=int(opts.get("skip_rows") or 0), limits=ctx.limits,
                        stream=True)


class XLSXImporter(TabularImporter):
    name = "veriga.ingest.tabular.xlsx"
    version = "1"
    format = "xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        if not head.startswith(b"PK\x03\x04"):
            return 0
        try:
            with zipfile.ZipFile(path) as zf:
                return 80 if "xl/workbook.xml" in zf.namelist() else 0
        except zipfile.BadZipFile:
            return 0

    def read(self, ctx: ImportContext, mapping: Mapping) -> RawTable:
        return read_xlsx(ctx.path, sheet=mapping.xlsx.get("sheet"), limits=ctx.limits)


# -- bulk records: vectorised in DuckDB --------------------------------------------------


def _field_sql(kind: RecordKind, name: str, spec: ValueSpec) -> tuple[str, str]:
    """SQL for the raw text and for the converted value of one record field."""
    if spec.literal is not None:
        raw = _lit(spec.literal)
    elif len(spec.columns) == 1:
        raw = f"NULLIF(trim({_q(spec.columns[0])}), '')"
    else:
        parts = ", ".join(f"NULLIF(trim({_q(c)}), '')" for c in spec.columns)
        raw = f"NULLIF(concat_ws({_lit(spec.separator)}, {parts}), '')"
    ftype = kind.field(name).type
    if spec.values is not None and pa.types.is_string(ftype):
        cases = " ".join(f"WHEN {_lit(k.upper())} THEN {_lit(v)}" for k, v in spec.values.items())
        other = _lit(spec.default) if spec.default is not None else raw
        return raw, f"CASE WHEN {raw} IS NULL THEN NULL ELSE CASE upper({raw}) {cases} " \
                    f"ELSE {other} END END"
    if pa.types.is_date32(ftype) or pa.types.is_timestamp(ftype):
        day_first = pa.types.is_date32(ftype)
        fmts = [spec.format] if spec.format else (
            [*DATE_FORMATS, *TIMESTAMP_FORMATS] if day_first
            else [*TIMESTAMP_FORMATS, *DATE_FORMATS])
        lst = "[" + ", ".join(_lit(f) for f in fmts) + "]"
        sql_type = "DATE" if day_first else "TIMESTAMP"
        value = f"CAST(try_strptime({raw}, {lst}) AS {sql_type})"
        low, high = _date_range()
        return raw, (f"CASE WHEN {value} >= DATE '{low}' AND {value} < DATE '{high}' "
                     f"THEN {value} END")
    if pa.types.is_decimal(ftype):
        thousands = spec.thousands if spec.thousands is not None else (
            "." if spec.decimal == "," else ","
        )
        clean = f"replace(replace({raw}, ' ', ''), chr(160), '')"
        clean = f"replace({clean}, {_lit(thousands)}, '')" if thousands else clean
        if spec.decimal != ".":
            clean = f"replace({clean}, {_lit(spec.decimal)}, '.')"
        scale = ftype.scale
        check = f"regexp_full_match({clean}, '[+-]?[0-9]+([.][0-9]{{1,{scale}}})?')"
        decimal = f"DECIMAL({ftype.precision}, {scale})"
        value = f"CASE WHEN {check} THEN TRY_CAST({clean} AS {decimal}) END"  # overflow: NULL
        if spec.sign is not None:
            debit = ", ".join(_lit(d.upper()) for d in spec.sign.debit)
            value = (f"CASE WHEN upper(trim({_q(spec.sign.column)})) IN ({debit}) "
                     f"THEN -({value}) ELSE {value} END")
        return raw, f"CASE WHEN {value} = 0 THEN CAST(0 AS DECIMAL({ftype.precision}, {scale})) " \
                    f"ELSE {value} END"
    if pa.types.is_integer(ftype):
        return raw, f"TRY_CAST({raw} AS BIGINT)"
    return raw, raw


def _date_range() -> tuple[date, date]:
    """Dates kept in records: from 1900 to a year ahead (the bank statement importers' rule)."""
    return MIN_DATE, date.today() + timedelta(days=367)


def records_from_table(
    con: duckdb.DuckDBPyConnection, ctx: ImportContext, mapping: Mapping, kind: RecordKind,
    fields: dict[str, ValueSpec], unit: str, source: str = "raw",
) -> pa.Table:
    """Convert and validate the mapped fields of the rows of ``source`` (a table or view
    of the raw rows); rejected rows and values are reported."""
    selects = [f"{_q(LINE)} AS __line"]
    for name, spec in fields.items():
        raw, value = _field_sql(kind, name, spec)
        selects.append(f"{raw} AS {_q('raw_' + name)}")
        selects.append(f"{value} AS {_q(name)}")
    # converted once into Arrow, which the checks below read in place (a DuckDB table of it
    # would hold every row a second time)
    table = con.sql(f"SELECT {', '.join(selects)} FROM {source}").to_arrow_table()
    con.register("conv", table)
    try:
        return _checked(con, ctx, mapping, kind, fields, table, unit)
    finally:
        con.unregister("conv")


def _checked(
    con: duckdb.DuckDBPyConnection, ctx: ImportContext, mapping: Mapping, kind: RecordKind,
    fields: dict[str, ValueSpec], table: pa.Table, unit: str,
) -> pa.Table:
    """The converted rows (``conv``) checked: rejects reported, bad rows left out."""
    bad_lines: set[int] = set()
    problems = con.execute(
        "SELECT * FROM conv WHERE " + " OR ".join(_conv_checks(fields, kind))
    ).fetchall()
    names = ["__line"] + [c for n in fields for c in ("raw_" + n, n)]
    for row in problems:
        data = dict(zip(names, row, strict=True))
        loc = f"{unit} {data['__line']}"
        for name in fields:
            if data["raw_" + name] is not None and data[name] is None:
                spec = fields[name]
                ctx.reject(loc, name, data["raw_" + name], _reason(kind, name, spec))
                if name in kind.required:
                    bad_lines.add(data["__line"])
        for name in kind.required:
            if data.get("raw_" + name) is None and data.get(name) is None:
                ctx.reject(loc, name, None, f"required field {name} is empty; record skipped")
                bad_lines.add(data["__line"])
        for group in _mapped_groups(kind, fields):
            if all(data.get("raw_" + n) is None for n in group):
                ctx.reject(loc, group[0], None,
                           f"{' and '.join(group)} are all empty (one is required); "
                           "record skipped")
                bad_lines.add(data["__line"])
    table = _check_exponents(con, ctx, kind, fields, table, unit, bad_lines)
    for first, then in kind.ordered:
        if first in fields and then in fields:
            for line, early, late in con.execute(
                    f"SELECT __line, {_q(first)}, {_q(then)} FROM conv WHERE {_q(then)} < "
                    f"{_q(first)} ORDER BY __line").fetchall():
                ctx.reject(f"{unit} {line}", then, str(late),
                           f"{then} {late} is before {first} {early}; record kept")
    table = _normalise_python_fields(ctx, mapping, kind, fields, table, unit, bad_lines)
    if bad_lines:
        keep = pc.invert(pc.is_in(table["__line"], pa.array(sorted(bad_lines), pa.int64())))
        table = table.filter(keep)
    return _shape(ctx, kind, table, unit)


def _check_exponents(
    con: duckdb.DuckDBPyConnection, ctx: ImportContext, kind: RecordKind,
    fields: dict[str, ValueSpec], table: pa.Table, unit: str, bad_lines: set[int],
) -> pa.Table:
    """Amounts with more decimals than their currency has (1.234 EUR, 1000.5 JPY; 1.234 KWD
    is right): reported on their line; the record skipped, or an optional amount left
    empty."""
    money = [n for n in fields if kind.field(n).type == MONEY]
    if not money or "currency" not in fields:
        return table
    exp = sql_exponent(_q("currency"))
    for name in money:
        col = _q(name)
        found = con.execute(
            f"SELECT __line, {_q('raw_' + name)}, currency, {exp} FROM conv WHERE {col} IS "
            f"NOT NULL AND CAST({col} * 1000 AS BIGINT) % CAST(pow(10, 3 - least({exp}, 3)) "
            "AS BIGINT) <> 0 ORDER BY __line").fetchall()
        if not found:
            continue
        required = name in kind.required
        for line, raw, currency, places in found:
            ctx.reject(f"{unit} {line}", name, raw,
                       f"amount has more than the {places} decimals of {currency}; "
                       + ("record skipped" if required else "value left empty"))
        lines = pa.array([row[0] for row in found], pa.int64())
        if required:
            bad_lines.update(lines.to_pylist())
            continue
        column = table[name]
        table = table.set_column(table.schema.get_field_index(name), name, pc.if_else(
            pc.is_in(table["__line"], lines), pa.nulls(len(table), column.type), column))
    return table


def _mapped_groups(kind: RecordKind, fields: dict[str, ValueSpec]) -> list[tuple[str, ...]]:
    """The kind's ``required_any`` groups, each narrowed to the fields the mapping fills."""
    return [g for g in (tuple(n for n in group if n in fields) for group in kind.required_any)
            if g]


def _conv_checks(fields: dict[str, ValueSpec], kind: RecordKind) -> list[str]:
    checks = [f"({_q('raw_' + n)} IS NOT NULL AND {_q(n)} IS NULL)" for n in fields]
    checks += [f"({_q(n)} IS NULL)" for n in kind.required]
    checks += ["(" + " AND ".join(f"{_q('raw_' + n)} IS NULL" for n in group) + ")"
               for group in _mapped_groups(kind, fields)]
    return checks


def _reason(kind: RecordKind, name: str, spec: ValueSpec) -> str:
    ftype = kind.field(name).type
    skipped = "; record skipped" if name in kind.required else "; value left empty"
    if pa.types.is_date32(ftype) or pa.types.is_timestamp(ftype):
        low, high = _date_range()
        return (f"not a valid date{' in format ' + spec.format if spec.format else ''} "
                f"from {low} to {high - timedelta(days=1)}{skipped}")
    if pa.types.is_decimal(ftype):
        return (f"not an amount with at most {ftype.scale} decimals "
                f"(decimal separator {spec.decimal!r}){skipped}")
    if pa.types.is_integer(ftype):
        return f"not a whole number{skipped}"
    return f"invalid value{skipped}"


def _normalise_python_fields(
    ctx: ImportContext, mapping: Mapping, kind: RecordKind, fields: dict[str, ValueSpec],
    table: pa.Table, unit: str, bad_lines: set[int],
) -> pa.Table:
    """Phones, account and registration numbers: normalised per distinct value in Python."""
    table = _normalise_registrations(ctx, mapping, kind, fields, table, unit)
    for name in fields:
        fn: Callable[[str], str]
        if name in kind.phones:
            country = fields[name].country or mapping.country or ctx.country
            fn = partial(normalize_phone, country=country)
        elif name in kind.accounts:
            fn = normalize_account
        else:
            continue
        column = table[name]
        uniques = pc.unique(column).drop_null()
        mapped: list[str | None] = []
        failed: dict[str, str] = {}
        for value in uniques.to_pylist():
            try:
                mapped.append(fn(value))
            except Rejected as exc:
                mapped.append(None)
                failed[value] = str(exc)
        new = pc.take(pa.array(mapped, pa.string()), pc.index_in(column, uniques))
        if failed:
            bad = pc.is_in(column, pa.array(list(failed), pa.string()))
            for line, value in zip(table.filter(bad)["__line"].to_pylist(),
                                   table.filter(bad)[name].to_pylist(), strict=True):
                required = name in kind.required
                suffix = "; record skipped" if required else "; value left empty"
                ctx.reject(f"{unit} {line}", name, value, failed[value] + suffix)
                if required:
                    bad_lines.add(line)
        table = table.set_column(table.schema.get_field_index(name), name, new)
    return table


def _normalise_registrations(
    ctx: ImportContext, mapping: Mapping, kind: RecordKind, fields: dict[str, ValueSpec],
    table: pa.Table, unit: str,
) -> pa.Table:
    """Registration and VAT numbers checked per country (:mod:`veriga.model.regnum`); an
    invalid one is reported with its line and left empty, the record kept. A party's country
    is its country field (upper-cased), else the prefix of its VAT number, else the
    mapping's or the import's country."""
    countries_of: dict[str, pa.ChunkedArray | pa.Array] = {}
    for _name, country_field, _scheme in kind.registrations:
        if country_field in countries_of or not any(
                f in fields for f, c, _s in kind.registrations if c == country_field):
            continue
        n = table.num_rows
        column = pc.utf8_upper(pc.utf8_trim_whitespace(table[country_field])) \
            if country_field in fields else pa.nulls(n, pa.string())
        for vat_field in (f for f, c, s in kind.registrations
                          if c == country_field and s == "vat" and f in fields):
            prefix = pc.utf8_upper(pc.utf8_slice_codeunits(
                pc.utf8_trim_whitespace(table[vat_field]), 0, 2))
            prefix = pc.if_else(pc.fill_null(pc.match_substring_regex(prefix, "^[A-Z]{2}$"),
                                             False), prefix, pa.nulls(n, pa.string()))
            column = pc.fill_null(column, pc.replace_substring(prefix, "EL", "GR"))
        default = next((fields[f].country for f, c, _s in kind.registrations
                        if c == country_field and f in fields and fields[f].country),
                       None) or mapping.country or ctx.country
        if default:
            column = pc.fill_null(column, default.upper())
        countries_of[country_field] = column
        if country_field in table.column_names:
            table = table.set_column(table.schema.get_field_index(country_field),
                                     country_field, column)
        else:
            table = table.append_column(country_field, column)
    for name, country_field, scheme in kind.registrations:
        if name not in fields:
            continue
        countries = countries_of[country_field]
        keys = pc.binary_join_element_wise(table[name], pc.fill_null(countries, ""), "\x1f")
        uniques = pc.unique(keys).drop_null()
        mapped: list[str | None] = []
        reasons: dict[str, str] = {}
        for key in uniques.to_pylist():
            value, cc = key.split("\x1f", 1)
            try:
                mapped.append(normalize_registration(value, cc or None, scheme))
            except Rejected as exc:
                mapped.append(None)
                reasons[key] = str(exc)
        new = pc.take(pa.array(mapped, pa.string()), pc.index_in(keys, uniques))
        if reasons:
            bad = pc.is_in(keys, pa.array(list(reasons), pa.string()))
            rows = table.filter(bad)
            for line, key in zip(rows["__line"].to_pylist(),
                                 pc.filter(keys, bad).to_pylist(), strict=True):
                ctx.reject(f"{unit} {line}", name, key.split("\x1f", 1)[0],
                           f"{reasons[key]}; value left empty")
        table = table.set_column(table.schema.get_field_index(name), name, new)
    return table


def _shape(ctx: ImportContext, kind: RecordKind, table: pa.Table, unit: str) -> pa.Table:
    """Put the converted columns into the record kind's schema, with provenance."""
    lines = table["__line"]
    n = table.num_rows
    source = kind.eur_amount
    if (source is not None and "amount_eur" not in table.column_names
            and source in table.column_names and "currency" in table.column_names):
        eur = pc.fill_null(pc.equal(pc.utf8_upper(table["currency"]), "EUR"), False)
        table = table.append_column("amount_eur", pc.if_else(
            eur, table[source], pa.nulls(n, table.schema.field(source).type)))
    locator = pc.binary_join_element_wise(pa.array([unit] * n, pa.string()),
                                          pc.cast(lines, pa.string()), " ")
    record_id = pc.binary_join_element_wise(pa.array([ctx.source_id] * n, pa.string()),
                                            pc.cast(lines, pa.string()), ":")
    arrays = [record_id, pa.array([ctx.source_id] * n, pa.string()), locator]
    for f in kind.fields:
        if f.name in table.column_names:
            arrays.append(table[f.name].cast(f.type))
        else:
            arrays.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(arrays, schema=kind.schema)


# -- entities: one draft per distinct combination of the columns an entity uses ----------


def _entity_columns(mapping: Mapping, spec: EntitySpec) -> list[str]:
    cols = list(spec.keys)
    for value in spec.properties.values():
        cols.extend(value.columns)
        if value.entity is not None:
            cols.extend(mapping.entities[value.entity].keys)
    return list(dict.fromkeys(cols))


def _make_id(spec: EntitySpec, row: dict[str, str]) -> str | None:
    keys = [row.get(k, "").strip() for k in spec.keys]
    if not any(keys):
        return None
    return make_entity_id(spec.key_literal, *keys)


def drafts_from_table(
    con: duckdb.DuckDBPyConnection, mapping: Mapping, spec: EntitySpec, unit: str,
    source: str = "raw", seen: set[bytes] | None = None,
) -> Iterator[Draft]:
    """One draft per distinct combination of the entity's columns in ``source``, in the
    order of their first line; a combination in ``seen`` (a digest of it, from the parts of
    the file read before) is left out, and each new one added."""
    cols = _entity_columns(mapping, spec)
    col_sql = ", ".join(_q(c) for c in cols)
    cursor = con.execute(
        f"SELECT {col_sql}, min({_q(LINE)}) AS __line FROM {source} GROUP BY {col_sql} "
        "ORDER BY __line"
    )
    names = [*cols, "__line"]
    while True:
        chunk = cursor.fetchmany(10_000)
        if not chunk:
            break
        for values in chunk:
            if seen is not None:
                key = hashlib.blake2b(repr(values[:-1]).encode(), digest_size=16).digest()
                if key in seen:
                    continue
                seen.add(key)
            row = dict(zip(names, values, strict=True))
            entity_id = _make_id(spec, row)
            if entity_id is None:
                continue
            draft = Draft(schema=spec.schema, id=entity_id, locator=f"{unit} {row['__line']}")
            for prop, value in spec.properties.items():
                hints = {k: v for k, v in (("format", value.format),
                                           ("country", value.country or mapping.country)) if v}
                if hints:
                    draft.hints[prop] = hints
                if value.literal is not None:
                    draft.add(prop, value.literal)
                elif value.entity is not None:
                    ref = _make_id(mapping.entities[value.entity], row)
                    if ref is not None:
                        draft.add(prop, ref)
                else:
                    for column in value.columns:
                        draft.add(prop, row[column])
            yield draft
