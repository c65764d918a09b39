"""The links a path search reads (``ws.entities.links``: ids only) are exactly those of the
neighbourhood as drawn (every value read), for every reader: the investigator, an NGO worker
who sees protected people by pseudonym, after a file is withdrawn and after a merge."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from veriga.chain.graph import build
from veriga.config import Settings
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.workspace import Workspace


def _agencies(settings: Settings) -> tuple[Workspace, Workspace]:
    """The administrator's workspace and Liga's (the police, LV) with case "c"; Kati works
    for the Border Guard (EE), Ilze for a shelter (an NGO)."""
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    for org, kind, country in (("Police", "police", "LV"), ("Border Guard", "police", "EE"),
                               ("Shelter", "ngo", "LV")):
        admin.directory.add_org(org, kind, country)
    for user, org, role in (("liga", "Police", "investigator"),
                            ("kati", "Border Guard", "investigator"),
                            ("ilze", "Shelter", "ngo_worker")):
        admin.directory.add_user(user, org, [role])
    liga = admin.as_user("liga", purpose="investigation")
    liga.cases.create("c")
    return admin, liga


@pytest.fixture
def police(tmp_path: Path, settings: Settings) -> Iterator[tuple[Workspace, Workspace]]:
    """The investigator's and the NGO worker's workspaces on one case of a mixed world."""
    world = tmp_path / "world"
    simulate("mixed", "tiny", 5, world)
    admin, liga = _agencies(settings)
    requests, _ = expand([world / d for d in ("bank", "police", "registers", "labour")],
                         ImportRequest(path=Path(".")))
    liga.records.import_files("c", requests)
    people = sorted(e.id or "" for e in liga.entities.list("c", ["Person"]))
    for victim in people[:3]:
        liga.entities.set_subject_role("c", victim, "victim")
    liga.cases.share("c", "Shelter")
    yield liga, admin.as_user("ilze", purpose="support for a victim")
    admin.close()


def _drawn(ws: Workspace, ids: list[str]) -> dict[str, dict[str, set[str]]]:
    """Each entity's neighbours and linking records in its neighbourhood as drawn."""
    around = ws.entities.neighbourhood("c", ids)
    graph = build(around.entities, around.roles)
    out: dict[str, dict[str, set[str]]] = {i: {} for i in ids if i in graph.nodes}
    for edge in graph.edges.values():
        record = None if edge["schema"] == "Reference" else edge["id"].split(":")[0]
        for a, b in ((edge["source"], edge["target"]), (edge["target"], edge["source"])):
            if a in out and a != b:
                records = out[a].setdefault(b, set())
                if record:
                    records.add(record)
    return out


def _same_as_drawn(ws: Workspace, rng: random.Random) -> int:
    shown = sorted(e.id or "" for e in ws.entities.list("c") if not e.schema.edge)
    compared = 0
    for _ in range(12):
        ids = rng.sample(shown, min(len(shown), rng.randint(1, 6)))
        expected = {a: around for a, around in _drawn(ws, ids).items() if around}
        assert ws.entities.links("c", ids) == expected
        compared += sum(len(around) for around in expected.values())
    return compared


def test_links_are_the_drawn_neighbourhoods(police: tuple[Workspace, Workspace]) -> None:
    liga, _ = police
    assert all(":" not in (e.id or "") for e in liga.entities.list("c"))
    assert _same_as_drawn(liga, random.Random(1)) > 50


def test_an_ngo_worker_gets_pseudonyms_never_real_ids(
        police: tuple[Workspace, Workspace]) -> None:
    liga, ilze = police
    victims = sorted(e for e, role in liga.entities.subject_roles("c").items()
                     if role == "victim")
    assert _same_as_drawn(ilze, random.Random(2)) > 50
    around = liga.entities.links("c", victims)
    assert around, "the victims are linked to something"
    shown = {e.id for e in ilze.entities.list("c")}
    neighbours = sorted({b for links in around.values() for b in links} & shown)
    assert neighbours, "some of the victims' neighbours are not protected"
    seen = ilze.entities.links("c", neighbours)
    named = {x for a, links in seen.items() for x in (a, *links)}
    assert not named & set(victims)
    assert any(x.startswith("pseudo-") for x in named)


def test_a_withdrawn_file_and_a_merge_change_the_links(
        police: tuple[Workspace, Workspace]) -> None:
    liga, _ = police
    largest = max(liga.records.sources("c"), key=lambda f: f["entity_count"])
    liga.records.withdraw("c", largest["id"], "imported into the wrong case")
    assert _same_as_drawn(liga, random.Random(3)) > 20
    people = sorted(e.id or "" for e in liga.entities.list("c", ["Person"]))
    linked = [p for p in people if liga.entities.links("c", [p])]
    merged = liga.entities.merge("c", linked[:2], "one person: checked")
    around = liga.entities.links("c", [merged])
    assert around[merged] and not {x for x in linked[:2] if x != merged} & set(around[merged])
    assert _same_as_drawn(liga, random.Random(4)) > 20


def _ftm(path: Path, *entities: tuple[str, str, dict[str, list[str]]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "schema": s, "properties": p}) + "\n"
                            for i, s, p in entities))
    return path


def test_links_leave_out_what_the_reader_may_not_see(tmp_path: Path,
                                                    settings: Settings) -> None:
    """An end stated only in a withdrawn file, an entity withheld from a partner agency by
    its handling code, and a share of selected records: never a link."""
    admin, liga = _agencies(settings)
    people = _ftm(tmp_path / "people.ftm.jsonl",
                  ("p1", "Person", {"name": ["Ivan Petrov"]}),
                  ("c1", "Company", {"name": ["Baltic Staffing SIA"]}))
    links = _ftm(tmp_path / "links.ftm.jsonl",
                 ("p2", "Person", {"name": ["Anna Kalnina"]}),
                 ("c2", "Company", {"name": ["Nord Clean OU"]}),
                 ("o1", "Ownership", {"owner": ["p2"], "asset": ["c1"]}),
                 ("o2", "Ownership", {"owner": ["p2"], "asset": ["c2"]}),
                 ("d1", "Directorship", {"director": ["p1"], "organization": ["c2"]}))
    first, _ = liga.records.import_files("c", [ImportRequest(people), ImportRequest(links)])
    assert liga.entities.links("c", ["p2", "c2"]) == {
        "p2": {"c1": {"o1"}, "c2": {"o2"}}, "c2": {"p2": {"o2"}, "p1": {"d1"}}}
    for withheld in ("c1", "d1"):  # a company, and a link between two others
        liga.entities.set_handling("c", withheld, "H3", ["Police"], "LV only")
    liga.cases.share("c", "Border Guard")
    kati = admin.as_user("kati", purpose="joint investigation")
    assert kati.entities.links("c", ["p2", "c2"]) == {
        "p2": {"c2": {"o2"}}, "c2": {"p2": {"o2"}}}
    liga.cases.share("c", "Border Guard", ["p2", "o2", "c2"])
    assert kati.entities.links("c", ["c2"]) == {"c2": {"p2": {"o2"}}}
    liga.records.withdraw("c", first.source_id, "imported into the wrong case")
    assert liga.entities.links("c", ["p2", "c2", "p1"]) == {
        "p2": {"c2": {"o2"}}, "c2": {"p2": {"o2"}}}
    admin.close()
