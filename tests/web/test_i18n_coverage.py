"""No English left in the Bulgarian, Latvian, Estonian and Finnish interface: the browser
modules show only the strings their view hands over, every schema the views show has a
translated label, and the pages and API payloads of the test site, rendered in each language,
hold no catalog message, number format or pseudonym left in English."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import import_module
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from browserhelpers import log_in as browser_log_in
from browserhelpers import poll, shot
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga.chain.labels import PROPERTIES, SCHEMATA, VALUES, Labels
from veriga.web.i18n import (
    KEY_TYPES,
    LANGUAGES,
    LOCALE_DIR,
    REASONS,
    locator,
    reason,
    translations,
)
from veriga.web.pseudonyms import PEOPLE, THINGS, WITHHELD_MSG, localise, stored_form
from veriga.web.views.network import ui_strings

TRANSLATED = sorted(set(LANGUAGES) - {"en"})
FRONTEND = Path(__file__).parents[2] / "web" / "frontend" / "src"
DIST = Path(__file__).parents[2] / "src" / "veriga" / "web" / "static" / "dist"


def _catalog(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _pot() -> set[str]:
    with (LOCALE_DIR / "messages.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id and isinstance(m.id, str)}


def _ui(view: str) -> set[str]:
    """The msgids (keys, for the network explorer) a view hands to its module."""
    if view == "network":
        return set(ui_strings("en"))
    return set(import_module(f"veriga.web.views.{view}").UI)


# -- (a) the browser modules ----------------------------------------------------------------

def _module_of(path: Path) -> str:
    """The view whose page mounts the module a source file belongs to."""
    name = path.relative_to(FRONTEND).as_posix()
    for prefix, view in (("network", "network"), ("timeline", "timeline"), ("map", "places"),
                         ("chain", "chain"), ("money", "money")):
        if name.startswith(prefix):
            return view
    return ""


LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
#: Literals handed to a translator (``t("...")``, ``this.t("...")``, the explorer's
#: ``button("key", ...)``).
TRANSLATED_CALL = re.compile(r'\b(?:t|this\.t|button)\(\s*"((?:[^"\\\n]|\\.)*)"')
#: A literal put straight into the page: as an element's text, label, title or placeholder.
SHOWN = re.compile(r'(?:textContent\s*[:=]|"aria-label"\s*:|\btitle\s*:|placeholder\s*:'
                   r'|\b(?:h|el)\(\s*"\w+"\s*,\s*\{[^{}]*\}\s*,)\s*"((?:[^"\\\n]|\\.)*)"')
#: Literals that look like English but are never shown: keys, DOM and GeoJSON names,
#: a font list, console messages, the map data's attribution (a name).
NOT_SHOWN = {"Enter", "Accept", "Content-Type", "Antarctica", "Polygon", "MultiPolygon",
             "Natural Earth", "Thing"}


def _source(path: Path) -> str:
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", text)


def _looks_english(text: str) -> bool:
    if text in NOT_SHOWN or "${" in text or text.startswith((".", "veriga ", "system-ui")):
        return False
    if re.fullmatch(r"[a-z0-9 _-]+", text) and re.search(r"\b(?:vn|vc|tl|map|money)-", text):
        return False  # CSS classes
    return bool(re.search(r"[A-Za-z]{2}", text)) and (
        " " in text.strip() or bool(re.match(r"[A-Z][a-z]", text)))


def _sources() -> Iterator[tuple[Path, str, str]]:
    for path in sorted(FRONTEND.rglob("*.ts")):
        if not path.name.endswith(".d.ts") and _module_of(path):
            yield path, _module_of(path), _source(path)


def test_the_browser_modules_translate_every_string_they_show() -> None:
    wrong = []
    for path, view, text in _sources():
        ui = _ui(view)
        if path.name == "i18n.ts" and view == "network":
            # the explorer's English texts, by key: each key must be handed over
            keys = re.findall(r'^\s*(?:"([^"]+)"|(\w+)):\s*"', text, re.M)
            wrong += [(path.name, k or w) for k, w in keys if (k or w) not in ui]
            continue
        wrong += [(path.name, s) for s in TRANSLATED_CALL.findall(text) if s not in ui]
        wrong += [(path.name, s) for s in SHOWN.findall(text) if s not in ui and
                  _looks_english(s)]
        wrong += [(path.name, s) for s in LITERAL.findall(text)
                  if _looks_english(s) and s not in ui]
    assert sorted(set(wrong)) == [], "hand these to the module through the view's UI"


def test_the_scan_finds_an_english_button() -> None:
    """The scan above can fail: a literal label put into a button is found."""
    text = 'h("button", { type: "button" }, "Zoom to fit")'
    assert SHOWN.findall(text) == ["Zoom to fit"] and _looks_english("Zoom to fit")
    assert not _looks_english("vn-btn vn-primary") and TRANSLATED_CALL.findall(
        'this.t("Open page")') == ["Open page"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_string_a_module_is_handed_is_translated(lang: str) -> None:
    catalog, pot = _catalog(lang), _pot()
    views = ("network", "chain", "timeline", "places", "money")
    msgids = {m for v in views if v != "network" for m in _ui(v)}
    assert msgids - pot == set()
    network = ui_strings(lang)
    same = {k for k, v in network.items() if v == k and k in pot
            and catalog[k] is not None and catalog[k].string != k}
    assert same == set(), f"{lang}: not translated for the network explorer"
    assert network["BankAccount"] == catalog["Bank account"].string
    assert network["victim"] == catalog["victim"].string


# -- (b) schema names -----------------------------------------------------------------------

def _schemata_shown(site: Site) -> set[str]:
    from veriga.chain import diagram

    shown = set(site.ws.entities.count("amber"))
    shown |= set(re.findall(r'"([A-Z][A-Za-z]+)"', Path(diagram.__file__).read_text()))
    return {s for s in shown if s[0].isupper() and not s.isupper()} - {
        "Node", "Edge", "ChainGraph", "SINKS", "SAME"}


def test_every_schema_the_views_show_has_a_label(site: Site) -> None:
    shown = _schemata_shown(site) | {"Reference", "SharedIdentifier"}
    assert shown - set(SCHEMATA) == set(), "add them to veriga.chain.labels.SCHEMATA"
    assert {"Directorship", "UnknownLink", "BankAccount"} <= shown


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_schema_and_link_label_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    words = (set(SCHEMATA.values()) | set(PROPERTIES) | set(VALUES) | set(KEY_TYPES.values())
             | set(PEOPLE.values()) | set(THINGS.values()) | {WITHHELD_MSG})
    missing = {w for w in words if catalog[w] is None or not catalog[w].string}
    assert missing == set()
    english = {w for w in words if catalog[w].string == w} - {"IBAN"}
    assert english == set(), f"{lang}: left in English"
    # pseudonyms end up inside HTML attributes and JSON strings
    assert not any(set(catalog[w].string) & set("\"'\\<>&") for w in words)


def test_the_properties_of_the_data_have_labels(site: Site) -> None:
    """Every property the test site's entities hold is one the entity page can label."""
    held = {prop.label for proxy in site.ws.entities.list("amber")
            for prop, _ in proxy.itervalues()}
    assert held - set(VALUES) - set(PROPERTIES) == set(), "add them to labels.VALUES"


