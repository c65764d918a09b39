"""A web application over a workspace with a small analysed world and users of several roles."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import CHROMIUM, acquire_browser, release_browser
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, Site

from veriga.config import Settings
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.web import create_app
from veriga.workspace import Workspace


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("web")
    world = root / "world"
    simulate("mixed", "tiny", 3, world)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"], "Līga Ozola", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD, language="lv")
    admin.directory.add_user("dace", "Valsts policija", ["dpo"], "Dace", PASSWORD)
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create("amber")
    requests, _ = expand([world / "bank", world / "police"], ImportRequest(path=Path(".")))
    liga.records.import_files("amber", requests)
    people = [e for e in liga.entities.list("amber", ["Person"])]
    victim, suspect = people[0].id, people[1].id
    # travel bookings, ads, company registers and labour records: the timeline and the map
    more, _ = expand([world / d for d in ("travel", "registers", "labour")]
                     + [world / "ads" / "ads.ftm.jsonl"], ImportRequest(path=Path(".")))
    liga.records.import_files("amber", more)
    liga.analyses.run("amber")
    liga.entities.set_subject_role("amber", victim, "victim")
    liga.entities.set_subject_role("amber", suspect, "suspect")
    liga.cases.share("amber", "Safe House")
    yield Site(settings, liga, "amber", victim, suspect,
               admin.as_user("dace", purpose="data protection review"), world)
    admin.close()


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site.settings), base_url="https://testserver") as c:
        yield c


@pytest.fixture(scope="session")
def server(site: Site) -> Iterator[str]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(site.settings), host="127.0.0.1", port=port,
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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium required for browser tests: {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    try:
        yield acquire_browser()
    finally:
        release_browser()
