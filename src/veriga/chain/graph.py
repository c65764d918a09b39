"""Entities as a graph for the browser: nodes, edges, and paths between entities.

FtM "edge" schemata (Payment, Ownership, Employment, Directorship, UnknownLink...) become
edges between their two ends; other entity references (a person's address, an ad's author)
become edges labelled with the property. Every node and edge carries its schema, dates and
the link to its entity page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from followthemoney import EntityProxy
from followthemoney.property import Property

from veriga.chain.labels import ENGLISH, Labels

DATE_PROPS = ("date", "startDate", "endDate", "publishedAt", "departureTime", "arrivalTime",
              "birthDate", "incorporationDate", "modifiedAt", "createdAt")


@dataclass
class Graph:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self, **extra: Any) -> dict[str, Any]:
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values()), **extra}


def _dates(proxy: EntityProxy) -> tuple[str | None, str | None]:
    values = sorted(v[:10] for p in DATE_PROPS if p in proxy.schema.properties
                    for v in proxy.get(p) if p != "birthDate")
    return (values[0], values[-1]) if values else (None, None)


def _amount(proxy: EntityProxy) -> float | None:
    if "amount" not in proxy.schema.properties:
        return None
    try:
        return sum(float(v) for v in proxy.get("amount")) or None
    except ValueError:
        return None


def build(entities: Iterable[EntityProxy], roles: Mapping[str, str] | None = None,
          url: Callable[[str], str] = lambda i: i, stages: Mapping[str, str] | None = None,
          labels: Labels = ENGLISH) -> Graph:
    """Nodes and edges among ``entities``; edges whose ends are missing are left out. Links
    are labelled in the language and locale of ``labels``."""
    roles, stages = roles or {}, stages or {}
    entities = list(entities)
    graph = Graph()
    for proxy in entities:
        entity_id = proxy.id
        if proxy.schema.edge or entity_id is None:
            continue
        first, last = _dates(proxy)
        graph.nodes[entity_id] = {
            "id": entity_id, "label": proxy.caption or entity_id, "schema": proxy.schema.name,
            "role": roles.get(entity_id), "stage": stages.get(entity_id), "first": first,
            "last": last, "url": url(entity_id),
            "countries": sorted(set(proxy.get_type_values(_country_type()))),
        }
    for proxy in entities:
        if proxy.schema.edge:
            _edge_entity(graph, proxy, url, labels)
        else:
            _references(graph, proxy, labels)
    return graph


def _country_type() -> Any:
    from followthemoney import registry

    return registry.country


def stated_links(proxy: EntityProxy) -> Iterator[tuple[str, str, Property | None]]:
    """The links an entity states, as the graph draws them: ``(source, target, None)`` from
    each source to each target of an edge entity (a payment, an ownership: the link is the
    record), else ``(entity, other, property)`` for each other entity it refers to."""
    schema, entity_id = proxy.schema, proxy.id
    if entity_id is None:
        return
    if schema.edge:
        sources = proxy.get(schema.edge_source) if schema.edge_source else []
        targets = proxy.get(schema.edge_target) if schema.edge_target else []
        for source, target in product(sources, targets):
            yield source, target, None
        return
    for prop, value in proxy.itervalues():
        if prop.type.name == "entity" and value != entity_id:
            yield entity_id, value, prop


def _edge_entity(graph: Graph, proxy: EntityProxy, url: Callable[[str], str],
                 labels: Labels) -> None:
    entity_id, name = proxy.id or "", proxy.schema.name
    pairs = [(source, target) for source, target, _ in stated_links(proxy)]
    first, last = _dates(proxy)
    for source, target in pairs:
        if source in graph.nodes and target in graph.nodes:
            label = labels.schema(name)
            amount = _amount(proxy)
            if amount:
                label = f"{label} {labels.money(amount, proxy.first('currency'))}"
            key = entity_id if len(pairs) == 1 else f"{entity_id}:{source}:{target}"
            graph.edges[key] = {
                "id": key, "source": source, "target": target, "schema": name,
                "label": label, "first": first, "last": last, "amount": amount,
                "url": url(entity_id)}


def _references(graph: Graph, proxy: EntityProxy, labels: Labels) -> None:
    for source, value, prop in stated_links(proxy):
        if prop is None or value not in graph.nodes:
            continue
        key = f"{source}:{prop.name}:{value}"
        graph.edges[key] = {"id": key, "source": source, "target": value,
                            "schema": "Reference", "label": labels.prop(prop.label), "first": None,
                            "last": None, "amount": None, "url": None}


def adjacency(graph: Graph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {n: set() for n in graph.nodes}
    for edge in graph.edges.values():
        out[edge["source"]].add(edge["target"])
        out[edge["target"]].add(edge["source"])
    return out


#: Who a node is linked to: each neighbour and the ids of the records that link them (a
#: payment, an ownership; none for a reference from one entity to another).
Links = dict[str, dict[str, set[str]]]


def shortest_path(start: str, goal: str, expand: Callable[[list[str]], Links],
                  max_hops: int = 6, max_nodes: int = 5000) -> tuple[list[str], Links] | None:
    """Breadth-first search from both ends, expanding both frontiers level by level with
    ``expand`` (one neighbourhood query per level for both: a node's neighbours do not
    depend on which end reached it). Returns the path and the links seen (both ways)."""
    seen: Links = {}
    parents: dict[str, dict[str, str | None]] = {start: {start: None}, goal: {goal: None}}
    frontier = {start: [start], goal: [goal]}
    for _ in range(max_hops):
        both = list(dict.fromkeys(frontier[start] + frontier[goal]))
        if not both:
            return None
        grown = expand(both)
        for node, around in grown.items():  # both ways: the path may run either
            for other, records in around.items():
                seen.setdefault(node, {}).setdefault(other, set()).update(records)
                seen.setdefault(other, {}).setdefault(node, set()).update(records)
        for side, other in ((start, goal), (goal, start)):
            nxt = []
            for node in frontier[side]:
                for nb in sorted(grown.get(node, ())):
                    if nb in parents[side]:
                        continue
                    parents[side][nb] = node
                    nxt.append(nb)
                    if nb in parents[other]:
                        path = _join(nb, parents[side], parents[other])
                        return (path if path[0] == start else path[::-1]), seen
            frontier[side] = nxt
            if len(parents[start]) + len(parents[goal]) > max_nodes:
                return None
    return None


def _join(meet: str, a: dict[str, str | None], b: dict[str, str | None]) -> list[str]:
    left: list[str] = []
    node: str | None = meet
    while node is not None:
        left.append(node)
        node = a[node]
    right: list[str] = []
    node = b[meet]
    while node is not None:
        right.append(node)
        node = b[node]
    return list(reversed(left)) + right


def restrict(graph: Graph, keep: Iterable[str]) -> Graph:
    """The part of ``graph`` on the given node ids (and the edges among them)."""
    ids = set(keep)
    out = Graph({k: v for k, v in graph.nodes.items() if k in ids})
    out.edges = {k: e for k, e in graph.edges.items()
                 if e["source"] in ids and e["target"] in ids}
    return out


__all__ = ["Graph", "Links", "adjacency", "build", "restrict", "shortest_path",
           "stated_links"]
