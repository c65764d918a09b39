"""The money-flow Sankey in Chromium: drawn, a flow clicked shows its transactions."""

from __future__ import annotations

import pytest
from browserhelpers import log_in, logged_in, poll, shot

pytestmark = pytest.mark.browser


def test_sankey_drawn_and_a_flow_drills_down(server: str, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, server, "liga", "amber", "following the money")
    page.goto(f"{server}/cases/amber/money?top=20")
    assert poll(page, "window.verigaMoney && window.verigaMoney.links > 0")
    assert page.evaluate("document.querySelector('.money-chart canvas') !== null")
    links = page.evaluate("window.verigaMoney.links")
    assert page.locator("[data-testid=money-table] tbody tr").count() == links
    point = page.evaluate("window.verigaMoney.linkPoint(0)")
    page.mouse.click(point["x"], point["y"])
    poll(page, "document.querySelectorAll('[data-testid=money-transactions] tbody tr').length")
    rows = page.locator("[data-testid=money-transactions] tbody tr").count()
    first = page.evaluate("window.verigaMoney.data.links[0]")
    assert rows == min(50, first["count"])
    assert page.locator(".money-panel h2").inner_text().count("→") == 1
    # the drill-down stays within the page: a wide table scrolls inside its panel
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "money")
    # a node → its accounts and "trace from here"; the trace draws by hop
    account = page.evaluate("window.verigaMoney.data.nodes.find(n => n.held && n.accounts.length"
                            " === 1).accounts[0]")
    page.goto(f"{server}/cases/amber/money?mode=trace&account={account}&direction=both")
    assert poll(page, "window.verigaMoney && window.verigaMoney.links > 0")
    assert page.evaluate("window.verigaMoney.data.traced")
    assert page.locator("#money-account").input_value() == account
    shot(page, "money-trace")
    assert not errors, errors
    page.close()


def test_overview_opens_on_the_flagged_accounts_and_the_whole_case_is_one_click(
        server: str, browser: object) -> None:
    page = logged_in(browser, server, "liga", "amber", "following the money")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/cases/amber/money?" in r.url
            else None)
    page.goto(f"{server}/cases/amber/money")
    assert poll(page, "window.verigaMoney && window.verigaMoney.links > 0")
    shot(page, "money-flagged")
    box = page.locator("input[name=flagged]")
    assert box.is_checked() and "flagged=true" in asked[-1]
    flagged = page.evaluate("window.verigaMoney.data.nodes.filter(n => n.flagged.length)"
                            ".length")
    assert flagged > 0
    n_flagged = page.evaluate("window.verigaMoney.data.nodes.length")
    box.click()  # the whole case, no other click
    assert poll(page, "window.verigaMoney && window.verigaMoney.data && "
                      f"window.verigaMoney.data.nodes.length !== {n_flagged}")
    assert "flagged=false" in asked[-1] and "flagged=false" in page.url
    page.reload()  # the reader's choice stays with the address
    assert poll(page, "window.verigaMoney && window.verigaMoney.links > 0")
    assert not page.locator("input[name=flagged]").is_checked()
    page.close()
