"""Places and routes: offline geocoding and the trips of a simulated world, against its ground
truth (the travel bookings it wrote)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from veriga.chain.gazetteer import fold, gazetteer
from veriga.chain.places import (
    APPROXIMATE,
    MAP_SCHEMATA,
    NO_LOCATION,
    UNKNOWN,
    Geocoder,
    place_map,
)
from veriga.config import Settings
from veriga.ingest import ImportRequest, expand
from veriga.model import EntityProxy, model
from veriga.simulate import simulate
from veriga.workspace import Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    """A small mixed world: travel bookings, police records and company registers imported."""
    root = tmp_path_factory.mktemp("places")
    path = root / "world"
    simulate("mixed", "small", 11, path)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    ws.cases.create("w")
    requests, _ = expand([path / "travel", path / "police", path / "registers"],
                         ImportRequest(path=Path(".")))
    ws.records.import_files("w", requests)
    yield ws, path
    ws.close()


def _bookings(path: Path) -> list[dict[str, str]]:
    with (path / "travel" / "bookings.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _city_id(name: str) -> str:
    city = gazetteer().city(name)
    assert city is not None, name
    return f"city:{city.geonameid}"


def test_every_booking_is_placed_and_counted(world: tuple[Workspace, Path]) -> None:
    ws, path = world
    bookings = _bookings(path)
    assert len(bookings) > 10
    found = place_map(ws.entities.list("w", MAP_SCHEMATA))
    assert found.trips_total == found.trips_placed == len(bookings)
    places = {p.id: p for p in found.places}
    for row in bookings:  # every city a booking names is on the map
        assert _city_id(row["from_city"]) in places and _city_id(row["to_city"]) in places
    expected = Counter((_city_id(r["from_city"]), _city_id(r["to_city"])) for r in bookings)
    got = {(r.source, r.target): r.trips for r in found.routes}
    assert got == dict(expected)
    assert sum(len(r.trip_ids) for r in found.routes) == len(bookings)
    days = sorted(r["departure"][:10] for r in bookings)
    assert (found.first, found.last) == (days[0], days[-1])
    assert not [u for u in found.unplaced if u.reason in (UNKNOWN, NO_LOCATION)]
    riga = places[_city_id("Riga")]
    assert riga.country == "lv" and abs(riga.lat - 56.95) < 0.1 and abs(riga.lon - 24.1) < 0.1
    # every route's people are named for the popups
    for route in found.routes:
        for person in route.passenger_ids + route.organizer_ids:
            assert found.entities[person][1] == "Person"


def test_police_records_and_companies_are_placed_by_their_city(
        world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    found = place_map(ws.entities.list("w", MAP_SCHEMATA))
    located = {i for p in found.places for i in p.entity_ids}
    companies = [c for c in ws.entities.list("w", ["Company"]) if c.get("address")]
    assert companies and all(c.id in located for c in companies)
    people = [p for p in ws.entities.list("w", ["Person"]) if p.get("address")]
    assert people and all(p.id in located for p in people)


def test_filter_by_person_and_dates(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    entities = list(ws.entities.list("w", MAP_SCHEMATA))
    everything = place_map(entities)
    busiest = Counter(p for r in everything.routes for p in r.passenger_ids).most_common(1)[0][0]
    mine = place_map(entities, ids=[busiest])
    trips = [t for t in entities if t.schema.name == "Trip" and busiest in t.get("involved")]
    assert mine.trips_total == len(trips) and sum(r.trips for r in mine.routes) == len(trips)
    assert all(busiest in r.passenger_ids for r in mine.routes)
    ends = {r.source for r in mine.routes} | {r.target for r in mine.routes}
    assert ends <= {p.id for p in mine.places}
    assert len(mine.places) < len(everything.places)

    middle = sorted(t.first("startDate")[:10] for t in entities if t.schema.name == "Trip")
    start, end = middle[len(middle) // 4], middle[3 * len(middle) // 4]
    window = place_map(entities, start=start, end=end)
    inside = [d for d in middle if start <= d <= end]
    assert window.trips_total == len(inside) < everything.trips_total
    assert all(start <= r.first and r.last <= end for r in window.routes if r.first and r.last)
    assert (window.first, window.last) == (everything.first, everything.last)


def _address(city: str = "", full: str = "", country: str = "", **props: str) -> EntityProxy:
    proxy = model.make_entity("Address")
    proxy.make_id("test-address", city, full, country, *props.values())
    proxy.add("city", city or None)
    proxy.add("full", full or None)
    proxy.add("country", country or None)
    for prop, value in props.items():
        proxy.add(prop, value)
    return proxy


def _trip(start: EntityProxy, end: EntityProxy | None, day: str, *people: str) -> EntityProxy:
    proxy = model.make_entity("Trip")
    proxy.make_id("test-trip", start.id, end.id if end else "", day, *people)
    proxy.add("startLocation", start.id)
    if end is not None:
        proxy.add("endLocation", end.id)
    proxy.add("startDate", day)
    proxy.add("involved", list(people))
    return proxy


def _person(name: str, **props: str) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.make_id("test-person", name)
    proxy.add("name", name)
    for prop, value in props.items():
        proxy.add(prop, value)
    return proxy


def test_an_unknown_city_is_reported_with_its_entities() -> None:
    nowhere, riga = _address("Xyzzyville"), _address("Riga")
    person = _person("Anna Test")
    trip = _trip(nowhere, riga, "2026-02-01", person.id)
    lost = _trip(riga, None, "2026-02-02", person.id)
    found = place_map([nowhere, riga, trip, lost, person])
    assert found.trips_total == 2 and found.trips_placed == 0 and found.routes == []
    unknown = next(u for u in found.unplaced if u.reason == UNKNOWN)
    assert unknown.text == "Xyzzyville" and set(unknown.entity_ids) == {nowhere.id, trip.id}
    assert next(u for u in found.unplaced if u.reason == NO_LOCATION).entity_ids == [lost.id]
    (place,) = found.places  # Riga, with both trips' known ends
    assert place.name == "Riga" and sorted(place.trip_ids) == sorted([trip.id, lost.id])
    assert place.arrivals == 1 and place.departures == 1 and person.id in place.person_ids
    assert found.entities[nowhere.id] == ("Xyzzyville", "Address", None)
    assert found.entities[trip.id][1:] == ("Trip", "2026-02-01")


@pytest.mark.parametrize(("written", "canonical"), [
    ("RĪGA", "Riga"), ("Rīga", "Riga"), ("riga", "Riga"), ("Riia", "Riga"), ("Riika", "Riga"),
    ("Liepaja", "Liepāja"), ("LIEPĀJA", "Liepāja"), ("Parnu", "Pärnu"), ("Tallinna", "Tallinn"),
    ("Helsingfors", "Helsinki"), ("Åbo", "Turku"), ("Uleåborg", "Oulu"), ("София", "Sofia"),
    ("Варна", "Varna"), ("Пловдив", "Plovdiv"), ("Iasi", "Iași"), ("Constanţa", "Constanța"),
    ("Lodz", "Łódź"), ("Warszawa", "Warsaw"), ("Kiev", "Kyiv"), ("Jurmala", "Jūrmala"),
    ("Jyvaskyla", "Jyväskylä"),
])
def test_names_resolve_whatever_the_accents_case_or_language(written: str,
                                                            canonical: str) -> None:
    geo = Geocoder()
    place, exact = geo.text(written)
    expected, _ = geo.text(canonical)
    assert exact and place is not None and expected is not None
    assert place.id == expected.id and fold(place.name) == fold(canonical)


def test_the_given_country_comes_first_then_the_most_populous() -> None:
    geo = Geocoder()
    odesa, _ = geo.text("Odessa")
    texas, _ = geo.text("Odessa", "us")
    assert odesa is not None and texas is not None
    assert (odesa.country, texas.country) == ("ua", "us")
    paris, _ = geo.text("Paris")
    assert paris is not None and paris.country == "fr"


def test_free_text_addresses_countries_and_coordinates() -> None:
    geo = Geocoder()
    riga, exact = geo.text("Brīvības iela 12, LV-1010 Rīga, Latvija")
    assert exact and riga is not None and riga.name == "Riga"
    tallinn, _ = geo.text("Tartu tn 5, Tallinn")  # a street named after another city
    assert tallinn is not None and tallinn.name == "Tallinn"
    latvia, exact = geo.text("Latvija")
    assert exact and latvia is not None and (latvia.kind, latvia.country) == ("country", "lv")
    vague, exact = geo.text("Kalna iela 3, Latvia")  # no city: placed in the country, not exact
    assert not exact and vague is not None and vague.id == "country:lv"
    point, exact = geo.address(_address("Tiny Village", latitude="57.1", longitude="24.9"))
    assert exact and point is not None and point.kind == "point" and point.lat == 57.1


def test_a_city_not_in_its_country_is_shown_in_the_country_and_reported() -> None:
    wrong = _address("Riga", country="ee")  # there is no Riga in Estonia
    someone = _person("Mari Test", country="fi")  # only a country: placed there, exactly
    found = place_map([wrong, someone])
    assert {p.id for p in found.places} == {"country:ee", "country:fi"}
    assert [(u.reason, u.entity_ids) for u in found.unplaced] == [(APPROXIMATE, [wrong.id])]
