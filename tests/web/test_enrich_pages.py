"""Enrichment on the web: in headless Chromium an investigator looks a company of her case up
in a register case, takes its registration number in and finds it on the company's page under
the file that names where it came from; the NGO worker is offered no look-up; the API does
the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browserhelpers import log_in, shot
from fastapi.testclient import TestClient
from webhelpers import Site, open_case
from webhelpers import log_in as api_log_in

from veriga.ingest import ImportRequest

REGISTER = "register-lv"
NUMBER = "40003777001"
CHOSEN: dict[str, str] = {}


def _register(site: Site, tmp_path: Path) -> str:
    """A register case holding one company of ``amber`` (by its name, written in capitals)
    with a registration number and an address; the company's id in ``amber``."""
    if REGISTER in CHOSEN:  # made by an earlier test (which may have taken its values)
        return CHOSEN[REGISTER]
    company = next(e for e in site.ws.entities.list("amber", ["LegalEntity"])
                   if not e.get("registrationNumber") and len(e.caption) > 6)
    line = {"id": "reg-1", "schema": "Company", "properties": {
        "name": [company.caption.upper()], "registrationNumber": [NUMBER],
        "address": ["Brīvības iela 1, Rīga"]}}
    path = tmp_path / "lursoft-extract.ftm.json"
    director = {"id": "reg-2", "schema": "Person", "properties": {
        "name": ["Inese Kalniņa"], "birthDate": ["1979-04-02"]}}
    board = {"id": "reg-3", "schema": "Directorship", "properties": {
        "director": ["reg-2"], "organization": ["reg-1"], "role": ["valdes locekle"],
        "startDate": ["2021-06-01"]}}
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n"
                            for e in (line, director, board)), encoding="utf-8")
    site.ws.cases.create(REGISTER)
    site.ws.records.import_files(REGISTER, [ImportRequest(path)])
    CHOSEN[REGISTER] = company.id or ""
    return CHOSEN[REGISTER]


@pytest.mark.browser
def test_look_up_and_take_a_registration_number(server: str, browser: object, site: Site,
                                                tmp_path: Path) -> None:
    company = _register(site, tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "liga", "amber", "who is behind the employer")
    page.goto(f"{server}/cases/amber/entities/{company}")
    with page.expect_navigation():
        page.get_by_test_id("enrich").click()
    assert REGISTER in page.get_by_test_id("enrich-searched").inner_text()
    candidate = page.locator(f"[data-testid=enrich-candidate][data-case='{REGISTER}']")
    assert candidate.count() == 1
    assert "same name" in candidate.get_by_test_id("enrich-reason").first.inner_text()
    assert NUMBER in candidate.inner_text() and "lursoft-extract.ftm.json" in \
        candidate.inner_text()
    related = candidate.get_by_test_id("enrich-related")
    assert related.count() == 1 and "Inese Kalniņa" in related.inner_text()
    # only the registration number: the address is left unticked
    for box in candidate.get_by_test_id("enrich-value").all():
        if "Brīvības" in (box.get_attribute("value") or ""):
            box.uncheck()
    shot(page, "enrich")
    with page.expect_navigation():
        candidate.get_by_test_id("enrich-take").click()
    assert page.get_by_test_id("enriched").count() == 1
    values = page.locator("#values").inner_text()
    assert NUMBER in values and "enrichment-register-lv" in values
    assert "Brīvības" not in values
    shot(page, "entity-enriched")
    page.close()


@pytest.mark.browser
def test_the_ngo_worker_is_offered_no_look_up(server: str, browser: object,
                                              site: Site) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    log_in(page, server, "ilze", "amber", "support for the victim")
    page.goto(f"{server}/cases/amber/entities/{site.suspect}")
    assert page.get_by_test_id("enrich").count() == 0
    response = page.goto(f"{server}/cases/amber/entities/{site.suspect}/enrich")
    assert response is not None and response.status in (403, 404)
    page.close()


def test_the_api_looks_up_and_takes(client: TestClient, site: Site, tmp_path: Path) -> None:
    """The same through the API: the candidate and its values, then all of them taken."""
    company = _register(site, tmp_path)
    api_log_in(client, "liga")
    csrf = open_case(client, "amber", "who is behind the employer")
    found = client.get(f"/api/cases/amber/entities/{company}/enrichment").json()
    candidate = next(c for c in found["candidates"] if c["case"] == REGISTER)
    assert candidate["same_name"] and candidate["takeable"]
    refused = client.post(f"/api/cases/amber/entities/{company}/enrichment/{REGISTER}/"
                          f"{candidate['entity_id']}", headers={"X-CSRF-Token": csrf},
                          json={"values": [{"prop": "registrationNumber", "value": "1"}]})
    assert refused.status_code == 400
    if candidate["new"]:
        taken = client.post(f"/api/cases/amber/entities/{company}/enrichment/{REGISTER}/"
                            f"{candidate['entity_id']}", headers={"X-CSRF-Token": csrf},
                            json={})
        assert taken.status_code == 200, taken.text
        assert taken.json()["statements"] >= len(candidate["new"])
        again = client.get(f"/api/cases/amber/entities/{company}/enrichment").json()
        assert not next(c for c in again["candidates"] if c["case"] == REGISTER)["new"]