def test_import_reasons_are_translated_part_by_part() -> None:
    """The reasons importers write in English reach a reader in her language, placeholders
    filled; a part no pattern knows stays as written; every pattern's text is translated in
    every language."""
    assert reason("lv", "required field amount is empty; record skipped") == \
        "obligātais lauks amount ir tukšs; ieraksts izlaists"
    assert reason("fi", "IBAN 'LV00' fails its checksum") == \
        "IBAN 'LV00' ei läpäise tarkistussummaa"
    assert reason("bg", "a reason no one wrote down; record kept") == \
        "a reason no one wrote down; записът е запазен"
    assert reason("en", "record kept") == "record kept" and reason("et", None) == ""
    for lang in LANGUAGES:
        if lang == "en":
            continue
        gettext = translations(lang).gettext
        missing = [m for _, m in REASONS if gettext(m) == m]
        assert not missing, (lang, missing)


def test_locators_are_translated() -> None:
    assert locator("lv", "line 4") == "4. rinda"
    assert locator("fi", "line 4, column 2") == "rivi 4, sarake 2"
    assert locator("et", "page:ab12") == "page:ab12" and locator("bg", None) == ""


def test_amounts_and_link_labels_follow_the_locale() -> None:
    lv = Labels(translations("lv").gettext, "lv")
    assert lv.money(1845, "EUR") == "1\xa0845,00 EUR"
    assert lv.schema("Payment") == "Maksājums" and lv.schema("UnknownLink") == "Cita saikne"
    assert Labels().money(1845, "EUR") == "1,845.00 EUR"
    assert Labels().schema("BankAccount") == "Bank account"


