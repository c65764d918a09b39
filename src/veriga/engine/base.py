"""The engine interface: run one SQL text (DuckDB dialect) over named Parquet tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pyarrow as pa

Tables = Mapping[str, Sequence[Path]]


class Engine(Protocol):
    """An execution engine. SQL is written once, in DuckDB's dialect, and transpiled."""

    name: str

    def register(self, tables: Tables, schemas: Mapping[str, pa.Schema] | None = None) -> None:
        """Make each name a view over its Parquet files (an empty table when it has none)."""

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` and return the result as an Arrow table."""

    def close(self) -> None: ...
