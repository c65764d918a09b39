"""The map's API and page through FastAPI's test client."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, Site, log_in, open_case

from veriga.config import Settings
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.web import create_app
from veriga.web.views.places import UI
from veriga.workspace import Workspace


def _trips(site: Site) -> list:
    return list(site.ws.entities.list(site.case, ["Trip"]))


def test_the_api_places_every_trip(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, site.case, "mapping the victims' routes")
    found = client.get(f"/api/cases/{site.case}/map")
    assert found.status_code == 200, found.text
    data = found.json()
    trips = _trips(site)
    assert trips and data["trips_total"] == data["trips_placed"] == len(trips)
    assert sum(r["trips"] for r in data["routes"]) == len(trips)
    places = {p["id"]: p for p in data["places"]}
    for route in data["routes"]:
        assert route["source"] in places and route["target"] in places
        for person in route["passenger_ids"]:
            assert data["entities"][person]["url"] == f"/cases/{site.case}/entities/{person}"
    assert all(-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180 for p in places.values())
    assert {p["country"] for p in places.values()} & {"lv", "ee", "fi"}
    audit = site.dpo.audit.log(site.case)
    assert any(e["action"] == "entity.list" and e["purpose"] == "mapping the victims' routes"
               for e in audit)


def test_the_api_filters_by_dates_and_people(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, site.case)
    url = f"/api/cases/{site.case}/map"
    everything = client.get(url).json()
    first, last = everything["first"], everything["last"]
    assert first and last and first < last
    none = client.get(url, params={"from": "1990-01-01", "to": "1990-12-31"}).json()
    assert none["trips_total"] == 0 and none["routes"] == []
    day = client.get(url, params={"from": first, "to": first}).json()
    assert 0 < day["trips_total"] < everything["trips_total"]
    assert all(r["first"] == r["last"] == first for r in day["routes"])
    route = everything["routes"][0]
    person = route["passenger_ids"][0]
    mine = client.get(url, params={"ids": person}).json()
    assert mine["routes"] and all(person in r["passenger_ids"] + r["organizer_ids"]
                                  for r in mine["routes"])
    assert client.get(url, params={"from": "2026-02-01", "to": "2026-01-01"}).status_code == 422
    assert client.get(url, params={"from": "yesterday"}).status_code == 422
    assert client.get(url, params={"ids": ",".join(["x"] * 201)}).status_code == 422


def test_the_api_is_documented_under_its_tag(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/cases/{case}/map"]["get"]
    assert operation["tags"] == ["map"]
    assert {p["name"] for p in operation["parameters"]} >= {"ids", "from", "to"}
    assert "MapOut" in schema["components"]["schemas"]


def test_the_api_needs_a_login(client: TestClient, site: Site) -> None:
    assert client.get(f"/api/cases/{site.case}/map").status_code == 401


def test_the_page_hands_the_module_its_api_and_strings(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, site.case)
    page = client.get(f"/cases/{site.case}/map", params={"from": "2026-01-05", "to": "bad"})
    assert page.status_code == 200
    assert '<script type="module" src="/static/dist/map.js">' in page.text
    assert 'href="/static/dist/map.css"' in page.text
    assert f'data-api="/api/cases/{site.case}/map"' in page.text
    assert 'data-from="2026-01-05"' in page.text and 'data-to=""' in page.text
    raw = page.text.split("data-i18n='")[1].split("'")[0]
    strings = json.loads(unescape(raw))
    assert set(strings) == set(UI)
    assert 'aria-current="page"' in page.text.split('href="/cases/amber/map"')[1].split(">")[0]


def test_the_page_in_latvian(client: TestClient, site: Site) -> None:
    log_in(client, "ilze")  # a Latvian account
    open_case(client, site.case, "support for a victim")
    page = client.get(f"/cases/{site.case}/map")
    assert page.status_code == 200 and '<html lang="lv">' in page.text


@pytest.fixture(scope="module")
def travel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str, str]]:
    """A case of travel bookings only, one passenger marked as a victim, shared with an NGO.
    (The shared site's victim has unmerged duplicates that carry the name unminimised.)"""
    root = tmp_path_factory.mktemp("map")
    simulate("mixed", "tiny", 5, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"], "Līga Ozola", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD, language="lv")
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create("routes")
    requests, _ = expand([root / "world" / "travel"], ImportRequest(path=Path(".")))
    liga.records.import_files("routes", requests)
    people = list(liga.entities.list("routes", ["Person"]))
    names = Counter(n for p in people for n in p.get("name"))
    travelled = Counter(i for t in liga.entities.list("routes",
                                                      ["Trip"]) for i in t.get("involved"))
    victim = next(p for p in sorted(people, key=lambda p: -travelled[p.id])
                  if all(names[n] == 1 for n in p.get("name")))
    liga.entities.set_subject_role("routes", victim.id, "victim")
    liga.cases.share("routes", "Safe House")
    yield settings, victim.id, victim.first("name") or ""
    admin.close()


def test_ngo_worker_sees_the_trips_but_not_the_victim(travel: tuple[Settings, str, str]) -> None:
    settings, victim, name = travel
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        log_in(client, "liga")
        open_case(client, "routes", "mapping the victims' routes")
        police = client.get("/api/cases/routes/map").json()
        assert name in {e["name"] for e in police["entities"].values()}
        assert any(victim in r["passenger_ids"] for r in police["routes"])
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        log_in(client, "ilze")
        open_case(client, "routes", "support for a victim")
        client.cookies.set("veriga_lang", "en")  # pseudonyms as stored
        found = client.get("/api/cases/routes/map")
        assert found.status_code == 200
        assert name not in found.text and victim not in found.text
        ngo = found.json()
        assert ngo["trips_total"] == police["trips_total"]  # the travel itself stays visible
        assert sorted(r["trips"] for r in ngo["routes"]) == \
            sorted(r["trips"] for r in police["routes"])
        pseudonyms = {i for r in ngo["routes"] for i in r["passenger_ids"]
                      if i.startswith("pseudo-")}
        assert pseudonyms  # the victim and the records that may be hers (same name or phone)
        assert all(ngo["entities"][i]["name"].startswith("Victim ") for i in pseudonyms)


def test_ngo_worker_on_the_shared_site_never_sees_the_victim_entity(client: TestClient,
                                                                    site: Site) -> None:
    log_in(client, "ilze")
    open_case(client, site.case, "support for a victim")
    found = client.get(f"/api/cases/{site.case}/map")
    assert found.status_code == 200 and site.victim not in found.text
