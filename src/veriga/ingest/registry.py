"""Importers by format, and format detection from a file's content.

Importers are plugins (:mod:`veriga.plugins`): each is declared in the ``veriga.importers``
entry-point group, named by its format, e.g. ``camt = "veriga.ingest.camt:CamtImporter"``.
"""

from __future__ import annotations

from pathlib import Path

from veriga import plugins
from veriga.errors import ImportFailed
from veriga.ingest.base import Importer

HEAD_BYTES = 64 * 1024


def importers() -> dict[str, type[Importer]]:
    """Every importer by format name (installed and added in-process), sorted by name."""
    found = plugins.load("importers")
    for name, cls in found.items():
        if not (isinstance(cls, type) and issubclass(cls, Importer)):
            raise plugins.PluginError(f"importer {name!r} is {cls!r}, not an Importer class")
        if getattr(cls, "format", None) != name:
            raise plugins.PluginError(
                f"importer {name!r} ({cls.__module__}.{cls.__qualname__}) has format "
                f"{getattr(cls, 'format', None)!r}: the entry point must be named by it")
    return found


def formats() -> list[str]:
    return list(importers())


def get_importer(fmt: str) -> type[Importer]:
    known = importers()
    try:
        return known[fmt]
    except KeyError:
        raise ImportFailed(f"unknown format {fmt!r}; known: {', '.join(known)}") from None


def detect_format(path: Path) -> str:
    """The format whose importer is most confident about this file's content."""
    known = importers()
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    scored = sorted(((cls.detect(path, head), fmt) for fmt, cls in known.items()),
                    reverse=True)
    if not scored or scored[0][0] <= 0:
        raise ImportFailed(
            f"{path.name}: cannot tell the format from the content; pass --format "
            f"({', '.join(known)})"
        )
    return scored[0][1]
