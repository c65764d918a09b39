"""The findings queue on real numbers of findings: paged, sorted, grouped by the person or
company a finding is about, evidence named rather than shown as ids, a link from an account
to its money trace, and several findings reviewed at once (each review recorded)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga.web.views import findings as view


def _ids(html: str) -> list[str]:
    return re.findall(r'<li class="finding state-\w+" id="([^"]+)"', html)


def test_the_queue_pages_and_sorts(client: TestClient, site: Site,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    log_in(client)
    open_case(client, "amber")
    everything = site.ws.findings.list("amber")
    assert len(everything) > 6
    monkeypatch.setattr(view, "PER_PAGE", 3)
    first = client.get("/cases/amber/findings?state=")
    assert "Page 1 of" in first.text and 'data-testid="next-page"' in first.text
    seen = []
    pages = -(-len(everything) // 3)
    for page in range(1, pages + 1):
        html = client.get(f"/cases/amber/findings?state=&page={page}").text
        assert len(_ids(html)) <= 3
        seen += _ids(html)
    assert sorted(seen) == sorted(f.id for f in everything)  # every finding, once
    scores = {f.id: f.score for f in everything}
    assert [scores[i] for i in seen] == sorted(scores.values(), reverse=True)
    # a page past the end shows the last
    assert _ids(client.get(f"/cases/amber/findings?state=&page={pages + 5}").text) == \
        seen[(pages - 1) * 3:]
    by_kind = _ids(client.get("/cases/amber/findings?state=&sort=kind").text)
    kinds = {f.id: f.kind for f in everything}
    ordered = [kinds[i] for i in by_kind]
    assert ordered == sorted(ordered, key=lambda k: (len(k), k))


def test_findings_are_grouped_by_whom_they_are_about_and_name_their_evidence(
        client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    html = client.get("/cases/amber/findings?state=&sort=subject").text
    groups = re.findall(r'data-testid="finding-group">([^<]+)<', html)
    assert groups and len(groups) == len(set(groups))  # each subject heads one group
    people = {str(e.caption) for e in site.ws.entities.list("amber", ["Person", "Company",
                                                                      "LegalEntity"])}
    assert set(groups) - {"no person or company named"} <= people
    shown = re.findall(r'data-testid="evidence-entity">([^<]+)<', html)
    assert shown and any(name in people for name in shown)  # names, not hashes


def test_an_account_in_the_evidence_leads_to_its_money_trace(
        client: TestClient, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(view, "PER_PAGE", 1000)
    log_in(client)
    open_case(client, "amber")
    finding = next(f for f in site.ws.findings.list("amber")
                   if any(k.type == "iban" for k in f.evidence.keys))
    iban = next(k.value for k in finding.evidence.keys if k.type == "iban")
    html = client.get(f"/cases/amber/findings?state=&kind={finding.kind}").text
    links = re.findall(r'href="(/cases/amber/money\?account=[^"]+)" data-testid="trace"', html)
    assert f"/cases/amber/money?account={iban}" in links
    assert client.get(f"/cases/amber/money?account={iban}").status_code == 200


def test_several_findings_are_reviewed_at_once(client: TestClient, site: Site) -> None:
    log_in(client)
    token = open_case(client, "amber")
    new = sorted((f for f in site.ws.findings.list("amber") if f.review.state.value == "new"),
                 key=lambda f: f.score)
    chosen = [new[0].id, new[1].id]  # the lowest scores: other tests review the highest
    url = "/cases/amber/findings/review"
    form = {"state": "dismissed", "reason": "lawful payroll, checked with the employer",
            "ids": chosen, "back": "state=new&sort=kind"}
    assert client.post(url, data=form).status_code == 403  # no CSRF token
    assert client.post(url, data={**form, "state": "new", "csrf": token}).status_code == 422
    none = client.post(url, data={**form, "ids": [], "csrf": token}, follow_redirects=False)
    assert "error=none-selected" in none.headers["location"]
    assert "Select at least one finding." in client.get(none.headers["location"]).text
    done = client.post(url, data={**form, "csrf": token}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/cases/amber/findings?state=new&sort=kind"
    stored = {f.id: f for f in site.ws.findings.list("amber")}
    for finding in chosen:
        assert stored[finding].review.state.value == "dismissed"
        assert stored[finding].review.by == "liga"
        assert stored[finding].review.reason == form["reason"]
    # the page to return to is the queue's own: nothing else goes into the redirect
    odd = client.post(url, data={**form, "ids": [new[2].id], "csrf": token,
                                 "back": "next=https://elsewhere.example"},
                      follow_redirects=False)
    assert odd.headers["location"] == "/cases/amber/findings?"


def test_an_ngo_worker_sees_no_protected_name_in_the_groups(client: TestClient,
                                                            site: Site) -> None:
    log_in(client, "ilze")
    open_case(client, "amber", "support for a victim")
    html = client.get("/cases/amber/findings?state=&sort=subject").text
    names = site.ws.entities.get("amber", site.victim).entity.get("name")
    assert names and not any(name in html for name in names)
    assert site.victim not in html
