"""The case in time: dated events for the timeline.

Trips, payments (FtM ``Payment`` entities: one per account pair and month, so a date range),
advertisements, employment, directorships and ownerships, company lifetimes (registered to
dissolved), any other dated link, findings dated by the records and events they rest on, and
the stops of a finding that follows something from city to city (``details["route"]``, an
operation's ads say): one ``route`` event per city, from first to last seen there.

The functions here are pure: they take entity proxies and findings (as the workspace returned
them, so already minimised for NGO users) and never reach the store or the web.

    found = events(entities, findings, record_dates=dates, entity_url=url)
    view = select(found, ids={"..."}, start="2026-01-01", kinds={"trip"}, limit=500)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from followthemoney import EntityProxy, model

from veriga.chain.labels import ENGLISH, Labels
from veriga.findings import Finding
from veriga.model import core_schema
from veriga.model.dates import iso_day

#: Kinds of event, in the order the timeline shows their groups: records first, then the
#: findings inferred from them.
KINDS = ("trip", "ad", "payment", "employment", "directorship", "ownership", "company",
         "other", "route", "finding")
#: The kind of event each schema's entities make (other dated Interval schemata: "other").
SCHEMA_KIND = {"Trip": "trip", "Payment": "payment", "Advertisement": "ad",
               "Employment": "employment", "Directorship": "directorship",
               "Ownership": "ownership"}
#: Dates of an ad, in order of preference.
AD_DATES = ("postedAt", "publishedAt", "date")
DEFAULT_LIMIT = 2000
MAX_LIMIT = 20000
MAX_PARTIES = 25  # parties listed with a finding's event

UrlFor = Callable[[str], str]


@dataclass
class Party:
    """An entity an event involves, in a role (the FtM property that names it)."""

    id: str
    label: str
    schema: str
    role: str  # property name: payer, beneficiary, involved, ...
    role_label: str  # the property's English label: "Payer"
    url: str
    actor: bool = False  # a person, company or organisation (not a place, account or vehicle)


def is_actor(schema: str) -> bool:
    """Whether entities of ``schema`` act (FtM ``LegalEntity``: people, companies,
    organisations), as opposed to the places, accounts and things events also involve."""
    found = model.get(schema) if schema else None
    return found is not None and found.is_a("LegalEntity")


@dataclass
class Event:
    """One dated event: a point (``end`` None) or a range; dates are ISO 8601 strings."""

    id: str
    kind: str
    start: str
    end: str | None
    label: str
    entity_ids: list[str]  # the event's own entity (if any) and every entity it involves
    url: str | None
    schema: str | None = None
    entity_id: str | None = None  # the entity the event is (None for a finding)
    parties: list[Party] = field(default_factory=list)
    amount: float | None = None
    currency: str | None = None
    detail: str | None = None
    score: float | None = None  # findings only
    state: str | None = None  # findings only: new / confirmed / dismissed

    @property
    def last(self) -> str:
        return self.end or self.start

    def to_dict(self) -> dict[str, Any]:
        """As :func:`dataclasses.asdict` makes it, written out: a whole case's timeline
        turns thousands of events into dicts on every request."""
        return {"id": self.id, "kind": self.kind, "start": self.start, "end": self.end,
                "label": self.label, "entity_ids": list(self.entity_ids), "url": self.url,
                "schema": self.schema, "entity_id": self.entity_id,
                "parties": [p.__dict__.copy() for p in self.parties],
                "amount": self.amount, "currency": self.currency, "detail": self.detail,
                "score": self.score, "state": self.state}


@dataclass
class Timeline:
    """The events chosen by :func:`select`, with the numbers to say what was left out."""

    events: list[Event]
    total: int  # events matching the filters, before the cap
    truncated: bool
    limit: int
    counts: dict[str, int]  # matching events by kind (before the cap)
    start: str | None  # the span of the matching events
    end: str | None


def _span(proxy: EntityProxy, starts: Iterable[str], ends: Iterable[str]
          ) -> tuple[str, str | None] | None:
    """The earliest start and latest end among the properties; None when undated."""
    first = sorted(v for p in starts if p in proxy.schema.properties for v in proxy.get(p))
    last = sorted(v for p in ends if p in proxy.schema.properties for v in proxy.get(p))
    if not first and not last:
        return None
    start = first[0] if first else last[0]
    end = last[-1] if last else (first[-1] if len(first) > 1 else None)
    if end is not None and end <= start:
        end = None
    return start, end


def _caption(proxy: EntityProxy | None, fallback: str) -> str:
    if proxy is None:
        return fallback
    return proxy.caption or fallback


def _amount(proxy: EntityProxy) -> tuple[float | None, str | None]:
    if "amount" not in proxy.schema.properties:
        return None, None
    try:
        total = sum(float(v) for v in proxy.get("amount"))
    except ValueError:
        return None, None
    return (total if proxy.get("amount") else None), proxy.first("currency")


class _Builder:
    """Turns proxies into events, naming the entities they refer to."""

    def __init__(self, proxies: Mapping[str, EntityProxy], entity_url: UrlFor,
                 labels: Labels = ENGLISH) -> None:
        self.proxies = proxies
        self.url = entity_url
        self.labels = labels
        self._named: dict[str, tuple[str, str, str]] = {}  # id -> caption, schema, url
        self._labels: dict[Any, str] = {}  # property -> label (FtM looks it up each time)

    def named(self, entity_id: str) -> tuple[str, str, str]:
        """Caption, schema and page of an entity (captions are slow to compute: once each)."""
        found = self._named.get(entity_id)
        if found is None:
            other = self.proxies.get(entity_id)
            found = (_caption(other, entity_id), other.schema.name if other else "",
                     self.url(entity_id))
            self._named[entity_id] = found
        return found

    def parties(self, proxy: EntityProxy) -> list[Party]:
        out = []
        for prop, value in proxy.itervalues():
            if prop.type.name != "entity" or value == proxy.id or prop.name == "proof":
                continue
            label = self._labels.get(prop)
            if label is None:
                label = self._labels[prop] = prop.label
            caption, schema, url = self.named(value)
            out.append(Party(value, caption, schema, prop.name, label, url, is_actor(schema)))
        return out

    def name(self, parties: list[Party], *roles: str) -> str:
        return ", ".join(p.label for p in parties if p.role in roles)

    def event(self, proxy: EntityProxy) -> Event | None:
        schema = proxy.schema
        if schema.name == "Advertisement" or schema.is_a("Advertisement"):
            return self._make(proxy, "ad", _span(proxy, AD_DATES[:1], ()) or
                              _span(proxy, AD_DATES[1:], ()))
        if schema.is_a("Interval"):
            kind = SCHEMA_KIND.get(schema.name) or SCHEMA_KIND.get(core_schema(schema).name,
                                                                   "other")
            return self._make(proxy, kind, _span(proxy, ("startDate", "date"),
                                                 ("endDate",)))
        if schema.is_a("LegalEntity") and not schema.is_a("Person"):
            return self._make(proxy, "company", _span(proxy, ("incorporationDate",),
                                                      ("dissolutionDate",)))
        return None

    def _make(self, proxy: EntityProxy, kind: str,
              span: tuple[str, str | None] | None) -> Event | None:
        if span is None or proxy.id is None:
            return None
        parties = self.parties(proxy)
        amount, currency = _amount(proxy)
        event = Event(id=proxy.id, kind=kind, start=span[0], end=span[1],
                      label=self.label(proxy, kind, parties, amount, currency),
                      entity_ids=[proxy.id] + [p.id for p in parties if p.id != proxy.id],
                      url=self.url(proxy.id), schema=proxy.schema.name, entity_id=proxy.id,
                      parties=parties, amount=amount, currency=currency,
                      detail=self.detail(proxy, kind))
        event.entity_ids = list(dict.fromkeys(event.entity_ids))
        return event

    def label(self, proxy: EntityProxy, kind: str, parties: list[Party],
              amount: float | None, currency: str | None) -> str:
        name = self.name
        if kind == "trip":
            route = " → ".join(x for x in (name(parties, "startLocation"),
                                           name(parties, "endLocation")) if x)
            who = name(parties, "involved")
            return " · ".join(x for x in (route or proxy.caption, who) if x)
        if kind == "payment":
            money = self.labels.money(amount, currency) if amount is not None else ""
            flow = " → ".join(x for x in (name(parties, "payer") or name(parties, "payerAccount"),
                                          name(parties, "beneficiary")
                                          or name(parties, "beneficiaryAccount")) if x)
            return " · ".join(x for x in (money, flow) if x) or proxy.caption
        if kind == "ad":
            title = proxy.first("title") or proxy.caption
            where = ", ".join(x for x in (proxy.first("site"), proxy.first("city")) if x)
            return f"{title} ({where})" if where else title
        if kind == "company":
            return proxy.caption
        ends = {"employment": ("employee", "employer"), "directorship": ("director",
                                                                         "organization"),
                "ownership": ("owner", "asset")}.get(kind)
        if ends is None and proxy.schema.edge:
            ends = (proxy.schema.edge_source or "", proxy.schema.edge_target or "")
        if ends:
            pair = " → ".join(x for x in (name(parties, ends[0]), name(parties, ends[1]))
                              if x)
            role = proxy.first("role")
            share = proxy.first("percentage") if kind == "ownership" else None
            extra = f"{share} %" if share else role
            text = " · ".join(x for x in (pair, extra) if x)
            return text or proxy.caption
        return proxy.caption

    @staticmethod
    def detail(proxy: EntityProxy, kind: str) -> str | None:
        props = {"payment": ("purpose", "summary"), "ad": ("category", "price", "phone"),
                 "employment": ("role", "summary"), "company": ("registrationNumber",
                                                                "jurisdiction", "status"),
                 "trip": ("name",)}.get(kind, ("role", "summary", "description"))
        values = [v for p in props if p in proxy.schema.properties for v in proxy.get(p)]
        return " · ".join(values) or None


def events(
    entities: Iterable[EntityProxy],
    findings: Iterable[Finding] = (),
    *,
    record_dates: Mapping[str, str] | None = None,
    entity_url: UrlFor = lambda entity_id: entity_id,
    finding_url: Callable[[Finding], str] | None = None,
    describe: Callable[[Finding], tuple[str, str]] | None = None,
    labels: Labels = ENGLISH,
) -> list[Event]:
    """Every dated event among ``entities``, and the findings with a date.

    ``entities`` should include the entities the events refer to (people, accounts,
    places) so that events are labelled with their names; ids stand in for those missing.
    A finding is dated by ``record_dates`` (record id → ISO date, e.g. transaction booking
    dates) of the records it cites and by the events among its evidence entities; a finding
    with neither is left out; ``describe`` gives its title and explanation (in the reader's
    language; the English ones by default); amounts are written in the locale of ``labels``.
    Events are sorted by start, kind and id.
    """
    proxies = {p.id: p for p in entities if p.id}
    builder = _Builder(proxies, entity_url, labels)
    out = [e for e in map(builder.event, proxies.values()) if e is not None]
    by_id = {e.id: e for e in out}
    dates = record_dates or {}
    for finding in findings:
        event = _finding_event(finding, by_id, dates, builder, finding_url,
                               describe or (lambda f: (f.title or f.kind, f.explanation)))
        if event is not None:
            out.append(event)
        out += _route_events(finding, finding_url,
                             describe or (lambda f: (f.title or f.kind, f.explanation)))
    out.sort(key=lambda e: (e.start, KINDS.index(e.kind), e.id))
    return out


def _finding_event(finding: Finding, by_id: Mapping[str, Event], dates: Mapping[str, str],
                   builder: _Builder, url: Callable[[Finding], str] | None,
                   describe: Callable[[Finding], tuple[str, str]]) -> Event | None:
    evidence = finding.evidence
    days = [dates[r] for r in evidence.record_ids if r in dates]
    for entity_id in evidence.entity_ids:
        dated = by_id.get(entity_id)
        if dated is not None:
            days += [dated.start, dated.last]
    if not days:
        return None
    start, end = min(days), max(days)
    parties = []
    for entity_id in evidence.entity_ids[:MAX_PARTIES]:
        caption, schema, page = builder.named(entity_id)
        dated = by_id.get(entity_id)  # an employment, a payment...: say which
        parties.append(Party(entity_id, dated.label if dated else caption, schema, "evidence",
                             "Evidence", page, is_actor(schema)))
    title, explanation = describe(finding)
    return Event(id=finding.id, kind="finding", start=start,
                 end=end if iso_day(end) != iso_day(start) else None,
                 label=f"{finding.kind} · {title or finding.kind}",
                 entity_ids=list(evidence.entity_ids), url=url(finding) if url else None,
                 parties=parties, detail=explanation, score=finding.score,
                 state=finding.review.state.value)


def _route_events(finding: Finding, url: Callable[[Finding], str] | None,
                  describe: Callable[[Finding], tuple[str, str]]) -> list[Event]:
    """One event per stop of the finding's route: the city, from first to last seen."""
    stops = (finding.details or {}).get("route") or []
    if not isinstance(stops, list):
        return []
    title = None
    out = []
    for i, stop in enumerate(stops):
        if not isinstance(stop, dict) or not stop.get("city") or not stop.get("first_seen"):
            continue
        if title is None:
            title = describe(finding)[0] or finding.kind
        start, last = str(stop["first_seen"]), str(stop.get("last_seen") or stop["first_seen"])
        count = stop.get("count")
        out.append(Event(
            id=f"{finding.id}:{i}", kind="route", start=start,
            end=last if iso_day(last) != iso_day(start) else None,
            label=f"{stop['city']} · {title}", entity_ids=list(finding.evidence.entity_ids),
            url=url(finding) if url else None,
            detail=f"{stop['city']} ({count})" if count else str(stop["city"]),
            score=finding.score, state=finding.review.state.value))
    return out


