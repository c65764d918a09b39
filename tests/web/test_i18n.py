"""The interface in Bulgarian, Latvian, Estonian and Finnish: complete catalogs, the language
switch, and the account's default language."""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga import analysis
from veriga.access.roles import CaseKind, SubjectRole
from veriga.findings import ReviewState
from veriga.web.i18n import LANGUAGES, LOCALE_DIR, translations
from veriga.web.views import VIEWS

TRANSLATED = sorted(set(LANGUAGES) - {"en"})
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
TEMPLATES = LOCALE_DIR.parent / "templates"


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _ids(catalog: Catalog) -> set[str]:
    return {m.id for m in catalog if m.id and isinstance(m.id, str)}


POT = _read(LOCALE_DIR / "messages.pot")


def _ui_strings() -> set[str]:
    """The UI strings every view hands to its TypeScript module."""
    out: set[str] = set()
    for name in ("network", "chain", "timeline", "places", "money"):
        out |= set(getattr(import_module(f"veriga.web.views.{name}"), "UI", ()))
    return out


def test_the_template_lists_what_the_code_translates() -> None:
    wanted = ({v.label for v in VIEWS} | _ui_strings() | {s.value for s in ReviewState}
              | {r.value for r in SubjectRole} | {k.value for k in CaseKind})
    assert wanted - _ids(POT) == set(), "add them to templates/_strings.html, make messages"


def test_the_template_has_the_texts_the_analyses_write() -> None:
    """Finding titles and explanations are marked with ``N_`` where they are written."""
    src = LOCALE_DIR.parents[1]
    # every analysis family's package (found through the registry), and the chain views
    families = {type(fam).__module__.split(".")[1] for fam in analysis.families().values()}
    extracted = (src.parents[1] / "babel.cfg").read_text(encoding="utf-8")
    for package in families | {"chain"}:
        assert f"[python: src/veriga/{package}/**.py]" in extracted, \
            f"add src/veriga/{package} to babel.cfg so that `make messages` extracts it"
    found = {msg for sub in families | {"analysis", "chain"}
             for _, _, msg, _, _ in extract_from_dir(
                 src / sub, method_map=[("**.py", "python")], keywords={"N_": None})}
    assert len(found) > 40
    assert found - _ids(POT) == set(), "run `make messages` and translate the new messages"


def test_the_template_is_up_to_date_with_the_templates() -> None:
    found = {msg for _, _, msg, _, _ in extract_from_dir(
        TEMPLATES, method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})}
    assert found - _ids(POT) == set(), "run `make messages` and translate the new messages"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", lang)
    assert _ids(POT) - _ids(catalog) == set(), f"run `make messages` for {lang}"
    for msgid in sorted(_ids(POT)):
        message = catalog[msgid]
        assert message is not None and isinstance(message.string, str)
        assert message.string.strip(), f"{lang}: {msgid!r} is not translated"
        assert not message.fuzzy, f"{lang}: {msgid!r} is fuzzy (ignored at run time)"
        assert sorted(PLACEHOLDER.findall(message.string)) == \
            sorted(PLACEHOLDER.findall(msgid)), f"{lang}: placeholders of {msgid!r}"
        names = dict.fromkeys(PLACEHOLDER.findall(msgid), "x")
        message.string % names  # newstyle gettext always %-formats: no stray "%"
        assert "<" not in message.string and ">" not in message.string, (lang, msgid)


