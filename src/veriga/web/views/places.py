"""The map: places (cities, countries, addresses with coordinates) and the routes travelled
between them, from the case's addresses, people, companies and trips. Geocoded offline by
:mod:`veriga.chain.places`; drawn by the TypeScript module static/dist/map.js (Leaflet with
country outlines from world-atlas, no tile server)."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from veriga.chain.gazetteer import gazetteer
from veriga.chain.places import MAP_SCHEMATA, PlaceMap, place_map
from veriga.findings import N_
from veriga.web.api import CASE, errors
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.entities import entity_url
from veriga.workspace import PermissionDenied
from veriga.workspace.cache import Codec, json_codec

router = APIRouter()
Current = Annotated[Web, Depends(current)]
MAX_IDS = 200
MIN_SCORE = 0.5  # findings whose routes are drawn score at least this (flagged, as the chain)

#: The UI strings of static/dist/map.js, translated into the page's data-i18n.
UI = (
    N_("Map of places and routes"), N_("From"), N_("To"), N_("Apply"), N_("Reset"),
    N_("Loading…"), N_("Error: %(message)s"),
    N_("Places: %(places)s, routes: %(routes)s."),
    N_("Trips with both ends on the map: %(placed)s of %(total)s."),
    N_("Trips from %(first)s to %(last)s."),
    N_("Only the routes and places of the selected entities (%(n)s) are shown."),
    N_("Show everything"), N_("Nothing to show for these filters."),
    N_("Places"), N_("Routes"), N_("Place"), N_("Country"), N_("Entities"), N_("Trips"),
    N_("People"), N_("Departures"), N_("Arrivals"), N_("First trip"), N_("Last trip"),
    N_("Passengers"), N_("Booked by"), N_("Show on map"), N_("Open in the network"),
    N_("and %(n)s more"), N_("Trips: %(n)s"),
    N_("Not on the map"), N_("Why"), N_("Mentioned by"),
    N_("city"), N_("country"), N_("coordinates"),
    N_("Circle size: entities and trips at the place. Line width: number of trips."),
    N_("%(n)s places: %(names)s"),
    N_("Lines curve to the right of their direction; the arrow points to the destination."),
    N_("The map is drawn in the browser; every place and route is also listed in the tables "
       "below."),
    N_("Person"), N_("Company"), N_("LegalEntity"), N_("Organization"), N_("Address"),
    N_("Trip"), N_("unknown place"), N_("city not recognised, shown in its country"),
    N_("no location"), N_("location not visible"),
    N_("Moves of an operation: %(n)s"), N_("Findings"), N_("Moves"),
    N_("Selected in the timeline"), N_("Selected in the network"), N_("Zoom in"),
    N_("Zoom out"),
    N_("%(places)s places and %(routes)s routes here."),
)


class PlaceOut(BaseModel):
    id: str = Field(description='"city:<geonameid>", "country:<iso>" or "point:<lat>,<lon>"')
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2, lower case; empty if unknown")
    lat: float
    lon: float
    kind: Literal["city", "country", "point"]
    activity: int = Field(description="entities located here plus trips from or to here")
    entity_ids: list[str] = Field(description="addresses, people, companies located here")
    trip_ids: list[str]
    person_ids: list[str] = Field(description="people living here or travelling through")
    departures: int
    arrivals: int
    finding_ids: list[str] = Field(description="findings whose route stops here")


class RouteOut(BaseModel):
    source: str = Field(description="place id")
    target: str = Field(description="place id")
    trips: int
    first: str | None = Field(description="ISO date of the first trip")
    last: str | None
    passenger_ids: list[str]
    organizer_ids: list[str] = Field(description="who booked or paid the trips")
    trip_ids: list[str]
    kind: Literal["trip", "finding"] = Field(
        description="trip: trips travelled; finding: an operation's ads moving on")
    moves: int = Field(description="kind finding: moves along this leg")
    finding_ids: list[str]


class FindingRef(BaseModel):
    title: str
    url: str
    score: float


class UnplacedOut(BaseModel):
    text: str
    reason: str
    entity_ids: list[str]


class EntityOut(BaseModel):
    name: str
    schema_: str = Field(alias="schema")
    url: str
    date: str | None = Field(None, description="the departure date of a trip")


class MapOut(BaseModel):
    """The places and routes of the case within the filters."""

    places: list[PlaceOut]
    routes: list[RouteOut]
    unplaced: list[UnplacedOut] = Field(description="what could not be placed, and who says so")
    entities: dict[str, EntityOut] = Field(description="names of the entities mentioned")
    trips_total: int = Field(description="trips within the filters")
    trips_placed: int = Field(description="of those, trips with both ends on the map")
    first: str | None = Field(description="first trip date (before the date filter)")
    last: str | None
    findings: dict[str, FindingRef] = Field(
        default_factory=dict, description="the findings whose routes are drawn")


def _ids(raw: str) -> list[str]:
    ids = [i.strip() for i in raw.split(",") if i.strip()]
    if len(ids) > MAX_IDS:
        raise HTTPException(422, f"at most {MAX_IDS} entity ids at once")
    return ids


def _out(found: PlaceMap, case: str, findings: dict[str, FindingRef] | None = None) -> MapOut:
    url = entity_url(case)
    return MapOut(
        places=[PlaceOut(id=p.id, name=p.name, country=p.country, lat=p.lat, lon=p.lon,
                         kind=p.kind, activity=p.activity, entity_ids=p.entity_ids,
                         trip_ids=p.trip_ids, person_ids=p.person_ids,
                         departures=p.departures, arrivals=p.arrivals,
                         finding_ids=p.finding_ids) for p in found.places],
        routes=[RouteOut(source=r.source, target=r.target, trips=r.trips, first=r.first,
                         last=r.last, passenger_ids=r.passenger_ids,
                         organizer_ids=r.organizer_ids, trip_ids=r.trip_ids,
                         kind="finding" if r.kind == "finding" else "trip", moves=r.moves,
                         finding_ids=r.finding_ids)
                for r in found.routes],
        unplaced=[UnplacedOut(text=u.text, reason=u.reason, entity_ids=u.entity_ids)
                  for u in found.unplaced],
        entities={i: EntityOut(name=name, schema=schema, url=url(i), date=day)
                  for i, (name, schema, day) in found.entities.items()},
        trips_total=found.trips_total, trips_placed=found.trips_placed,
        first=found.first, last=found.last, findings=findings or {})


@router.get("/api/cases/{case}/map", tags=["map"], response_model=MapOut,
            responses=errors(*CASE))
def map_api(case: str, web: Current, ids: str = "",
            start: Annotated[date | None, Query(alias="from")] = None,
            end: Annotated[date | None, Query(alias="to")] = None) -> MapOut:
    """Places and routes of the case: ``ids`` (comma-separated) keeps the trips of these
    entities and the places where they are; ``from``/``to`` (ISO dates, inclusive) keep the
    trips departing in that range."""
    if start and end and start > end:
        raise HTTPException(422, "'from' is after 'to'")
    wanted = _ids(ids)
    if wanted:  # a record merged since: its entity (trips and places name the entity)
        merged = web.ws.entities.merged(case)
        wanted = list(dict.fromkeys(merged.get(i, i) for i in wanted))
    return _map(web, case, wanted, start, end)


def _map(web: Web, case: str, wanted: list[str], start: date | None, end: date | None
         ) -> MapOut:
    """The map, made once per change of the case's data, findings, the reader's view and
    language."""
    return web.ws.entities.derived(case, "map", MAP_SCHEMATA, lambda: _map_now(
        web, case, wanted, start, end), version=(web.lang, tuple(wanted), start, end),
        findings=True, codec=MAP_JSON)


#: The map to JSON and back, kept for every server process.
MAP_JSON: Codec[MapOut] = json_codec(lambda m: m.model_dump(mode="json", by_alias=True),
                                     MapOut.model_validate)


def _map_now(web: Web, case: str, wanted: list[str], start: date | None,
             end: date | None) -> MapOut:
    try:  # the routes flagged findings follow (an operation's ads moving from city to city)
        followed = [f for f in web.ws.findings.list(case)
                    if (f.details or {}).get("route") and f.score >= MIN_SCORE]
    except PermissionDenied:  # a role that sees entities but not findings
        followed = []
    found = place_map(web.ws.entities.list(case, MAP_SCHEMATA), ids=wanted, start=start, end=end,
                      findings=followed)
    trans = translations(web.lang)
    drawn = {i for r in found.routes for i in r.finding_ids}
    refs = {f.id: FindingRef(title=f.heading(trans.gettext, web.lang), score=f.score,
                             url=f"/cases/{quote(case)}/findings?kind={quote(f.kind)}&state=#{f.id}")
            for f in followed if f.id in drawn}
    return _out(found, case, refs)


@router.get("/cases/{case}/map", include_in_schema=False)
def map_page(request: Request, case: str, web: Current, ids: str = "",
             start: Annotated[str, Query(alias="from")] = "",
             end: Annotated[str, Query(alias="to")] = "") -> Response:
    threading.Thread(target=gazetteer, daemon=True).start()  # loaded before map.js asks
    trans = translations(web.lang)
    labels = {key: trans.gettext(key) for key in UI}
    return request.app.state.render(
        request, web, "map.html", ids=",".join(_ids(ids)), start=_date(start), end=_date(end),
        i18n=json.dumps(labels, ensure_ascii=False))


def _date(text: str) -> str:
    """A filter date from the page's URL, or "" if it is not an ISO date."""
    try:
        return date.fromisoformat(text).isoformat() if text else ""
    except ValueError:
        return ""


def _prepare(web: Web, case: str) -> None:
    """The whole case's map, made ahead for the reader (:mod:`veriga.web.prepared`)."""
    _map(web, case, [], None, None)


VIEW = View("map", "Map", router, order=60, key="m", prepare=_prepare)
