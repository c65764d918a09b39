"""Keyboard navigation in headless Chromium: the help on "?", "g" and a view's letter, "j"/"k"
through the findings and Enter to open one, "/" to the search, nothing while typing."""

from __future__ import annotations

import pytest
from browserhelpers import log_in, shot
from webhelpers import Site

pytestmark = pytest.mark.browser


def test_a_day_without_the_mouse(server: str, browser: object, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "reviewing the findings")
    page.goto(f"{server}/cases/amber")
    page.keyboard.press("?")
    help_ = page.get_by_test_id("keys-help")
    assert help_.is_visible() and "g" in help_.inner_text()
    shot(page, "keys-help")
    page.keyboard.press("Escape")
    assert not help_.is_visible()

    with page.expect_navigation():
        page.keyboard.press("g")
        page.keyboard.press("f")
    assert page.url.split("?")[0].endswith("/cases/amber/findings")
    rows = page.locator("[data-key-row]")
    assert rows.count() >= 2
    page.keyboard.press("j")
    first = rows.nth(0).get_attribute("id")
    assert page.evaluate("document.activeElement.id") == first
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == rows.nth(1).get_attribute("id")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == first
    target = rows.nth(0).locator("a[data-key-open]").get_attribute("href") or ""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target)

    with page.expect_navigation():
        page.keyboard.press("/")
    assert "/cases/amber/entities" in page.url
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("gf")  # typed into the field: no navigation
    assert page.input_value("#q") == "gf" and "/entities" in page.url
    page.close()


def test_the_help_speaks_the_readers_language(server: str, browser: object,
                                              site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "ilze", "amber", "atbalsts cietušajai")
    page.goto(f"{server}/cases/amber")
    page.keyboard.press("?")
    text = page.get_by_test_id("keys-help").inner_text()
    assert "Tastatūras" in text and "Keyboard" not in text
    page.close()