def _texts(html: str) -> set[str]:
    """The visible texts of a page (between tags, outside scripts), whitespace-folded."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return {" ".join(t.split()) for t in re.findall(r">([^<>]+)<", html)} - {""}


def test_a_user_switches_the_dashboard_to_latvian(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    token = open_case(client, "amber")
    english = client.get("/cases/amber")
    assert '<html lang="en">' in english.text and "Findings by kind" in english.text
    done = client.post("/language", data={"lang": "lv", "csrf": token,
                                          "back": "/cases/amber"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/cases/amber"
    page = client.get("/cases/amber")
    assert page.status_code == 200 and '<html lang="lv">' in page.text
    assert "Konstatējumi pēc veida" in page.text and "Importētie faili" in page.text
    assert "Findings by kind" not in page.text
    assert '<option value="lv" selected>' in page.text
    kinds = {f.kind for f in site.ws.findings.list("amber")}  # codes such as R12 or "proceeds"
    english_texts = (_texts(english.text) & _ids(POT)) - kinds
    assert english_texts, "the English page shows catalog messages"
    lv = _read(LOCALE_DIR / "lv" / "LC_MESSAGES" / "messages.po", "lv")
    left = {t for t in english_texts & _texts(page.text) if lv[t].string != t}
    assert left == set(), f"still in English: {left}"


def test_the_language_switch_needs_the_csrf_token(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    open_case(client, "amber")
    refused = client.post("/language", data={"lang": "bg", "back": "/cases/amber"},
                          follow_redirects=False)
    assert refused.status_code == 403
    assert '<html lang="en">' in client.get("/cases/amber").text


def test_a_latvian_account_sees_latvian_without_choosing(client: TestClient,
                                                         site: Site) -> None:
    log_in(client, "ilze")
    asked = client.get("/cases/amber/open")
    assert '<html lang="lv">' in asked.text and "Mērķis" in asked.text
    open_case(client, "amber", "support for a victim")
    page = client.get("/cases/amber")
    assert '<html lang="lv">' in page.text and "Konstatējumi pēc veida" in page.text
    assert "Iziet" in page.text and "Log out" not in page.text


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_page_renders_in_each_language(client: TestClient, site: Site,
                                             lang: str) -> None:
    log_in(client, "liga")
    open_case(client, "amber")
    client.cookies.set("veriga_lang", lang)
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", lang)
    for url in ("/cases", "/cases/amber", "/cases/amber/findings?state=",
                "/cases/amber/entities?q=an", f"/cases/amber/entities/{site.suspect}",
                "/cases/amber/network"):
        page = client.get(url)
        assert page.status_code == 200, (lang, url)
        assert f'<html lang="{lang}">' in page.text, (lang, url)
        assert catalog["Log out"].string in page.text and ">Log out<" not in page.text


def test_login_page_follows_the_browser_language(client) -> None:
    page = client.get("/login", headers={"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"})
    assert '<html lang="fi">' in page.text
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "de"}).text


def test_findings_are_explained_in_the_readers_language(client: TestClient, site: Site
                                                        ) -> None:
    log_in(client, "liga")
    token = open_case(client, "amber")
    client.post("/language", data={"lang": "bg", "csrf": token, "back": "/cases/amber"})
    page = client.get("/cases/amber/findings?state=&kind=R1")
    finding = next(f for f in site.ws.findings.list("amber") if f.kind == "R1")
    bulgarian = finding.text(translations("bg").gettext, "bg")
    assert bulgarian != finding.explanation and "малки плащания" in bulgarian
    assert bulgarian in page.text.replace("&#34;", '"').replace("&#39;", "'")
    assert "Много малки платци към една сметка" in page.text
    client.post("/language", data={"lang": "en", "csrf": token, "back": "/cases/amber"})
    assert finding.explanation in client.get("/cases/amber/findings?state=&kind=R1").text


@pytest.mark.parametrize("lang", ["bg", "lv", "et", "fi"])
@pytest.mark.parametrize("text", [
    "balance mismatch: opening 0.00 + 2 entries 3.23 = 3.23, but closing balance is 2.00 "
    "(difference -1.23)",
    "duplicate transaction (same account and date, amount and bank reference 'B1') of "
    "seed.sta:line 6 from an overlapping statement; kept only once",
    "expected 4 columns, found 3; line skipped",
    "statement line :61: cannot be parsed (date, D/C mark, amount); entry skipped, the file "
    "may be truncated",
    "2 entries not booked (info 1, pending 1): kept as pending_transaction records, outside "
    "the ledger and the balance",
])
def test_bank_and_table_reasons_read_in_the_readers_language(lang: str, text: str) -> None:
    from veriga.web.i18n import reason

    out = reason(lang, text)
    for english in ("balance", "duplicate", "expected", "statement", "skipped", "kept",
                    "ledger", "truncated"):
        assert english not in out, (lang, out)
