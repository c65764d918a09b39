"""DuckDB, in-process: the default engine."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from veriga.engine.base import Tables


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def default_memory_limit() -> str:
    """``VERIGA_DUCKDB_MEMORY``, or 40 % of the machine's memory but at most 4 GB: beyond
    that DuckDB spills to disk, which costs little time (10M transactions: 49 s unbounded,
    61 s at 3 GB) and keeps a laptop usable."""
    configured = os.environ.get("VERIGA_DUCKDB_MEMORY")
    if configured:
        return configured
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux/macOS
        return "4GB"
    return f"{max(256, min(4096, int(total * 0.4 / 2**20)))}MB"


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute("SET memory_limit = ?", [memory_limit or default_memory_limit()])
        self.con.execute("SET temp_directory = ?",
                         [str(Path(tempfile.gettempdir()) / f"veriga-duckdb-{os.getpid()}")])
        self._empty: dict[str, pa.Table] = {}
        #: views over Parquet files, made when a statement first names them: binding one
        #: reads the schema of each of its files (a case of 1,500 statement files: 0.15 s
        #: a request that asks the kept ledger, not the records)
        self._pending: dict[str, str] = {}

    def register(self, tables: Tables, schemas: Mapping[str, pa.Schema] | None = None) -> None:
        for name, paths in tables.items():
            self._pending.pop(name, None)
            if paths:
                files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
                self._pending[name] = (
                    f"CREATE OR REPLACE VIEW {_quote(name)} AS "
                    f"SELECT * FROM read_parquet([{files}], union_by_name = true)"
                )
            elif schemas and name in schemas:
                self._empty[name] = schemas[name].empty_table()
                self.con.register(f"__empty_{name}", self._empty[name])
                self.con.execute(
                    f"CREATE OR REPLACE VIEW {_quote(name)} AS SELECT * FROM __empty_{name}"
                )

    def _views_for(self, sql: str) -> None:
        """Make the pending views ``sql`` may name (a word that is also a column costs
        only the view's binding)."""
        for name in [n for n in self._pending
                     if re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", sql)]:
            self.con.execute(self._pending.pop(name))

    def query(self, sql: str) -> pa.Table:
        self._views_for(sql)
        return self.con.sql(sql).to_arrow_table()

    def materialize(self, name: str, sql: str) -> None:
        self._views_for(sql)
        self._pending.pop(name, None)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_quote(name)} AS {sql}")

    def define(self, name: str, sql: str) -> None:
        self._views_for(sql)
        self._pending.pop(name, None)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {_quote(name)} AS {sql}")

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._pending.pop(name, None)
        self._empty[name] = table
        self.con.register(f"__arrow_{name}", table)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {_quote(name)} AS "
                         f"SELECT * FROM __arrow_{name}")

    def close(self) -> None:
        self.con.close()
