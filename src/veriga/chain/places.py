"""Places and routes of a case, for the map: where the addresses, people and companies are,
and the trips between cities and countries.

An operation's movement (a finding whose ``details["route"]`` lists the cities it was seen
in, in time order, such as an online-investigation operation's) is drawn as routes of kind
``finding`` between its consecutive cities, beside the trips.

Everything is geocoded offline (:mod:`veriga.chain.gazetteer`). An address with coordinates
keeps them; otherwise its city, the city in its full text ("Brīvības iela 12, LV-1010 Rīga,
Latvija"), or at least its country places it. What cannot be placed is reported with the ids
of the entities it comes from, never dropped silently. The functions take entity proxies (as
:class:`veriga.workspace.Workspace` returns them, minimised for the user) and know nothing of
the web.

    found = place_map(ws.entities.list(case, MAP_SCHEMATA), ids=["person-1"], start="2025-03-01")
    found.places, found.routes, found.unplaced
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from followthemoney import EntityProxy

from veriga.chain.gazetteer import Gazetteer, gazetteer
from veriga.findings import N_, Finding
from veriga.model.dates import first_day, iso_day

#: The schemata the map reads (pass them to ``Workspace.entities``).
MAP_SCHEMATA = ("Address", "Trip", "Person", "Company", "Organization", "LegalEntity")
_LOCATED = ("Person", "Company", "Organization", "LegalEntity")
_SEGMENTS = re.compile(r"[,;\n]+")
_POSTCODE = re.compile(r"\b(?:[A-Za-z]{1,3}[- ]?)?\d[\d -]*\b")  # LV-1010, 00100, FI-20100

Kind = Literal["city", "country", "point"]
UNKNOWN = N_("unknown place")
APPROXIMATE = N_("city not recognised, shown in its country")
NO_LOCATION = N_("no location")
NOT_VISIBLE = N_("location not visible")


@dataclass
class Place:
    """A point on the map: a city, a country (when only the country is known) or the
    coordinates an address carries."""

    id: str  # "city:<geonameid>", "country:<iso>" or "point:<lat>,<lon>"
    name: str
    country: str  # ISO 3166-1 alpha-2, lower case; "" if unknown
    lat: float
    lon: float
    kind: Kind
    entity_ids: list[str] = field(default_factory=list)  # located here: addresses, people...
    trip_ids: list[str] = field(default_factory=list)  # departing or arriving here
    person_ids: list[str] = field(default_factory=list)  # living here or travelling through
    departures: int = 0
    arrivals: int = 0
    finding_ids: list[str] = field(default_factory=list)  # findings whose route stops here

    @property
    def activity(self) -> int:
        """What the marker's size shows: the entities located here, the trips and the
        findings whose route stops here."""
        return len(self.entity_ids) + len(self.trip_ids) + len(self.finding_ids)


@dataclass
class Route:
    """The trips from one place to another (one direction), or (``kind`` "finding") the
    moves of what findings followed, such as an operation's ads, from one city to the next."""

    source: str  # place id
    target: str
    trips: int = 0
    kind: str = "trip"  # trip | finding
    moves: int = 0  # kind "finding": moves along this leg
    finding_ids: list[str] = field(default_factory=list)
    first: str | None = None  # ISO date of the first trip
    last: str | None = None
    passenger_ids: list[str] = field(default_factory=list)  # Trip.involved
    organizer_ids: list[str] = field(default_factory=list)  # who booked or paid
    trip_ids: list[str] = field(default_factory=list)


@dataclass
class Unplaced:
    """A location the gazetteer could not place, with the entities that mention it."""

    text: str
    reason: str  # UNKNOWN, APPROXIMATE, NO_LOCATION or NOT_VISIBLE
    entity_ids: list[str] = field(default_factory=list)


