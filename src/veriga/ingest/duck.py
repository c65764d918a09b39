"""In-memory DuckDB connections for importers, cheap to open.

Opening a DuckDB database costs about 25 ms, more than reading a small bank statement.
Importers that run SQL over a file's rows take a connection (a cursor) on one in-memory
database kept per process instead. Registered Arrow tables and temporary tables belong to
the connection and go when it is closed; each connection may be used by one thread.
"""

from __future__ import annotations

import os
import threading

import duckdb

_lock = threading.Lock()
_db: duckdb.DuckDBPyConnection | None = None
_pid: int | None = None


def connect() -> duckdb.DuckDBPyConnection:
    """A new connection to the process's in-memory database (close it when done)."""
    global _db, _pid
    with _lock:
        if _db is None or _pid != os.getpid():  # a forked child opens its own
            _db = duckdb.connect(":memory:")
            _pid = os.getpid()
        return _db.cursor()
