"""Exports of a case's entities. The formats (FtM, FtM-core, GEXF, Cypher, i2 ANX, XLSX and
any a plugin adds) are :class:`~veriga.export.base.Exporter` objects declared in the
``veriga.exporters`` entry-point group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from veriga.export.base import Exporter, HandlingOf, exporters, formats, get_exporter
from veriga.model import EntityProxy

__all__ = ["Exporter", "HandlingOf", "export_entities", "exporters", "formats",
           "get_exporter"]


def export_entities(
    entities: Iterable[EntityProxy], fmt: str, out: Path,
    handling: HandlingOf | None = None,
    layout: Mapping[str, tuple[float, float]] | None = None,
) -> int:
    """Write ``entities`` to ``out`` in ``fmt``; returns how many were written.

    ``handling`` gives the handling code of an entity id; FtM lines carry it as ``handling``,
    ANX chart items as their ``Handling`` attribute. ``layout`` (a chart as a user laid it
    out: entity id -> x, y) places the items of a format that draws them.
    """
    exporter = get_exporter(fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    if layout is not None:
        return exporter.write_chart(entities, out, handling, layout)
    return exporter.write(entities, out, handling)