def with_states(events: list[Event], states: Mapping[str, str]) -> list[Event]:
    """``events`` with the review state of each finding's events as ``states`` give it
    (finding id -> state); an event whose state is the same is the same object."""
    out = []
    for event in events:
        if event.kind in ("finding", "route"):
            state = states.get(event.id.rsplit(":", 1)[0] if event.kind == "route" else event.id)
            if state is not None and state != event.state:
                event = replace(event, state=state)
        out.append(event)
    return out


#: The schemata whose entities make each kind of event (None: any Interval schema).
KIND_SCHEMATA: dict[str, tuple[str, ...] | None] = {
    "finding": (), "route": (), "trip": ("Trip",), "payment": ("Payment",),
    "ad": ("Advertisement",),
    "employment": ("Employment",), "directorship": ("Directorship",),
    "ownership": ("Ownership",),
    "company": ("Company", "Organization", "LegalEntity", "PublicBody"), "other": None,
}


def schemata_for(kinds: Iterable[str]) -> list[str] | None:
    """The schemata to read for some kinds of event; None when any schema may be needed."""
    out: list[str] = []
    for kind in kinds:
        names = KIND_SCHEMATA[kind]
        if names is None:
            return None
        out += [n for n in names if n not in out]
    return out


def finding_record_ids(findings: Iterable[Finding]) -> set[str]:
    """The record ids the findings cite (to look up their dates)."""
    return {r for f in findings for r in f.evidence.record_ids}


