"""SQLite plans a read of one entity's values through the index of canonical ids once it has
statistics: made after each import, and once by migration for a store imported into before.
Without them it read every statement of the case through the index of schemata."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.workspace import Workspace

ONE_ENTITY = ("SELECT DISTINCT canonical_id, schema, prop, value FROM statements "
              "WHERE case_id = :case AND canonical_id IN (:entity)")


def _plan(ws: Workspace) -> str:
    with ws.store.begin() as conn:
        case = ws.store.get_case(conn, "c")["id"]
        entity = conn.execute(sa.text("SELECT canonical_id FROM statements LIMIT 1")).scalar()
        rows = conn.execute(sa.text(f"EXPLAIN QUERY PLAN {ONE_ENTITY}"),
                            {"case": case, "entity": entity}).all()
    return " ".join(str(r[-1]) for r in rows)


@pytest.fixture
def imported(sqlite_ws: Workspace, tmp_path: Path) -> Workspace:
    """A case of a small world's police, register and labour files (thousands of values)."""
    simulate("mixed", "tiny", 2, tmp_path / "world")
    requests, _ = expand([tmp_path / "world" / d for d in ("police", "registers", "labour")],
                         ImportRequest(path=Path(".")))
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", requests)
    return sqlite_ws


def test_an_import_gives_the_planner_statistics(imported: Workspace) -> None:
    assert "ix_statements_case_canonical" in _plan(imported)


def test_a_store_without_statistics_gets_them_by_migration(imported: Workspace) -> None:
    from veriga.store import Store

    sqlite_ws = imported
    url = str(sqlite_ws.store.db.url)
    with sqlite_ws.store.begin() as conn:  # as a store imported into before this version
        conn.exec_driver_sql("DROP TABLE sqlite_stat1")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0019'")
    sqlite_ws.store.db.dispose()  # connections read the statistics when they open
    assert "ix_statements_case_schema" in _plan(sqlite_ws)  # what it did without them
    Store(url).close()  # opening the store migrates it
    sqlite_ws.store.db.dispose()
    assert "ix_statements_case_canonical" in _plan(sqlite_ws)
