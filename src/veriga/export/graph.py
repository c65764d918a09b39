"""Graphs of a case's entities: GEXF (Gephi, networkx) and Cypher (Neo4j), with entities,
phones, e-mails and identifiers as nodes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from followthemoney.export.graph import NXGraphExporter
from followthemoney.export.neo4j import CypherGraphExporter
from followthemoney.graph import Edge, Node

from veriga.export.base import Exporter, HandlingOf
from veriga.model import EntityProxy

GRAPH_EDGE_TYPES = ("entity", "phone", "email", "identifier")


class _CompactGEXF(NXGraphExporter):
    """GEXF with only the attributes an element has (FtM's writes every property, empty)."""

    def get_attributes(self, element: Node | Edge) -> dict[str, str]:
        return {k: v for k, v in super().get_attributes(element).items() if v}


class _CompactCypher(CypherGraphExporter):
    def get_attributes(self, element: Node | Edge) -> dict[str, str]:
        return {k: v for k, v in super().get_attributes(element).items() if v}


@dataclass(frozen=True)
class GraphExporter(Exporter):
    cypher: bool = False  # Cypher statements rather than GEXF

    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        count = 0
        with out.open("w", encoding="utf-8") as fh:
            graph_cls = _CompactCypher if self.cypher else _CompactGEXF
            graph = graph_cls(fh, edge_types=GRAPH_EDGE_TYPES)
            for proxy in entities:
                graph.write(proxy)
                count += 1
            graph.finalize()
        return count


GEXF = GraphExporter("gexf", "gexf", "application/xml",
                     "GEXF graph for Gephi or networkx")
CYPHER = GraphExporter("cypher", "cypher", "text/plain",
                       "Cypher statements that build the graph in Neo4j", cypher=True)
