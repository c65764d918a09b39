"""The money-flow Sankey in Chromium: drawn, a flow clicked shows its transactions."""

from __future__ import annotations

import pytest
from browserhelpers import log_in, poll, shot

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
