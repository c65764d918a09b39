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
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veriga.errors import VerigaError

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

_UNITS = {"": 1, "k": 1000, "kb": 1000, "kib": 1 << 10, "m": 1000**2, "mb": 1000**2,
          "mib": MiB, "g": 1000**3, "gb": 1000**3, "gib": 1 << 30}


def parse_limit(text: str) -> tuple[str, int]:
    """``NAME=VALUE`` (``max_read_bytes=1GiB``, ``max_rows=20000000``, ``max_rows=20M``) as
    an import option; a clear error for an unknown name or a value that is no size."""
    name, sep, value = text.partition("=")
    name = name.strip().replace("-", "_")
    known = [f.name for f in dataclasses.fields(Limits)]
    if not sep or name not in known:
        raise VerigaError(f"--limit {text!r}: give NAME=VALUE with NAME one of "
                          f"{', '.join(known)}")
    found = re.fullmatch(r"\s*([0-9][0-9_,]*)\s*([A-Za-z]*)\s*", value)
    digits = found.group(1).replace("_", "").replace(",", "") if found else ""
    unit = found.group(2).lower() if found else ""
    if not digits or unit not in _UNITS or int(digits) <= 0:
        raise VerigaError(f"--limit {text!r}: the value must be a positive whole number, "
                          "optionally with KB, MB, GB, KiB, MiB or GiB")
    return name, int(digits) * _UNITS[unit]


def hint(option: str) -> str:
    """How a user raises a limit a file of theirs went over."""
    return f"{option}; raise it with veriga import --limit {option}=N"


def size(n: int) -> str:
    """A byte count for messages: ``8 MiB`` when whole mebibytes, else ``1,234 bytes``."""
    return f"{n // MiB:,} MiB" if n >= MiB and n % MiB == 0 else f"{n:,} bytes"
