"""The cross-reference page: another case picked from those the user may read, the entities
both hold and the candidate matches, linked to each case's entity page; a case the user may
not read answered as one that does not exist; an NGO reader sees no protected person."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserhelpers import CHROMIUM, acquire_browser, release_browser, shot
from browserhelpers import log_in as browser_log_in
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, log_in, open_case

from veriga.config import Settings
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.web import create_app
from veriga.workspace import Workspace


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``amber`` (a world's bank and police files) and ``birch`` (its police, travel and
    register files), both Līga's and shared with an NGO; ``secret`` belongs to Estonia's
    police. A person of the police files is a victim in ``amber``."""
    root = tmp_path_factory.mktemp("xref-web")
    world = root / "world"
    simulate("mixed", "tiny", 3, world)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Politsei", "police", "EE")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"], "Līga", PASSWORD)
    admin.directory.add_user("mart", "Politsei", ["investigator"], "Mart", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD,
                             language="lv")
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    for case, dirs in (("amber", ["bank", "police"]), ("birch", ["police", "travel",
                                                                 "registers"])):
        liga.cases.create(case)
        requests, _ = expand([world / d for d in dirs], ImportRequest(path=Path(".")))
        liga.records.import_files(case, requests)
        liga.cases.share(case, "Safe House")
    mart = admin.as_user("mart", purpose="investigation EE-2026-3")
    mart.cases.create("secret")
    in_amber = {p.id: p.caption for p in liga.entities.list("amber", ["Person"])}
    in_birch = {p.id for p in liga.entities.list("birch", ["Person"])}
    both = sorted(in_amber.keys() & in_birch)
    victim = both[0]
    liga.entities.set_subject_role("amber", victim, "victim")
    yield {"settings": settings, "both": both, "victim": victim,
           "victim_name": in_amber[victim], "names": in_amber}
    admin.close()


@pytest.fixture
def client(cases: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(cases["settings"]), base_url="https://testserver") as c:
        yield c


def _page(client: TestClient, user: str = "liga", **params: str) -> Any:
    log_in(client, user)
    open_case(client, "amber", "cross-checking the other case")
    return client.get("/cases/amber/xref", params=params)


def test_the_page_offers_the_cases_the_user_may_read(client: TestClient) -> None:
    page = _page(client)
    assert page.status_code == 200
    assert '<option value="birch"' in page.text and "secret" not in page.text
    assert 'href="/cases/amber/xref"' in page.text  # in the navigation


def test_shared_entities_and_candidates_link_to_each_case(client: TestClient,
                                                         cases: dict[str, Any]) -> None:
    page = _page(client, **{"with": "birch", "min_probability": "0.9"})
    assert page.status_code == 200, page.text[:300]
    shared = page.text.split('data-testid="shared"')[1].split("</table>")[0]
    for person in cases["both"][:3]:
        assert f'href="/cases/amber/entities/{person}"' in shared
        assert f'href="/cases/birch/entities/{person}"' in shared
    candidates = page.text.split('data-testid="candidates"')[1].split("</table>")[0]
    assert candidates.count('data-testid="candidate"') >= 1
    assert 'href="/cases/birch/entities/' in candidates and "name: the same" in candidates
    assert int(page.text.split('data-testid="shared-count">')[1].split("<")[0]) >= \
        len(cases["both"])


def test_a_case_the_user_may_not_read_is_not_found(client: TestClient) -> None:
    secret = _page(client, **{"with": "secret"})
    missing = client.get("/cases/amber/xref", params={"with": "nonesuch"})
    assert secret.status_code == missing.status_code == 404
    assert secret.text.replace("secret", "X") == missing.text.replace("nonesuch", "X")


def test_an_ngo_reader_sees_no_protected_person(client: TestClient,
                                                cases: dict[str, Any]) -> None:
    page = _page(client, "ilze", **{"with": "birch", "min_probability": "0.5"})
    assert page.status_code == 200
    assert 'lang="lv"' in page.text and "Citas lietas" in page.text  # translated
    assert cases["victim"] not in page.text and "pseudo-" not in page.text
    assert cases["victim_name"] not in page.text
    assert 'data-testid="shared"' in page.text  # others are shared still


@pytest.fixture(scope="module")
def server(cases: dict[str, Any]) -> Iterator[str]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(cases["settings"]), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.mark.browser
def test_pick_a_case_and_compare_in_chromium(server: str) -> None:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    browser = acquire_browser()
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        browser_log_in(page, server, "liga", "amber", "cross-checking the other case")
        page.goto(f"{server}/cases/amber")
        page.click("nav a[href='/cases/amber/xref']")
        page.select_option("#with", "birch")
        page.fill("#min_probability", "0.9")
        page.click("main form button[type=submit]")
        page.wait_for_selector("[data-testid=candidates]")
        assert page.locator("[data-testid=candidate]").count() >= 1
        assert int(page.inner_text("[data-testid=shared-count]")) > 0
        shot(page, "xref")
        page.close()
    finally:
        release_browser()
