"""Each case's protection (who is protected, by which pseudonym), computed once per change of
the case's data and shared by every restricted reader and request of this process."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from veriga.access.protect import Protection, Row, protect
from veriga.engine import get_engine
from veriga.store import BulkStore, Store

#: Protections computed in this process: (store, case, data fingerprint, marked) -> it.
_PROTECTIONS: dict[tuple[Any, ...], Protection] = {}
_COMPUTING: dict[tuple[Any, ...], threading.Lock] = {}
#: Guards the cache above and the minimised copies of bulk records written beside the store.
LOCK = threading.Lock()
MAX_PROTECTIONS = 16


def named_accounts(store: Store, bulk: BulkStore, conn: Connection, case_id: str
                   ) -> set[tuple[str, str]]:
    """(account, name) of the other side of every bank transaction of the case."""
    paths = [bulk.path(rel) for _, files in store.bulk_files(conn, case_id)
             if (rel := files.get("transaction"))]
    paths = [p for p in paths if p.exists()]
    if not paths:
        return set()
    engine = get_engine("duckdb")
    try:
        engine.register({"transaction": paths})
        table = engine.query('SELECT DISTINCT counterparty_account, counterparty_name '
                             'FROM "transaction" WHERE counterparty_account IS NOT NULL '
                             'AND counterparty_name IS NOT NULL')
    finally:
        engine.close()
    return set(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))


def protection(store: Store, bulk: BulkStore, database_url: str, conn: Connection,
               case: Mapping[str, Any], marked: Mapping[str, str]) -> Protection:
    """The case's protection for these marked people, computed once per change of the
    case's data (one computation per key, however many requests wait for it)."""
    key = (database_url, case["id"], store.fingerprint(conn, case["id"]),
           tuple(sorted(marked.items())))
    with LOCK:
        found = _PROTECTIONS.get(key)
        computing = _COMPUTING.setdefault(key, threading.Lock())
    if found is not None:
        return found
    with computing:
        with LOCK:
            found = _PROTECTIONS.get(key)
        if found is None:
            found = _compute(store, bulk, conn, case, marked)
            with LOCK:
                while len(_PROTECTIONS) >= MAX_PROTECTIONS:
                    _PROTECTIONS.pop(next(iter(_PROTECTIONS)))
                _PROTECTIONS[key] = found
        with LOCK:
            _COMPUTING.pop(key, None)
    return found


def _compute(store: Store, bulk: BulkStore, conn: Connection, case: Mapping[str, Any],
             marked: Mapping[str, str]) -> Protection:
    """Read what identifies people in the case and compute its protection."""
    values: list[Row] = []
    links: list[Row] = []
    for entity_id, schema, prop, prop_type, value, latin in store.identifying(conn, case["id"]):
        row = Row(entity_id, schema, prop, prop_type, value, latin)
        (links if prop_type == "entity" else values).append(row)
    return protect(case["pseudonym_key"] or case["id"], marked, values, links,
                   named_accounts(store, bulk, conn, case["id"]),
                   merged=store.canonical_map(conn, case["id"]))
