"""The timeline in real headless Chromium: items drawn, kinds and dates filter them, a click
shows an event's details with its links, the table lists the same events, no serious
accessibility issue."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browserhelpers import log_in, logged_in, poll, shot
from webhelpers import Site

from veriga.web.i18n import translations

pytestmark = pytest.mark.browser

DIST = Path(__file__).parents[2] / "src" / "veriga" / "web" / "static" / "dist" / "timeline.js"
AXE = Path(__file__).parents[2] / "web" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
READY = "() => window.verigaTimeline && window.verigaTimeline.items > 0"


@pytest.fixture(autouse=True)
def _built() -> None:
    if not DIST.exists():
        if os.environ.get("CI"):
            pytest.fail("browser modules missing: run `make web-assets`")
        pytest.skip("browser modules not built (make web-assets)")


def _count(page: object, kind: str) -> int:
    return page.evaluate(  # type: ignore[attr-defined]
        f"() => window.verigaTimeline.app.shown.filter(e => e.kind === '{kind}').length")


def test_timeline_filters_and_details(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, server, "liga", "amber", "travel and payments of the suspects over time")
    page.goto(f"{server}/cases/amber/timeline")
    poll(page, READY)
    total = page.evaluate("() => window.verigaTimeline.items")
    ads = _count(page, "ad")
    assert ads and page.locator(".vis-item").count() > 0
    assert page.locator(".vis-labelset .vis-label").count() >= 4  # one group per kind

    # untick the ads: fewer items, none of them an ad
    page.get_by_test_id("tl-kind-ad").uncheck()
    poll(page, f"() => window.verigaTimeline.items === {total - ads}")
    assert _count(page, "ad") == 0
    page.get_by_test_id("tl-kind-ad").check()
    poll(page, f"() => window.verigaTimeline.items === {total}")

    # a date range
    page.fill("input[name=from]", "2026-02-01")
    page.fill("input[name=to]", "2026-02-10")
    page.get_by_test_id("tl-apply").click()
    poll(page, f"() => window.verigaTimeline.items < {total}")
    shown = page.evaluate("() => window.verigaTimeline.app.shown.map(e => [e.start, e.end])")
    assert shown and all(s[:10] <= "2026-02-10" and (e or s)[:10] >= "2026-02-01"
                         for s, e in shown)

    # click an item: its details, with links to its page and to the network
    page.locator(".vis-item.tl-kind-trip").first.click()
    details = page.get_by_test_id("tl-details")
    details.locator("h3").wait_for()
    assert "→" in details.locator("h3").inner_text()
    network = details.get_by_test_id("tl-network").get_attribute("href") or ""
    assert network.startswith("/cases/amber/network?ids=")
    assert (details.get_by_test_id("tl-open").get_attribute("href") or "").startswith(
        "/cases/amber/entities/")
    assert details.locator("ul.tl-party-list a").count() >= 2
    shot(page, "timeline")

    # the same events as a table, reachable by keyboard
    page.get_by_test_id("tl-list").locator("summary").click()
    rows = page.locator("table.tl-table tbody tr")
    assert rows.count() == page.evaluate("() => window.verigaTimeline.items")
    rows.nth(0).locator("button").focus()
    page.keyboard.press("Enter")
    first = page.evaluate("() => window.verigaTimeline.app.shown[0].label")
    assert first in details.inner_text()
    assert page.evaluate("() => document.activeElement.dataset.testid") == "tl-details"

    # links from the details lead on
    details.get_by_test_id("tl-network").click()
    page.wait_for_url("**/network?ids=**")
    assert not errors, errors


def test_timeline_of_one_entity_from_its_page(server: str, browser: object, site: Site
                                              ) -> None:
    trip = next(iter(site.ws.entities.list("amber", ["Trip"])))
    passenger = trip.first("involved")
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "movements of one person")
    page.goto(f"{server}/cases/amber/entities/{passenger}")
    page.click(f"a[href='/cases/amber/timeline?ids={passenger}']")
    poll(page, READY)
    ids = page.evaluate("() => window.verigaTimeline.app.shown.map(e => e.entity_ids)")
    assert ids and all(passenger in group for group in ids)
    assert trip.id in page.evaluate("() => window.verigaTimeline.app.shown.map(e => e.id)")


def test_timeline_passes_an_accessibility_check(server: str, browser: object) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (make web-assets)")
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    page = context.new_page()
    log_in(page, server, "liga", "amber", "checking the interface")
    page.goto(f"{server}/cases/amber/timeline")
    poll(page, READY)
    page.get_by_test_id("tl-list").locator("summary").click()
    page.add_script_tag(path=str(AXE))
    problems = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
    context.close()
    assert not problems, "\n".join(problems)


def test_ngo_worker_in_latvian(server: str, browser: object, site: Site) -> None:
    names = set(site.ws.entities.get("amber", site.victim).entity.get("name"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "ilze", "amber", "support for a victim")  # her language: Latvian
    page.goto(f"{server}/cases/amber/timeline")
    poll(page, READY)
    page.evaluate("() => window.verigaTimeline.app.timeline.setWindow("
                  "new Date(2026, 1, 2), new Date(2026, 1, 6), {animation: false})")
    # "februāris 2026" over the days: moment's Latvian months
    poll(page, "() => [...document.querySelectorAll('.vis-time-axis')]"
               ".some(a => a.innerText.toLowerCase().includes('februāris'))")
    shot(page, "timeline-ngo-lv")
    page.get_by_test_id("tl-list").locator("summary").click()
    html = page.content()
    assert site.victim not in html
    # pseudonyms read in her language: "Cietušais B7B05C", not "Victim B7B05C"
    word = translations("lv").gettext("Victim %(code)s") % {"code": ""}
    assert not word.startswith("Victim")
    victim = page.evaluate("""(word) => window.verigaTimeline.app.shown.flatMap(e => e.parties)
        .filter(p => p.label.startsWith(word)).map(p => p.id)""", word)
    # her records carry pseudonymous ids; other records that name her show her pseudonym
    assert any(i.startswith("pseudo-") for i in victim)
    assert names and not any(name in html for name in names if name not in (
        page.evaluate("() => window.verigaTimeline.app.shown.flatMap(e => e.parties)"
                      ".filter(p => !p.id.startsWith('pseudo-')).map(p => p.label)")))


def test_lanes_per_person_and_events_gathered_when_zoomed_out(server: str,
                                                              browser: object) -> None:
    """As i2's theme lines: a lane per person or company, each event on the lane of everyone
    it involves; zoomed out, the events close together on a lane are one box with their
    number."""
    page = logged_in(browser, server, "liga", "amber",
                     "travel and payments of the suspects over time", height=1000)
    errors = page.errors
    page.goto(f"{server}/cases/amber/timeline")
    poll(page, READY)
    page.get_by_test_id("tl-lanes").select_option("entity")
    poll(page, "() => document.querySelectorAll('.vis-labelset .vis-label.tl-lane').length > 1")
    labels = page.locator(".vis-labelset .vis-label.tl-lane").all_inner_texts()
    assert len(labels) <= 26
    involved = page.evaluate("""() => { const n = new Map();
        for (const e of window.verigaTimeline.app.shown) for (const p of e.parties)
          if (p.actor)
            n.set(p.label, (n.get(p.label) || 0) + 1);
        return [...n.entries()].sort((a, b) => b[1] - a[1]).map(x => x[0]); }""")
    assert labels[0].strip() == involved[0]  # the most involved first
    # zoomed out: gathered
    for _ in range(6):
        page.get_by_role("button", name="Zoom out").click()
    poll(page, "() => document.querySelectorAll('.vis-item.vis-cluster').length > 0")
    cluster = page.locator(".vis-item.vis-cluster").first
    assert int(cluster.inner_text().strip()) >= 2
    cluster.hover()
    poll(page, "() => [...document.querySelectorAll('.vis-tooltip')].some(t => "
               "t.textContent.includes('events: zoom in to see them'))")
    shot(page, "timeline-lanes")
    # back to one lane per kind
    page.get_by_test_id("tl-lanes").select_option("kind")
    poll(page, "() => document.querySelectorAll('.vis-labelset .vis-label.tl-lane').length"
               " === 0")
    assert not errors, errors
    page.close()