def test_pseudonyms_are_translated_for_display_and_read_back() -> None:
    et = translations("et").gettext
    stored = "Victim B7B05C paid Victim B7B05C account 1A2B; Suspect 0F0F0F phone [withheld]"
    shown = localise(stored, et)
    assert shown == "Ohver B7B05C paid Ohver B7B05C – konto 1A2B; " \
                    "Kahtlustatav 0F0F0F – telefon [varjatud]"
    assert stored_form("Ohver B7B05C – konto 1A2B", "et") == "Victim B7B05C account 1A2B"
    assert stored_form("ohver b7b05c", "et") == "Victim b7b05c"
    assert localise("Victim of trafficking, Person in charge, Victim ABCDEFG", et) == \
        "Victim of trafficking, Person in charge, Victim ABCDEFG"
    assert localise("camt053_Victim B7B05C account 1A2B_01.xml", et) == \
        "camt053_Ohver B7B05C – konto 1A2B_01.xml"


# -- (c) pages and payloads in every language ---------------------------------------------

def _texts(html: str) -> set[str]:
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return {" ".join(t.split()) for t in re.findall(r">([^<>]+)<", html)} - {""}


def _shown_strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(field, text) of the labels and titles in a payload (codes such as a schema, role or
    kind are shown by their translation in the module: checked in (a) and below)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _shown_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _shown_strings(v, key)
    elif isinstance(value, str) and key in {"label", "title", "explanation", "sub", "note",
                                             "name", "role_label"}:
        yield key, value


ENGLISH_NUMBER = re.compile(r"\d,\d{3}(?:[.,]\d\d)?\s*EUR|\d\.\d\d EUR")
CODES = {"schema", "role", "stage", "kind", "subject_role"}


