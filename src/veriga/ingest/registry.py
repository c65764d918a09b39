"""Importers by format, and format detection from a file's content."""

from __future__ import annotations

from pathlib import Path

from veriga.errors import ImportFailed
from veriga.ingest.base import Importer

_IMPORTERS: dict[str, type[Importer]] = {}
HEAD_BYTES = 64 * 1024


def register(cls: type[Importer]) -> type[Importer]:
    """Class decorator: make an importer available by its format name."""
    _IMPORTERS[cls.format] = cls
    return cls


def formats() -> list[str]:
    _load_builtin()
    return sorted(_IMPORTERS)


def get_importer(fmt: str) -> type[Importer]:
    _load_builtin()
    try:
        return _IMPORTERS[fmt]
    except KeyError:
        raise ImportFailed(f"unknown format {fmt!r}; known: {', '.join(formats())}") from None


def detect_format(path: Path) -> str:
    """The format whose importer is most confident about this file's content."""
    _load_builtin()
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    scored = sorted(((cls.detect(path, head), fmt) for fmt, cls in _IMPORTERS.items()),
                    reverse=True)
    if not scored or scored[0][0] <= 0:
        raise ImportFailed(
            f"{path.name}: cannot tell the format from the content; pass --format "
            f"({', '.join(formats())})"
        )
    return scored[0][1]


def _load_builtin() -> None:
    from veriga.ingest import bods, camt, ftm_json, mt940, tabular  # noqa: F401 - importing registers them
