"""The notes forms and the activity feed over HTTP: a change comes back to a page of the same
case and nowhere else, needs the session's CSRF token, and the NGO worker gets no forms."""

from __future__ import annotations

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case


def test_forms_return_to_the_case_only(client: TestClient, site: Site) -> None:
    log_in(client)
    csrf = open_case(client, "amber", "notes for the weekly meeting")
    page = f"/cases/amber/entities/{site.suspect}"
    form = {"csrf": csrf, "target_kind": "entity", "target_id": site.suspect, "kind": "tag",
            "text": "weekly"}
    done = client.post("/cases/amber/notes", data={**form, "back": page},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == page + "#notes"
    for elsewhere in ("https://example.org/x", "//example.org/x", "/cases/other/x",
                      "/cases/amber\\..\\x"):
        done = client.post("/cases/amber/notes", data={**form, "back": elsewhere},
                           follow_redirects=False)
        assert done.headers["location"] == "/cases/amber/activity#notes"
    no_token = {k: v for k, v in form.items() if k != "csrf"}
    assert client.post("/cases/amber/notes", data=no_token,
                       follow_redirects=False).status_code in (400, 403)
    api = client.get(f"/api/cases/amber/entities/{site.suspect}/notes").json()
    assert "weekly" in [t["text"] for t in api["tags"]]
    feed = client.get("/api/cases/amber/activity?limit=5").json()
    assert feed[0]["action"] == "note.add" and feed[0]["detail"]["about"] == site.suspect


def test_the_ngo_worker_gets_no_forms(client: TestClient, site: Site) -> None:
    site.ws.notes.add("amber", "entity", site.victim, "note", "She is staying at the shelter")
    log_in(client, "ilze")
    open_case(client, "amber", "support for the victims of the case")
    html = client.get("/cases/amber/activity").text
    assert 'data-testid="undo"' not in html and "shelter" not in html
    api = client.get("/api/cases/amber/activity").json()
    assert api and all(r["target"] is None and r["detail"] == {} for r in api)
    # the real id of a protected person says nothing to her
    assert client.get(f"/api/cases/amber/entities/{site.victim}/notes").status_code == 404


def test_a_link_names_the_other_entity_by_id_or_by_what_only_it_has(
        client: TestClient, site: Site) -> None:
    log_in(client)
    csrf = open_case(client, "amber", "links from the witness statements")
    form = {"csrf": csrf, "entity_id": site.suspect, "relation": "met at the bus station",
            "source": "surveillance log 12", "back": f"/cases/amber/entities/{site.suspect}"}
    nobody = client.post("/cases/amber/links", data={**form, "other": "zz-nobody-zz"},
                         follow_redirects=False)
    assert nobody.status_code == 400 and "0 entities match" in nobody.text
    name = site.ws.entities.get("amber", site.victim).entity.first("name")
    done = client.post("/cases/amber/links", data={**form, "other": name},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    api = client.get(f"/api/cases/amber/entities/{site.victim}/links").json()
    assert any(link["relation"] == "met at the bus station" for link in api)
    made = client.post(f"/api/cases/amber/entities/{site.suspect}/links/{site.victim}",
                       json={"relation": "phoned her", "source": "call records"},
                       headers={"X-CSRF-Token": csrf})
    assert made.status_code == 200 and made.json()["id"].startswith("note-")


def test_a_review_is_undone_from_the_activity_page(client: TestClient, site: Site) -> None:
    from dataclasses import replace

    from veriga.findings import ReviewState
    from veriga.workspace.findings import _undoable

    log_in(client)
    csrf = open_case(client, "amber", "undoing a hasty dismissal")
    finding = next(f for f in site.ws.findings.list("amber")
                   if f.review.state is ReviewState.NEW and not f.kind.startswith("match."))
    client.post(f"/cases/amber/findings/{finding.id}/review",
                data={"csrf": csrf, "state": "dismissed", "reason": "looked lawful at first"},
                follow_redirects=False)
    html = client.get("/cases/amber/activity").text
    assert f'/cases/amber/findings/{finding.id}/reopen' in html
    done = client.post(f"/cases/amber/findings/{finding.id}/reopen",
                       data={"csrf": csrf, "back": "/cases/amber/activity"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/cases/amber/activity"
    assert site.ws.findings.get("amber", finding.id).review.state is ReviewState.NEW
    # a confirmed proposal merged its records: a split undoes it, not this
    match = next(f for f in site.ws.findings.list("amber") if f.kind.startswith("match."))
    confirmed = replace(match, review=replace(match.review, state=ReviewState.CONFIRMED))
    assert not _undoable(confirmed) and _undoable(replace(
        match, review=replace(match.review, state=ReviewState.DISMISSED)))
