"""The network as laid out, exported as an i2 Analyst's Notebook chart: in headless Chromium
the analyst opens an account's network, lets the layout run and exports ANX; each entity
shown is one item at its place (left stays left, top stays top), the links among them are
links, and the export is audited with the entities it holds. Through the API: what the
reader may not see is not drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browserhelpers import log_in, poll
from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import Site, open_case
from webhelpers import log_in as api_log_in

from veriga.store.schema import audit


def _items(path: Path) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str]]]:
    root = ET.parse(path).getroot()
    places, links = {}, []
    for item in root.iter("ChartItem"):
        entity = item.find("End/Entity")
        if entity is not None:
            end = item.find("End")
            assert end is not None and item.get("XPosition") == end.get("X")
            places[entity.get("EntityId") or ""] = (int(end.get("X") or 0),
                                                   int(end.get("Y") or 0))
        link = item.find("Link")
        if link is not None:
            links.append((link.get("End1Id") or "", link.get("End2Id") or ""))
    return places, links


@pytest.mark.browser
def test_the_chart_as_laid_out(server: str, browser: object, site: Site,
                               tmp_path: Path) -> None:
    account = next(e for e in site.ws.entities.list("amber", ["BankAccount"]))
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "a chart for the analysts' meeting")
    page.goto(f"{server}/cases/amber/network?ids={account.id}")
    poll(page, "() => window.verigaNetwork && window.verigaNetwork.sigma !== null")
    poll(page, "() => window.verigaNetwork.graph.order >= 2")
    page.evaluate("() => window.verigaNetwork.idle()")  # the layout has stopped moving nodes
    # what is shown (entities without links are hidden, and left out of the chart)
    shown = page.evaluate("() => { const n = window.verigaNetwork, g = n.graph; return "
                          "g.nodes().filter(x => !n.sigma.getNodeDisplayData(x).hidden)"
                          ".map(x => [x, g.getNodeAttribute(x, 'x'), "
                          "g.getNodeAttribute(x, 'y')]); }")
    with page.expect_download() as download:
        page.get_by_test_id("export-anx-chart").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".anx"
    places, links = _items(saved)
    assert set(places) == {n for n, _, _ in shown}
    assert links and all(a in places and b in places for a, b in links)
    # the analyst's picture: who is left of whom and who above whom is kept
    by_x = sorted(shown, key=lambda n: n[1])
    assert places[by_x[0][0]][0] <= places[by_x[-1][0]][0]
    by_y = sorted(shown, key=lambda n: n[2])  # the graph's y grows upwards, ANB's down
    assert places[by_y[0][0]][1] >= places[by_y[-1][0]][1]
    page.close()


def test_an_api_chart_is_an_export(client: TestClient, site: Site) -> None:
    """The NGO worker may not export; an investigator's chart holds the entities it names
    that exist (nothing else of the case), and is audited as an export with them."""
    api_log_in(client, "ilze")
    csrf = open_case(client, "amber", "a chart of the victim's support network")
    refused = client.post("/api/cases/amber/network/anx", headers={"X-CSRF-Token": csrf},
                          json={"nodes": [{"id": site.suspect, "x": 0, "y": 0}]})
    assert refused.status_code == 403
    client.cookies.clear()
    api_log_in(client, "liga")
    csrf = open_case(client, "amber", "a chart for the prosecutor")
    response = client.post("/api/cases/amber/network/anx", headers={"X-CSRF-Token": csrf},
                           json={"nodes": [{"id": site.suspect, "x": 0, "y": 0},
                                           {"id": site.victim, "x": 100.0, "y": 50.0},
                                           {"id": "no-such-entity", "x": 5.0, "y": 5.0}]})
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    drawn = {e.get("EntityId") for e in root.iter("Entity")}
    assert {site.suspect, site.victim} <= drawn and "no-such-entity" not in drawn
    assert len([e for e in drawn if e and ":" not in e]) == 2  # (phones, e-mails aside)
    with site.ws.store.begin() as conn:
        last = conn.execute(select(audit).where(audit.c.actor == "liga")
                            .order_by(audit.c.seq.desc())).mappings().first()
    assert last is not None and last["action"] == "export" and last["detail"]["chart"]
    bad = client.post("/api/cases/amber/network/anx", headers={"X-CSRF-Token": csrf},
                      json={"nodes": [{"id": "x", "x": "NaN", "y": 0}]})
    assert bad.status_code == 422


@pytest.mark.browser
def test_a_layout_saved_again_is_a_new_version(server: str, browser: object,
                                               site: Site) -> None:
    """Saving a view under its name again keeps the earlier layout as a version of its own:
    both are listed (v2 newest), and the first opens as it was."""
    account = next(e for e in site.ws.entities.list("amber", ["BankAccount"]))
    for x in (10.0, 20.0):
        site.ws.saved_views.save("amber", "network", "layout for the briefing", {
            "version": 1, "nodes": [{"id": account.id, "x": x, "y": 1.0}]})
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "preparing the briefing")
    page.goto(f"{server}/cases/amber/network?ids={account.id}")
    poll(page, "() => window.verigaNetwork && window.verigaNetwork.sigma !== null")
    poll(page, "() => document.querySelectorAll('[data-testid=views-select] option').length > 2")
    options = page.locator("[data-testid=views-select] option", has_text="layout for the briefing")
    labels = [o.inner_text() for o in options.all()]
    assert any("v2" in t for t in labels) and any("v1" in t for t in labels)
    first = options.filter(has_text="v1").first.get_attribute("value") or ""
    page.select_option("[data-testid=views-select]", first)
    page.get_by_test_id("open-view").click()
    poll(page, f"() => window.verigaNetwork.graph.hasNode({account.id!r}) && "
               f"window.verigaNetwork.graph.getNodeAttribute({account.id!r}, 'x') === 10")
    page.close()
