"""The chain page's stage lists name the people: an account is shown with its holder
("Ivan Petrov's account LV…"), and an NGO reader never learns a victim's name that way."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from webhelpers import Site, copy_of, log_in, open_case

from veriga.config import Settings
from veriga.web import create_app
from veriga.workspace import Workspace

IBAN = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b")


def _involved(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", a) for line in re.findall(
        r'<p class="involved">(.*?)</p>', html, re.S) for a in re.findall(r"<a [^>]*>(.*?)</a>",
                                                                           line, re.S)]


@pytest.fixture(scope="module")
def ngo_site(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A copy of the test world, where holders of accounts are marked victims."""
    yield copy_of(site, tmp_path_factory.mktemp("chain-ngo"))


def test_accounts_in_the_stages_are_named_with_their_holder(client: TestClient) -> None:
    log_in(client, "liga")
    open_case(client, "amber", "following the chain of the case")
    involved = _involved(client.get("/cases/amber/chain").text)
    accounts = [x for x in involved if IBAN.search(x)]
    assert accounts
    named = [x for x in accounts if "&#39;s account " in x or "'s account " in x]
    assert named, accounts


def test_an_ngo_reader_learns_no_victim_name_from_an_account(ngo_site: Settings,
                                                             site: Site) -> None:
    liga = Workspace(ngo_site).as_user("liga", "marking the victims")
    accounts = {e.id: e for e in liga.entities.list(site.case, ["BankAccount"])}
    victims = {}
    for own in liga.entities.list(site.case, ["Ownership"]):
        if own.first("asset") in accounts and own.first("owner"):
            holder = liga.entities.by_id(site.case, [own.first("owner")])
            if holder and holder[0].schema.name in ("Person", "LegalEntity"):
                victims[holder[0].id] = holder[0].caption
    assert victims
    for person in victims:
        liga.entities.set_subject_role(site.case, person, "victim")
    liga.close()
    with TestClient(create_app(ngo_site), base_url="https://testserver") as police:
        log_in(police, "liga")
        open_case(police, "amber", "following the chain of the case")
        seen = police.get("/cases/amber/chain").text
    named = [n for n in victims.values() if f"{n}&#39;s account" in seen]
    assert named  # the police see whose accounts these are...
    with TestClient(create_app(ngo_site), base_url="https://testserver") as ngo:
        log_in(ngo, "ilze")
        open_case(ngo, "amber", "victim support")
        page = ngo.get("/cases/amber/chain").text
    for name in victims.values():  # ...an NGO worker learns none of the names
        assert name not in page
