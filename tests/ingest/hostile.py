"""Hostile files, written at test time (never committed): deep JSON, huge lines and cells,
wide and long sheets, zip bombs. Large ones are streamed to disk in blocks."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

BLOCK = 1 << 20

CSV_MAPPING = """\
csv: {delimiter: ";"}
records:
  transaction:
    account: {column: iban}
    booking_date: {column: date, format: "%d.%m.%Y"}
    amount: {column: amount, decimal: ","}
    currency: {column: ccy}
"""
XLSX_MAPPING = CSV_MAPPING.replace('csv: {delimiter: ";"}\n', "")
IBAN = "LV80BANK0000435195001"
HEADER = ("iban", "date", "amount", "ccy")


def write_blocks(path: Path, head: bytes, fill: bytes, size: int, tail: bytes) -> Path:
    """``head``, then ``fill`` repeated to ``size`` bytes, then ``tail``; in 1 MiB blocks."""
    block = fill * max(1, BLOCK // len(fill))
    with path.open("wb") as fh:
        fh.write(head)
        left = size
        while left > 0:
            fh.write(block[:left])
            left -= len(block)
        fh.write(tail)
    return path


def ftm_deep(path: Path, depth: int) -> Path:
    """One FtM line whose ``name`` is an array nested ``depth`` deep."""
    line = ('{"id": "p-1", "schema": "Person", "properties": {"name": '
            + "[" * depth + '"x"' + "]" * depth + "}}\n")
    path.write_text(line, encoding="utf-8")
    return path


def ftm_long_value(path: Path, chars: int) -> Path:
    """One FtM line whose ``name`` is a string of ``chars`` characters."""
    head = b'{"id": "p-1", "schema": "Person", "properties": {"name": ["'
    return write_blocks(path, head, b"A", chars, b'"]}}\n')


def long_line(path: Path, size: int) -> Path:
    """A single line of ``size`` bytes (no newline) that starts like an FtM entity."""
    return write_blocks(path, b'{"id": "p-1", "schema": "Person", "x": "', b"B", size, b'"}')


def csv_wide(path: Path, columns: int) -> Path:
    """A CSV whose header has ``columns`` columns (and one data row)."""
    names = ";".join(f"c{i}" for i in range(columns))
    path.write_text(names + "\n" + ";".join("1" for _ in range(columns)) + "\n",
                    encoding="utf-8")
    return path


def csv_rows(path: Path, rows: int) -> Path:
    """A valid bank CSV with ``rows`` transactions."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(";".join(HEADER) + "\n")
        for i in range(rows):
            fh.write(f"{IBAN};01.03.2026;{i % 997},00;EUR\n")
    return path


def csv_long_cell(path: Path, chars: int) -> Path:
    """A bank CSV whose one ``ccy`` cell is ``chars`` characters long."""
    head = (";".join(HEADER) + f"\n{IBAN};01.03.2026;1,00;").encode()
    return write_blocks(path, head, b"E", chars, b"\n")


# -- XLSX ----------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              "<sheetData>")
SHEET_TAIL = "</sheetData></worksheet>"


def _cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx_row(values: tuple[str, ...]) -> str:
    return "<row>" + "".join(_cell(v) for v in values) + "</row>"


def xlsx(path: Path, head: str, fill: bytes = b"", size: int = 0, tail: str = "",
         level: int = 1) -> Path:
    """An XLSX whose sheet is ``SHEET_HEAD + head``, ``fill`` repeated to ``size`` bytes,
    ``tail + SHEET_TAIL``; the sheet streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        big = size > (1 << 31) - (1 << 24)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=big) as fh:
            fh.write((SHEET_HEAD + head).encode())
            block = fill * max(1, BLOCK // max(1, len(fill))) if fill else b""
            left = size
            while left > 0:
                fh.write(block[:left])
                left -= len(block)
            fh.write((tail + SHEET_TAIL).encode())
    return path


def xlsx_rows(path: Path, rows: int) -> Path:
    """A bank sheet with ``rows`` transaction rows (the same row repeated)."""
    row = xlsx_row((IBAN, "01.03.2026", "1,00", "EUR")).encode()
    return xlsx(path, xlsx_row(HEADER), row, rows * len(row))


def xlsx_long_cell(path: Path, chars: int) -> Path:
    """A bank sheet whose one ``ccy`` cell holds ``chars`` characters."""
    head = xlsx_row(HEADER) + "<row>" + "".join(
        _cell(v) for v in (IBAN, "01.03.2026", "1,00")) + '<c t="inlineStr"><is><t>'
    return xlsx(path, head, b"E", chars, "</t></is></c></row>")


def zip_bomb(path: Path, size: int, declared: int | None = None) -> Path:
    """An XLSX whose sheet is ``size`` bytes of spaces (compressed ~1000:1); with
    ``declared``, its headers claim that size instead (a lying zip)."""
    xlsx(path, xlsx_row(HEADER), b" ", size, level=9)
    if declared is not None:
        _patch_sizes(path, "xl/worksheets/sheet1.xml", declared)
    return path


def encrypted(path: Path, name: str = "xl/worksheets/sheet1.xml") -> Path:
    """A bank sheet whose part ``name`` is marked encrypted (flag bit 0 in both headers)."""
    xlsx_rows(path, 2)
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name).header_offset
    data = bytearray(path.read_bytes())
    data[local + 6] |= 1
    for at in _central(data):
        n = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + n]) == name.encode():
            data[at + 8] |= 1
    path.write_bytes(bytes(data))
    return path


def odd_part_name(path: Path, name: str, text: str) -> Path:
    """A bank sheet plus an XML part called ``name`` holding ``text``."""
    xlsx_rows(path, 2)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(name, f"<x>{text}</x>")
    return path


def _central(data: bytearray) -> list[int]:
    """Offsets of the central directory's entries."""
    at = struct.unpack_from("<I", data, data.rfind(b"PK\x05\x06") + 16)[0]
    found = []
    while data[at : at + 4] == b"PK\x01\x02":
        found.append(at)
        n, e, c = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + n + e + c
    return found


def _patch_sizes(path: Path, name: str, declared: int) -> None:
    """Rewrite the uncompressed size of ``name`` in its local and central headers."""
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name).header_offset
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, local + 22, declared)
    eocd = data.rfind(b"PK\x05\x06")
    at = struct.unpack_from("<I", data, eocd + 16)[0]
    while data[at : at + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack_from("<HHH", data, at + 28)
        if bytes(data[at + 46 : at + 46 + n]) == name.encode():
            struct.pack_into("<I", data, at + 24, declared)
        at += 46 + n + e + c
    path.write_bytes(bytes(data))
