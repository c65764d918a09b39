"""Search as a team uses it: a search saved under a name is listed for every member and runs
again from its link; results filtered by the subjects' roles; an NGO worker's list names no
one she may not see."""

from __future__ import annotations

import re

import pytest
from browserhelpers import shot
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case


def test_save_a_search_and_run_it_again(client: TestClient, site: Site) -> None:
    suspect = site.ws.entities.get("amber", site.suspect).entity
    word = max(suspect.caption.split(), key=len)
    log_in(client, "liga")
    csrf = open_case(client, "amber", "the suspect's other records")
    page = client.get("/cases/amber/entities", params={"q": word})
    assert page.status_code == 200 and 'data-testid="save-search"' in page.text
    roles = re.findall(r'data-testid="facet-role"[^>]*>([^<]+)<', page.text)
    assert any("suspect" in r for r in roles)
    only = client.get("/cases/amber/entities", params={"q": word, "role": "suspect"})
    results = re.findall(r'data-testid="result"', only.text)
    assert results and len(results) <= len(re.findall(r'data-testid="result"', page.text))
    saved = client.post("/cases/amber/searches", data={
        "csrf": csrf, "name": "the suspect's records", "q": word, "schema": "",
        "role": "suspect"}, follow_redirects=False)
    assert saved.status_code == 303 and "role=suspect" in saved.headers["location"]
    listing = client.get("/cases/amber/entities").text
    link = re.search(r'href="(/cases/amber/searches/[^"]+)" data-testid="saved-search">'
                     r"the suspect&#39;s records<", listing)
    assert link is not None
    again = client.get(link[1], follow_redirects=False)
    assert again.status_code == 303 and f"q={word}" in again.headers["location"]


def test_an_ngo_workers_list_names_no_protected_person(client: TestClient, site: Site) -> None:
    victim = site.ws.entities.get("amber", site.victim).entity.caption
    site.ws.saved_views.save("amber", "search", f"everything on {victim}",
                             {"q": victim, "schema": "", "role": ""})
    log_in(client, "ilze")
    open_case(client, "amber", "support for the victim")
    listing = client.get("/cases/amber/entities")
    assert listing.status_code == 200 and 'data-testid="saved-search"' in listing.text
    assert victim not in listing.text
    for part in victim.split():
        if len(part) > 3:
            assert part not in listing.text, part


def test_payment_texts_are_searched_too(client: TestClient, site: Site) -> None:
    """A word of payments' texts (rent, tickets...) finds the payments, newest first, each
    with its account, linked to its money trace."""
    ledger = site.ws.records.ledger("amber").engine
    words = ledger.query("SELECT text FROM ledger WHERE text LIKE '% | %' AND "
                         "length(text) > 8 LIMIT 50").column("text").to_pylist()
    ledger.close()
    word = next(w for t in words for w in t.partition(" | ")[2].split() if len(w) >= 4)
    total, rows, facets = site.ws.records.search_payments("amber", word.lower())
    assert total >= len(rows) > 0
    assert all(word in f"{r['cp_name'] or ''} {r['text']}".upper() for r in rows)
    days = [r["day"] for r in rows]
    assert days == sorted(days, reverse=True)
    log_in(client, "liga")
    open_case(client, "amber", "who paid for the tickets")
    page = client.get("/cases/amber/entities", params={"q": word.lower()})
    assert 'data-testid="payment-hits-slot"' in page.text  # loaded after the results
    hits = client.get("/cases/amber/payment-hits", params={"q": word.lower()})
    assert 'data-testid="payment-hits"' in hits.text
    assert f"/cases/amber/money?mode=trace&amp;direction=both&amp;account={rows[0]['account']}" \
        in hits.text
    assert site.ws.records.search_payments("amber", "%%%")[:2] == (0, [])  # no wildcards
    # facets by year and by amount count every payment found; each narrows the list
    assert sum(n for _, n in facets["years"]) == total == sum(n for _, n in facets["bands"])
    band, n_band = facets["bands"][0]
    narrowed, in_band, _ = site.ws.records.search_payments("amber", word.lower(), band=band)
    assert narrowed == n_band and len(in_band) == min(20, n_band)
    year, n_year = facets["years"][-1]
    assert site.ws.records.search_payments("amber", word.lower(), year=int(year))[0] == n_year
    narrowed_page = client.get("/cases/amber/payment-hits",
                               params={"q": word.lower(), "band": band})
    assert f"({n_band})" in narrowed_page.text and 'aria-current="true"' in narrowed_page.text
    assert client.get("/cases/amber/payment-hits",
                      params={"q": word, "band": "lots"}).status_code == 422
    # an NGO worker searches the ledger as she sees it: a victim's name is not in it
    victim = site.ws.entities.get("amber", site.victim).entity.caption
    ilze = site.ws.as_user("ilze", "support for the victim")
    seen_by_police = 0
    for part in (p for p in victim.split() if len(p) > 3):
        seen_by_police += site.ws.records.search_payments("amber", part)[0]
        _, found, _ = ilze.records.search_payments("amber", part)
        assert not any(part.upper() in f"{r['cp_name'] or ''} {r['text']}".upper()
                       for r in found)
    assert seen_by_police  # (her name is in payments the police see)


def test_results_by_country(client: TestClient, site: Site) -> None:
    """People and companies of many countries: a click on one keeps only theirs."""
    log_in(client, "liga")
    open_case(client, "amber", "the recruiters abroad")
    for word in ("ov", "an", "in", "en"):
        page = client.get("/cases/amber/entities", params={"q": word})
        countries = re.findall(r'country=(\w+)" data-testid="facet-country"', page.text)
        if len(countries) > 1:
            break
    assert len(countries) > 1, "no search with results of two countries"
    chosen = countries[0]
    only = client.get("/cases/amber/entities", params={"q": word, "country": chosen})
    results = len(re.findall(r'data-testid="result"', only.text))
    assert 0 < results < len(re.findall(r'data-testid="result"', page.text))


@pytest.mark.browser
def test_the_payments_follow_the_results(server: str, browser: object, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    from browserhelpers import log_in as browser_log_in

    browser_log_in(page, server, "liga", "amber", "who paid the rent")
    page.goto(f"{server}/cases/amber/entities?q=rent")
    page.wait_for_selector("[data-testid=payment-hit]")
    assert page.locator("[data-testid=payment-hits-slot]").count() == 0  # replaced
    shot(page, "search-payments")
    page.close()


def test_results_by_year_of_birth_or_founding(client: TestClient) -> None:
    """A year people were born or companies founded in: a click keeps only theirs."""
    log_in(client, "liga")
    open_case(client, "amber", "the recruiters' ages")
    for word in ("ov", "an", "in", "en", "ia"):
        page = client.get("/cases/amber/entities", params={"q": word})
        years = re.findall(r'year=(\d{4})" data-testid="facet-year"', page.text)
        if len(years) > 1:
            break
    assert len(years) > 1, "no search with results of two years"
    only = client.get("/cases/amber/entities", params={"q": word, "year": years[0]})
    results = len(re.findall(r'data-testid="result"', only.text))
    assert 0 < results < len(re.findall(r'data-testid="result"', page.text))
