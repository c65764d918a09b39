"""The review page of proposed matches (Same records) and the records of a merged entity on its
page: read with their reasons, confirmed (merged), dismissed and split, by whom may."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browserhelpers import log_in as browser_log_in
from browserhelpers import shot
from fastapi.testclient import TestClient
from markupsafe import escape
from webhelpers import PASSWORD, log_in, open_case

from veriga.config import Settings
from veriga.findings import Finding, ReviewState
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.web import create_app
from veriga.web.i18n import translations
from veriga.web.views.resolve import PER_PAGE
from veriga.workspace import Workspace

CASE = "jade"
AXE = Path(__file__).parents[2] / "web" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Review:
    settings: Settings
    liga: Workspace  # investigator of the case's owner
    victim: Finding  # a proposal joining a victim's records


def _names(ws: Workspace, finding: Finding) -> set[str]:
    """Every name the records of a proposal carry, as an investigator sees them."""
    members = ws.findings.members(CASE, [finding.id])[finding.id]
    return {str(r[k]) for m in members for r in m.statements if r["prop"] == "name"
            for k in ("value", "original_value") if r.get(k)}


def _new(ws: Workspace, kind: str) -> list[Finding]:
    return [f for f in ws.findings.list(CASE, kind) if f.review.state is ReviewState.NEW]


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Review]:
    """A case of its own (its proposals are confirmed and split here) with a victim among
    the proposed people, shared with an NGO; a judge in it, an investigator of another
    organisation outside it."""
    root = tmp_path_factory.mktemp("resolve-web")
    world = root / "world"
    simulate("mixed", "tiny", 3, world)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_org("Politsei", "police", "EE")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"], "Līga Ozola", PASSWORD)
    admin.directory.add_user("juris", "Valsts policija", ["judge"], "Juris", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD)
    admin.directory.add_user("mart", "Politsei", ["investigator"], "Mart", PASSWORD)
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create(CASE)
    folders = [world / d for d in ("bank", "police", "travel", "registers", "labour")]
    requests, _ = expand(folders, ImportRequest(path=Path(".")))
    liga.records.import_files(CASE, requests)
    liga.analyses.run(CASE, ["resolve"])
    liga.cases.add_member(CASE, "juris", "judge")
    liga.cases.share(CASE, "Safe House")
    # a person proposed as one from two records or more, each named: a victim
    victim = next(f for f in _new(liga, "match.person")[20:]
                  if len(_names(liga, f)) >= 2 and len(f.evidence.entity_ids) == 2)
    liga.entities.set_subject_role(CASE, victim.evidence.entity_ids[0], "victim")
    yield Review(settings, liga, victim)
    admin.close()


@pytest.fixture
def web(review: Review) -> Iterator[TestClient]:
    with TestClient(create_app(review.settings), base_url="https://testserver") as c:
        yield c


def _as(client: TestClient, user: str) -> str:
    log_in(client, user)
    return open_case(client, CASE, "reviewing proposed matches")


def test_the_page_lists_proposals_best_first_with_their_reasons(web: TestClient,
                                                                review: Review) -> None:
    _as(web, "liga")
    waiting = sorted(_new(review.liga, "match.person") + _new(review.liga, "match.company"),
                     key=lambda f: (-f.score, -len(f.evidence.entity_ids), f.id))
    page = web.get(f"/cases/{CASE}/resolve")
    assert page.status_code == 200
    assert f"1–{PER_PAGE} of {len(waiting)} waiting" in page.text
    shown = [part.split('"')[0] for part in page.text.split('<li class="proposal" id="')[1:]]
    assert shown == [f.id for f in waiting[:PER_PAGE]]  # best first, one page
    first = waiting[0]
    assert str(escape(first.text())) in page.text  # the reasons
    for name in _names(review.liga, first):
        assert str(escape(name)) in page.text  # the records side by side
    assert "Name as written" in page.text and "line " in page.text  # and their sources
    assert page.text.count('data-testid="same"') == PER_PAGE
    second = web.get(f"/cases/{CASE}/resolve?page=2")
    assert f'id="{waiting[PER_PAGE].id}"' in second.text
    companies = web.get(f"/cases/{CASE}/resolve?kind=match.company")
    assert "match.person" not in companies.text.split('id="proposals"')[1]
    # in the reader's language: the explanation as the findings carry it, translated
    web.post("/language", data={"lang": "lv", "back": "/cases", "csrf": _token(web)})
    latvian = web.get(f"/cases/{CASE}/resolve")
    said = first.text(translations("lv").gettext, "lv")
    assert said != first.text() and str(escape(said)) in latvian.text
    assert "Tie paši ieraksti" in latvian.text


def _token(client: TestClient) -> str:
    return client.get("/cases").text.split('name="csrf" value="')[1].split('"')[0]


def test_same_merges_and_a_split_restores(web: TestClient, review: Review) -> None:
    token = _as(web, "liga")
    proposal = next(f for f in _new(review.liga, "match.company")
                    if len(f.evidence.entity_ids) == 2)
    a, b = proposal.evidence.entity_ids
    url = f"/cases/{CASE}/resolve/{proposal.id}"
    assert web.post(url, data={"state": "confirmed", "reason": "x y z"}).status_code == 403
    done = web.post(url, data={"state": "confirmed", "reason": "one registration number",
                               "kind": "match.company", "page": "1", "csrf": token},
                    follow_redirects=False)
    assert done.status_code == 303 and f"done={proposal.id}" in done.headers["location"]
    after = web.get(done.headers["location"])
    assert "the records are one entity now" in after.text
    assert f'id="{proposal.id}"' not in after.text  # on to the next proposal
    merged = min(a, b)
    entity = web.get(f"/cases/{CASE}/entities/{merged}")
    section = entity.text.split('data-testid="merged"')[1].split("</section>")[0]
    assert a[:10] in section and b[:10] in section and "one registration number" in section
    assert "liga" in section and ("line " in section or "statement " in section)
    assert 'data-testid="split"' in section
    assert [r["entity_id"] for r in review.liga.entities.records(CASE, merged)] == sorted([a, b])
    split = web.post(f"/cases/{CASE}/entities/{merged}/split",
                     data={"reason": "two firms of one name", "csrf": token},
                     follow_redirects=False)
    assert split.status_code == 303
    page = web.get(split.headers["location"])
    assert 'data-testid="parted"' in page.text and 'data-testid="merged"' not in page.text
    assert review.liga.entities.records(CASE, merged) == []
    for record in (a, b):
        assert web.get(f"/cases/{CASE}/entities/{record}").status_code == 200
    # the proposal that made the merge waits for review again, with a note of the split
    assert 'data-testid="reopened"' in page.text and f"/cases/{CASE}/resolve" in page.text
    back = review.liga.findings.get(CASE, proposal.id)
    assert back.review.state is ReviewState.NEW and back.review.by == "liga"
    listed = _page_with(web, proposal.id, "match.company")
    item = listed.split(f'id="{proposal.id}"')[1].split("</li>")[0]
    note = item.split('data-testid="reopened">')[1].split("</p>")[0]
    assert "liga split the records" in note and "two firms of one name" in note
    assert "Split:" not in note and 'data-testid="same"' in item


def test_not_the_same_dismisses_without_merging(web: TestClient, review: Review) -> None:
    token = _as(web, "liga")
    proposal = next(f for f in reversed(_new(review.liga, "match.person"))
                    if f.id != review.victim.id)
    done = web.post(f"/cases/{CASE}/resolve/{proposal.id}",
                    data={"state": "dismissed", "reason": "different birth dates", "csrf": token})
    assert done.status_code == 200 and "the records stay apart" in done.text
    assert review.liga.findings.get(CASE, proposal.id).review.state is ReviewState.DISMISSED
    assert all(review.liga.entities.records(CASE, e) == [] for e in proposal.evidence.entity_ids)


def test_a_reader_sees_no_buttons_and_may_not_review(web: TestClient, review: Review) -> None:
    proposal = _new(review.liga, "match.company")[-1]
    merged = review.liga.entities.merge(CASE, proposal.evidence.entity_ids, "for the judge")
    token = _as(web, "juris")
    page = web.get(f"/cases/{CASE}/resolve")
    assert page.status_code == 200 and 'data-testid="proposal"' in page.text
    assert 'data-testid="same"' not in page.text and 'name="reason"' not in page.text
    entity = web.get(f"/cases/{CASE}/entities/{merged}")
    assert 'data-testid="merged"' in entity.text and 'data-testid="split"' not in entity.text
    other = _new(review.liga, "match.person")[0]
    refused = web.post(f"/cases/{CASE}/resolve/{other.id}",
                       data={"state": "confirmed", "reason": "looks alike", "csrf": token})
    assert refused.status_code == 403
    assert web.post(f"/cases/{CASE}/entities/{merged}/split",
                    data={"reason": "not one", "csrf": token}).status_code == 403
    assert review.liga.findings.get(CASE, other.id).review.state is ReviewState.NEW
    review.liga.entities.split(CASE, merged, "done with the judge's check")


def _page_with(client: TestClient, finding_id: str, kind: str = "match.person") -> str:
    for n in range(1, 40):
        text = client.get(f"/cases/{CASE}/resolve?kind={kind}&page={n}").text
        if f'id="{finding_id}"' in text:
            return text
    raise AssertionError(f"{finding_id} on no page")


def test_an_ngo_user_sees_pseudonyms_also_of_a_merged_victim(web: TestClient,
                                                              review: Review) -> None:
    real = _names(review.liga, review.victim)
    _as(web, "ilze")
    page = _page_with(web, review.victim.id)
    proposal = page.split(f'id="{review.victim.id}"')[1].split("</li>")[0]
    assert "pseudo-" in proposal and 'data-testid="same"' not in page
    for name in real:
        assert name not in page, name
    review.liga.findings.review(CASE, review.victim.id, ReviewState.CONFIRMED, "same woman")
    ngo = Workspace.local(review.settings, username="ilze", purpose="support of a victim")
    pseudonym = next(i for i, r in ngo.entities.subject_roles(CASE).items()
                     if r == "victim" and i.startswith("pseudo-"))
    entity = web.get(f"/cases/{CASE}/entities/{pseudonym}")
    assert entity.status_code == 200
    section = entity.text.split('data-testid="merged"')[1].split("</section>")[0]
    assert section.count("<code>pseudo-") == 2  # both records, under the pseudonym
    for name in real:
        assert name not in entity.text, name
    for record in review.victim.evidence.entity_ids:
        assert record not in entity.text  # no real id of either record
    everything = web.get(f"/cases/{CASE}/resolve?kind=match.person").text
    assert not any(name in everything for name in real)


def test_another_organisation_learns_nothing_of_the_case(web: TestClient,
                                                         review: Review) -> None:
    log_in(web, "mart")
    token = _token(web)
    finding = _new(review.liga, "match.person")[0].id
    for method, path in (("get", "/cases/{}/resolve"),
                         ("post", f"/cases/{{}}/resolve/{finding}"),
                         ("post", "/cases/{}/entities/x/split")):
        data = {"data": {"state": "confirmed", "reason": "same", "csrf": token}} \
            if method == "post" else {}
        there = getattr(web, method)(path.format(CASE), **data)
        missing = getattr(web, method)(path.format("no-such-case"), **data)
        assert there.status_code == missing.status_code == 404
        assert there.text.replace(CASE, "?") == missing.text.replace("no-such-case", "?")


@pytest.fixture(scope="module")
def server(review: Review) -> Iterator[str]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(review.settings), host="127.0.0.1",
                                        port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


def _axe(page: object) -> list[str]:
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")


@pytest.mark.browser
def test_review_confirm_and_split_in_the_browser(server: str, browser: object,
                                                 review: Review) -> None:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core missing: run `make web-assets`")
        pytest.skip("axe-core not installed (make web-assets)")
    context = browser.new_context(bypass_csp=True,  # type: ignore[attr-defined]
                                  viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    browser_log_in(page, server, "liga", CASE, "reviewing proposed matches")
    page.get_by_role("link", name="Same records").click()
    page.wait_for_selector("[data-testid=proposal]")
    shot(page, "resolve")
    problems = [f"review {p}" for p in _axe(page)]
    first = page.locator("[data-testid=proposal]").first
    finding = first.get_attribute("id")
    first.get_by_label("Reason").fill("the same phone and name in both files")
    first.get_by_test_id("same").click()
    page.wait_for_selector("[data-testid=done]")
    assert page.locator(f"[id='{finding}']").count() == 0  # the next proposal is first
    page.locator("[data-testid=done] a").click()
    page.wait_for_selector("[data-testid=merged]")
    shot(page, "resolve-merged-entity")
    problems += [f"entity {p}" for p in _axe(page)]
    assert "the same phone and name in both files" in page.locator(
        "[data-testid=merged]").inner_text()
    page.locator("[data-testid=merged]").get_by_label("Reason").fill("two people after all")
    page.get_by_test_id("split").click()
    page.wait_for_selector("[data-testid=parted]")
    assert page.locator("[data-testid=merged]").count() == 0
    context.close()
    assert not problems, "\n".join(problems)
