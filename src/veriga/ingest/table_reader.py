"""Read CSV and XLSX files into an all-string Arrow table with the line of every row."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from veriga.errors import ImportFailed

LINE = "__line"
BLANK = "__blank"
DELIMITERS = ",;\t|"


@dataclass
class RawTable:
    """String columns as in the file, plus ``__line`` (int) locating each row."""

    table: pa.Table
    columns: list[str]
    unit: str  # "line" for CSV, "row" for XLSX
    invalid: list[tuple[int, str]]  # (line, reason) of rows that could not be read


def _fail(path: Path, where: str | None, reason: str) -> ImportFailed:
    return ImportFailed(f"{path.name}:{where}: {reason}" if where else f"{path.name}: {reason}")


def sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def clean_header(header: list[str]) -> list[str]:
    """Header names stripped (and of a BOM), without the empty names a trailing delimiter
    leaves at the end."""
    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    while names and not names[-1]:
        names.pop()
    return names


def _check_header(path: Path, header: list[str]) -> list[str]:
    """Column names; empty trailing ones (a delimiter at the end of the line) get a
    placeholder name ``__blankN`` and are not listed as the file's columns."""
    names = clean_header(header)
    if not names:
        raise _fail(path, "line 1", "the header row is empty")
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        if not name:
            raise _fail(path, "line 1", f"column {i} of the header has no name")
        if name in seen:
            raise _fail(path, "line 1", f"column name {name!r} appears twice in the header")
        seen.add(name)
    return names + [f"{BLANK}{i}" for i in range(len(names) + 1, len(header) + 1)]


def _columns(header: list[str]) -> list[str]:
    return [h for h in header if not h.startswith(BLANK)]


def read_csv(
    path: Path, encoding: str = "utf-8", delimiter: str | None = None, skip_rows: int = 0
) -> RawTable:
    """Fast path with pyarrow when every row is one line; exact Python path otherwise."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _fail(path, None, f"unknown encoding {encoding!r}") from None
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    raw = path.read_bytes()
    if not raw.strip():
        raise _fail(path, None, "the file is empty")
    try:
        head_text = raw[:65536].decode(enc, errors="strict")
    except UnicodeDecodeError:
        head_text = None
    if head_text is None:
        return _read_csv_python(path, raw, enc, delimiter or ",", skip_rows)
    delim = delimiter or sniff_delimiter("\n".join(head_text.splitlines()[skip_rows:][:20]))
    header_line = head_text.splitlines()[skip_rows] if len(head_text.splitlines()) > skip_rows \
        else ""
    header = _check_header(path, next(csv.reader([header_line], delimiter=delim), []))
    invalid = 0

    def on_invalid(_row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(
                encoding=enc, skip_rows=skip_rows + 1, column_names=header,
                block_size=1 << 24,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return _read_csv_python(path, raw, enc, delim, skip_rows)
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if invalid or lines != table.num_rows + skip_rows + 1:
        return _read_csv_python(path, raw, enc, delim, skip_rows)
    first = skip_rows + 2
    line_col = pa.array(range(first, first + table.num_rows), type=pa.int64())
    return RawTable(table.append_column(LINE, line_col), _columns(header), "line", [])


def _read_csv_python(
    path: Path, raw: bytes, enc: str, delim: str, skip_rows: int
) -> RawTable:
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(
            path, f"line {line}",
            f"bytes are not valid {enc.replace('-sig', '')}; pass the file's encoding "
            "(e.g. --encoding cp1251, windows-1257 or latin-1)",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        for _ in range(skip_rows):
            next(reader)
        header = _check_header(path, next(reader))
    except StopIteration:
        raise _fail(path, None, "the file has no header row") from None
    except csv.Error as exc:
        raise _fail(path, f"line {reader.line_num}", f"malformed CSV: {exc}") from None
    width = len(header)
    blanks = width - len(_columns(header))
    cols: list[list[str]] = [[] for _ in header]
    lines: list[int] = []
    invalid: list[tuple[int, str]] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            invalid.append((start, f"malformed CSV: {exc}"))
            break
        if not row:
            start = reader.line_num + 1
            continue
        if width - blanks <= len(row) < width:
            row = row + [""] * (width - len(row))  # no trailing delimiter on this row
        if len(row) != width:
            invalid.append((start, f"expected {width} columns, found {len(row)}"))
        else:
            for col, value in zip(cols, row, strict=True):
                col.append(value)
            lines.append(start)
        start = reader.line_num + 1
    arrays = [pa.array(c, type=pa.string()) for c in cols]
    arrays.append(pa.array(lines, type=pa.int64()))
    table = pa.Table.from_arrays(arrays, names=[*header, LINE])
    return RawTable(table, _columns(header), "line", invalid)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") if value.time() != time(0) \
            else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, sheet: str | None = None) -> RawTable:
    """Read one sheet (the first unless named); the first non-empty row is the header."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise _fail(path, None, f"not a readable XLSX workbook: {exc}") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise _fail(path, None, f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header: list[str] | None = None
        cols: list[list[str]] = []
        lines: list[int] = []
        for number, row in enumerate(rows, start=1):
            values = [_cell_text(v) for v in row]
            if header is None:
                if any(values):
                    while values and not values[-1]:
                        values.pop()
                    header = _check_header(path, values)
                    cols = [[] for _ in header]
                continue
            if not any(values):
                continue
            values = (values + [""] * len(header))[: len(header)]
            for col, value in zip(cols, values, strict=True):
                col.append(value)
            lines.append(number)
    finally:
        book.close()
    if header is None:
        raise _fail(path, None, "the sheet is empty")
    arrays = [pa.array(c, type=pa.string()) for c in cols]
    arrays.append(pa.array(lines, type=pa.int64()))
    return RawTable(pa.Table.from_arrays(arrays, names=[*header, LINE]), _columns(header),
                    "row", [])


def xlsx_header(path: Path, sheet: str | None = None) -> list[str]:
    """The first non-empty row of the sheet (the first unless named), as column names."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise _fail(path, None, f"not a readable XLSX workbook: {exc}") from None
    try:
        ws = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            values = [_cell_text(v) for v in row]
            if any(values):
                return clean_header(values)
        return []
    finally:
        book.close()
