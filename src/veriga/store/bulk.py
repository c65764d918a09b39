"""Parquet bulk records, one file per case, record kind and source."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


class BulkStore:
    """Writes bulk tables atomically; a file counts only once its source is in the store."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def relative_path(self, case_id: str, kind: str, source_id: str) -> str:
        return f"{case_id}/{kind}/{source_id}.parquet"

    def write(self, case_id: str, kind: str, source_id: str, table: pa.Table) -> str:
        """Write ``table`` and return its path relative to the bulk root."""
        rel = self.relative_path(case_id, kind, source_id)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
        return rel

    def path(self, rel: str) -> Path:
        return self.root / rel

    def discard(self, rels: Iterable[str]) -> None:
        for rel in rels:
            (self.root / rel).unlink(missing_ok=True)
