"""Run the same query on two engines and compare results, for tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from veriga.engine.base import Engine, Tables


def _rows(table: pa.Table, order_by: Sequence[str] | None) -> list[tuple[Any, ...]]:
    rows = [tuple(r.values()) for r in table.to_pylist()]
    if order_by:
        idx = [table.column_names.index(c) for c in order_by]
        return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in (r[i] for i in idx)))
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def run_parity(
    engines: Sequence[Engine],
    sql: str,
    tables: Tables,
    schemas: Mapping[str, pa.Schema] | None = None,
    order_by: Sequence[str] | None = None,
) -> list[pa.Table]:
    """Run ``sql`` on every engine; raise AssertionError when the results differ."""
    results = []
    for engine in engines:
        engine.register(tables, schemas)
        results.append(engine.query(sql))
    first = results[0]
    for engine, other in zip(engines[1:], results[1:], strict=True):
        if [c.lower() for c in first.column_names] != [c.lower() for c in other.column_names]:
            raise AssertionError(
                f"{engine.name} columns {other.column_names} != {first.column_names}"
            )
        if _rows(first, order_by) != _rows(other, order_by):
            raise AssertionError(f"{engine.name} rows differ from {engines[0].name}")
    return results
