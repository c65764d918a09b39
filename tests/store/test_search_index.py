"""On PostgreSQL a search by part of a name or identifier reads trigram indexes, not every
statement of the case; it finds the same entities as on SQLite, by the name as written or
romanised, in any case of letters."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from veriga.ingest import ImportRequest
from veriga.workspace import Workspace


def _search(ws: Workspace, text: str) -> set[str]:
    return {e.id for e in ws.entities.search("c", text)}


def test_search_finds_names_in_part_romanised_and_in_any_case(
        ws: Workspace, examples: dict[str, Path]) -> None:
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(examples["people"])])
    assert _search(ws, "PETROV") == {"p-ivan"}  # the romanised form of Иван Петров
    assert _search(ws, "иван") == {"p-ivan"}
    assert _search(ws, "ozol") == {"p-anna"}
    assert _search(ws, "nordbuild serv") == {"c-nordbuild"}
    assert _search(ws, "BG80BNBG966") == {"a-ivan"}
    assert _search(ws, "zzqx") == set()


@pytest.mark.postgres
def test_postgres_search_reads_the_trigram_indexes(pg_url: str, tmp_path: Path,
                                                   examples: dict[str, Path]) -> None:
    from veriga.config import Settings

    ws = Workspace.local(Settings(home=tmp_path / "home", database_url=pg_url),
                         purpose="automated test", username="tester")
    try:
        ws.cases.create("c")
        ws.records.import_files("c", [ImportRequest(examples["people"])])
        assert _search(ws, "petrov") == {"p-ivan"}
        case_id = ws.cases.get("c")["id"]
        with ws.store.begin() as conn:
            names = set(conn.execute(sa.text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))
                .scalars())
            assert {"ix_statements_search_value", "ix_statements_search_latin"} <= names
            # a case of 20,000 names more (a tiny one is read whole, by the planner's choice)
            conn.execute(sa.text(
                "INSERT INTO statements (id, case_id, entity_id, canonical_id, schema, prop, "
                "prop_type, value, source_id, first_seen) SELECT md5(i::text), s.case_id, "
                "'p' || i, 'p' || i, 'Person', 'name', 'name', 'Person ' || i, s.source_id, "
                "now() FROM generate_series(1, 20000) i, (SELECT case_id, source_id FROM "
                "statements LIMIT 1) s"))
            conn.execute(sa.text("ANALYZE statements"))
            query = ws.store.search_query(case_id, "petrov")
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(conn.execute(sa.text(f"EXPLAIN {compiled}")).scalars())
        assert "ix_statements_search_value" in plan and "ix_statements_search_latin" in plan
    finally:
        ws.close()
