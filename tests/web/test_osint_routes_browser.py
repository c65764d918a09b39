"""An operation's route drawn on the map in headless Chromium: dashed legs, a row per leg in
the table, a popup linking the operation's finding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browserhelpers import log_in, poll, shot
from webhelpers import Site

pytestmark = pytest.mark.browser

DIST = Path(__file__).parents[2] / "src" / "veriga" / "web" / "static" / "dist" / "map.js"
LOADED = "() => window.verigaMap && window.verigaMap.view.data !== null"


def test_the_map_draws_an_operations_moves(server: str, browser: object, site: Site) -> None:
    if not DIST.exists():
        if os.environ.get("CI"):
            pytest.fail("browser modules missing: run `make web-assets`")
        pytest.skip("browser modules not built (make web-assets)")
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, server, "liga", "amber", "following the ads")
    page.goto(f"{server}/cases/amber/map")
    poll(page, LOADED)
    drawn = page.evaluate(
        "() => ({legs: verigaMap.view.data.routes.filter(r => r.kind === 'finding').length,"
        " dashed: document.querySelectorAll('path.map-route-finding').length,"
        " rows: document.querySelectorAll('tr[data-route^=\"finding:\"]').length})")
    assert drawn["legs"] > 0 and drawn["dashed"] > 0 and drawn["rows"] == drawn["legs"]
    page.locator('tr[data-route^="finding:"] button.map-show').first.click()
    popup = page.locator('.leaflet-popup-content [data-route^="finding:"]')
    popup.wait_for()
    link = popup.locator("a").first.get_attribute("href")
    assert link and "/cases/amber/findings?kind=operation." in link
    shot(page, "map-operation-route")
    assert errors == []
