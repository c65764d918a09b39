"""Every view of a case, as the browser draws it, in each language: a screenshot of each for CI's
output (`view-<name>-<lang>.png`), no script error, and no catalog message left in English in what
the page shows once its modules have run (text, labels, titles, placeholders)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from browserhelpers import log_in, shot
from webhelpers import Site

from veriga.web.i18n import LANGUAGES, LOCALE_DIR

pytestmark = pytest.mark.browser

#: Waits until the module a page mounts (if any) has drawn what it first shows.
DRAWN = """async () => {
  for (const name of ["verigaNetwork", "verigaChain", "verigaTimeline", "verigaMap", "verigaMoney"])
    if (window[name]) await window[name].ready;
}"""

#: What the page shows a reader: its text, and the labels, titles and placeholders of its elements.
SHOWN = """() => {
  const out = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    // (a code, such as a finding's kind, is not translated; content marked as English is
    // content not yet translated, said so on the page)
    if (!parent || parent.closest("script, style, template, [hidden], code, [lang='en']")) continue;
    const text = node.data.replace(/\\s+/g, " ").trim();
    if (text) out.add(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]"))
    if (!el.closest("[lang='en']"))
    for (const attr of ["aria-label", "title", "placeholder", "alt"]) {
      const value = el.getAttribute(attr);
      if (value && value.trim()) out.add(value.trim());
    }
  return [...out];
}"""


def _catalog(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _name(url: str) -> str:
    path = url.split("?")[0].rstrip("/").split("/")
    name = "dashboard" if path[-1] == "amber" else path[-1]
    if "mode=" in url:
        name += "-" + re.search(r"mode=(\w+)", url).group(1)  # type: ignore[union-attr]
    return "entity" if len(path) > 4 and path[-2] == "entities" else name


def _views(page: Any, server: str, site: Site) -> list[str]:
    """The views the case's menu offers (every one a plugin adds, too), and a few reached
    from them: an entity's profile, the proceeds and the training hub."""
    page.goto(f"{server}/cases/amber")
    menu = page.eval_on_selector_all(
        "nav a[href^='/cases/amber']", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(menu + [
        f"/cases/amber/entities/{site.suspect}", "/cases/amber/money?mode=proceeds",
        "/training"]))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_view_in_every_language(server: str, browser: Any, site: Site,
                                      lang: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page = context.new_page()
    log_in(page, server, "liga", "amber", f"looking at every view in {lang}")
    context.add_cookies([{"name": "veriga_lang", "value": lang, "url": server}])
    views = _views(page, server, site)
    assert len(views) >= 12, views
    catalog = _catalog(lang) if lang != "en" else None
    english: dict[str, set[str]] = {}
    for url in views:
        response = page.goto(f"{server}{url}")
        assert response is not None and response.ok, (lang, url)
        assert page.evaluate("() => document.documentElement.lang") == lang
        page.evaluate(DRAWN)
        page.wait_for_load_state("networkidle")
        shot(page, f"view-{_name(url)}-{lang}")
        if catalog is not None:
            left = {t for t in page.evaluate(SHOWN)
                    if (m := catalog.get(t)) is not None and m.string and m.string != t}
            if left:
                english[url] = left
    context.close()
    assert english == {}, f"{lang}: left in English: {english}"
    assert errors == []
