"""Shared by the import tests: what an import may change, to compare before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

TABLES = ("sources", "statements", "rejects", "audit")


def snapshot(ws: Any) -> tuple[dict[str, int], list[Path]]:
    """Row counts of the tables an import writes, and every file of the bulk folder (the
    staging area too): an import that is refused or fails must leave both as they were."""
    with ws.store.begin() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
    root = ws.bulk.root
    files = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []
    return counts, files
