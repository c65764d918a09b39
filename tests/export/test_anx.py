"""i2 Analyst's Notebook charts (ANX): well-formed, one item per entity, one link per edge,
references and shared phones as links, handling codes on every item."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as DET
import pytest

from veriga.export import export_entities, formats
from veriga.ingest import ImportRequest
from veriga.model import model
from veriga.workspace import Workspace


@pytest.fixture
def case_ws(sqlite_ws: Workspace, examples: dict[str, Path]) -> Workspace:
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [
        ImportRequest(examples["people"]),
        ImportRequest(examples["transactions"], mapping=examples["mapping"]),
    ])
    return sqlite_ws


def _chart(path: Path):  # type: ignore[no-untyped-def]
    root = DET.parse(path).getroot()
    items = list(root.find("ChartItemCollection"))
    ends = [i for i in items if i.find("End") is not None]
    links = [i for i in items if i.find("Link") is not None]
    return root, ends, links


def test_anx_is_an_export_format() -> None:
    assert "anx" in formats()


def test_one_item_per_entity_and_one_link_per_edge(case_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "case.anx"
    count = case_ws.exports.write("c", "anx", out)
    entities = list(case_ws.entities.list("c"))
    assert count == len(entities)
    root, ends, links = _chart(out)
    assert root.tag == "Chart"
    nodes = [e for e in entities if not e.schema.edge]
    edges = [e for e in entities if e.schema.edge]
    phones = {v for e in nodes for p, v in e.itervalues() if p.type.name == "phone"}
    emails = {v for e in nodes for p, v in e.itervalues() if p.type.name == "email"}
    assert len(ends) == len(nodes) + len(phones) + len(emails)
    ids = {i.find("End/Entity").get("EntityId") for i in ends}
    assert {e.id for e in nodes} <= ids
    refs = sum(1 for e in nodes for p, v in e.itervalues()
               if p.type.name == "entity" and v in ids)
    holders = sum(1 for e in nodes for p, v in e.itervalues() if p.type.name in ("phone", "email"))
    drawn_edges = [lk for lk in links
                   if lk.find("Link/LinkStyle").get("Type") in {e.schema.name for e in edges}]
    assert len(drawn_edges) == len(edges)
    assert len(links) == len(edges) + refs + holders
    for link in links:  # every link joins two items of the chart
        assert {link.find("Link").get("End1Id"), link.find("Link").get("End2Id")} <= ids


def test_types_icons_attributes_and_handling(case_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "case.anx"
    case_ws.exports.write("c", "anx", out)
    root, ends, _ = _chart(out)
    types = {t.get("Name"): t.get("IconFile") for t in root.find("EntityTypeCollection")}
    assert types["Person"] == "Person" and types["BankAccount"] == "Account"
    classes = {c.get("Id"): c.get("Name") for c in root.find("AttributeClassCollection")}
    ivan = next(i for i in ends if i.find("End/Entity").get("EntityId") == "p-ivan")
    assert ivan.get("Label") == "Иван Петров"
    assert ivan.find("End/Entity/Icon/IconStyle").get("Type") == "Person"
    values = {classes[a.get("AttributeClassReference")]: a.get("Value")
              for a in ivan.iter("Attribute")}
    assert values["Handling"] == "H0"


def test_a_payment_is_a_dated_directed_link_with_its_amount(tmp_path: Path) -> None:
    payer, payee, payment = (model.make_entity(s) for s in ("Person", "Company", "Payment"))
    payer.id, payee.id, payment.id = "p-1", "c-1", "pay-1"
    payer.add("name", "Ivan")
    payee.add("name", "WorkLine EOOD")
    payment.add("payer", "p-1")
    payment.add("beneficiary", "c-1")
    payment.add("amount", "1250.50")
    payment.add("currency", "EUR")
    payment.add("date", "2026-01-03")
    out = tmp_path / "pay.anx"
    export_entities([payer, payee, payment], "anx", out,
                    handling=lambda eid: {"codes": ["H2"]})
    _, ends, links = _chart(out)
    assert len(ends) == 2 and len(links) == 1
    link = links[0]
    assert link.find("Link").get("End1Id") == "p-1" and link.find("Link").get("End2Id") == "c-1"
    assert link.find("Link/LinkStyle").get("ArrowStyle") == "ArrowOnHead"
    assert link.get("DateSet") == "true" and link.get("DateTime") == "2026-01-03T00:00:00"
    assert link.get("Label") == "1250.50 EUR"
    assert any(a.get("Value") == "H2" for a in link.iter("Attribute"))


def test_text_is_escaped(tmp_path: Path) -> None:
    person = model.make_entity("Person")
    person.id = "p-1"
    person.add("name", 'A & B <"C"> \u0416')
    person.add("notes", "line one\nline <two> & 'three'")
    out = tmp_path / "x.anx"
    assert export_entities([person], "anx", out) == 1
    _, ends, _ = _chart(out)
    assert ends[0].get("Label") == 'A & B <"C"> \u0416'
    notes = [a.get("Value") for a in ends[0].iter("Attribute")]
    assert "line one\nline <two> & 'three'" in notes


def test_a_layout_places_items_and_survives_far_flung_places(tmp_path: Path) -> None:
    from veriga.export.anx import write_anx

    people = []
    for i in range(3):
        p = model.make_entity("Person")
        p.id = f"p{i}"
        p.add("name", f"Person {i}")
        people.append(p)
    out = tmp_path / "chart.anx"
    write_anx(people, out, layout={"p0": (-1e308, 0.0), "p1": (1e308, 5.0),
                                   "p2": (float("nan"), float("inf"))})
    xs: dict[str, int] = {}
    for item in DET.parse(out).getroot().iter("ChartItem"):
        entity = item.find("End/Entity")
        if entity is not None:
            xs[str(entity.get("EntityId"))] = int(str(item.get("XPosition")))
    assert xs["p0"] < xs["p2"] < xs["p1"]
