"""Search results that tell look-alikes apart: dates, countries and numbers, the role in
the case, the files each is in and the value the query matched; counts by type to narrow
the search; nothing protected shown to a restricted reader."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case


def _results(html: str) -> list[str]:
    return re.findall(r'<li data-testid="result"[^>]*>(.*?)</li>', html, re.S)


def test_results_show_what_tells_them_apart(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    suspect = site.ws.entities.get("amber", site.suspect).entity
    surname = suspect.first("name").split()[-1]
    html = client.get("/cases/amber/entities", params={"q": surname}).text
    results = _results(html)
    mine = next(r for r in results if f"/entities/{site.suspect}" in r)
    assert suspect.first("birthDate") in mine  # "Birth date: 1981-11-28"
    assert "suspect" in mine
    assert 'data-testid="result-files"' in mine and ".csv" in mine
    # a phone number is found, and the result says where it matched
    phone = suspect.first("phone")
    found = _results(client.get("/cases/amber/entities", params={"q": phone[-6:]}).text)
    assert any("<mark>" in r and phone in r for r in found)


def test_counts_by_type_narrow_the_search(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber")
    account = next(iter(site.ws.entities.list("amber", ["BankAccount"])))
    country = account.first("iban")[:2]
    html = client.get("/cases/amber/entities", params={"q": country}).text
    facets = re.findall(r'href="([^"]+)" data-testid="facet"', html)
    assert len(facets) > 1  # accounts, and the holders whose identifiers hold the letters
    narrowed = client.get(facets[0].replace("&amp;", "&")).text
    assert 0 < len(_results(narrowed)) < len(_results(html))


def test_a_restricted_reader_sees_no_protected_name_in_results(client: TestClient,
                                                               site: Site) -> None:
    log_in(client, "ilze")
    open_case(client, "amber", "support for a victim")
    names = site.ws.entities.get("amber", site.victim).entity.get("name")
    html = client.get("/cases/amber/entities", params={"q": "Cietušais"}).text
    assert _results(html)  # she finds the victim by her pseudonym
    assert not any(name in html for name in names) and site.victim not in html
    surname = names[0].split()[-1]
    html = client.get("/cases/amber/entities", params={"q": surname}).text
    assert not any(name in html for name in names)
