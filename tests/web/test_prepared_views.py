"""The whole-case views are made ahead in the background, after a change and when a reader
opens a case, as that reader: the first reader after a change does not wait for them, and a
reader who sees the case otherwise (an NGO worker) gets her own, minimised."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webhelpers import Site, copy_of, log_in, open_case

from veriga.config import Settings
from veriga.findings import ReviewState
from veriga.web import create_app, prepared
from veriga.web.views import chain, money, places, timeline
from veriga.workspace import Workspace, cache


@pytest.fixture
def copied(site: Site, tmp_path: Path, monkeypatch) -> Iterator[tuple[Settings, TestClient]]:
    monkeypatch.setenv("VERIGA_PREPARE_VIEWS", "1")
    settings = copy_of(site, tmp_path)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield settings, client


def _prepared(settings: Settings, case: str, username: str, seconds: float = 120) -> None:
    """Wait until a background preparation for ``username`` has made the views (its last
    audit entry; one overtaken by a later change gives up, having made none)."""
    dpo = Workspace.local(settings, purpose="data protection review", username="dace")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(e.get("actor") == username and e["action"] == "views.prepare"
               and e["detail"]["views"] for e in dpo.audit.log(case)):
            dpo.close()
            return
        time.sleep(0.5)
    dpo.close()
    raise AssertionError(f"the views were not prepared for {username} in {seconds} s")


def _never_made(monkeypatch) -> None:
    """Making a whole-case view in the request fails the test: it must be read as kept."""
    def fail(*_: object) -> None:
        raise AssertionError("made in the request, not ahead")
    for module, name in ((chain, "_stages_now"), (chain, "_graph_now"), (timeline, "_events"),
                         (places, "_map_now"), (money, "_make_sankey")):
        monkeypatch.setattr(module, name, fail)


def test_after_a_review_the_views_are_ready_before_anyone_reads_them(
        copied: tuple[Settings, TestClient], site: Site, monkeypatch) -> None:
    settings, client = copied
    log_in(client, "liga")
    token = open_case(client, site.case, "the chain of the case")
    finding = client.get(f"/api/cases/{site.case}/findings").json()[0]
    done = client.post(f"/api/cases/{site.case}/findings/{finding['id']}/review",
                       json={"state": "confirmed", "reason": "checked against the file"},
                       headers={"x-csrf-token": token})
    assert done.status_code == 200, done.text  # a change of the case's findings
    _prepared(settings, site.case, "liga")
    cache.clear()  # nothing of this process's own: only what the store keeps
    _never_made(monkeypatch)
    stages = client.get(f"/api/cases/{site.case}/chain")
    assert stages.status_code == 200 and stages.json()
    assert client.get(f"/api/cases/{site.case}/chain/graph").json()["nodes"]
    assert client.get(f"/api/cases/{site.case}/timeline").json()["total"] > 0
    assert client.get(f"/api/cases/{site.case}/map").status_code == 200
    overview = client.get(f"/api/cases/{site.case}/money")
    assert overview.status_code == 200 and overview.json()["links"]
    assert client.get(f"/api/cases/{site.case}/money",
                      params={"mode": "proceeds"}).status_code == 200


def test_each_state_is_prepared_once(copied: tuple[Settings, TestClient], site: Site) -> None:
    settings, client = copied
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    for _ in range(3):  # pages read again and again: the same state, prepared once
        assert client.get(f"/cases/{site.case}").status_code == 200
    _prepared(settings, site.case, "liga")
    dpo = Workspace.local(settings, purpose="data protection review", username="dace")
    time.sleep(2)  # time for a second preparation, were there one
    done = [e for e in dpo.audit.log(site.case)
            if e["action"] == "views.prepare" and e["detail"]["views"]]
    dpo.close()
    assert len(done) == 1 and done[0]["detail"]["views"] == [
        "dashboard", "chain", "timeline", "map", "money"]


def test_an_ngo_worker_gets_her_own_minimised_views(
        copied: tuple[Settings, TestClient], site: Site, monkeypatch) -> None:
    settings, client = copied
    victim = site.ws.entities.get(site.case, site.victim).entity.first("name")
    assert victim
    log_in(client, "liga")
    open_case(client, site.case, "the chain of the case")
    client.get(f"/cases/{site.case}")
    _prepared(settings, site.case, "liga")
    log_in(client, "ilze")  # an NGO worker: she must not be given the investigator's views
    open_case(client, site.case, "support of a victim")
    client.get(f"/cases/{site.case}")
    _prepared(settings, site.case, "ilze")
    cache.clear()
    _never_made(monkeypatch)
    for path in ("chain", "chain/graph", "timeline", "map"):
        answer = client.get(f"/api/cases/{site.case}/{path}")
        assert answer.status_code == 200, path
        assert str(victim) not in answer.text, path


def test_a_reader_without_a_purpose_prepares_nothing(
        copied: tuple[Settings, TestClient], site: Site) -> None:
    settings, client = copied
    log_in(client, "liga")
    assert client.get(f"/cases/{site.case}", follow_redirects=False).status_code == 303
    time.sleep(2)
    dpo = Workspace.local(settings, purpose="data protection review", username="dace")
    assert not [e for e in dpo.audit.log(site.case) if (e.get("detail") or {}).get("prepared")]
    dpo.close()


def test_the_store_gives_each_state_to_one_claimant(site: Site, tmp_path: Path) -> None:
    settings = copy_of(site, tmp_path)
    ws = Workspace.local(settings, purpose="a test of claims", username="liga")
    store = ws.store
    with store.begin() as conn:
        case_id = store.get_case(conn, site.case)["id"]
        revision = store.fingerprint(conn, case_id)[0]
    assert store.claim_derived(case_id, "s", "state one", revision)
    assert not store.claim_derived(case_id, "s", "state one", revision)
    assert store.claim_derived(case_id, "s", "state two", revision)  # the findings changed
    assert not store.claim_derived(case_id, "s", "state two", revision - 1)  # data changed
    with store.begin() as conn:
        store.bump_revision(conn, case_id)
    assert store.claim_derived(case_id, "s", "state two", revision + 1)  # freed by a change
    ws.close()


def test_a_preparation_overtaken_by_a_change_is_given_up(site: Site, tmp_path: Path) -> None:
    settings = copy_of(site, tmp_path)
    ws = Workspace.local(settings, purpose="the chain of the case", username="liga")
    state = prepared.due(ws, site.case, "en")
    assert state is not None and prepared.due(ws, site.case, "en") is None  # taken once
    finding = ws.findings.list(site.case)[0]
    ws.findings.review(site.case, finding.id, ReviewState.DISMISSED, "a false alarm")
    prepared.prepare(ws, site.case, "en", state)  # the views of a state that is gone
    dpo = Workspace.local(settings, purpose="data protection review", username="dace")
    done = [e for e in dpo.audit.log(site.case) if e["action"] == "views.prepare"]
    assert [e["detail"]["views"] for e in done] == [[]]
    fresh = prepared.due(ws, site.case, "en")  # the new state: prepared in full
    assert fresh is not None and fresh != state
    prepared.prepare(ws, site.case, "en", fresh)
    done = [e for e in dpo.audit.log(site.case) if e["action"] == "views.prepare"]
    assert sorted(len(e["detail"]["views"]) for e in done) == [0, 5]
    dpo.close()
    ws.close()
