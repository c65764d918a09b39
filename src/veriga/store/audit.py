"""The audit log: append-only, each entry chained to the previous one by SHA-256.

Under the Law Enforcement Directive (EU) 2016/680, Art. 25, every collection, consultation,
alteration, disclosure, combination and erasure of personal data is logged with who, when and
why. Editing or deleting an entry breaks the chain, which :func:`verify` detects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text

from veriga.store.schema import audit

GENESIS = "0" * 64
_PG_LOCK = 0x5645524947  # advisory lock that serialises appends on PostgreSQL


def _canonical_time(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """Hash of one entry, over the previous hash and every field but ``seq`` and ``hash``."""
    body = {
        "at": _canonical_time(row["at"]),
        "actor": row["actor"],
        "action": row["action"],
        "case_id": row["case_id"],
        "purpose": row["purpose"],
        "target": row["target"],
        "detail": row["detail"],
    }
    data = prev_hash + json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    case_id: str | None,
    purpose: str | None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> str:
    """Append an entry inside the caller's transaction; returns its hash."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    last = conn.execute(select(audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).scalar()
    row = {
        "at": datetime.now(UTC),
        "actor": actor,
        "action": action,
        "case_id": case_id,
        "purpose": purpose,
        "target": target,
        "detail": detail or {},
    }
    prev = last or GENESIS
    digest = entry_hash(prev, row)
    conn.execute(audit.insert().values(**row, prev_hash=prev, hash=digest))
    return digest


@dataclass
class ChainReport:
    """Result of a verification: ok, entries checked, and the first break found."""

    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None


def verify(rows: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Check that ``rows`` (ordered by seq, all of them) form an unbroken chain."""
    prev = GENESIS
    count = 0
    last_seq = 0
    for row in rows:
        count += 1
        if row["prev_hash"] != prev:
            return ChainReport(
                False, count, f"entry {row['seq']} does not follow entry {last_seq}: "
                "an entry before it was deleted or altered", row["seq"]
            )
        if entry_hash(prev, row) != row["hash"]:
            return ChainReport(
                False, count, f"entry {row['seq']} was altered after it was written", row["seq"]
            )
        prev = row["hash"]
        last_seq = row["seq"]
    return ChainReport(True, count)
