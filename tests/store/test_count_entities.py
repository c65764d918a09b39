"""Counting a case's entities by schema in SQL: the same counts as reading every entity's
schemata, with an entity stated under several schemata counted once under their common one,
and with hidden sources and entities left out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from veriga.ingest import ImportRequest
from veriga.model import model
from veriga.store.schema import statements
from veriga.workspace import Workspace


def _by_reading(ws: Workspace, case_id: str, exclude_ids: set[str]) -> dict[str, int]:
    """The counts as the dashboard made them before: every (entity, schema) read."""
    with ws.store.begin() as conn:
        rows = conn.execute(sa.select(statements.c.canonical_id, statements.c.schema)
                            .where(statements.c.case_id == case_id).distinct()).all()
    schema_of: dict[str, str] = {}
    for entity_id, schema in rows:
        if entity_id in exclude_ids:
            continue
        known = schema_of.get(entity_id)
        schema_of[entity_id] = schema if known is None else \
            model.common_schema(known, schema).name
    return dict(Counter(schema_of.values()))


def test_counts_match_reading_every_entity(ws: Workspace, examples: dict[str, Path]) -> None:
    ws.cases.create("c")
    ws.records.import_files("c", [
        ImportRequest(examples["people"]),
        ImportRequest(examples["transactions"], mapping=examples["mapping"]),
    ])
    case_id = ws.cases.get("c")["id"]
    with ws.store.begin() as conn:
        person = conn.execute(sa.select(statements).where(
            statements.c.case_id == case_id, statements.c.schema == "Person")
            .limit(1)).mappings().one()
        # the same person stated as a LegalEntity by another statement: counted once
        conn.execute(statements.insert().values(
            {**person, "id": "extra-legal-entity", "schema": "LegalEntity"}))
    with ws.store.begin() as conn:
        counted = ws.store.count_entities(conn, case_id)
        hidden = ws.store.count_entities(conn, case_id, exclude_ids={person["canonical_id"]})
        none = ws.store.count_entities(conn, case_id, only_ids=[])
    assert counted == _by_reading(ws, case_id, set())
    assert sum(counted.values()) >= 10 and "LegalEntity" not in counted
    assert hidden == _by_reading(ws, case_id, {person["canonical_id"]})
    assert hidden["Person"] == counted["Person"] - 1
    assert none == {}
    assert ws.entities.count("c") == counted
