"""DuckDB, in-process: the default engine."""

from __future__ import annotations

import os
import re
import tempfile
import threading
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


_SHARED: dict[int, duckdb.DuckDBPyConnection] = {}  # by process id (a fork makes its own)
_SHARED_LOCK = threading.Lock()


def _configure(con: duckdb.DuckDBPyConnection, memory_limit: str | None) -> None:
    con.execute("SET memory_limit = ?", [memory_limit or default_memory_limit()])
    con.execute("SET temp_directory = ?",
                [str(Path(tempfile.gettempdir()) / f"veriga-duckdb-{os.getpid()}")])


def _shared_cursor() -> duckdb.DuckDBPyConnection:
    """A connection of its own to the process's one in-memory database: its tables, views
    and registered Arrow tables are its own (temporary) and go with it, while the database
    (and its memory limit) is shared; opening one costs 0.5 ms, a database 10 ms."""
    pid = os.getpid()
    with _SHARED_LOCK:
        db = _SHARED.get(pid)
        if db is None:
            _SHARED.clear()
            db = _SHARED[pid] = duckdb.connect(":memory:")
            _configure(db, None)
        return db.cursor()


class DuckDBEngine:
    """An engine on the process's shared in-memory database (every name it makes is
    temporary: its own), or, given threads or a memory limit, on a database of its own."""

    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None) -> None:
        if threads or memory_limit:
            self.con = duckdb.connect(":memory:")
            if threads:
                self.con.execute(f"SET threads = {int(threads)}")
            _configure(self.con, memory_limit)
        else:
            self.con = _shared_cursor()
        self._empty: dict[str, pa.Table] = {}
        #: views over Parquet files, made when a statement first names them: binding one
        #: reads the schema of each of its files (a case of 1,500 statement files: 0.15 s
        #: a request that asks the kept ledger, not the records)
        self._pending: dict[str, str] = {}
        self._kinds: dict[str, str] = {}  # name -> VIEW or TABLE, as made

    def register(self, tables: Tables, schemas: Mapping[str, pa.Schema] | None = None) -> None:
        for name, paths in tables.items():
            self._pending.pop(name, None)
            if paths:
                files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
                self._pending[name] = (
                    f"SELECT * FROM read_parquet([{files}], union_by_name = true)")
            elif schemas and name in schemas:
                self._empty[name] = schemas[name].empty_table()
                self.con.register(f"__empty_{name}", self._empty[name])
                self._make(name, "VIEW", f"SELECT * FROM __empty_{name}")

    def _make(self, name: str, kind: str, sql: str) -> None:
        """``name`` as a temporary view or table of ``sql`` (one of the other kind dropped
        first: DuckDB replaces a view only by a view)."""
        before = self._kinds.get(name)
        if before is not None and before != kind:
            self.con.execute(f"DROP {before} IF EXISTS {_quote(name)}")
        self.con.execute(f"CREATE OR REPLACE TEMP {kind} {_quote(name)} AS {sql}")
        self._kinds[name] = kind

    def _views_for(self, sql: str) -> None:
        """Make the pending views ``sql`` may name (a word that is also a column costs
        only the view's binding)."""
        for name in [n for n in self._pending
                     if re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", sql)]:
            self._make(name, "VIEW", self._pending.pop(name))

    def query(self, sql: str) -> pa.Table:
        self._views_for(sql)
        return self.con.sql(sql).to_arrow_table()

    def materialize(self, name: str, sql: str) -> None:
        self._views_for(sql)
        self._pending.pop(name, None)
        self._make(name, "TABLE", sql)

    def define(self, name: str, sql: str) -> None:
        self._views_for(sql)
        self._pending.pop(name, None)
        self._make(name, "VIEW", sql)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._pending.pop(name, None)
        self._empty[name] = table
        self.con.register(f"__arrow_{name}", table)
        self._make(name, "VIEW", f"SELECT * FROM __arrow_{name}")

    def close(self) -> None:
        self.con.close()
