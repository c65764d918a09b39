"""i2 Analyst's Notebook exchange charts (ANX, the XML that ANB opens with File > Open).

The chart holds:

- one ``EntityType`` per FtM schema present (Person, Company, BankAccount, Address...), with
  a standard ANB icon, plus ``Phone`` and ``Email`` for shared contact values;
- each entity that is not an edge as a ``ChartItem`` with an ``End/Entity`` (``EntityId`` is
  the FtM id, ``Identity`` its caption) drawn as an ``Icon``, and its values as attributes;
- each FtM edge (Payment, Ownership, Directorship, Employment, Family...) as a ``Link``
  from its source to its target with arrow, date and amount;
- each entity reference of an entity (a Trip's travellers, an ad's advertiser) and each
  phone or e-mail value as a ``Link`` to the item it names.

Every item carries its handling code (``Handling`` attribute) when the caller gives one.
Written with :mod:`xml.etree.ElementTree`, which escapes text and attributes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from veriga.export.base import Exporter, HandlingOf
from veriga.model import EntityProxy

#: ANB standard icon per schema (the icon set every ANB install has); others: "General".
ICONS = {
    "Person": "Person", "Company": "Organisation", "Organization": "Organisation",
    "LegalEntity": "Organisation", "PublicBody": "Organisation", "BankAccount": "Account",
    "Address": "Address", "Phone": "Telephone", "Email": "Email", "Vehicle": "Car",
    "Airplane": "Aircraft", "Vessel": "Boat", "Trip": "Travel", "Advertisement": "Document",
    "Document": "Document", "Call": "Telephone Call", "RealEstate": "House",
    "UserAccount": "Internet", "Passport": "Passport", "Identification": "Passport",
}
#: Where items not laid out by the user go: a grid of this many columns, this far apart
#: (ANB's units: an icon is about 60 wide), from this corner.
GRID_COLUMNS, GRID_STEP, GRID_LEFT = 12, 150, 100
#: The width a user's layout is scaled to (ANB's units).
CHART_WIDTH = 3000
#: Values that become chart items of their own, linked from every entity holding them.
VALUE_NODES = {"phone": "Phone", "email": "Email"}
AMOUNT_PROPS = ("amountEur", "amount")
DATE_PROPS = ("date", "startDate", "endDate")
ATTRIBUTE_TYPES = {"number": "AttNumber", "date": "AttTime"}
MAX_VALUES = 5  # values of one property kept as attributes


@dataclass
class Counts:
    """What a chart holds (for the caller's summary and the tests)."""

    items: int = 0
    links: int = 0
    skipped_links: int = 0  # an end was not exported (handling) or not in the case
    entity_types: set[str] = field(default_factory=set)


def _date(value: str) -> str | None:
    """An FtM date (YYYY, YYYY-MM, YYYY-MM-DD, or with time) as ANB's xs:dateTime."""
    if len(value) >= 19:
        return value[:19]
    if len(value) == 10:
        return f"{value}T00:00:00"
    if len(value) == 7:
        return f"{value}-01T00:00:00"
    if len(value) == 4:
        return f"{value}-01-01T00:00:00"
    return None


class _Chart:
    def __init__(self, handling: Callable[[str], dict] | None) -> None:
        self.handling = handling
        self.root = ET.Element("Chart", {"IdReferenceLinking": "false", "Rigorous": "true"})
        # in the order of ANB's schema: attribute classes, entity types, link types, items
        self.attribute_classes = ET.SubElement(self.root, "AttributeClassCollection")
        self.entity_types = ET.SubElement(self.root, "EntityTypeCollection")
        self.link_types = ET.SubElement(self.root, "LinkTypeCollection")
        self.items = ET.SubElement(self.root, "ChartItemCollection")
        self._types: dict[str, str] = {}
        self._links: dict[str, str] = {}
        self._classes: dict[str, str] = {}
        self.counts = Counts()
        self.ids: set[str] = set()
        self._placed = 0
        self.grid_top = GRID_LEFT

    def _next_place(self) -> tuple[int, int]:
        """Items not laid out by the user: a grid, row after row, below the laid-out ones."""
        n = self._placed
        self._placed += 1
        return GRID_LEFT + n % GRID_COLUMNS * GRID_STEP, self.grid_top + n // GRID_COLUMNS * \
            GRID_STEP

    # -- declarations --------------------------------------------------------------------

    def entity_type(self, name: str) -> str:
        if name not in self._types:
            ref = f"ET{len(self._types) + 1}"
            ET.SubElement(self.entity_types, "EntityType",
                          {"Id": ref, "Name": name, "IconFile": ICONS.get(name, "General"),
                           "PreferredRepresentation": "RepresentAsIcon"})
            self._types[name] = ref
            self.counts.entity_types.add(name)
        return self._types[name]

    def link_type(self, name: str) -> str:
        if name not in self._links:
            ref = f"LT{len(self._links) + 1}"
            ET.SubElement(self.link_types, "LinkType", {"Id": ref, "Name": name, "Colour": "0"})
            self._links[name] = ref
        return self._links[name]

    def attribute_class(self, name: str, kind: str = "AttText") -> str:
        key = f"{name}|{kind}"
        if key not in self._classes:
            ref = f"AC{len(self._classes) + 1}"
            ET.SubElement(self.attribute_classes, "AttributeClass",
                          {"Id": ref, "Name": name, "Type": kind, "ShowValue": "true",
                           "ShowClassName": "true", "Visible": "true"})
            self._classes[key] = ref
        return self._classes[key]

    # -- items ---------------------------------------------------------------------------

    def _attributes(self, item: ET.Element, values: list[tuple[str, str, str]]) -> None:
        if not values:
            return
        coll = ET.SubElement(item, "AttributeCollection")
        for name, kind, value in values:
            ET.SubElement(coll, "Attribute", {
                "AttributeClass": name,
                "AttributeClassReference": self.attribute_class(name, kind),
                "Value": value})

    def _handling(self, entity_id: str) -> list[tuple[str, str, str]]:
        if self.handling is None:
            return []
        codes = self.handling(entity_id).get("codes") or []
        return [("Handling", "AttText", ", ".join(codes))] if codes else []

    def _dated(self, attrs: dict[str, str], proxy: EntityProxy | None) -> None:
        if proxy is None:
            return
        for prop in DATE_PROPS:
            if prop in proxy.schema.properties:
                when = next((d for d in map(_date, proxy.get(prop)) if d), None)
                if when:
                    attrs.update(DateSet="true", TimeSet="false", DateTime=when)
                    return

    def entity(self, entity_id: str, label: str, schema: str, description: str = "",
               values: list[tuple[str, str, str]] | None = None,
               proxy: EntityProxy | None = None,
               at: tuple[int, int] | None = None) -> None:
        """An entity item at ``at`` (else on the next place of a grid); ``proxy`` (an FtM
        entity, not a phone or e-mail value) gives its date and handling code."""
        x, y = at if at is not None else self._next_place()
        attrs = {"Label": label, "Description": description, "XPosition": str(x)}
        self._dated(attrs, proxy)
        item = ET.SubElement(self.items, "ChartItem", attrs)
        # the place as both ANB 6 (End X) and later versions (ChartItem XPosition) read it
        end = ET.SubElement(item, "End", {"X": str(x), "Y": str(y)})
        ent = ET.SubElement(end, "Entity", {"EntityId": entity_id, "Identity": label,
                                            "LabelIsIdentity": "false"})
        icon = ET.SubElement(ent, "Icon")
        ET.SubElement(icon, "IconStyle", {"Type": schema,
                                          "EntityTypeReference": self.entity_type(schema)})
        extra = self._handling(entity_id) if proxy is not None else []
        self._attributes(item, (values or []) + extra)
        self.ids.add(entity_id)
        self.counts.items += 1

    def link(self, source: str, target: str, kind: str, label: str, directed: bool = True,
             values: list[tuple[str, str, str]] | None = None,
             proxy: EntityProxy | None = None) -> bool:
        if source not in self.ids or target not in self.ids:
            self.counts.skipped_links += 1
            return False
        attrs = {"Label": label, "Description": kind}
        self._dated(attrs, proxy)
        item = ET.SubElement(self.items, "ChartItem", attrs)
        link = ET.SubElement(item, "Link", {"End1Id": source, "End2Id": target})
        ET.SubElement(link, "LinkStyle", {
            "Type": kind, "LinkTypeReference": self.link_type(kind), "Strength": "Default",
            "ArrowStyle": "ArrowOnHead" if directed else "ArrowNone",
            "MlStyle": "MultiplicityMultiple"})
        extra = self._handling(proxy.id or "") if proxy is not None else []
        self._attributes(item, (values or []) + extra)
        self.counts.links += 1
        return True


def _values(proxy: EntityProxy, skip: set[str]) -> list[tuple[str, str, str]]:
    """The entity's values as (attribute class, ANX type, value), references left out."""
    out = []
    for prop in proxy.schema.sorted_properties:
        if prop.name in skip or prop.type.name == "entity" or prop.hidden:
            continue
        kind = ATTRIBUTE_TYPES.get(prop.type.name, "AttText")
        for value in proxy.get(prop)[:MAX_VALUES]:
            if kind == "AttTime":
                parsed = _date(value)
                if parsed is None:
                    kind, parsed = "AttText", value
                value = parsed
            elif kind == "AttNumber":
                try:
                    float(value)
                except ValueError:
                    kind = "AttText"
            out.append((prop.label, kind, value))
    return out


def _amount(proxy: EntityProxy) -> str:
    for prop in AMOUNT_PROPS:
        if prop in proxy.schema.properties and proxy.first(prop):
            currency = proxy.first("currency") if prop == "amount" else "EUR"
            return f"{proxy.first(prop)} {currency or ''}".strip()
    return ""


def _ends(proxy: EntityProxy) -> tuple[str | None, str | None]:
    """Source and target ids of an edge entity (a payment's accounts when no party)."""
    schema = proxy.schema
    ends = []
    for name in (schema.edge_source, schema.edge_target):
        value = proxy.first(name) if name else None
        if value is None and name and f"{name}Account" in schema.properties:
            value = proxy.first(f"{name}Account")
        ends.append(value)
    return ends[0], ends[1]


def _places(layout: Mapping[str, tuple[float, float]]) -> dict[str, tuple[int, int]]:
    """A user's layout in ANB's units: scaled to :data:`CHART_WIDTH` wide (the proportions
    kept), from the grid's corner."""
    if not layout:
        return {}
    # far-flung or broken places (1e308, NaN) are brought within reach first
    near = {k: (_bounded(x), _bounded(y)) for k, (x, y) in layout.items()}
    xs = [x for x, _ in near.values()]
    ys = [y for _, y in near.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = CHART_WIDTH / span
    return {k: (GRID_LEFT + round((x - min(xs)) * scale), GRID_LEFT + round((y - min(ys)) * scale))
            for k, (x, y) in near.items()}


def _bounded(value: float) -> float:
    """A coordinate within +-1e9 (a NaN at 0)."""
    return 0.0 if value != value else max(-1e9, min(1e9, value))


def write_anx(entities: Iterable[EntityProxy], out: Path,
              handling: Callable[[str], dict] | None = None,
              layout: Mapping[str, tuple[float, float]] | None = None) -> tuple[int, Counts]:
    """Write ``entities`` as an ANX chart; returns how many entities and what was drawn.
    ``layout`` places the entities it names as a user laid them out (x right, y down);
    the others go on a grid below them."""
    proxies = list(entities)
    chart = _Chart(handling)
    places = _places(layout or {})
    if places:
        chart.grid_top = max(y for _, y in places.values()) + 2 * GRID_STEP
    nodes = [p for p in proxies if not p.schema.edge]
    edges = [p for p in proxies if p.schema.edge]
    captions = {p.id: p.caption for p in proxies}
    for proxy in nodes:
        chart.entity(proxy.id or "", proxy.caption, proxy.schema.name,
                     proxy.schema.label, _values(proxy, set()), proxy,
                     places.get(proxy.id or ""))
    for proxy in nodes:  # references and shared contact values
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity" and not prop.stub:
                chart.link(proxy.id or "", value, prop.label, prop.label, True, proxy=None)
            elif prop.type.name in VALUE_NODES:
                node = f"{prop.type.name}:{value}"
                if node not in chart.ids:
                    chart.entity(node, value, VALUE_NODES[prop.type.name])
                chart.link(proxy.id or "", node, prop.label, value, False)
    for proxy in edges:
        source, target = _ends(proxy)
        if source is None or target is None:
            chart.counts.skipped_links += 1
            continue
        ends = {e for e in (proxy.schema.edge_source, proxy.schema.edge_target) if e}
        values = _values(proxy, ends)
        for prop in proxy.schema.properties.values():  # other references, as text
            if prop.type.name == "entity" and prop.name not in ends:
                for ref in proxy.get(prop)[:MAX_VALUES]:
                    if ref not in (source, target):
                        values.append((prop.label, "AttText", captions.get(ref) or ref))
        label = _amount(proxy) or proxy.schema.label
        chart.link(source, target, proxy.schema.name, label, proxy.schema.edge_directed,
                   values, proxy)
    ET.indent(chart.root)
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(chart.root).write(out, encoding="utf-8", xml_declaration=True)
    return len(proxies), chart.counts


@dataclass(frozen=True)
class AnxExporter(Exporter):
    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        count, _ = write_anx(entities, out, handling)
        return count

    def write_chart(self, entities: Iterable[EntityProxy], out: Path,
                    handling: HandlingOf | None = None,
                    layout: Mapping[str, tuple[float, float]] | None = None) -> int:
        count, _ = write_anx(entities, out, handling, layout)
        return count


ANX = AnxExporter("anx", "anx", "application/xml",
                  "i2 Analyst's Notebook chart (ANX), items carrying their handling codes")
