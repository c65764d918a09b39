"""Spreadsheet cells that cannot run: defuses formula (CSV) injection in every XLSX or CSV
Veriga writes.

Following the OWASP guidance on CSV injection, a text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (which spreadsheet programs read as the start of a formula)
is written with a leading apostrophe; plain numbers (``-12.50``, ``+37120000000``) are left
as they are. XLSX cells are always written as text, never as formulas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def defuse(value: str) -> str:
    """``value`` made safe to open in a spreadsheet: an apostrophe before a formula."""
    if value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer`` with every text defused (for any CSV export)."""
    return [defuse(v) if isinstance(v, str) else v for v in values]


def text_cells(sheet: Worksheet, values: Iterable[Any]) -> list[Cell]:
    """Cells of a write-only sheet holding ``values`` as text, defused (openpyxl would make
    any text starting with ``=`` a formula); control characters XLSX cannot hold are
    dropped."""
    cells = []
    for value in values:
        text = "" if value is None else defuse(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # text, whatever openpyxl guessed
        cells.append(cell)
    return cells
