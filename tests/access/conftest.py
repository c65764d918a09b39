"""A small world of agencies for access tests: police in Latvia and Estonia, an NGO."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.config import Settings
from veriga.ingest import ImportRequest
from veriga.workspace import Workspace


@pytest.fixture
def agencies(tmp_path: Path, db_url: str, examples):
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Politsei", "police", "EE")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"])
    admin.directory.add_user("mart", "Politsei", ["investigator"])
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create("amber")
    liga.records.import_files("amber", [ImportRequest(examples["people"])])
    liga.entities.set_subject_role("amber", "p-anna", "victim")
    liga.entities.set_subject_role("amber", "p-ivan", "suspect")
    yield {"admin": admin, "liga": liga,
           "mart": admin.as_user("mart", purpose="cross-border check"),
           "ilze": admin.as_user("ilze", purpose="victim support")}
    admin.close()
