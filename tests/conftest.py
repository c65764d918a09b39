"""Shared fixtures: a workspace per test on SQLite, and on PostgreSQL where marked."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from veriga.config import Settings
from veriga.demo import example_files
from veriga.workspace import Workspace

# the whole-case views are made ahead only where a test asks for it
# (tests/web/test_prepared_views.py): in the background, their reads would land in the audit
# log of tests that count its entries
os.environ.setdefault("VERIGA_PREPARE_VIEWS", "0")

PG_URL = os.environ.get(
    "VERIGA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_available() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: no server here
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    problem = _pg_available()
    if problem:
        if os.environ.get("VERIGA_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required but not reachable at {PG_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    return PG_URL


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema per test, dropped afterwards."""
    schema = f"veriga_test_{secrets.token_hex(6)}"
    engine = sa.create_engine(pg_base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_base_url else "?"
    yield f"{pg_base_url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'veriga.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url)


@pytest.fixture
def ws(settings: Settings) -> Iterator[Workspace]:
    workspace = Workspace.local(settings, purpose="automated test", username="tester")
    yield workspace
    workspace.close()


@pytest.fixture
def sqlite_ws(tmp_path: Path) -> Iterator[Workspace]:
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    workspace = Workspace.local(settings, purpose="automated test", username="tester")
    yield workspace
    workspace.close()


@pytest.fixture
def examples() -> dict[str, Path]:
    return example_files()


@pytest.fixture
def env_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at a fresh SQLite workspace."""
    home = tmp_path / "cli-home"
    monkeypatch.setenv("VERIGA_HOME", str(home))
    monkeypatch.delenv("VERIGA_DATABASE_URL", raising=False)
    monkeypatch.setenv("VERIGA_USER", "cli-tester")
    monkeypatch.setenv("VERIGA_PURPOSE", "automated test")
    return home
