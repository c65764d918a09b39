"""Notes, tags and assignment in headless Chromium: an investigator writes a note and tags a
suspect on his page, removes the note and takes the removal back from the activity feed; the
NGO worker, who reads the case pseudonymised, sees that there are notes but not what they say."""

from __future__ import annotations

import pytest
from browserhelpers import log_in, shot
from webhelpers import Site

pytestmark = pytest.mark.browser


def test_a_note_a_tag_an_assignment_and_an_undo(server: str, browser: object,
                                                site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "notes on the suspect for the team")
    page.goto(f"{server}/cases/amber/entities/{site.suspect}#notes")
    page.get_by_test_id("note-text").fill("Drives the minibus from Rēzekne on Fridays")
    with page.expect_navigation():
        page.get_by_test_id("add-note").click()
    page.get_by_test_id("tag-text").fill("driver")
    with page.expect_navigation():
        page.get_by_test_id("add-tag").click()
    page.get_by_test_id("assign-to").select_option("liga")
    with page.expect_navigation():
        page.get_by_test_id("assign").click()
    assert "Drives the minibus" in page.get_by_test_id("note-list").inner_text()
    assert "driver" in page.get_by_test_id("tags").inner_text()
    assert "liga" in page.get_by_test_id("assignee").inner_text()
    shot(page, "entity-notes")

    with page.expect_navigation():
        page.get_by_test_id("remove-note").click()
    assert page.get_by_test_id("note-list").count() == 0
    page.goto(f"{server}/cases/amber/activity")
    row = page.locator("[data-testid=activity-row][data-action='note.remove']").first
    assert "liga" in row.inner_text()
    shot(page, "activity")
    with page.expect_navigation():
        row.get_by_test_id("undo").click()
    page.goto(f"{server}/cases/amber/entities/{site.suspect}#notes")
    assert "Drives the minibus" in page.get_by_test_id("note-list").inner_text()
    page.close()

    ngo = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(ngo, server, "ilze", "amber", "support for the victims of the case")
    ngo.goto(f"{server}/cases/amber/activity")
    assert ngo.get_by_test_id("activity").count() == 1
    assert "Rēzekne" not in ngo.content() and ngo.get_by_test_id("undo").count() == 0
    shot(ngo, "activity-ngo")
    ngo.close()


def test_a_finding_is_tagged_and_assigned_from_the_queue(server: str, browser: object,
                                                         site: Site) -> None:
    finding = max(site.ws.findings.list("amber"), key=lambda f: f.score)
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "sharing out the findings for review")
    page.goto(f"{server}/cases/amber/findings?state=")
    row = page.locator(f"li[id='{finding.id}']")
    row.get_by_test_id("finding-notes").locator("summary").click()
    row.get_by_test_id("tag-text").fill("for the prosecutor")
    with page.expect_navigation():
        row.get_by_test_id("add-tag").click()
    assert "state=" in page.url and page.url.endswith(f"#{finding.id}")
    row = page.locator(f"li[id='{finding.id}']")
    assert "for the prosecutor" in row.get_by_test_id("finding-notes").locator(
        "summary").inner_text()
    row.get_by_test_id("finding-notes").locator("summary").click()
    row.get_by_test_id("assign-to").select_option("liga")
    with page.expect_navigation():
        row.get_by_test_id("assign").click()
    row = page.locator(f"li[id='{finding.id}']")
    assert "liga" in row.get_by_test_id("finding-notes").locator("summary").inner_text()
    row.get_by_test_id("finding-notes").locator("summary").click()
    shot(page, "finding-notes")
    page.close()


def test_an_investigator_links_two_people_from_her_own_knowledge(server: str, browser: object,
                                                                 site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "what the witness said about the driver")
    page.goto(f"{server}/cases/amber/entities/{site.suspect}#manual-links")
    page.get_by_test_id("link-other").fill(site.victim)
    page.get_by_test_id("link-relation").fill("drove her to Riga")
    page.get_by_test_id("link-source").fill("witness statement of 2026-11-30, page 4")
    with page.expect_navigation():
        page.get_by_test_id("add-link").click()
    link = page.get_by_test_id("manual-link").first
    assert "drove her to Riga" in link.inner_text() and "witness statement" in link.inner_text()
    shot(page, "entity-investigator-link")
    graph = page.request.get(f"{server}/api/cases/amber/graph?ids={site.suspect}").json()
    [edge] = [e for e in graph["edges"] if e["schema"] == "InvestigatorLink"]
    assert {edge["source"], edge["target"]} == {site.suspect, site.victim}
    assert site.victim in {n["id"] for n in graph["nodes"]}
    page.goto(f"{server}/cases/amber/entities/{site.victim}#manual-links")  # both ends
    assert "drove her to Riga" in page.get_by_test_id("manual-links").inner_text()
    page.close()
