"""The timeline's events against a simulated world's own files: every booking is a trip on
its departure, every payroll line a payment on its day, every ad on its posting time, every
posted worker's declaration an employment period; filters and the cap do what they say."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from veriga.chain import timeline as tl
from veriga.config import Settings
from veriga.findings import Finding
from veriga.ingest import ImportRequest, expand
from veriga.model import EntityProxy
from veriga.simulate import simulate
from veriga.workspace import Workspace


@dataclass
class Case:
    world: Path
    entities: list[EntityProxy]
    findings: list[Finding]
    record_dates: dict[str, str]
    events: list[tl.Event]

    def rows(self, name: str, delimiter: str = ",") -> list[dict[str, str]]:
        with (self.world / name).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh, delimiter=delimiter))

    def of_kind(self, kind: str) -> list[tl.Event]:
        return [e for e in self.events if e.kind == kind]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    root = tmp_path_factory.mktemp("timeline")
    world = root / "world"
    simulate("mixed", "tiny", 11, world)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    ws.cases.create("t")
    folders = [world / d for d in ("bank", "travel", "registers", "labour")]
    requests, _ = expand(folders + [world / "ads" / "ads.ftm.jsonl"], ImportRequest(path=Path(".")))
    ws.records.import_files("t", requests)
    ws.analyses.run("t")
    entities = list(ws.entities.list("t"))
    findings = ws.findings.list("t")
    engine = ws.records.engine("t")
    try:
        table = engine.query('SELECT record_id, CAST(booking_date AS VARCHAR) FROM "transaction"')
    finally:
        engine.close()
    dates = dict(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))
    events = tl.events(entities, findings, record_dates=dates,
                       entity_url=lambda i: f"/cases/t/entities/{i}",
                       finding_url=lambda f: f"/cases/t/findings#{f.id}")
    yield Case(world, entities, findings, dates, events)
    ws.close()


def test_every_booking_is_a_trip_on_its_departure(case: Case) -> None:
    bookings = case.rows("travel/bookings.csv")
    trips = case.of_kind("trip")
    assert bookings and len(trips) == len(bookings)
    by_record = {}
    for trip in trips:
        proxy = next(p for p in case.entities if p.id == trip.entity_id)
        by_record[proxy.first("recordId")] = trip
    for row in bookings:
        trip = by_record[row["booking_id"]]
        departure = datetime.strptime(row["departure"], "%Y-%m-%d %H:%M")
        assert datetime.fromisoformat(trip.start) == departure
        assert trip.end is None
        assert f"{row['from_city']} → {row['to_city']}" in trip.label
        passengers = {p.label for p in trip.parties if p.role == "involved"}
        assert passengers == {row["passenger_name"]}
        assert trip.url == f"/cases/t/entities/{trip.entity_id}"
        assert all(p.id in trip.entity_ids for p in trip.parties)


def test_every_payroll_line_is_a_payment_on_its_day(case: Case) -> None:
    payments = case.of_kind("payment")
    lines = case.rows("labour/payroll.csv")
    assert lines
    found = {(e.start, e.amount, tuple(p.label for p in e.parties if p.role == "beneficiary"))
             for e in payments}
    for row in lines:
        assert (row["paid_on"], float(row["net"]), (row["employee_name"],)) in found


def test_bank_payments_are_monthly_ranges_with_amounts(case: Case) -> None:
    monthly = [e for e in case.of_kind("payment") if e.end is not None]
    assert monthly, "transactions between two accounts over a month are one ranged payment"
    for event in monthly:
        assert event.start < event.end and event.start[:7] == event.end[:7]
        assert event.amount is not None and event.currency
        assert {p.role for p in event.parties} & {"payerAccount", "beneficiaryAccount"}


def test_every_ad_on_its_posting_time(case: Case) -> None:
    ads = {e.id: e for e in case.of_kind("ad")}
    with (case.world / "ads" / "ads.ftm.jsonl").open(encoding="utf-8") as fh:
        posted = [json.loads(line) for line in fh]
    assert posted and len(ads) == len(posted)
    starts = sorted(e.start for e in ads.values())
    assert starts == sorted(ad["properties"]["postedAt"][0] for ad in posted)


def test_posted_workers_employment_and_company_lifetimes(case: Case) -> None:
    declarations = case.rows("labour/a1_declarations.csv")
    periods = {(e.start, e.end) for e in case.of_kind("employment")}
    for row in declarations:
        assert (row["start_date"], row["end_date"]) in periods
    companies = {e.label: e for e in case.of_kind("company")}
    for row in case.rows("registers/companies.csv", ";"):
        event = companies[row["name"]]
        assert event.start == datetime.strptime(row["registered"], "%d.%m.%Y").date().isoformat()
        if row["dissolved"]:
            assert event.end == datetime.strptime(row["dissolved"], "%d.%m.%Y").date().isoformat()


def test_findings_are_dated_by_the_transactions_they_cite(case: Case) -> None:
    dated = {e.id: e for e in case.of_kind("finding")}
    cited = [f for f in case.findings if any(r in case.record_dates
                                             for r in f.evidence.record_ids)]
    assert cited
    for finding in cited:
        days = sorted(case.record_dates[r] for r in finding.evidence.record_ids
                      if r in case.record_dates)
        event = dated[finding.id]
        assert event.start <= days[0] and (event.end or event.start) >= days[-1]
        assert event.url == f"/cases/t/findings#{finding.id}"
        assert event.entity_ids == finding.evidence.entity_ids
        assert event.detail == finding.explanation and event.score == finding.score


def test_events_are_sorted_and_only_the_dated(case: Case) -> None:
    starts = [e.start for e in case.events]
    assert starts == sorted(starts)
    assert {e.kind for e in case.events} <= set(tl.KINDS)
    people = {p.id for p in case.entities if p.schema.is_a("Person")}
    assert not people & {e.id for e in case.events}, "a birth date is not an event"


def test_filter_by_entity_and_held_accounts(case: Case) -> None:
    trip = case.of_kind("trip")[0]
    passenger = next(p.id for p in trip.parties if p.role == "involved")
    mine = tl.select(case.events, ids={passenger})
    assert trip.id in {e.id for e in mine.events}
    assert all(passenger in e.entity_ids for e in mine.events)
    # an account holder's payments are booked on their accounts
    owner, account = next((o.first("owner"), o.first("asset")) for o in case.entities
                          if o.schema.name == "Ownership" and any(
                              a.id == o.first("asset") and a.schema.name == "BankAccount"
                              for a in case.entities))
    assert account in tl.held_accounts(case.entities, {owner})
    paid = tl.select(case.events, ids={owner} | tl.held_accounts(case.entities, {owner}),
                     kinds={"payment"})
    assert paid.total and all(account in e.entity_ids or owner in e.entity_ids
                              for e in paid.events)


def test_filter_by_dates_and_kinds(case: Case) -> None:
    everything = tl.select(case.events, limit=tl.MAX_LIMIT)
    assert not everything.truncated and everything.total == len(case.events)
    february = tl.select(case.events, start="2026-02-01", end="2026-02-28",
                         limit=tl.MAX_LIMIT)
    assert 0 < february.total < everything.total
    for event in february.events:
        assert event.start[:10] <= "2026-02-28" and (event.end or event.start)[:10] >= "2026-02-01"
    left_out = [e for e in case.events if e not in february.events]
    assert all(e.start[:10] > "2026-02-28" or (e.end or e.start)[:10] < "2026-02-01"
               for e in left_out)
    trips = tl.select(case.events, kinds={"trip", "ad"}, limit=tl.MAX_LIMIT)
    assert {e.kind for e in trips.events} == {"trip", "ad"}
    assert trips.counts == {k: everything.counts[k] for k in ("trip", "ad")}
    with pytest.raises(ValueError, match="unknown kind"):
        tl.select(case.events, kinds={"trips"})


def test_cap_keeps_a_sample_of_every_kind_and_says_so(case: Case) -> None:
    total = len(case.events)
    capped = tl.select(case.events, limit=60)
    assert capped.truncated and capped.total == total and len(capped.events) == 60
    kinds = {e.kind for e in case.events}
    assert {e.kind for e in capped.events} == kinds, "no kind disappears from the picture"
    rare = min(kinds, key=lambda k: capped.counts[k])
    assert sum(e.kind == rare for e in capped.events) == min(capped.counts[rare], 60 // len(kinds))
    payments = [e for e in capped.events if e.kind == "payment"]
    every_payment = case.of_kind("payment")
    assert payments[0].start == every_payment[0].start
    assert payments[-1].start == every_payment[-1].start, "the sample spans the whole time"
    assert [e.start for e in capped.events] == sorted(e.start for e in capped.events)
    assert not tl.select(case.events, limit=total).truncated
    with pytest.raises(ValueError):
        tl.select(case.events, limit=0)


def test_schemata_to_read_for_some_kinds() -> None:
    assert tl.schemata_for(["trip", "finding"]) == ["Trip"]
    assert "Company" in (tl.schemata_for(["company"]) or [])
    assert tl.schemata_for(["trip", "other"]) is None


def test_an_event_as_a_dict_is_every_field_of_it():
    """``Event.to_dict`` is written out for speed: it must still hold every field, as
    :func:`dataclasses.asdict` would (a field added later and not written there fails)."""
    from dataclasses import asdict

    from veriga.chain.timeline import Event, Party

    party = Party(id="p", label="Ana", schema="Person", role="payer", role_label="Payer",
                  url="/p", actor=True)
    event = Event(id="e", kind="payment", start="2025-01-02", end="2025-01-03", label="x",
                  entity_ids=["p", "q"], url="/e", schema="Payment", entity_id="e",
                  parties=[party], amount=12.5, currency="EUR", detail="d", score=0.5,
                  state="new")
    made = event.to_dict()
    assert made == asdict(event)
    made["entity_ids"].append("changed")
    made["parties"][0]["label"] = "changed"
    assert event.entity_ids == ["p", "q"] and party.label == "Ana"


def test_reviews_are_applied_to_events_kept() -> None:
    from veriga.chain.timeline import Event, with_states

    def event(id: str, kind: str, state: str | None = "new") -> Event:
        return Event(id, kind, "2026-01-01", None, id, [], None, state=state)

    kept = [event("f-1", "finding"), event("f-1:0", "route"), event("f-2", "finding"),
            event("p-1", "payment", None)]
    out = with_states(kept, {"f-1": "dismissed", "f-2": "new"})
    assert [e.state for e in out] == ["dismissed", "dismissed", "new", kept[3].state]
    assert out[2] is kept[2] and out[3] is kept[3] and kept[0].state == "new"
