"""The timeline's API and page through FastAPI's test client: every booking of the test world
is a trip on the timeline, the filters and the cap, and an NGO worker's minimised view."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

API = "/api/cases/amber/timeline"


def _get(client: TestClient, **params: Any) -> dict[str, Any]:
    res = client.get(API, params=params)
    assert res.status_code == 200, res.text
    return res.json()


def _bookings(site: Site) -> list[dict[str, str]]:
    world = site.settings.home.parent / "world"
    with (world / "travel" / "bookings.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_api_needs_a_login_and_a_purpose(client: TestClient) -> None:
    assert client.get(API).status_code == 401
    log_in(client)
    assert client.get(API).status_code == 428


def test_every_booking_is_a_trip_on_its_departure(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber", "travel pattern of the suspects")
    data = _get(client, kinds="trip", limit=20000)
    assert data["kinds"][0] == "trip" and data["kinds"][-1] == "finding"
    trips = data["events"]
    bookings = _bookings(site)
    assert bookings and len(trips) == len(bookings) == data["total"]
    found = {(datetime.fromisoformat(e["start"]), e["label"].split(" · ")[0]) for e in trips}
    for row in bookings:
        departure = datetime.strptime(row["departure"], "%Y-%m-%d %H:%M")
        assert (departure, f"{row['from_city']} → {row['to_city']}") in found
    trip = trips[0]
    assert trip["url"] == f"/cases/amber/entities/{trip['entity_id']}"
    assert trip["schema"] == "Trip" and {p["role"] for p in trip["parties"]} >= {"involved"}
    audit = site.dpo.audit.log("amber")
    assert any(e["action"] == "entity.list" and e["purpose"] == "travel pattern of the suspects"
               for e in audit)


def test_whole_case_counts_dates_and_cap(client: TestClient) -> None:
    log_in(client)
    open_case(client, "amber")
    everything = _get(client, limit=20000)
    counts = everything["counts"]
    assert {"trip", "payment", "ad", "employment", "finding"} <= set(counts)
    assert sum(counts.values()) == everything["total"] == len(everything["events"])
    assert not everything["truncated"]
    starts = [e["start"] for e in everything["events"]]
    assert starts == sorted(starts) and everything["start"] == starts[0]
    finding = next(e for e in everything["events"] if e["kind"] == "finding")
    assert finding["url"].startswith("/cases/amber/findings?") and finding["entity_ids"]
    assert finding["score"] is not None and finding["state"] == "new" or finding["state"]

    capped = _get(client, limit=25)
    assert capped["truncated"] and capped["total"] == everything["total"]
    assert len(capped["events"]) == 25 and capped["limit"] == 25
    assert {e["kind"] for e in capped["events"]} == set(counts), "a sample of every kind"

    feb = _get(client, **{"from": "2026-02-01", "to": "2026-02-14"}, limit=20000)
    assert 0 < feb["total"] < everything["total"]
    for event in feb["events"]:
        assert event["start"][:10] <= "2026-02-14"
        assert (event["end"] or event["start"])[:10] >= "2026-02-01"
    ads = _get(client, kinds="ad,finding", **{"from": "2026-02-01"}, limit=20000)
    assert {e["kind"] for e in ads["events"]} <= {"ad", "finding"} and ads["events"]
    since = _get(client, **{"from": "2026-02-01"}, limit=20000)
    assert ads["counts"] == {k: since["counts"][k] for k in ("ad", "finding")}
    assert ads["total"] == len(ads["events"]) == since["counts"]["ad"] + since["counts"]["finding"]


def test_bad_parameters_are_refused_clearly(client: TestClient) -> None:
    log_in(client)
    open_case(client, "amber")
    wrong = client.get(API, params={"kinds": "trips"})
    assert wrong.status_code == 422 and "unknown kind" in wrong.json()["detail"]
    assert client.get(API, params={"from": "2026-03-01", "to": "2026-02-01"}).status_code == 422
    assert client.get(API, params={"from": "1st of May"}).status_code == 422
    assert client.get(API, params={"limit": 0}).status_code == 422
    assert client.get("/api/cases/nope/timeline").status_code == 404


def test_events_of_chosen_entities(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    trip = _get(client, kinds="trip")["events"][0]
    passenger = next(p["id"] for p in trip["parties"] if p["role"] == "involved")
    mine = _get(client, ids=passenger)
    assert trip["id"] in {e["id"] for e in mine["events"]}
    assert all(passenger in e["entity_ids"] for e in mine["events"])
    # an account holder: the payments on their accounts are theirs
    account = next(iter(site.ws.entities.list("amber", ["BankAccount"])))
    owner = next(o.first("owner") for o in site.ws.entities.list("amber", ["Ownership"])
                 if o.first("asset") == account.id)
    theirs = _get(client, ids=owner, kinds="payment")
    assert theirs["events"] and all(account.id in e["entity_ids"] or owner in e["entity_ids"]
                                    for e in theirs["events"])
    assert any(account.id in e["entity_ids"] for e in theirs["events"])


def test_the_page_hands_its_module_the_api_and_strings(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    page = client.get("/cases/amber/timeline")
    assert page.status_code == 200
    assert 'data-api="/api/cases/amber/timeline"' in page.text
    assert 'src="/static/dist/timeline.js"' in page.text and "timeline.css" in page.text
    raw = page.text.split("data-i18n='")[1].split("'")[0].replace("&#34;", '"')
    strings = json.loads(raw.replace("&amp;", "&").replace("&#39;", "'"))
    assert strings["Trips"] == "Trips" and "Kinds of event" in strings
    chosen = client.get(f"/cases/amber/timeline?ids={site.suspect}")
    assert f'data-ids="{site.suspect}"' in chosen.text
    assert 'href="/cases/amber/timeline"' in chosen.text  # back to the whole case
    entity = client.get(f"/cases/amber/entities/{site.suspect}")
    assert f"/cases/amber/timeline?ids={site.suspect}" in entity.text


def test_the_page_in_latvian(client: TestClient) -> None:
    log_in(client, "ilze")  # her account's language is Latvian
    open_case(client, "amber", "support for a victim")
    page = client.get("/cases/amber/timeline")
    assert page.status_code == 200 and 'data-lang="lv"' in page.text


def test_ngo_worker_sees_the_victim_only_under_a_pseudonym(client: TestClient, site: Site
                                                            ) -> None:
    victim = site.ws.entities.get("amber", site.victim).entity
    names = set(victim.get("name"))
    ngo = site.ws.as_user("ilze", purpose="support for a victim")
    pseudonym = next(i for i,
                     role in ngo.entities.subject_roles("amber").items() if role == "victim")
    assert pseudonym.startswith("pseudo-") and names
    # what the workspace shows her: the timeline may show no more
    shown = {p.id: p.caption for p in ngo.entities.list("amber")}
    log_in(client, "ilze")
    open_case(client, "amber", "support for a victim")
    client.cookies.set("veriga_lang", "en")  # pseudonyms as stored
    res = client.get(API, params={"limit": 20000})
    assert res.status_code == 200 and res.json()["events"]
    assert site.victim not in res.text, "not even the real id"
    # nor her name, on her own records or on records not resolved into hers yet
    assert not any(name.lower() in res.text.lower() for name in names)
    labels = {e["entity_id"]: e["label"] for e in res.json()["events"] if e["entity_id"]}
    for event in res.json()["events"]:
        for party in event["parties"]:
            # a reference to an entity she cannot see (or never imported) shows its id only;
            # a finding's evidence that is itself an event (a payment...) shows that event
            assert party["label"] in {shown.get(party["id"], party["id"]),
                                      labels.get(party["id"])}
            if party["id"] == pseudonym:
                assert party["label"] not in names and party["label"].startswith("Victim ")
        if event["entity_id"]:
            assert event["entity_id"] in shown
    # the victim's own timeline: every event under the pseudonym, no real name on it
    mine = client.get(API, params={"ids": pseudonym, "limit": 20000})
    assert mine.status_code == 200 and site.victim not in mine.text
    for event in mine.json()["events"]:
        assert pseudonym in event["entity_ids"]
        assert not any(p["label"] in names for p in event["parties"] if p["id"] == pseudonym)
    page = client.get(f"/cases/amber/timeline?ids={pseudonym}")
    assert page.status_code == 200 and not any(name in page.text for name in names)
    assert site.victim not in page.text


def test_openapi_describes_the_timeline(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/cases/{case}/timeline"]["get"]
    assert operation["tags"] == ["timeline"]
    assert {p["name"] for p in operation["parameters"]} >= {"ids", "from", "to", "kinds",
                                                          "limit"}
    assert "TimelineOut" in json.dumps(operation["responses"]["200"])


def test_the_whole_case_answer_is_kept_for_every_worker_until_a_change(
        client: TestClient, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole case's answer to the same filters is made once and kept, in the store too:
    asked again it is the same and audited again; a worker that kept nothing of its own
    reads it back; after a change (the findings here) it is made anew."""
    from veriga.store import Store
    from veriga.web.views import timeline as view
    from veriga.workspace import cache

    log_in(client)
    open_case(client, "amber", "the trips of the suspects in March")

    def listed() -> int:
        return sum(e["action"] == "entity.list" for e in site.dpo.audit.log("amber"))

    made: list[int] = []
    chosen = view._chosen
    monkeypatch.setattr(view, "_chosen", lambda *a: made.append(1) or chosen(*a))
    first = _get(client, kinds="trip", limit=29)
    after_first = listed()
    assert _get(client, kinds="trip", limit=29) == first
    assert made == [1] and listed() == after_first + 1  # kept, and the read audited again
    cache.clear()  # another worker's view: nothing kept in the process, the store has it
    assert _get(client, kinds="trip", limit=29) == first and made == [1]
    version = Store.findings_version
    monkeypatch.setattr(Store, "findings_version",
                        lambda self, conn, case_id: (version(self, conn, case_id), "changed"))
    assert _get(client, kinds="trip", limit=29) == first and made == [1, 1]
