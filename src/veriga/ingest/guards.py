"""Checks that refuse a hostile file before it is parsed, in bounded memory.

Each check reads the file (or a zip part) in chunks no larger than its limit, so a 1 GB line
or a zip bomb costs time proportional to its size but never its size in memory. Failures
are :class:`~veriga.errors.ImportFailed` with one line naming the file, the place and the
limit (see :mod:`veriga.ingest.limits`).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from veriga.errors import ImportFailed
from veriga.ingest.limits import Limits, hint, size

CHUNK = 1 << 20
MAX_ZIP_PARTS = 10_000


def _fail(name: str, where: str | None, reason: str) -> ImportFailed:
    return ImportFailed(f"{name}:{where}: {reason}" if where else f"{name}: {reason}")


def longest_run(fh: IO[bytes], sep: bytes, limit: int) -> int | None:
    """The line on which more than ``limit`` bytes follow each other without ``sep``, or
    ``None``. Reads chunks of at most ``limit`` bytes: a run inside one chunk is shorter."""
    step = max(1, min(limit, CHUNK))
    run, line, run_line = 0, 1, 1
    while chunk := fh.read(step):
        first = chunk.find(sep)
        if first == -1:
            run += len(chunk)
            if run > limit:
                return run_line
        elif run + first > limit:
            return run_line
        else:
            last = chunk.rfind(sep)
            run = len(chunk) - last - 1
            run_line = line + chunk.count(b"\n", 0, last + 1)
        line += chunk.count(b"\n")
    return None


def check_file_size(name: str, path: Path, limit: int, option: str) -> None:
    """Refuse a file larger than ``limit`` bytes."""
    n = path.stat().st_size
    if n > limit:
        raise _fail(name, None, f"file is {n:,} bytes, over the limit of {limit:,} bytes "
                                f"({hint(option)}); refused")


def check_lines(name: str, path: Path, limits: Limits) -> None:
    """Refuse a text file with a line longer than ``max_line_bytes``."""
    with path.open("rb") as fh:
        line = longest_run(fh, b"\n", limits.max_line_bytes)
    if line is not None:
        raise _fail(name, f"line {line}", f"line longer than {size(limits.max_line_bytes)} "
                                          "(max_line_bytes); refused")


def check_xml_text(name: str, fh: IO[bytes], limits: Limits, part: str = "") -> None:
    """Refuse XML whose text or attribute run (between two ``<``) is over
    ``max_value_chars`` bytes: a 600 MB cell would be one string in memory."""
    line = longest_run(fh, b"<", limits.max_value_chars)
    if line is not None:
        where = f"{part} line {line}" if part else f"line {line}"
        raise _fail(name, where, f"XML text longer than {size(limits.max_value_chars)} "
                                 "(max_value_chars); refused")


def check_zip(name: str, path: Path, limits: Limits) -> None:
    """Refuse a zip (XLSX) that decompresses to more than ``max_unzipped_bytes`` or holds an
    XML part with an over-long text; a part that is larger than its header says fails its
    CRC check (zipfile never returns more than the declared size)."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
            if len(parts) > MAX_ZIP_PARTS:
                raise _fail(name, None, f"zip has {len(parts):,} parts, over the limit of "
                                        f"{MAX_ZIP_PARTS:,}; refused")
            total = sum(p.file_size for p in parts)
            if total > limits.max_unzipped_bytes:
                raise _fail(name, None, f"decompresses to {total:,} bytes, over the limit of "
                                        f"{size(limits.max_unzipped_bytes)} "
                                        "(max_unzipped_bytes); refused")
            for part in parts:
                if part.flag_bits & 0x1:  # zipfile raises RuntimeError when it is opened
                    raise _fail(name, None, f"zip part {_shown(part.filename)} is encrypted; "
                                            "refused")
                if part.filename.endswith((".xml", ".rels")):
                    with zf.open(part) as fh:
                        check_xml_text(name, fh, limits, _shown(part.filename))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            OSError, ValueError, zlib.error) as exc:
        raise _fail(name, None, f"not a readable zip/XLSX file: {_one_line(exc)}") from None


def json_too_deep(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests arrays and objects deeper than ``limit``."""
    stack: list[tuple[Iterable[Any], int]] = [((value,), 0)]
    while stack:
        items, depth = stack.pop()
        for item in items:
            if isinstance(item, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((item.values() if isinstance(item, dict) else item, depth + 1))
    return False


def _shown(text: str) -> str:
    """A name from the file, quoted when it holds line breaks or other control characters
    (a message stays one line)."""
    return text if text.isprintable() else repr(text)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
