"""Persistence: the SQL case store (SQLite or PostgreSQL) and the Parquet bulk records."""

from veriga.store.bulk import BulkStore
from veriga.store.store import Store, new_id, statement_id

__all__ = ["BulkStore", "Store", "new_id", "statement_id"]
