"""The application in real headless Chromium (Debian's package), driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browserhelpers import log_in, poll, shot
from webhelpers import Site

pytestmark = pytest.mark.browser


def test_investigator_reviews_a_finding(server: str, browser: object, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "weekly review of the financial findings")
    page.wait_for_selector("text=Findings by kind")
    shot(page, "dashboard")
    page.get_by_role("link", name="Findings").first.click()
    first = page.locator("li.finding").first
    first.get_by_label("Reason").fill("statements checked against the bank's originals")
    first.get_by_test_id("confirm").click()
    page.wait_for_url("**/findings**")
    page.wait_for_load_state()
    shot(page, "findings")
    confirmed = [f for f in site.ws.findings.list("amber") if f.review.state.value == "confirmed"]
    assert any(f.review.reason == "statements checked against the bank's originals"
               for f in confirmed)


def test_entity_page_and_search(server: str, browser: object, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "checking a suspect")
    page.goto(f"{server}/cases/amber/entities/{site.suspect}")
    page.wait_for_selector("text=Values and their sources")
    shot(page, "entity")
    assert "police_" in page.content()


def test_ngo_user_sees_victims_pseudonymised(server: str, browser: object, site: Site
                                             ) -> None:
    real = set(site.ws.entities.get("amber", site.victim).entity.get("name"))
    page = browser.new_page()  # type: ignore[attr-defined]
    log_in(page, server, "ilze", "amber", "support for a victim")
    # her real id answers "not found"; she is reached by her pseudonym, as an NGO user would
    found = page.request.get(f"{server}/api/cases/amber/search?q=Victim").json()
    pseudo = next(e["id"] for e in found if e["id"].startswith("pseudo-"))
    page.goto(f"{server}/cases/amber/entities/{pseudo}")
    page.wait_for_selector("h1")
    shot(page, "ngo-entity")
    html = page.content()
    assert real and not any(name in html for name in real)


DIST = Path(__file__).parents[2] / "src" / "veriga" / "web" / "static" / "dist" / "network.js"


def test_network_expand_and_find_a_path(server: str, browser: object, site: Site) -> None:
    if not DIST.exists():
        if os.environ.get("CI"):
            pytest.fail("browser modules missing: run `make web-assets`")
        pytest.skip("browser modules not built (make web-assets)")
    from veriga.chain.graph import build

    def graph_of(ids: list[str]) -> set[str]:
        around = site.ws.entities.neighbourhood("amber", ids)
        return set(build(around.entities, around.roles).nodes)

    # an account with a neighbour whose own neighbours are not all shown yet
    account, neighbour = None, None
    for candidate in site.ws.entities.list("amber", ["BankAccount"]):
        shown = graph_of([candidate.id])
        neighbour = next((n for n in sorted(shown - {candidate.id})
                          if graph_of([n]) - shown), None)
        if neighbour:
            account = candidate
            break
    assert account is not None and neighbour is not None
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "mapping the money mules' network")
    page.goto(f"{server}/cases/amber/network?ids={account.id}")
    poll(page, "() => window.verigaNetwork && window.verigaNetwork.sigma !== null")
    before = page.evaluate("() => window.verigaNetwork.graph.order")
    assert before >= 2
    page.evaluate(f"() => window.verigaNetwork.explorer.select({neighbour!r})")
    page.get_by_test_id("expand").click()
    poll(page, f"() => window.verigaNetwork.graph.order > {before}")
    far = page.evaluate(
        f"() => window.verigaNetwork.graph.nodes().find(n => n !== {account.id!r} && "
        f"!window.verigaNetwork.graph.neighbors({account.id!r}).includes(n))")
    page.evaluate(f"() => window.verigaNetwork.explorer.select({account.id!r})")
    page.get_by_test_id("path-from").click()
    page.evaluate(f"() => window.verigaNetwork.explorer.select({far!r})")
    page.get_by_test_id("find-path").click()
    poll(page, "() => document.querySelector('[data-testid=status]').textContent.length > 0")
    shot(page, "network")
    status = page.get_by_test_id("status").text_content() or ""
    assert "no path" not in status.lower(), status


AXE = Path(__file__).parents[2] / "web" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ("/cases", "/cases/amber", "/cases/amber/findings", "/cases/amber/chain",
         "/cases/amber/entities?q=an", "/cases/amber/files", "/cases/amber/network")


def test_switch_language_export_and_report(server: str, browser: object, tmp_path: Path
                                           ) -> None:
    """The header's language switch, an export download and the report in Bulgarian."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "preparing the file for the prosecutor")
    page.goto(f"{server}/cases/amber")
    page.select_option("[data-testid=language]", "bg")
    page.click("form[action='/language'] button[type=submit]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "bg"
    assert "Табло" in page.content() or "Констатации" in page.content()
    page.goto(f"{server}/cases/amber/files")
    with page.expect_download() as download:
        page.click("[data-testid=export-anx]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".anx" and b"<Chart" in saved.read_bytes()[:4000]
    page.goto(f"{server}/cases/amber/report")
    page.click("[data-testid=build-report]")  # built in the background, the page follows
    page.wait_for_selector("[data-testid=report-ready]", timeout=300_000)
    page.wait_for_selector("[data-testid=report]")
    shot(page, "report")
    assert page.get_attribute("html", "lang") == "bg"
    page.goto(f"{server}/cases/amber")
    page.select_option("[data-testid=language]", "en")
    page.click("form[action='/language'] button[type=submit]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    page.close()


def test_main_pages_pass_an_accessibility_check(server: str, browser: object) -> None:
    """axe-core (npm) with the WCAG 2.0/2.1 A and AA rules: no serious or critical issue."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core missing: run `make web-assets`")
        pytest.skip("axe-core not installed (make web-assets)")
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    page = context.new_page()
    log_in(page, server, "liga", "amber", "checking the interface")
    problems = []
    for path in PAGES:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")  # the views draw after their data arrives
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
        problems += [f"{path} {p}" for p in result]
    context.close()
    assert not problems, "\n".join(problems)