@dataclass
class PlaceMap:
    places: list[Place]
    routes: list[Route]
    unplaced: list[Unplaced]
    #: Caption, schema and date (of trips) of the entities the places and routes mention.
    entities: dict[str, tuple[str, str, str | None]]
    trips_total: int = 0  # trips within the filters
    trips_placed: int = 0  # of those, with both ends placed
    first: str | None = None  # the first and last trip dates, before the date filter
    last: str | None = None


class Geocoder:
    """Places for texts and entities, cached for one run."""

    def __init__(self, gaz: Gazetteer | None = None) -> None:
        self.gaz = gaz or gazetteer()
        self._texts: dict[tuple[str, str | None], tuple[Place | None, bool]] = {}

    def _city(self, name: str, country: str | None) -> Place | None:
        city = self.gaz.city(name, country)
        if city is None:
            return None
        if country and city.country != country.lower():
            return None  # "Valka, LV" is not Valga in Estonia: fall back to the country
        return Place(f"city:{city.geonameid}", city.name, city.country, city.lat, city.lon,
                     "city")

    def country(self, code: str) -> Place | None:
        code = code.lower()
        capital = self.gaz.capital(code)
        if capital is None:
            return None
        return Place(f"country:{code}", self.gaz.country_name(code), code, capital.lat,
                     capital.lon, "country")

    def text(self, text: str, country: str | None = None) -> tuple[Place | None, bool]:
        """The place of a city name or a free-text address, and whether it is exact (False
        when no city was recognised and the place is the country the text or ``country``
        names). Among cities of the same name, one in ``country`` (ISO code) is preferred."""
        key = (text, country)
        if key not in self._texts:
            self._texts[key] = self._parse(text, country)
        return self._texts[key]

    def _parse(self, text: str, country: str | None) -> tuple[Place | None, bool]:
        segments = [s.strip() for s in _SEGMENTS.split(text) if s.strip()]
        if not segments:
            return None, False
        named = self.gaz.country(segments[-1]) if len(segments) > 1 else None
        if named:
            segments.pop()
            country = country or named
        elif len(segments) == 1 and self.gaz.city(segments[0]) is None:
            named = self.gaz.country(segments[0])  # the whole text is a country ("Latvija")
            if named:
                return self.country(named), True
        for segment in reversed(segments):
            for candidate in dict.fromkeys((segment, _POSTCODE.sub(" ", segment).strip())):
                if candidate and not candidate.isdigit():
                    found = self._city(candidate, country)
                    if found:
                        return found, True
        return (self.country(country) if country else None), False

    def address(self, proxy: EntityProxy) -> tuple[Place | None, bool]:
        """The place of an Address entity (its coordinates, city, full text or country) and
        whether it is exact (False: a city or text given, but only the country placed)."""
        countries = proxy.get("country")
        country = countries[0] if countries else None
        lat, lon = _number(proxy.first("latitude")), _number(proxy.first("longitude"))
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            name = proxy.first("city") or proxy.first("full") or proxy.caption
            return Place(f"point:{lat:.4f},{lon:.4f}", name, country or "", lat, lon,
                         "point"), True
        fallback: Place | None = None
        texts = [v for prop in ("city", "full") for v in proxy.get(prop)]
        for value in texts:
            found, exact = self.text(value, country)
            if found and exact:
                return found, True
            fallback = fallback or found
        if fallback is None and country:
            fallback = self.country(country)
        return fallback, fallback is not None and not texts


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class _Builder:
    """Collects places, routes and what could not be placed."""

    def __init__(self, geo: Geocoder) -> None:
        self.geo = geo
        self.places: dict[str, Place] = {}
        self.routes: dict[tuple[str, str, str], Route] = {}
        self.unplaced: dict[tuple[str, str], Unplaced] = {}

    def place(self, found: Place) -> Place:
        return self.places.setdefault(found.id, found)

    def followed(self, finding: Finding, wanted: set[str], since: str | None,
                 until: str | None) -> None:
        """The cities of a finding's route and the legs between them (within the dates)."""
        stops = (finding.details or {}).get("route") or []
        if not isinstance(stops, list) or not stops:
            return
        if wanted and not wanted.intersection(finding.evidence.entity_ids) \
                and finding.id not in wanted:
            return
        previous: Place | None = None
        for stop in stops:
            if not isinstance(stop, dict) or not stop.get("city"):
                continue
            first = iso_day(stop.get("first_seen")) or ""
            last = iso_day(stop.get("last_seen")) or first
            inside = not ((since and last < since) or (until and first > until))
            found, exact = self.geo.text(str(stop["city"]), stop.get("country") or None)
            if found is None or not exact:
                self.missing(str(stop["city"]), APPROXIMATE if found else UNKNOWN, finding.id)
            if found is None:
                continue
            if not inside:
                previous = found
                continue
            here = self.place(found)
            _add(here.finding_ids, finding.id)
            if previous is not None and previous.id != here.id:
                self.place(previous)
                route = self.routes.setdefault((previous.id, here.id, "finding"), Route(
                    previous.id, here.id, kind="finding"))
                route.moves += 1
                _add(route.finding_ids, finding.id)
                route.first = min(route.first or first, first) if first else route.first
                route.last = max(route.last or first, first) if first else route.last
            previous = found

    def missing(self, text: str, reason: str, entity_id: str | None) -> None:
        if not entity_id:
            return
        item = self.unplaced.setdefault((text, reason), Unplaced(text, reason))
        if entity_id not in item.entity_ids:
            item.entity_ids.append(entity_id)

    def locate(self, place: Place, proxy: EntityProxy) -> None:
        here = self.place(place)
        _add(here.entity_ids, proxy.id)
        if proxy.schema.is_a("Person"):
            _add(here.person_ids, proxy.id)