def held_accounts(entities: Iterable[EntityProxy], ids: Collection[str]) -> set[str]:
    """Bank accounts that the given entities own or hold (FtM ``Ownership``): a person's
    payments are booked on their accounts."""
    proxies = {p.id: p for p in entities if p.id}
    out = set()
    for proxy in proxies.values():
        if not proxy.schema.is_a("Ownership") or not set(proxy.get("owner")) & set(ids):
            continue
        for asset in proxy.get("asset"):
            other = proxies.get(asset)
            if other is not None and other.schema.is_a("BankAccount"):
                out.add(asset)
    return out


def _overlaps(event: Event, start: str | None, end: str | None) -> bool:
    if start and (iso_day(event.last) or "") < start:
        return False
    return not (end and (iso_day(event.start) or "") > end)


def _shares(sizes: Mapping[str, int], limit: int) -> dict[str, int]:
    """Split ``limit`` among kinds: equal shares, a kind with fewer events keeping all of
    them and leaving the rest to the others."""
    out: dict[str, int] = {}
    left = limit
    order = sorted(sizes, key=lambda k: (sizes[k], k))
    for i, kind in enumerate(order):
        share = left // (len(order) - i) if i < len(order) - 1 else left
        out[kind] = min(sizes[kind], share)
        left -= out[kind]
    return out


