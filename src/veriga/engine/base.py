"""The engine interface: run one SQL text (DuckDB dialect) over named Parquet tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pyarrow as pa

#: each name's Parquet files (paths as text cost less to make, 1,500 a request)
Tables = Mapping[str, Sequence[Path | str]]


class Engine(Protocol):
    """An execution engine. SQL is written once, in DuckDB's dialect, and transpiled."""

    name: str

    def register(self, tables: Tables, schemas: Mapping[str, pa.Schema] | None = None) -> None:
        """Make each name a view over its Parquet files (an empty table when it has none)."""

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` and return the result as an Arrow table."""

    def materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` once and keep the result as table ``name`` for later queries."""

    def define(self, name: str, sql: str) -> None:
        """Make ``name`` a view: ``sql`` runs again, with filters pushed down, when queried."""

    def register_arrow(self, name: str, table: pa.Table) -> None:
        """Make a small in-memory Arrow table queryable as ``name``."""

    def close(self) -> None: ...
