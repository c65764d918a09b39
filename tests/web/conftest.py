"""A web application over a workspace with a small analysed world and users of several roles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
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
    admin.add_org("Valsts policija", "police", "LV")
    admin.add_org("Safe House", "ngo", "LV")
    admin.add_user("liga", "Valsts policija", ["investigator"], "Līga Ozola", PASSWORD)
    admin.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD, language="lv")
    admin.add_user("dace", "Valsts policija", ["dpo"], "Dace", PASSWORD)
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.create_case("amber")
    requests, _ = expand([world / "bank", world / "police"], ImportRequest(path=Path(".")))
    liga.import_files("amber", requests)
    liga.analyze("amber")
    people = [e for e in liga.entities("amber", ["Person"])]
    victim, suspect = people[0].id, people[1].id
    liga.set_subject_role("amber", victim, "victim")
    liga.set_subject_role("amber", suspect, "suspect")
    liga.share_case("amber", "Safe House")
    yield Site(settings, liga, "amber", victim, suspect,
               admin.as_user("dace", purpose="data protection review"))
    admin.close()


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site.settings), base_url="https://testserver") as c:
        yield c