def _add(items: list[str], value: str | None) -> None:
    if value and value not in items:
        items.append(value)


def place_map(entities: Iterable[EntityProxy], ids: Collection[str] = (),
              start: date | str | None = None, end: date | str | None = None,
              geocoder: Geocoder | None = None, findings: Iterable[Finding] = ()
              ) -> PlaceMap:
    """The places and routes among ``entities`` (addresses, trips, people, companies), and
    the routes of ``findings`` that follow something from city to city (``details["route"]``:
    those of the ids' findings only, and only stops seen within the dates).

    ``ids``: only the trips of these entities (as passengers, organisers, the trips themselves
    or their start and end addresses) and the places where these entities are located.
    ``start``/``end``: only trips departing in that range (ISO dates, inclusive); trips
    without a date are then left out. Addresses and residents have no date and stay.
    """
    geo = geocoder or Geocoder()
    wanted = set(ids)
    since, until = iso_day(start), iso_day(end)
    addresses: dict[str, EntityProxy] = {}
    trips: list[EntityProxy] = []
    located: list[EntityProxy] = []
    captions: dict[str, tuple[str, str, str | None]] = {}
    for proxy in entities:
        if not proxy.id:
            continue
        captions[proxy.id] = (proxy.caption or proxy.id, proxy.schema.name,
                              first_day(proxy) if proxy.schema.is_a("Trip") else None)
        if proxy.schema.is_a("Address"):
            addresses[proxy.id] = proxy
        elif proxy.schema.is_a("Trip"):
            trips.append(proxy)
        elif any(proxy.schema.is_a(s) for s in _LOCATED):
            located.append(proxy)

    out = _Builder(geo)
    address_place: dict[str, Place | None] = {}

    def of_address(address_id: str) -> Place | None:
        if address_id not in address_place:
            proxy = addresses.get(address_id)
            found, exact = geo.address(proxy) if proxy is not None else (None, False)
            address_place[address_id] = found
            if proxy is not None and not exact:
                out.missing(proxy.caption or address_id, APPROXIMATE if found else UNKNOWN,
                            address_id)
        return address_place[address_id]

    shown: set[str] = set()  # entity ids the result mentions
    # the addresses themselves (with an id filter, only those asked for or on a shown trip)
    for address_id, proxy in addresses.items():
        if not wanted or address_id in wanted:
            found = of_address(address_id)
            if found:
                out.locate(found, proxy)
                shown.add(address_id)
    # people, companies and organisations
    for proxy in located:
        entity_id = proxy.id
        if entity_id is None or (wanted and entity_id not in wanted):
            continue
        found = next(filter(None, map(of_address, proxy.get("addressEntity"))), None)
        country = proxy.first("country")
        texts = proxy.get("address")
        exact = True
        for text in texts:
            if found is not None:
                break
            found, exact = geo.text(text, country)
        if found is None and country and proxy.schema.is_a("Person"):
            found, exact = geo.country(country), True
        if found is not None:
            out.locate(found, proxy)
            shown.add(entity_id)
        if texts and (found is None or not exact):
            out.missing(texts[0], APPROXIMATE if found else UNKNOWN, entity_id)
    # trips
    total = placed = 0
    first: str | None = None
    last: str | None = None
    for trip in trips:
        trip_id = trip.id
        if trip_id is None:
            continue
        people = trip.get("involved")
        organizers = trip.get("organizer")
        ends = trip.get("startLocation")[:1] + trip.get("endLocation")[:1]
        if wanted and trip.id not in wanted and not wanted.intersection(
                people + organizers + ends):
            continue
        day = first_day(trip)
        if day:
            first, last = min(first or day, day), max(last or day, day)
        if (since or until) and (day is None or (since and day < since)
                                 or (until and day > until)):
            continue
        total += 1
        start_ref, end_ref = trip.first("startLocation"), trip.first("endLocation")
        source = of_address(start_ref) if start_ref is not None else None
        target = of_address(end_ref) if end_ref is not None else None
        for prop, end_place in (("startLocation", source), ("endLocation", target)):
            ref = trip.first(prop)
            if end_place is None:
                if ref is None:
                    out.missing(trip.caption, NO_LOCATION, trip.id)
                elif ref not in addresses:
                    out.missing(trip.caption, NOT_VISIBLE, trip.id)
                else:
                    out.missing(addresses[ref].caption, UNKNOWN, trip.id)
        shown.update([trip_id, *people, *organizers])
        for end_place, ref, leaving in ((source, trip.first("startLocation"), True),
                                        (target, trip.first("endLocation"), False)):
            if end_place is None:
                continue
            here = out.place(end_place)
            _add(here.trip_ids, trip.id)
            _add(here.entity_ids, ref)
            if ref:
                shown.add(ref)
            for person in people:
                _add(here.person_ids, person)
            if leaving:
                here.departures += 1
            else:
                here.arrivals += 1
        if source is None or target is None:
            continue
        placed += 1
        route = out.routes.setdefault((source.id, target.id, "trip"),
                                      Route(source.id, target.id))
        route.trips += 1
        _add(route.trip_ids, trip.id)
        for person in people:
            _add(route.passenger_ids, person)
        for person in organizers:
            _add(route.organizer_ids, person)
        if day:
            route.first = min(route.first or day, day)
            route.last = max(route.last or day, day)

    for finding in findings:
        if finding.review.state.value != "dismissed":
            out.followed(finding, wanted, since, until)

    for item in out.unplaced.values():
        shown.update(item.entity_ids)
    places = sorted(out.places.values(), key=lambda p: (-p.activity, p.name))
    routes = sorted(out.routes.values(), key=lambda r: (r.kind != "trip", -r.trips, -r.moves,
                                                         r.source, r.target))
    return PlaceMap(places, routes, list(out.unplaced.values()),
                    {i: captions[i] for i in sorted(shown) if i in captions},
                    trips_total=total, trips_placed=placed, first=first, last=last)
