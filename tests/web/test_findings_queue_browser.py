"""The findings queue in headless Chromium: grouped by whom the findings are about, two
findings ticked and dismissed at once with one reason."""

from __future__ import annotations

import pytest
from browserhelpers import log_in, shot
from webhelpers import Site

pytestmark = pytest.mark.browser


def test_an_analyst_dismisses_two_findings_at_once(server: str, browser: object,
                                                   site: Site) -> None:
    new = sorted((f for f in site.ws.findings.list("amber") if f.review.state.value == "new"),
                 key=lambda f: f.score)
    kind = new[0].kind
    chosen = [f.id for f in new if f.kind == kind][:2]
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "weekly review of the findings")
    page.goto(f"{server}/cases/amber/findings?state=&sort=subject")
    page.wait_for_selector("[data-testid=finding-group]")
    shot(page, "findings-by-subject")
    page.goto(f"{server}/cases/amber/findings?state=new&kind={kind}")
    for finding in chosen:
        page.locator(f"li[id='{finding}'] [data-testid=select]").check()
    page.fill("#bulk-reason", "lawful transfers, checked with the bank")
    with page.expect_navigation():  # back to the same queue
        page.get_by_test_id("bulk-dismiss").click()
    assert f"kind={kind}" in page.url and "state=new" in page.url
    stored = {f.id: f for f in site.ws.findings.list("amber")}
    assert all(stored[f].review.state.value == "dismissed" for f in chosen)
    assert all(f"id=\"{f}\"" not in page.content() for f in chosen)  # gone from "new"
