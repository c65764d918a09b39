"""Constant-memory row parsing for openpyxl's read-only worksheets.

openpyxl clears each ``<row>`` element after reading it but leaves the emptied element in
its parent, so a sheet of two million rows held about 2 GB. :func:`lean_rows` makes its
worksheet parser drop every finished row from the tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from openpyxl.worksheet import _reader
from openpyxl.xml.constants import SHEET_MAIN_NS

ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
# types-openpyxl leaves out the ``iterparse`` that openpyxl's worksheet reader imports (from
# defusedxml when it is installed) and calls; that module attribute is what we replace.
_original = _reader.iterparse  # type: ignore[attr-defined]


def _lean_iterparse(source: IO[bytes], *args: Any, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """``iterparse`` end events, as openpyxl expects; a row, once handed out and read, is
    removed from its parent."""
    parents: list[Any] = []
    for event, elem in _original(source, events=("start", "end")):
        if event == "start":
            parents.append(elem)
            continue
        parents.pop()
        yield event, elem
        if elem.tag == ROW_TAG and parents:
            parents[-1].remove(elem)


def lean_rows() -> None:
    """Install the row-dropping parser (idempotent; rows read the same, memory stays flat)."""
    _reader.iterparse = _lean_iterparse  # type: ignore[attr-defined]  # see _original