def _codes(value: Any, fields: set[str], key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _codes(v, fields, k)
    elif isinstance(value, list):
        for v in value:
            yield from _codes(v, fields, key)
    elif isinstance(value, str) and key in fields and value:
        yield value


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_left_in_any_view(client: TestClient, site: Site, lang: str) -> None:
    log_in(client, "liga")
    open_case(client, "amber")
    client.cookies.set("veriga_lang", lang)
    catalog, pot = _catalog(lang), _pot()
    kinds = {f.kind for f in site.ws.findings.list("amber")}  # codes such as R12 or "proceeds"

    def left(texts: set[str]) -> set[str]:
        return {t for t in texts & pot if catalog[t].string != t} - kinds

    network = client.get("/cases/amber/network").text
    seed = re.search(r'data-seed="([^"]*)"', network)
    assert seed and seed.group(1)
    pages = ["/cases/amber", "/cases/amber/findings?state=", "/cases/amber/entities?q=an",
             f"/cases/amber/entities/{site.suspect}", "/cases/amber/network",
             "/cases/amber/chain", "/cases/amber/timeline", "/cases/amber/money",
             "/cases/amber/money?mode=proceeds", "/cases/amber/map"]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, (lang, url)
        texts = _texts(page.text)
        assert left(texts) == set(), (lang, url)
        assert not {t for t in texts if ENGLISH_NUMBER.search(t)}, (lang, url)
        assert not {t for t in texts if re.fullmatch(r"(?:line|row|record) \d+", t)}, url
    apis = {"chain": ["/api/cases/amber/chain/graph", "/api/cases/amber/chain"],
            "money": ["/api/cases/amber/money", "/api/cases/amber/money?mode=proceeds"],
            "timeline": ["/api/cases/amber/timeline"],
            "network": [f"/api/cases/amber/graph?ids={seed.group(1)}"]}
    for view, urls in apis.items():
        ui = _ui(view)
        for url in urls:
            payload = client.get(url).json()
            shown = list(_shown_strings(payload))
            english = {t for _, t in shown if t in pot and t not in ui
                       and catalog[t].string != t}
            assert english == set(), (lang, url)
            numbers = {t for _, t in shown if ENGLISH_NUMBER.search(t)}
            assert numbers == set(), (lang, url)
            if view == "network":  # codes the explorer shows by their label
                missing = set(_codes(payload, CODES - {"kind"})) - ui
                assert missing == set(), (lang, url)
            if url.endswith("/chain/graph"):  # (its roles: chain.ts's table, scanned in (a))
                missing = set(_codes(payload, {"stage", "subject_role"})) - ui
                assert missing == set(), (lang, url)


def test_the_network_payload_names_links_in_the_readers_language(
        client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    open_case(client, "amber")
    client.cookies.set("veriga_lang", "lv")
    ids = ",".join(p.id or "" for p in islice(site.ws.entities.list("amber", ["BankAccount"]), 60))
    graph = client.get(f"/api/cases/amber/graph?ids={ids}").json()
    payments = [e["label"] for e in graph["edges"] if e["schema"] == "Payment"]
    assert payments and all(p.startswith("Maksājums") for p in payments)
    assert any(re.search(r"\d,\d\d EUR$", p) for p in payments)
    assert not any(re.search(r"\d\.\d\d EUR", p) for p in payments)


def test_an_ngo_user_sees_pseudonyms_in_her_language(client: TestClient, site: Site) -> None:
    log_in(client, "ilze")  # her account is in Latvian
    open_case(client, "amber", "support for a victim")
    found = client.get("/api/cases/amber/search?q=Cietušais").json()
    assert found and all(not e["caption"].startswith("Victim") for e in found)
    victim = next(e for e in found if e["caption"].startswith("Cietušais "))
    # what she reads, she can search for: the translated pseudonym finds the same record
    again = client.get("/api/cases/amber/search", params={"q": victim["caption"]}).json()
    assert victim["id"] in {e["id"] for e in again}
    page = client.get(f"/cases/amber/entities/{victim['id']}").text
    assert victim["caption"] in page
    assert not re.search(r"\b(?:Victim|Suspect|Person) [0-9A-F]{6}\b", page)
    dashboard = client.get("/cases/amber/findings?state=").text
    assert not re.search(r"\b(?:Victim|Suspect|Person) [0-9A-F]{6}\b", dashboard)
    # the money view's nodes and accounts, named by pseudonyms she reads in Latvian, lead
    # back to the transactions and account profiles behind them
    flows = client.get("/api/cases/amber/money?by=account").json()
    shown = [n for n in flows["nodes"] if re.search(r"– konts [0-9A-F]{4}", n["id"])]
    assert shown and not any(re.search(r"\baccount [0-9A-F]{4}", n["id"])
                             for n in flows["nodes"])
    link = next(k for k in flows["links"] if k["source"] in {n["id"] for n in shown}
                or k["target"] in {n["id"] for n in shown})
    rows = client.get("/api/cases/amber/money/transactions", params={
        "by": "account", "from_node": link["source"], "to_node": link["target"]})
    assert rows.status_code == 200 and rows.json()["total"] == link["count"]
    held = next(a for n in shown if n["held"] for a in n["accounts"])
    profile = client.get(f"/api/cases/amber/money/account/{held}")
    assert profile.status_code == 200 and profile.json()["account"] == held
    client.cookies.set("veriga_lang", "en")
    english = client.get("/api/cases/amber/search?q=Victim").json()
    assert any(e["caption"].startswith("Victim ") for e in english)


# -- the network explorer in a browser ------------------------------------------------------

@pytest.mark.browser
def test_the_network_explorer_speaks_latvian(server: str, browser: object, site: Site
                                             ) -> None:
    if not (DIST / "network.js").exists():
        pytest.skip("browser modules not built (make web-assets)")
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    browser_log_in(page, server, "liga", "amber", "mapping the network in Latvian")
    page.context.add_cookies([{"name": "veriga_lang", "value": "lv", "url": server}])
    page.goto(f"{server}/cases/amber/network")
    poll(page, "() => window.verigaNetwork && window.verigaNetwork.sigma !== null")
    lv = _catalog("lv")
    buttons = {b.strip() for b in page.locator("#network button").all_text_contents()}
    for key in ("show", "zoom in", "fit graph", "open view", "path start", "clear highlight"):
        assert lv[key].string in buttons, (key, buttons)
    english = {"Show", "Zoom in", "Zoom out", "Fit graph", "Open view", "Use as path start",
               "Clear highlight", "Expand neighbours", "Run layout", "Reset filters"}
    assert buttons & english == set()
    legends = set(page.locator("#network legend, #network label").all_text_contents())
    assert not {"Victim", "Recruitment", "BankAccount", "Bank account"} & {
        t.strip() for t in legends}
    node = page.evaluate("() => window.verigaNetwork.graph.nodes()[0]")
    page.evaluate(f"() => window.verigaNetwork.explorer.select({json.dumps(node)})")
    panel = page.get_by_test_id("node-panel").text_content() or ""
    assert lv["schema"].string in panel and "Type" not in panel
    shot(page, "network-lv")
