"""Read CSV and XLSX files into an all-string Arrow table with the line of every row (a
large CSV, on request, in parts read from the file as they are used)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from veriga.errors import ImportFailed
from veriga.ingest.guards import check_lines, check_zip
from veriga.ingest.limits import DEFAULT, Limits, hint

BATCH_ROWS = 50_000  # rows read in Python before they become Arrow arrays

LINE = "__line"
BLANK = "__blank"
DELIMITERS = ",;\t|"


@dataclass
class RawTable:
    """String columns as in the file, plus ``__line`` (int) locating each row."""

    table: pa.Table  # no rows when the rows are streamed
    columns: list[str]
    unit: str  # "line" for CSV, "row" for XLSX
    invalid: list[tuple[int, str]]  # (line, reason) of rows that could not be read
    #: the rows read again from the file in parts, each time called (a large CSV, never
    #: whole in memory); ``None``: the rows are ``table``
    stream: Callable[[], Iterator[pa.Table]] | None = None

    def parts(self, rows: int) -> Iterator[pa.Table]:
        """The rows in order, in parts of about ``rows`` rows (or the reader's parts)."""
        if self.stream is not None:
            for part in self.stream():
                for start in range(0, part.num_rows, rows):
                    yield part.slice(start, rows)
            return
        for start in range(0, self.table.num_rows, rows):
            yield self.table.slice(start, rows)


#: A CSV file larger than this is read in parts (:func:`_stream_csv`) when asked to.
STREAM_BYTES = 32 * 2**20


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


def _check_header(path: Path, header: list[str], limits: Limits = DEFAULT,
                  where: str = "line 1") -> list[str]:
    """Column names; empty trailing ones (a delimiter at the end of the line) get a
    placeholder name ``__blankN`` and are not listed as the file's columns."""
    if len(header) > limits.max_columns:
        raise _fail(path, where, f"the header has {len(header):,} columns, over the limit of "
                                 f"{limits.max_columns:,} (max_columns); refused")
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


def shown(names: list[str]) -> str:
    """Column names for a one-line message: unprintable ones (line breaks...) as repr."""
    return ", ".join(n if n.isprintable() else repr(n) for n in names)


def _columns(header: list[str]) -> list[str]:
    return [h for h in header if not h.startswith(BLANK)]


def read_csv(
    path: Path, encoding: str = "utf-8", delimiter: str | None = None, skip_rows: int = 0,
    limits: Limits = DEFAULT, stream: bool = False,
) -> RawTable:
    """Fast path with pyarrow when every row is one line; exact Python path otherwise.

    The file is read whole (the runner bounds its size with ``max_read_bytes``), except,
    with ``stream``, a file over :data:`STREAM_BYTES` on the fast path: its rows are then
    read in parts (:attr:`RawTable.stream`). Lines, columns, rows and cells are bounded by
    ``limits``."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _fail(path, None, f"unknown encoding {encoding!r}") from None
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    check_lines(path.name, path, limits)
    if stream and path.stat().st_size > STREAM_BYTES:
        found = _stream_csv(path, enc, delimiter, skip_rows, limits)
        if found is not None:
            return found
    raw = path.read_bytes()
    if not raw.strip():
        raise _fail(path, None, "the file is empty")
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if lines - skip_rows - 1 > limits.max_rows:
        raise _fail(path, None, f"{lines - skip_rows - 1:,} rows, over the limit of "
                                f"{limits.max_rows:,} ({hint('max_rows')}); refused")
    try:
        head_text = raw[:65536].decode(enc, errors="strict")
    except UnicodeDecodeError:
        head_text = None
    if head_text is None:
        return _read_csv_python(path, raw, enc, delimiter or ",", skip_rows, limits)
    delim = delimiter or sniff_delimiter("\n".join(head_text.splitlines()[skip_rows:][:20]))
    header_line = _line(raw, skip_rows, enc)
    try:
        cells = next(csv.reader([header_line], delimiter=delim), []) if header_line else None
    except csv.Error:
        cells = None  # e.g. a bare carriage return: the exact path reports it
    if cells is None:
        return _read_csv_python(path, raw, enc, delim, skip_rows, limits)
    header = _check_header(path, cells, limits, f"line {skip_rows + 1}")
    if lines * len(header) > limits.max_cells:
        raise _fail(path, None, f"{lines:,} rows of {len(header):,} columns, over the limit of "
                                f"{limits.max_cells:,} cells (max_cells); refused")
    invalid = 0

    def on_invalid(_row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    try:
        table = pacsv.read_csv(io.BytesIO(raw),
                               **_arrow_options(enc, delim, skip_rows, header, on_invalid))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return _read_csv_python(path, raw, enc, delim, skip_rows, limits)
    if invalid or lines != table.num_rows + skip_rows + 1:
        del table
        return _read_csv_python(path, raw, enc, delim, skip_rows, limits)
    first = skip_rows + 2
    line_col = pa.array(range(first, first + table.num_rows), type=pa.int64())
    table = table.append_column(LINE, line_col)
    _check_values(path, table, limits)
    return RawTable(table, _columns(header), "line", [])


def _arrow_options(enc: str, delim: str, skip_rows: int, header: list[str],
                   on_invalid: Callable[[Any], str]) -> dict[str, Any]:
    """pyarrow's options for the fast path: every column a string, the header and the
    ``skip_rows`` before it skipped (``skip_rows`` -1: a part of the rows, no header)."""
    return {
        "read_options": pacsv.ReadOptions(encoding=enc, skip_rows=skip_rows + 1,
                                          column_names=header, block_size=1 << 24),
        "parse_options": pacsv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                            invalid_row_handler=on_invalid),
        "convert_options": pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False,
            quoted_strings_can_be_null=False),
    }


def _stream_csv(path: Path, enc: str, delimiter: str | None, skip_rows: int,
                limits: Limits) -> RawTable | None:
    """The fast path of :func:`read_csv` in parts, never the whole file in memory: a first
    pass reads every row to make sure each is one line and valid (as the fast path
    requires), the rows are then read again in parts as they are used. ``None`` when the
    file is not for the fast path (or its head cannot tell): :func:`read_csv` reads it
    whole, as it would any other."""
    with path.open("rb") as fh:
        head = fh.read(65536)
        lines = head.count(b"\n")
        last = head[-1:]
        for block in iter(lambda: fh.read(1 << 22), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += 0 if last == b"\n" else 1
    if not head.strip() or head.count(b"\n") <= skip_rows + 1:
        return None  # short or odd: read whole, as before
    if lines - skip_rows - 1 > limits.max_rows:
        raise _fail(path, None, f"{lines - skip_rows - 1:,} rows, over the limit of "
                                f"{limits.max_rows:,} ({hint('max_rows')}); refused")
    head = head[: head.rfind(b"\n") + 1]  # whole lines (a character may be cut at the end)
    try:
        head_text = head.decode(enc, errors="strict")
    except UnicodeDecodeError:
        return None
    delim = delimiter or sniff_delimiter("\n".join(head_text.splitlines()[skip_rows:][:20]))
    header_line = _line(head, skip_rows, enc)
    try:
        cells = next(csv.reader([header_line], delimiter=delim), []) if header_line else None
    except csv.Error:
        cells = None
    if cells is None:
        return None
    header = _check_header(path, cells, limits, f"line {skip_rows + 1}")
    if lines * len(header) > limits.max_cells:
        raise _fail(path, None, f"{lines:,} rows of {len(header):,} columns, over the limit of "
                                f"{limits.max_cells:,} cells (max_cells); refused")
    if "\n".encode(enc.removesuffix("-sig")) != b"\n":
        return None  # a row's end is not a newline byte (UTF-16): read whole
    start = _offset(head, skip_rows + 1)
    invalid = 0

    def on_invalid(_row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    def parts() -> Iterator[pa.Table]:
        # every row is one line (the first pass makes sure): blocks of whole lines are
        # read one at a time, each as a CSV of its own
        options = _arrow_options(enc.removesuffix("-sig"), delim, -1, header, on_invalid)
        # one block is small: read on this thread, as fast, and no thread keeps its memory
        options["read_options"].use_threads = False
        line = skip_rows + 2
        for block in _blocks(path, start):
            table = pacsv.read_csv(io.BytesIO(block), **options)
            n = table.num_rows
            if n != block.count(b"\n") + (0 if block.endswith(b"\n") else 1):
                raise pa.ArrowInvalid("a row of more than one line")
            yield table.append_column(LINE, pa.array(range(line, line + n), type=pa.int64()))
            line += n

    rows = 0
    too_long: ImportFailed | None = None
    try:
        for part in parts():
            rows += part.num_rows
            if too_long is None:
                try:
                    _check_values(path, part, limits)
                except ImportFailed as exc:
                    too_long = exc
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if invalid or lines != rows + skip_rows + 1:
        return None
    if too_long is not None:
        raise too_long

    def again() -> Iterator[pa.Table]:
        """The rows read a second time; the file must read as the first time."""
        seen = 0
        for part in parts():
            seen += part.num_rows
            yield part
        if invalid or seen != rows:
            raise _fail(path, None, "the file changed while it was imported; refused")

    empty = pa.table({**{h: pa.array([], pa.string()) for h in header},
                      LINE: pa.array([], pa.int64())})
    return RawTable(empty, _columns(header), "line", [], stream=again)


#: Bytes of whole lines read at a time by :func:`_stream_csv`.
BLOCK_BYTES = 4 * 2**20


def _offset(head: bytes, lines: int) -> int:
    """Where line ``lines`` (from 0) starts in ``head``."""
    at = 0
    for _ in range(lines):
        at = head.index(b"\n", at) + 1
    return at


def _blocks(path: Path, start: int) -> Iterator[bytes]:
    """The file from byte ``start`` in blocks of whole lines (the last one as it ends)."""
    with path.open("rb") as fh:
        fh.seek(start)
        rest = b""
        while True:
            data = fh.read(BLOCK_BYTES)
            if not data:
                break
            data = rest + data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            rest = data[cut:]
            yield data[:cut]
        if rest.strip(b"\r"):
            yield rest


def _line(raw: bytes, number: int, enc: str) -> str | None:
    """Physical line ``number`` (from 0) of ``raw``, decoded; ``None`` if it does not decode."""
    start = 0
    for _ in range(number):
        start = raw.find(b"\n", start) + 1
        if start == 0:
            return ""
    end = raw.find(b"\n", start)
    try:
        return raw[start : end if end != -1 else len(raw)].decode(enc).rstrip("\r")
    except UnicodeDecodeError:
        return None


def _read_csv_python(
    path: Path, raw: bytes, enc: str, delim: str, skip_rows: int, limits: Limits = DEFAULT
) -> RawTable:
    _check_decodes(path, raw, enc)
    text = io.TextIOWrapper(io.BytesIO(raw), encoding=enc, newline="")
    reader = csv.reader(text, delimiter=delim, strict=True)
    try:
        for _ in range(skip_rows):
            next(reader)
        header = _check_header(path, next(reader), limits, f"line {skip_rows + 1}")
    except StopIteration:
        raise _fail(path, None, "the file has no header row") from None
    except csv.Error as exc:
        raise _fail(path, f"line {reader.line_num}", f"malformed CSV: {exc}") from None
    width = len(header)
    blanks = width - len(_columns(header))
    names = [*header, LINE]
    batches = _Batches(path, names, limits)
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
            batches.add(row, start)
        start = reader.line_num + 1
    return RawTable(batches.table(), _columns(header), "line", invalid)


def _check_decodes(path: Path, raw: bytes, enc: str) -> None:
    """Refuse bytes that are not valid in ``enc``, naming the line, without a decoded copy."""
    decoder = codecs.getincrementaldecoder(enc)()
    step = 1 << 20
    for at in range(0, len(raw), step):
        try:
            decoder.decode(raw[at : at + step], final=at + step >= len(raw))
        except UnicodeDecodeError as exc:
            line = raw[: at + max(exc.start, 0)].count(b"\n") + 1
            raise _fail(
                path, f"line {line}",
                f"bytes are not valid {enc.replace('-sig', '')}; pass the file's encoding "
                "(e.g. --encoding cp1251, windows-1257 or latin-1)",
            ) from None


class _Batches:
    """Rows gathered in Python and turned into Arrow every ``BATCH_ROWS`` rows, so a large
    sheet is held as compact Arrow strings; bounded by ``max_rows`` and ``max_cells``."""

    def __init__(self, path: Path, names: list[str], limits: Limits, unit: str = "line") -> None:
        self.path, self.names, self.limits, self.unit = path, names, limits, unit
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        self.done: list[pa.RecordBatch] = []
        self.count = 0

    def add(self, values: list[str], line: int) -> None:
        self.count += 1
        if self.count > self.limits.max_rows:
            raise _fail(self.path, None, f"more than {self.limits.max_rows:,} rows "
                                         f"({hint('max_rows')}); refused")
        if self.count * (len(self.names) - 1) > self.limits.max_cells:
            raise _fail(self.path, None, f"more than {self.limits.max_cells:,} cells "
                                         "(max_cells); refused")
        longest = max(map(len, values), default=0)
        if longest > self.limits.max_value_chars:
            raise _fail(self.path, f"{self.unit} {line}",
                        f"a value of {longest:,} characters, over the limit of "
                        f"{self.limits.max_value_chars:,} (max_value_chars); refused")
        self.rows.append(values)
        self.lines.append(line)
        if len(self.rows) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        columns = [pa.array(c, type=pa.string()) for c in zip(*self.rows, strict=True)] \
            if self.rows else [pa.array([], type=pa.string()) for _ in self.names[:-1]]
        columns.append(pa.array(self.lines, type=pa.int64()))
        self.done.append(pa.RecordBatch.from_arrays(columns, names=self.names))
        self.rows, self.lines = [], []

    def table(self) -> pa.Table:
        if self.rows or not self.done:
            self._flush()
        return pa.Table.from_batches(self.done)


def _check_values(path: Path, table: pa.Table, limits: Limits) -> None:
    """Refuse a cell longer than ``max_value_chars`` (vectorised, for the pyarrow path)."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        if not pa.types.is_string(column.type) or not len(column):
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.max_value_chars:
            row = pc.index(lengths, longest).as_py()
            raise _fail(path, f"line {table[LINE][row].as_py()}",
                        f"column {name!r} holds a value of {longest:,} characters, over the "
                        f"limit of {limits.max_value_chars:,} (max_value_chars); refused")


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


def read_xlsx(path: Path, sheet: str | None = None, limits: Limits = DEFAULT) -> RawTable:
    """Read one sheet (the first unless named); the first non-empty row is the header."""
    book = _open_book(path, limits)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise _fail(path, None, f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        ws = _worksheet(path, book, sheet)
        header: list[str] | None = None
        batches: _Batches | None = None
        for number, row in _sheet_rows(path, ws, limits):
            if not any(v is not None and v != "" for v in row):
                continue
            values = [_cell_text(v) for v in row]
            if header is None:
                if any(values):
                    while values and not values[-1]:
                        values.pop()
                    header = _check_header(path, values, limits, f"row {number}")
                    batches = _Batches(path, [*header, LINE], limits, "row")
                continue
            if not any(values):
                continue
            assert batches is not None
            batches.add((values + [""] * len(header))[: len(header)], number)
    finally:
        book.close()
    if header is None or batches is None:
        raise _fail(path, None, "the sheet is empty")
    return RawTable(batches.table(), _columns(header), "row", [])


def _open_book(path: Path, limits: Limits) -> Any:
    """The workbook, read-only, once its zip passed :func:`check_zip`."""
    import openpyxl

    from veriga.ingest.xlsx_stream import lean_rows

    lean_rows()
    check_zip(path.name, path, limits)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl meets, the file is unreadable
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> ImportFailed:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return _fail(path, None, f"not a readable XLSX workbook: {reason}")


def _worksheet(path: Path, book: Any, sheet: str | None) -> Any:
    """The sheet called ``sheet``, or the first one."""
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except Exception as exc:  # noqa: BLE001 - no sheet, or one openpyxl cannot open
        raise _unreadable(path, exc) from None
    if not hasattr(ws, "iter_rows"):
        raise _fail(path, None, f"sheet {ws.title!r} is not a worksheet (a chart?)")
    return ws


def _parsed(path: Path, ws: Any) -> Iterator[tuple]:
    """openpyxl's rows; any error inside openpyxl (broken XML, zip, cell reference) is an
    unreadable workbook."""
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - see the docstring
            raise _unreadable(path, exc) from None
        yield row


def _sheet_rows(path: Path, ws: Any, limits: Limits) -> Iterator[tuple[int, tuple]]:
    """The sheet's rows with their numbers, empty ones included (openpyxl fills gaps), each
    counted against ``max_rows``, ``max_columns`` and ``max_cells``."""
    cells = 0
    for number, row in enumerate(_parsed(path, ws), start=1):
        if number > limits.max_rows:
            raise _fail(path, f"row {number}", f"more than {limits.max_rows:,} rows "
                                               f"({hint('max_rows')}); refused")
        if len(row) > limits.max_columns:
            raise _fail(path, f"row {number}", f"{len(row):,} columns, over the limit of "
                                               f"{limits.max_columns:,} (max_columns); refused")
        cells += len(row)
        if cells > limits.max_cells:
            raise _fail(path, f"row {number}", f"more than {limits.max_cells:,} cells "
                                               "(max_cells); refused")
        yield number, row


def xlsx_header(path: Path, sheet: str | None = None, limits: Limits = DEFAULT) -> list[str]:
    """The first non-empty row of the sheet (the first unless named), as column names."""
    book = _open_book(path, limits)
    try:
        ws = _worksheet(path, book, sheet if sheet in book.sheetnames else None)
        for _, row in _sheet_rows(path, ws, limits):
            if not any(v is not None and v != "" for v in row):
                continue
            values = [_cell_text(v) for v in row]
            if any(values):
                return clean_header(values)
        return []
    finally:
        book.close()
