"""Once a person merges the records of one person, the network, chain, timeline, map and
money views and the case report show one entity where they showed several, by its canonical
id, and a merged record's old id still leads to it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, log_in, open_case

from veriga.config import Settings
from veriga.ingest import expand
from veriga.simulate import simulate
from veriga.web import create_app
from veriga.workspace import Workspace

CASE = "merging"
# in the answer key of mixed/tiny/5: a woman who travelled, booked under five spellings, and
# the controller, under sixteen records, one account among them
TRAVELLER, CONTROLLER = "P000006", "P000002"

Views = dict[str, Any]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[Workspace, dict[str, list[str]], TestClient]]:
    root = tmp_path_factory.mktemp("merged-views")
    simulate("mixed", "tiny", 5, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"], "Līga", PASSWORD)
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create(CASE)
    requests, _ = expand([root / "world"])
    liga.records.import_files(CASE, requests)
    liga.analyses.run(CASE)
    truth = json.loads((root / "world" / "ground_truth.json").read_text(encoding="utf-8"))
    present = {e.id for e in liga.entities.list(CASE, ["Person", "LegalEntity"])}
    records = {who: sorted({r["entity_id"] for r in truth["records"]
                            if r["identity"] == who and r.get("entity_id") in present})
               for who in (TRAVELLER, CONTROLLER)}
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        log_in(client, "liga")
        open_case(client, CASE, "checking the views after a merge")
        yield liga, records, client
    admin.close()


def _views(client: TestClient, ids: list[str]) -> Views:
    q = ",".join(ids)
    return {
        "network": client.get(f"/api/cases/{CASE}/graph", params={"ids": q}).json(),
        "timeline": client.get(f"/api/cases/{CASE}/timeline", params={"ids": q}).json(),
        "map": client.get(f"/api/cases/{CASE}/map", params={"ids": q}).json(),
        "money": client.get(f"/api/cases/{CASE}/money", params={"top": 200}).json(),
        "chain": client.get(f"/api/cases/{CASE}/chain/graph").json(),
        "report": client.get(f"/cases/{CASE}/report.html?unreviewed=true").text,
    }


def _seen(data: Views, ids: set[str]) -> dict[str, set[str]]:
    """The ids among ``ids`` each view shows (as a node, a party, a row...)."""
    report = data["report"].split('id="sec-parties"')[1].split("</section>")[0]
    return {
        "network": {n["id"] for n in data["network"]["nodes"]} & ids,
        "timeline": {p["id"] for e in data["timeline"]["events"] for p in e["parties"]} & ids,
        "map": ({i for p in data["map"]["places"] for i in p["person_ids"]}
                | {i for r in data["map"]["routes"] for i in r["passenger_ids"]}) & ids,
        "money": {n["entity_id"] for n in data["money"]["nodes"]} & ids,
        "chain": {n["id"] for n in data["chain"]["nodes"]} & ids,
        "report": {i for i in ids if f'data-entity="{i}"' in report},
    }


def test_every_view_shows_one_entity_once_its_records_are_merged(
        site: tuple[Workspace, dict[str, list[str]], TestClient]) -> None:
    ws, records, client = site
    travelled, controller = set(records[TRAVELLER]), set(records[CONTROLLER])
    assert len(travelled) >= 3 and len(controller) >= 3
    everyone = travelled | controller
    before = _seen(_views(client, sorted(travelled)), everyone)
    for view in ("network", "timeline", "map", "report"):  # several nodes, parties, rows
        assert len(before[view] & travelled) >= 2, view
    assert len(before["report"] & controller) >= 2
    # the chain of this world draws one of the controller's records before the merge (as the
    # trips' organiser; it draws at most 16 nodes a stage): after it, the merged entity
    assert before["chain"] & controller
    assert before["money"] <= controller  # the holder of his account: one of his records
    one = ws.entities.merge(CASE, sorted(travelled), "one woman: one passport in every booking")
    boss = ws.entities.merge(CASE, sorted(controller), "one man: one phone and birth date")
    after = _seen(_views(client, sorted(travelled)), everyone)
    # the ids of merged records (not the entity's): the links of older pages still work
    old = _seen(_views(client, sorted(travelled - {one})), everyone)
    for seen in (after, old):
        for view in ("network", "timeline", "map", "report"):
            assert seen[view] & travelled == {one}, view
        for view in ("chain", "report", "money"):
            assert seen[view] & controller == {boss}, view
        assert seen["network"] & controller <= {boss}
