"""Exports of a case's entities: FtM (with overlay), FtM-core, GEXF, Cypher, i2 ANX and
XLSX.

``ftm-core`` rewrites overlay entities as their nearest core FtM schema, moving overlay-only
values into ``notes``, so partners whose tools know only plain FtM can load the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from followthemoney.export.excel import ExcelExporter
from followthemoney.export.graph import NXGraphExporter
from followthemoney.export.neo4j import CypherGraphExporter

from veriga.export.anx import write_anx
from veriga.export.cells import text_cells
from veriga.model import EntityProxy, core_schema, is_core, model

FORMATS = ("ftm", "ftm-core", "gexf", "cypher", "anx", "xlsx")
GRAPH_EDGE_TYPES = ("entity", "phone", "email", "identifier")


class _CompactGEXF(NXGraphExporter):
    """GEXF with only the attributes an element has (FtM's writes every property, empty)."""

    def get_attributes(self, element):  # type: ignore[no-untyped-def]
        return {k: v for k, v in super().get_attributes(element).items() if v}


class _CompactCypher(CypherGraphExporter):
    def get_attributes(self, element):  # type: ignore[no-untyped-def]
        return {k: v for k, v in super().get_attributes(element).items() if v}


class _SafeExcel(ExcelExporter):
    """XLSX with every value written as text and formula triggers defused (a value such as
    ``=HYPERLINK(...)`` from an imported file must not become a live formula)."""

    def write(self, proxy: EntityProxy, extra: list[str] | None = None) -> None:
        if proxy.schema not in self.sheets:
            headers = ["ID", *self.extra]
            headers.extend(prop.label for prop in self.exportable_properties(proxy.schema))
            self.sheets[proxy.schema] = self.make_sheet(proxy.schema.plural, headers)
        sheet = self.sheets[proxy.schema]
        values = [proxy.id, *(extra or [])]
        values.extend(prop.type.join(vals) for prop, vals in self.exportable_fields(proxy))
        sheet.append(text_cells(sheet, values))


def to_core(proxy: EntityProxy) -> EntityProxy:
    """The entity in plain FtM: overlay schema replaced by its core ancestor."""
    if is_core(proxy.schema):
        return proxy
    target = core_schema(proxy.schema)
    core = model.make_entity(target)
    core.id = proxy.id
    notes = []
    for prop, value in proxy.itervalues():
        if prop.name in target.properties:
            core.unsafe_add(target.properties[prop.name], value, cleaned=True)
        else:
            notes.append(f"{prop.label}: {value}")
    core.add("notes", [f"Veriga {proxy.schema.name}"] + notes, cleaned=True)
    return core


def export_entities(
    entities: Iterable[EntityProxy], fmt: str, out: Path,
    handling: Callable[[str], dict] | None = None,
) -> int:
    """Write ``entities`` to ``out`` in ``fmt``; returns how many were written.

    ``handling`` gives the handling code of an entity id; FtM lines carry it as ``handling``,
    ANX chart items as their ``Handling`` attribute.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    if fmt in ("ftm", "ftm-core"):
        with out.open("w", encoding="utf-8") as fh:
            for proxy in entities:
                data = (to_core(proxy) if fmt == "ftm-core" else proxy).to_dict()
                if handling is not None:
                    data["handling"] = handling(proxy.id or "")
                fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        return count
    if fmt == "anx":
        count, _ = write_anx(entities, out, handling)
        return count
    if fmt == "xlsx":
        exporter = _SafeExcel(out)
        for proxy in entities:
            exporter.write(proxy)
            count += 1
        exporter.finalize()
        return count
    with out.open("w", encoding="utf-8") as fh:
        graph_cls = _CompactGEXF if fmt == "gexf" else _CompactCypher
        graph = graph_cls(fh, edge_types=GRAPH_EDGE_TYPES)
        for proxy in entities:
            graph.write(proxy)
            count += 1
        graph.finalize()
    return count
