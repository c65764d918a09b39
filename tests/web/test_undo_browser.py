"""Undo from the activity feed in headless Chromium: a file imported by mistake withdrawn
(with why) and restored, a saved view deleted, a member taken off again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browserhelpers import log_in, shot
from webhelpers import Site

from veriga.ingest import ImportRequest
from veriga.workspace import Workspace

pytestmark = pytest.mark.browser
CASE = "undoing"


def test_withdraw_and_restore_a_file_delete_a_view_take_a_member_off(
        server: str, browser: object, site: Site, tmp_path: Path) -> None:
    ws = site.ws
    path = tmp_path / "wrong-case.ftm.json"
    path.write_text(json.dumps({"id": "p-1", "schema": "Person", "properties": {
        "name": ["Jānis Bērziņš"]}}, ensure_ascii=False) + "\n", encoding="utf-8")
    ws.cases.create(CASE)
    source = ws.records.import_files(CASE, [ImportRequest(path)])[0].source_id
    ws.saved_views.save(CASE, "network", "first layout", {"version": 1, "nodes": []})
    with Workspace.local(site.settings, purpose="a new colleague", username="admin") as admin:
        admin.directory.add_user("peteris", "Valsts policija", ["investigator"])
    ws.cases.add_member(CASE, "peteris")

    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", CASE, "mending the case")
    page.goto(f"{server}/cases/{CASE}/activity")
    page.get_by_test_id("undo-import").click()
    page.wait_for_url(f"**/cases/{CASE}/files*")
    row = page.locator(f"[data-testid=source-row][data-source='{source}']")
    row.get_by_test_id("withdraw-open").click()
    row.get_by_test_id("withdraw-reason").fill("imported into the wrong case")
    with page.expect_navigation():
        row.get_by_test_id("withdraw").click()
    assert "imported into the wrong case" in row.get_by_test_id("withdrawn").inner_text()
    assert not any(p.id == "p-1" for p in ws.entities.list(CASE, ["Person"]))
    shot(page, "files-withdrawn")

    page.goto(f"{server}/cases/{CASE}/activity")
    with page.expect_navigation():
        page.get_by_test_id("undo-import.withdraw").click()
    assert any(p.id == "p-1" for p in ws.entities.list(CASE, ["Person"]))
    with page.expect_navigation():
        page.get_by_test_id("undo-view.save").click()
    assert not ws.saved_views.list(CASE, "network")
    with page.expect_navigation():
        page.get_by_test_id("undo-case.member.add").click()
    assert "peteris" not in ws.notes.members(CASE)
    actions = [a.get_attribute("data-action") for a in
               page.locator("[data-testid=activity-row]").all()][:3]
    assert actions == ["case.member.remove", "view.delete", "import.restore"]
    # what is undone offers no undo again; the file restored may be withdrawn again
    assert page.get_by_test_id("undo-view.save").count() == 0
    assert page.get_by_test_id("undo-case.member.add").count() == 0
    assert page.get_by_test_id("undo-import").count() == 1
    assert page.get_by_test_id("undo-import.withdraw").count() == 0
    shot(page, "activity-undone")
    with page.expect_navigation():  # and the member taken off rejoins
        page.get_by_test_id("undo-case.member.remove").click()
    assert "peteris" in ws.notes.members(CASE)
    page.close()
