"""Presets: mapping files shipped for known bank CSV/XLSX export layouts.

Each ``presets/*.yml`` is an ordinary mapping (see :mod:`veriga.ingest.mapping`) with a
``preset:`` block naming the layout and its header. When a CSV or XLSX file comes without a
mapping, :func:`match_preset` picks the preset whose header is exactly the file's (the same
set of column names, found in one of the first lines), whose delimiter is the file's, and
whose date format and decimal separator read the first rows best.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

import pyarrow as pa
import yaml

from veriga.errors import ImportFailed
from veriga.ingest.mapping import Mapping, MappingError, ValueSpec, parse_mapping
from veriga.ingest.table_reader import clean_header, shown, sniff_delimiter, xlsx_header
from veriga.model.records import RECORD_KINDS

HEAD_BYTES = 64 * 1024
HEADER_LINES = 5  # the header may follow a few preamble lines ("* Transaktioner ...")
SAMPLE_ROWS = 20
FALLBACK_ENCODINGS = ("utf-8", "cp1252")


@cache
def presets() -> dict[str, Mapping]:
    """The shipped presets by name."""
    found: dict[str, Mapping] = {}
    folder = resources.files("veriga.ingest") / "presets"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yml"):
            continue
        text = item.read_text(encoding="utf-8")
        mapping = parse_mapping(yaml.safe_load(text), text=text, name=f"presets/{item.name}")
        if mapping.preset is None:
            raise MappingError(f"presets/{item.name}: no 'preset:' block")
        found[mapping.preset.name] = mapping
    return found


def get_preset(name: str) -> Mapping:
    """The preset called ``name`` (as in ``--mapping preset:NAME``)."""
    try:
        return presets()[name]
    except KeyError:
        raise MappingError(f"unknown preset {name!r}; known presets: "
                           f"{', '.join(presets())}") from None


def describe() -> str:
    """One line per preset, for error messages."""
    return "; ".join(f"{m.preset.name} ({m.preset.title})" for m in presets().values()
                     if m.preset)


def match_preset(path: Path, kind: str, encoding: str | None = None) -> Mapping:
    """The preset for this CSV or XLSX file; :class:`ImportFailed` naming the header if none."""
    if kind == "xlsx":
        header = xlsx_header(path)
        best = [m for m in presets().values()
                if m.preset and set(m.preset.header) == set(header)]
        if best:
            return best[0]
        raise _no_match(path, header)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if len(head) == HEAD_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    scored: list[tuple[float, int, Mapping]] = []
    for order, mapping in enumerate(presets().values()):
        found = _match_csv(head, mapping, encoding)
        if found is not None:
            scored.append((found[0], -order, found[1]))
    if scored:
        return max(scored, key=lambda s: s[:2])[2]
    raise _no_match(path, _guess_header(head, encoding))


def _decode(head: bytes, encodings: list[str]) -> tuple[str, str] | None:
    for enc in encodings:
        try:
            return head.decode("utf-8-sig" if enc.lower().replace("_", "-") in ("utf-8", "utf8")
                               else enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _match_csv(head: bytes, mapping: Mapping, encoding: str | None
               ) -> tuple[float, Mapping] | None:
    assert mapping.preset is not None
    delim = str(mapping.csv.get("delimiter") or ",")
    own = str(mapping.csv.get("encoding") or "utf-8")
    decoded = _decode(head, [encoding] if encoding else list(dict.fromkeys(
        [own, *FALLBACK_ENCODINGS])))
    if decoded is None:
        return None
    text, enc = decoded
    lines = text.splitlines()
    want = set(mapping.preset.header)
    for skip, line in enumerate(lines[:HEADER_LINES]):
        names = clean_header(next(csv.reader([line], delimiter=delim), []))
        if set(names) != want:
            continue
        rows = [dict(zip(names, r, strict=False)) for r in
                csv.reader(lines[skip + 1: skip + 1 + SAMPLE_ROWS], delimiter=delim)]
        chosen = dataclasses.replace(
            mapping, csv={**mapping.csv, "skip_rows": skip, "encoding": enc},
            text=mapping.text + f"# detected: skip_rows={skip}, encoding={enc}\n",
        )
        return _plausible(mapping, rows), chosen
    return None


def _plausible(mapping: Mapping, rows: list[dict[str, str]]) -> float:
    """Share of the sampled values the preset's date formats and decimal marks can read."""
    good = total = 0
    for kind_name, fields in mapping.records.items():
        kind = RECORD_KINDS[kind_name]
        for name, spec in fields.items():
            if len(spec.columns) != 1:
                continue
            ftype = kind.field(name).type
            for row in rows:
                raw = (row.get(spec.columns[0]) or "").strip()
                if not raw:
                    continue
                total += 1
                good += _readable(raw, ftype, spec)
    return good / total if total else 1.0


def _readable(raw: str, ftype: pa.DataType, spec: ValueSpec) -> bool:
    if pa.types.is_date32(ftype) and spec.format:
        try:
            datetime.strptime(raw, spec.format)
        except ValueError:
            return False
        return True
    if pa.types.is_decimal(ftype):
        thousands = spec.thousands if spec.thousands is not None else (
            "." if spec.decimal == "," else ",")
        clean = raw.replace(" ", "").replace("\xa0", "")
        clean = clean.replace(thousands, "") if thousands else clean
        decimals = r"\d{1," + str(ftype.scale) + "}"  # the currency's exponent: checked later
        return re.fullmatch(r"[+-]?\d+(" + re.escape(spec.decimal) + decimals + ")?", clean) \
            is not None
    return True


def _guess_header(head: bytes, encoding: str | None) -> list[str]:
    decoded = _decode(head, [encoding] if encoding else list(FALLBACK_ENCODINGS))
    if decoded is None:
        return []
    lines = [line for line in decoded[0].splitlines() if line.strip()]
    if not lines:
        return []
    delim = sniff_delimiter("\n".join(lines[:20]))
    return clean_header(next(csv.reader([lines[0]], delimiter=delim), []))


def _no_match(path: Path, header: list[str]) -> ImportFailed:
    seen = shown(header) if header else "(no header row)"
    return ImportFailed(
        f"{path.name}: CSV/XLSX files need a mapping, and this header matches no known bank "
        f"layout. Header: {seen}. Known presets: {describe()}. Write a mapping file and pass "
        "--mapping FILE.yml (see docs/mapping.md)"
    )