def _spread(chosen: list[Event], n: int) -> list[Event]:
    """``n`` of the events (sorted by time), evenly spaced from the first to the last."""
    if n >= len(chosen):
        return chosen
    if n <= 1:
        return chosen[:n]
    step = (len(chosen) - 1) / (n - 1)
    return [chosen[round(i * step)] for i in range(n)]


def select(
    found: Iterable[Event],
    *,
    ids: Collection[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    kinds: Collection[str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Timeline:
    """The events involving any of ``ids`` (all when None), overlapping the dates
    ``start``–``end`` (inclusive ISO dates, either open), of the given ``kinds`` (all when
    None), sorted by time.

    When more than ``limit`` match, ``truncated`` is set and a sample of ``limit`` is kept:
    each kind an equal share (a kind with fewer events keeps them all), spread evenly over
    its time span, so that the picture stays true to the whole. ``counts`` gives the
    matching events per kind, so that a user can see what a sample leaves out."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    unknown = set(kinds or ()) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(KINDS)}")
    wanted = set(ids) if ids is not None else None
    matching = [e for e in found
                if (wanted is None or not wanted.isdisjoint(e.entity_ids))
                and _overlaps(e, start, end)]
    if kinds is not None:
        matching = [e for e in matching if e.kind in kinds]
    counts = Counter(e.kind for e in matching)
    matching.sort(key=lambda e: (e.start, KINDS.index(e.kind), e.id))
    first = min((e.start for e in matching), default=None)
    last = max((e.last for e in matching), default=None)
    kept = matching
    if len(matching) > limit:
        by_kind: dict[str, list[Event]] = {}
        for event in matching:
            by_kind.setdefault(event.kind, []).append(event)
        shares = _shares({k: len(v) for k, v in by_kind.items()}, limit)
        kept = [e for k, group in by_kind.items() for e in _spread(group, shares[k])]
        kept.sort(key=lambda e: (e.start, KINDS.index(e.kind), e.id))
    return Timeline(events=kept, total=len(matching), truncated=len(matching) > limit,
                    limit=limit, counts={k: counts[k] for k in KINDS if counts[k]},
                    start=first, end=last)


__all__ = ["DEFAULT_LIMIT", "KINDS", "MAX_LIMIT", "Event", "Party", "Timeline", "events",
           "finding_record_ids", "held_accounts", "schemata_for", "select"]
