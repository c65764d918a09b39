"""The map in real headless Chromium: outlines, places, routes, popups, the date filter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browserhelpers import log_in, logged_in, poll, shot
from webhelpers import Site

pytestmark = pytest.mark.browser

DIST = Path(__file__).parents[2] / "src" / "veriga" / "web" / "static" / "dist" / "map.js"
LOADED = "() => window.verigaMap && window.verigaMap.view.data !== null"


def _page(server: str, browser: object) -> object:
    if not DIST.exists():
        if os.environ.get("CI"):
            pytest.fail("browser modules missing: run `make web-assets`")
        pytest.skip("browser modules not built (make web-assets)")
    return logged_in(browser, server, "liga", "amber", "mapping the victims' routes", width=1280)


def test_map_draws_outlines_places_and_routes(server: str, browser: object, site: Site) -> None:
    page = _page(server, browser)
    page.goto(f"{server}/cases/amber/map")  # type: ignore[attr-defined]
    poll(page, LOADED)
    drawn = page.evaluate(  # type: ignore[attr-defined]
        "() => ({places: verigaMap.places, routes: verigaMap.routes, outlines: verigaMap.outlines,"
        " svgPlaces: document.querySelectorAll('path.map-place').length,"
        " svgRoutes: document.querySelectorAll('path.map-route').length,"
        " countries: document.querySelectorAll('.leaflet-outlines-pane path').length,"
        " tiles: document.querySelectorAll('img.leaflet-tile').length,"
        " rows: document.querySelectorAll('[data-testid=map-routes] tbody tr').length})")
    trips = list(site.ws.entities.list("amber", ["Trip"]))
    assert drawn["outlines"] > 150 and drawn["countries"] == drawn["outlines"]
    assert drawn["tiles"] == 0  # no tile server
    # every place drawn: alone, or gathered with its neighbours into a numbered circle
    gathered = page.evaluate(  # type: ignore[attr-defined]
        "() => verigaMap.view.clusters.map(c => c.length)")
    assert drawn["places"] > 3 and drawn["svgPlaces"] + sum(gathered) == drawn["places"]
    assert page.locator(".map-cluster").count() == len(gathered)  # type: ignore[attr-defined]
    assert drawn["routes"] > 0 and drawn["svgRoutes"] == drawn["routes"]
    assert drawn["rows"] >= drawn["routes"]
    ends = {page.evaluate(  # type: ignore[attr-defined]
        "() => verigaMap.view.data.trips_total")}
    assert ends == {len(trips)}
    # the view fits the data: the Baltic is in sight
    inside = page.evaluate(  # type: ignore[attr-defined]
        "() => verigaMap.view.map.getBounds().contains([56.95, 24.1])")
    assert inside
    shot(page, "map")

    # a place's popup lists people with links to their pages and to the network
    place = page.locator("path.map-place").first  # type: ignore[attr-defined]
    place.scroll_into_view_if_needed()  # (below the fold when the header takes two lines)
    box = place.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # type: ignore
    popup = page.locator(".leaflet-popup-content .map-popup")  # type: ignore[attr-defined]
    popup.wait_for()
    assert popup.locator("a[href^='/cases/amber/entities/']").count() > 0
    network = popup.locator("a.map-network").get_attribute("href")
    assert network.startswith("/cases/amber/network?ids=")
    page.wait_for_timeout(600)  # type: ignore[attr-defined]  # the pan and fade-in
    shot(page, "map-popup")

    # the table's button opens a route's popup on the map
    page.locator("[data-testid=map-routes] button.map-show").first.click()  # type: ignore
    route = page.locator(".leaflet-popup-content .map-popup[data-route]")  # type: ignore
    route.wait_for()
    assert "→" in route.locator("h3").inner_text()
    assert not page.errors  # type: ignore[attr-defined]


def test_date_filter_narrows_the_routes(server: str, browser: object, site: Site) -> None:
    page = _page(server, browser)
    page.goto(f"{server}/cases/amber/map")  # type: ignore[attr-defined]
    poll(page, LOADED)
    before = page.evaluate("() => verigaMap.view.data")  # type: ignore[attr-defined]
    first = before["first"]
    page.fill("#map-from", first)  # type: ignore[attr-defined]
    page.fill("#map-to", first)  # type: ignore[attr-defined]
    page.click("[data-testid=map-filters] button[type=submit]")  # type: ignore[attr-defined]
    poll(page, f"() => verigaMap.view.data.trips_total < {before['trips_total']}")
    after = page.evaluate("() => verigaMap.view.data")  # type: ignore[attr-defined]
    assert 0 < after["trips_total"] < before["trips_total"]
    assert page.evaluate("() => verigaMap.routes") <= len(before["routes"])  # type: ignore
    assert f"from={first}" in page.url  # type: ignore[attr-defined]
    status = page.locator(".map-status").inner_text()  # type: ignore[attr-defined]
    assert str(after["trips_total"]) in status
    page.click("[data-testid=map-filters] button[type=reset]")  # type: ignore[attr-defined]
    poll(page, f"() => verigaMap.view.data.trips_total === {before['trips_total']}")
    assert not page.errors  # type: ignore[attr-defined]


AXE = Path(__file__).parents[2] / "web" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def test_map_page_passes_an_accessibility_check(server: str, browser: object) -> None:
    """axe-core with the WCAG 2.0/2.1 A and AA rules, once the map and tables are drawn."""
    if not AXE.exists() or not DIST.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core or the browser modules missing: run `make web-assets`")
        pytest.skip("axe-core or the browser modules not installed (make web-assets)")
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    page = context.new_page()
    log_in(page, server, "liga", "amber", "checking the interface")
    page.goto(f"{server}/cases/amber/map")
    poll(page, LOADED)
    page.add_script_tag(path=str(AXE))
    problems = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
    context.close()
    assert not problems, "\n".join(problems)



def test_places_close_together_are_one_circle_until_zoomed_in(server: str, browser: object
                                                               ) -> None:
    page = _page(server, browser)
    page.goto(f"{server}/cases/amber/map")  # type: ignore[attr-defined]
    poll(page, LOADED)
    clusters = page.evaluate("() => verigaMap.view.clusters.length")  # type: ignore
    assert clusters > 0, "the Baltic places overlap at the fitted zoom"
    cluster = page.locator(".map-cluster").first  # type: ignore[attr-defined]
    cluster.scroll_into_view_if_needed()  # (below the fold when the header takes two lines)
    n = int(cluster.inner_text())
    assert n >= 2 and "places:" in (cluster.get_attribute("title") or "")
    zoom = page.evaluate("() => verigaMap.view.map.getZoom()")  # type: ignore
    cluster.click()
    poll(page, f"() => verigaMap.view.map.getZoom() > {zoom}")
    page.wait_for_timeout(400)  # type: ignore[attr-defined]  # the zoom animation
    after = page.evaluate("() => verigaMap.view.clusters.reduce((n, c) => n + c.length, 0)")
    before = page.evaluate("() => verigaMap.view.data.places.length")  # type: ignore
    assert after < before  # closer, fewer gathered
    shot(page, "map-clusters")
    # a place the table shows is brought out of its group
    page.evaluate("() => verigaMap.view.map.setZoom(3, {animate: false})")  # type: ignore
    page.locator("[data-testid=map-places] button.map-show").first.click()  # type: ignore
    page.locator(".leaflet-popup-content .map-popup").wait_for()  # type: ignore[attr-defined]
    assert not page.errors  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]
