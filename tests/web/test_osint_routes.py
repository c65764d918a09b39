"""An operation's route on the map and the timeline pages' APIs (the osint family ran on the
shared site's case, which holds the simulated world's ads)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case


def _operations(site: Site) -> list:
    return [f for f in site.ws.findings.list(site.case)
            if f.kind.startswith("operation.") and len(f.details["route"]) >= 2]


def test_the_map_draws_the_routes_of_operations(client: TestClient, site: Site) -> None:
    moving = _operations(site)
    assert moving  # the world's sexual-exploitation operation moves between cities
    log_in(client)
    open_case(client, site.case, "following the ads")
    data = client.get(f"/api/cases/{site.case}/map").json()
    legs = [r for r in data["routes"] if r["kind"] == "finding"]
    assert legs and all(r["trips"] == 0 and r["moves"] >= 1 for r in legs)
    drawn = {f for r in legs for f in r["finding_ids"]}
    assert {f.id for f in moving} <= drawn
    for fid in drawn:
        ref = data["findings"][fid]
        assert ref["url"].startswith(f"/cases/{site.case}/findings?") and ref["title"]
    places = {p["id"]: p for p in data["places"]}
    assert all(r["source"] in places and r["target"] in places for r in legs)
    # trips are still counted as trips only
    trips = [r for r in data["routes"] if r["kind"] == "trip"]
    assert sum(r["trips"] for r in trips) == data["trips_placed"]
    # only the routes of the asked entities' findings
    one = moving[0]
    some = client.get(f"/api/cases/{site.case}/map",
                      params={"ids": one.evidence.entity_ids[0]}).json()
    assert {f for r in some["routes"] for f in r["finding_ids"]} == {one.id}


def test_the_timeline_has_the_stops_of_operations(client: TestClient, site: Site) -> None:
    one = _operations(site)[0]
    log_in(client)
    open_case(client, site.case, "following the ads")
    data = client.get(f"/api/cases/{site.case}/timeline", params={"kinds": "route"}).json()
    assert "route" in data["kinds"]
    stops = [e for e in data["events"] if e["id"].startswith(one.id + ":")]
    assert [e["label"].split(" · ")[0] for e in stops] == [s["city"] for s in
                                                             one.details["route"]]
    assert all(e["kind"] == "route" and e["url"] for e in stops)


def test_an_ngo_member_sees_the_routes_minimised(client: TestClient, site: Site) -> None:
    log_in(client, "ilze")
    open_case(client, site.case, "supporting a victim")
    found = client.get(f"/api/cases/{site.case}/map")
    assert found.status_code == 200, found.text
    data = found.json()
    for route in data["routes"]:
        for fid in route["finding_ids"]:
            assert fid in data["findings"]
