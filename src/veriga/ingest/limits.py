"""Limits on what one imported file may contain: the defaults, in one place.

Hostile or broken files (JSON nested 200,000 deep, a 1 GB line, a million columns, a zip
bomb) are refused with one line naming the file, the place and the limit, before they can
take the memory of the machine. The defaults are far above what real evidence needs (an
Excel sheet holds at most 1,048,576 rows and 16,384 columns, a cell 32,767 characters;
MT940 lines are 65 characters) and keep the peak memory of an import under about 500 MB.
An import may lower or raise any of them through its options (``ImportRequest.options``,
by field name).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds checked while a file is read; each name is also its option key."""

    #: Size of any imported file (streamed formats: FtM JSON lines, camt, XLSX).
    max_bytes: int = 512 * MiB
    #: Size of a file that is parsed whole in memory (CSV, MT940, BODS).
    max_read_bytes: int = 128 * MiB
    #: Length of one line of a text file (FtM JSON lines, CSV, MT940).
    max_line_bytes: int = 8 * MiB
    #: Length of one value: a JSON string, a CSV or XLSX cell, XML text.
    max_value_chars: int = 1 * MiB
    #: Nesting of JSON arrays and objects, and of XML elements.
    max_depth: int = 64
    #: Columns of a spreadsheet.
    max_columns: int = 2_000
    #: Rows of a spreadsheet (CSV lines, XLSX rows).
    max_rows: int = 2_000_000
    #: Cells of a spreadsheet (rows times columns).
    max_cells: int = 40_000_000
    #: Decompressed size of all parts of an XLSX (zip) file together.
    max_unzipped_bytes: int = 512 * MiB

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None) -> Limits:
        """Defaults overridden by import options of the same name (``None`` keeps one)."""
        options = options or {}
        given = options.get("limits")
        base = given if isinstance(given, Limits) else cls()
        changes = {f.name: int(options[f.name]) for f in dataclasses.fields(cls)
                   if options.get(f.name) is not None}
        if "max_bytes" in changes and "max_read_bytes" not in changes:
            changes["max_read_bytes"] = min(base.max_read_bytes, changes["max_bytes"])
        return dataclasses.replace(base, **changes)


DEFAULT = Limits()


def size(n: int) -> str:
    """A byte count for messages: ``8 MiB`` when whole mebibytes, else ``1,234 bytes``."""
    return f"{n // MiB:,} MiB" if n >= MiB and n % MiB == 0 else f"{n:,} bytes"
