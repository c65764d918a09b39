"""The timeline, network and map of one case, open side by side in the same browser, select
together: a trip chosen in the timeline is highlighted in the network and on the map, a place
chosen on the map selects its events in the timeline, an entity clicked in the network lights
up its places."""

from __future__ import annotations

from typing import Any

import pytest
from browserhelpers import log_in, poll, shot

pytestmark = pytest.mark.browser

MAP_READY = "() => window.verigaMap && window.verigaMap.view.data !== null"
NETWORK_READY = "() => window.verigaNetwork && window.verigaNetwork.sigma !== null"
TIMELINE_READY = "() => window.verigaTimeline && window.verigaTimeline.items > 0"


def _views(browser: Any, server: str) -> tuple[Any, Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    context.on("weberror", lambda e: errors.append(str(e.error)))
    timeline = context.new_page()
    log_in(timeline, server, "liga", "amber", "linking the views of the case")
    timeline.goto(f"{server}/cases/amber/timeline")
    network = context.new_page()
    network.goto(f"{server}/cases/amber/network")
    places = context.new_page()
    places.goto(f"{server}/cases/amber/map")
    poll(timeline, TIMELINE_READY)
    poll(network, NETWORK_READY)
    poll(places, MAP_READY)
    return timeline, network, places, errors


def test_a_trip_chosen_in_the_timeline_shows_in_the_network_and_on_the_map(
        server: str, browser: Any) -> None:
    timeline, network, places, errors = _views(browser, server)
    route = places.evaluate("""() => verigaMap.view.data.routes.find(r => r.kind === 'trip'
        && r.source !== r.target && r.passenger_ids.length)""")
    trip, passenger = route["trip_ids"][0], route["passenger_ids"][0]
    shown = timeline.evaluate("() => verigaTimeline.app.shown.map(e => e.id)")
    assert trip in shown
    timeline.click("[data-testid=tl-list] summary")
    timeline.click(f"tr[data-id='{trip}'] button")

    poll(places, "() => verigaMap.view.linkedRoutes.size > 0")
    key = f"{route['source']}>{route['target']}"
    assert key in places.evaluate("() => [...verigaMap.view.linkedRoutes]")
    assert {route["source"], route["target"]} <= set(
        places.evaluate("() => [...verigaMap.view.linkedPlaces]"))
    note = places.get_by_test_id("map-linked")
    assert note.is_visible() and "Selected in the timeline" in note.inner_text()

    poll(network, f"() => {{ const p = verigaNetwork.explorer.pathNodes;"
                  f" return p && p.has('{passenger}'); }}")
    assert network.evaluate(f"() => verigaNetwork.graph.hasNode('{passenger}')")
    status = network.locator("#network [role=status]").first.inner_text()
    assert "Selected in the timeline" in status
    shot(places, "linked-map")
    shot(network, "linked-network")
    # the details of the trip also lead to the map of its people at its dates
    href = timeline.get_by_test_id("tl-map").get_attribute("href") or ""
    assert "/cases/amber/map?ids=" in href and "from=" in href
    assert errors == []


def test_a_place_chosen_on_the_map_selects_its_events_in_the_timeline(
        server: str, browser: Any) -> None:
    timeline, network, places, errors = _views(browser, server)
    place = places.evaluate("""() => verigaMap.view.data.places
        .filter(p => p.trip_ids.length).sort((a, b) => b.trip_ids.length - a.trip_ids.length)[0]""")
    places.locator(f"tr[data-place='{place['id']}'] button").click()
    poll(timeline, "() => verigaTimeline.app.timeline.getSelection().length > 0")
    selected = timeline.evaluate("() => verigaTimeline.app.timeline.getSelection()"
                                 ".map(id => String(id).split('\\u0000')[0])")
    assert set(place["trip_ids"]) & set(selected)
    note = timeline.get_by_test_id("tl-linked")
    assert note.is_visible() and "Selected on the map" in note.inner_text()
    shot(timeline, "linked-timeline")

    # an entity clicked in the network: its places light up on the map, the map's own note
    person = place["person_ids"][0]
    network.bring_to_front()  # a tab behind others has its timers slowed: a click, a double click
    network.evaluate("() => verigaNetwork.idle()")  # the layout has stopped moving nodes
    network.evaluate(f"() => verigaNetwork.explorer.focus('{person}')")
    network.wait_for_timeout(800)  # the camera's move
    box = network.locator("#network canvas").last.bounding_box()
    at = network.evaluate(f"""() => {{ const s = verigaNetwork.sigma;
        return s.framedGraphToViewport(s.getNodeDisplayData('{person}')); }}""")
    assert box is not None
    network.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    poll(places, f"() => verigaMap.view.linkedPlaces.has('{place['id']}')")
    assert "Selected in the network" in places.get_by_test_id("map-linked").inner_text()
    # clicking the empty stage clears the selection everywhere
    empty = network.evaluate("""() => { const s = verigaNetwork.sigma, g = verigaNetwork.graph;
        const {width, height} = s.getDimensions();
        for (let y = 20; y < height; y += 20) for (let x = 20; x < width; x += 20) {
          if (g.nodes().every(n => { const d = s.getNodeDisplayData(n);
                if (!d || d.hidden) return true;
                const p = s.framedGraphToViewport(d); return Math.hypot(p.x - x, p.y - y) > 40; }))
            return {x, y};
        } return null; }""")
    assert empty is not None
    network.wait_for_timeout(500)  # not a double click
    network.mouse.click(box["x"] + empty["x"], box["y"] + empty["y"])
    poll(places, "() => verigaMap.view.linkedPlaces.size === 0")
    assert not places.get_by_test_id("map-linked").is_visible()
    assert errors == []
