"""The timeline: a case's trips, payments, ads, employment, company records and findings in
time. The drawing is the TypeScript module static/dist/timeline.js (vis-timeline); the events
come from :mod:`veriga.chain.timeline` over what the workspace lets the user see."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

import pyarrow as pa
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from veriga.chain import timeline as tl
from veriga.chain.labels import PROPERTIES
from veriga.findings import Finding
from veriga.model import EntityProxy
from veriga.model.records import RECORD_KINDS
from veriga.web.api import CASE, errors
from veriga.web.i18n import labels, translations
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.entities import entity_url
from veriga.workspace import PermissionDenied, cache
from veriga.workspace.cache import Codec, json_codec

router = APIRouter()
Current = Annotated[Web, Depends(current)]
MAX_IDS = 200
ID_CHUNK = 500  # entities asked for at once (SQL parameters)


def N_(msgid: str) -> str:  # noqa: N802 - the gettext marker `make messages` extracts
    return msgid


#: The UI strings of static/dist/timeline.js, translated into the page's data-i18n.
UI = (
    N_("Findings"), N_("Trips"), N_("Payments"), N_("Advertisements"), N_("Employment"),
    N_("Directorships"), N_("Ownerships"), N_("Companies"), N_("Other links"),
    N_("Kinds of event"), N_("Dates"), N_("From"), N_("To"), N_("Apply"), N_("Reset"),
    N_("Zoom in"), N_("Zoom out"), N_("Fit all"), N_("Loading…"),
    N_("%(count)s events shown."),
    N_("Too many events: a sample of %(shown)s of %(total)s is shown, spread over time. "
       "Narrow the dates or kinds to see them all."),
    N_("No events match these filters."), N_("Error: %(message)s"), N_("Details"),
    N_("Select an event on the timeline or in the table to see its details."),
    N_("Kind"), N_("Amount"), N_("Involved"), N_("Score"), N_("State"),
    N_("Open entity page"), N_("Open in the network"), N_("Open finding"),
    N_("Events as a table"), N_("Start"), N_("End"), N_("Event"), N_("Show"),
    N_("Timeline chart: every event is also listed in the table below."),
    N_("Payer"), N_("Payer bank account"), N_("Beneficiary"), N_("Beneficiary bank account"),
    N_("Start location"), N_("End location"), N_("Organizer"), N_("Employer"),
    N_("Employee"), N_("Director"), N_("Organization"), N_("Owner"), N_("Asset"),
    N_("Advertiser"), N_("Evidence"), N_("new"), N_("confirmed"), N_("dismissed"),
    N_("Moves"), N_("Lanes"), N_("one per kind of event"), N_("one per person or company"),
    N_("Others"), N_("%(count)s events: zoom in to see them"), N_("Show on the map"),
    N_("Selected on the map"), N_("Selected in the network"), N_("%(count)s events here."),
    *PROPERTIES,  # how each party takes part: the label of its property
)


class PartyOut(BaseModel):
    id: str
    label: str
    schema_: str = Field(alias="schema", description="FtM schema of the party, \"\" if unknown")
    role: str = Field(description="the FtM property naming the party: payer, involved…")
    role_label: str
    url: str
    actor: bool = Field(description="a person, company or organisation (FtM LegalEntity)")


class EventOut(BaseModel):
    id: str
    kind: str = Field(description=f"one of {', '.join(tl.KINDS)}")
    start: str = Field(description="ISO 8601 date or date and time")
    end: str | None = Field(None, description="inclusive; none for an event at one time")
    label: str
    entity_ids: list[str]
    url: str | None
    schema_: str | None = Field(None, alias="schema", description="FtM schema of the event's "
                                                                   "entity (none: a finding)")
    entity_id: str | None = None
    parties: list[PartyOut]
    amount: float | None = None
    currency: str | None = None
    detail: str | None = None
    score: float | None = None
    state: str | None = None


class TimelineOut(BaseModel):
    """Dated events of a case, the earliest first, at most ``limit`` of them."""

    case: str
    events: list[EventOut]
    total: int = Field(description="events matching the filters, before the cap")
    truncated: bool = Field(description="true when events beyond the cap were left out")
    limit: int
    counts: dict[str, int] = Field(description="matching events by kind, before the cap")
    start: str | None = Field(description="first date of the matching events")
    end: str | None = Field(description="last date of the matching events")
    kinds: list[str] = Field(description="every kind of event, in display order")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _record_dates(web: Web, case: str, record_ids: Collection[str]) -> dict[str, str]:
    """The date of each cited bulk record (booking date, call start), by record id."""
    if not record_ids:
        return {}
    engine = web.ws.records.engine(case)
    try:
        engine.register_arrow("wanted_records", pa.table({"record_id": sorted(record_ids)}))
        out: dict[str, str] = {}
        for kind, spec in RECORD_KINDS.items():
            column = next((f.name for f in spec.fields
                           if pa.types.is_date(f.type) or pa.types.is_timestamp(f.type)), None)
            if column is None:
                continue
            rows = engine.query(
                f'SELECT r.record_id, CAST(r."{column}" AS VARCHAR) AS day FROM "{kind}" r '
                "JOIN wanted_records w ON w.record_id = r.record_id "
                f'WHERE r."{column}" IS NOT NULL')
            out.update(zip(rows.column(0).to_pylist(),
                           (str(d)[:19].replace(" ", "T") for d in rows.column(1).to_pylist()),
                           strict=True))
        return out
    finally:
        engine.close()


def _cited_dates(web: Web, case: str, findings: list[Finding]) -> dict[str, str]:
    """The dates of every record the reader's findings cite, made once per change of the
    case's data and findings (not per review) and kept in the store: finding them scans
    every bulk record of the case (seconds on a large case), and a timeline of one entity
    asked it again each time."""
    if not findings:
        return {}
    return web.ws.records.kept(case, "timeline-record-dates", lambda: _record_dates(
        web, case, tl.finding_record_ids(findings)), codec=cache.AS_JSON, reviews=False)


def _findings(web: Web, case: str) -> list[Finding]:
    try:
        return web.ws.findings.list(case, shared=True)
    except PermissionDenied:  # a role that sees entities but not findings
        return []


def _by_id(web: Web, case: str, ids: Collection[str]) -> list[EntityProxy]:
    wanted = sorted(ids)
    return [p for i in range(0, len(wanted), ID_CHUNK)
            for p in web.ws.entities.by_id(case, wanted[i:i + ID_CHUNK])]


def _entities(web: Web, case: str, ids: list[str], kinds: list[str] | None,
              findings: list[Finding]) -> tuple[list[EntityProxy], set[str]]:
    """The entities to build events from, and the ids events must involve (empty: all).

    For chosen entities: their neighbourhood (every payment, trip, employment... linking
    to them), widened by the bank accounts they hold, whose payments are theirs too. For
    some kinds of event only: entities of those schemata, and those they refer to."""
    if ids:
        around = web.ws.entities.neighbourhood(case, ids).entities
        accounts = tl.held_accounts(around, ids)
        if accounts - set(ids):
            around = web.ws.entities.neighbourhood(case, sorted(set(ids) | accounts)).entities
        return around, set(ids) | accounts
    schemata = tl.schemata_for(kinds) if kinds else None
    if schemata is None:
        return list(web.ws.entities.list(case)), set()
    dated = list(web.ws.entities.list(case, schemata)) if schemata else []
    have = {p.id for p in dated}
    refs = {v for p in dated for prop, v in p.itervalues() if prop.type.name == "entity"}
    refs |= {i for f in findings for i in f.evidence.entity_ids}
    return dated + _by_id(web, case, refs - have), set()


def _events_from(data: dict[str, Any]) -> tuple[list[tl.Event], set[str]]:
    events = [tl.Event(**{**e, "parties": [tl.Party(**p) for p in e["parties"]]})
              for e in data["events"]]
    return events, set(data["involved"])


#: The case's events to JSON and back, kept for every server process.
EVENTS_JSON: Codec[tuple[list[tl.Event], set[str]]] = json_codec(
    lambda v: {"events": [e.to_dict() for e in v[0]], "involved": sorted(v[1])}, _events_from)


def _events(web: Web, case: str, ids: list[str], kinds: list[str] | None
            ) -> tuple[list[tl.Event], set[str]]:
    """The events of the case (those of ``kinds``), or those involving ``ids``; and the ids
    events must involve (empty: all)."""
    findings = (_findings(web, case) if kinds is None or {"finding", "route"} & set(kinds)
                else [])
    entities, involved = _entities(web, case, ids, kinds, findings)
    dates = _cited_dates(web, case, findings)
    if involved:
        findings = [f for f in findings if involved & set(f.evidence.entity_ids)]
    trans = translations(web.lang)
    found = tl.events(entities, findings, record_dates=dates, entity_url=entity_url(case),
                      finding_url=lambda f: (f"/cases/{quote(case)}/findings?"
                                             f"kind={quote(f.kind)}&state=#{f.id}"),
                      describe=lambda f: (f.heading(trans.gettext, web.lang),
                                          f.text(trans.gettext, web.lang)),
                      labels=labels(web.lang))
    return found, involved


def timeline_json(web: Web, case: str, ids: list[str], start: date | None = None,
                  end: date | None = None, kinds: list[str] | None = None,
                  limit: int = tl.DEFAULT_LIMIT) -> bytes:
    """The case's timeline as the acting user may see it, as JSON. The whole case's answer
    to the same filters is given again while the case's events are what they were (each
    request still reads them, audited, as the reader sees them)."""
    _check(start, end, kinds)

    def make() -> bytes:
        found, involved = _found(web, case, ids, kinds)
        out = _chosen(case, found, involved, start, end, kinds, limit)
        return out.model_dump_json(by_alias=True).encode()

    if ids:
        return make()
    # the answer itself is kept, in the store too: a worker that has not read the case's
    # events since a change answers without them (a large case's: 11 s to read back)
    what = (f"timeline-answer:{case}:{start}:{end}:"
            f"{','.join(sorted(kinds)) if kinds is not None else '*'}:{limit}")
    return web.ws.entities.derived(case, what, tl.schemata_for(kinds) if kinds else None, make,
                                   version=web.lang, findings=True, codec=cache.AS_BYTES)


def _check(start: date | None, end: date | None, kinds: list[str] | None) -> None:
    """The filters checked (422 with what is wrong)."""
    unknown = set(kinds or ()) - set(tl.KINDS)
    if unknown:
        raise HTTPException(422, f"unknown kind(s) {', '.join(sorted(unknown))}; "
                                 f"known: {', '.join(tl.KINDS)}")
    if start and end and start > end:
        raise HTTPException(422, "'from' is after 'to'")


def _found(web: Web, case: str, ids: list[str], kinds: list[str] | None
           ) -> tuple[list[tl.Event], set[str]]:
    """The events to choose from (the whole case's kept value, or those of ``ids``) and the
    ids they must involve."""
    if ids:  # a record merged since: its entity (events name the entity)
        merged = web.ws.entities.merged(case)
        ids = list(dict.fromkeys(merged.get(i, i) for i in ids))
        found, involved = _events(web, case, ids[:MAX_IDS], kinds)
    else:  # the whole case's events, made once per change of its data and findings (not
        # per review: a large case's take a minute; the reviews are applied to them here)
        what = "timeline:" + (",".join(sorted(kinds)) if kinds is not None else "*")
        schemata = tl.schemata_for(kinds) if kinds else None
        found, involved = web.ws.entities.derived(
            case, what, schemata, lambda: _events(web, case, [], kinds), version=web.lang,
            findings=True, codec=EVENTS_JSON, reviews=False)
        found = tl.with_states(found, {f.id: f.review.state.value
                                       for f in _findings(web, case)})
    return found, involved


def _chosen(case: str, found: list[tl.Event], involved: set[str], start: date | None,
            end: date | None, kinds: list[str] | None, limit: int) -> TimelineOut:
    chosen = tl.select(found, ids=involved or None, start=start.isoformat() if start else None,
                       end=end.isoformat() if end else None,
                       kinds=set(kinds) if kinds is not None else None, limit=limit)
    return TimelineOut.model_validate({
        "case": case, "events": [e.to_dict() for e in chosen.events], "total": chosen.total,
        "truncated": chosen.truncated, "limit": chosen.limit, "counts": chosen.counts,
        "start": chosen.start, "end": chosen.end, "kinds": list(tl.KINDS)})


@router.get("/api/cases/{case}/timeline", tags=["timeline"], responses=errors(*CASE),
            response_model=TimelineOut)
def timeline_api(
    case: str, web: Current,
    ids: Annotated[str, Query(description="comma-separated entity ids; empty: the whole "
                                          "case")] = "",
    start: Annotated[date | None, Query(alias="from", description="first day (ISO)")] = None,
    end: Annotated[date | None, Query(alias="to", description="last day (ISO)")] = None,
    kinds: Annotated[str, Query(description=f"comma-separated, of {', '.join(tl.KINDS)}; "
                                            "empty: all")] = "",
    limit: Annotated[int, Query(ge=1, le=tl.MAX_LIMIT)] = tl.DEFAULT_LIMIT,
) -> Response:
    """Dated events of the case (trips, payments, ads, employment, directorships, ownerships,
    company lifetimes, findings), optionally only those involving the given entities (or the
    accounts they hold), overlapping a date range, of some kinds; the earliest ``limit``."""
    return Response(timeline_json(web, case, _split(ids), start, end, _split(kinds) or None,
                                  limit), media_type="application/json")


@router.get("/cases/{case}/timeline", include_in_schema=False)
def timeline_page(request: Request, case: str, web: Current, ids: str = "") -> Response:
    web.ws.cases.get(case)  # a clear 404 for a case the user cannot open
    trans = translations(web.lang)
    strings = {key: trans.gettext(key) for key in UI}
    chosen = _split(ids)[:MAX_IDS]
    names = {p.id: p.caption for p in web.ws.entities.by_id(case, chosen)} if chosen else {}
    return request.app.state.render(
        request, web, "timeline.html", ids=",".join(chosen),
        chosen=[{"id": i, "label": names.get(i, i), "url": entity_url(case)(i)}
                for i in chosen],
        i18n=json.dumps(strings, ensure_ascii=False))


def _prepare(web: Web, case: str) -> None:
    """The whole case's timeline as the page first asks for it, made ahead for the reader
    (:mod:`veriga.web.prepared`)."""
    timeline_json(web, case, [])


VIEW = View("timeline", "Timeline", router, order=50, key="t", prepare=_prepare)
