"""The audit log: append-only, each entry chained to the previous one by SHA-256.

Under the Law Enforcement Directive (EU) 2016/680, Art. 25, every collection, consultation,
alteration, disclosure, combination and erasure of personal data is logged with who, when and
why. Editing or deleting an entry breaks the chain, which :func:`verify` detects.

How the chain resists cutting:

- ``seq`` is assigned gap-free (the last entry's ``seq`` plus one, under the append lock), so
  a deleted entry leaves a hole that :func:`verify` reports even if every later hash was
  recomputed.
- Entries hash their ``seq`` too (hash scheme 2). Entries written before that (scheme 1, which
  hashed every field but ``seq``) still verify: an entry may use scheme 1 only as long as no
  scheme-2 entry came before it, so the scheme cannot be downgraded in the middle of a chain.
  Gaps between scheme-1 entries are tolerated (PostgreSQL sequences used to skip numbers on
  rollback); a gap before a scheme-2 entry is not.
- A bulk read records every entity it reached in ``audit_reads``; the entry's detail holds
  their count, the first few ids and the SHA-256 of the sorted list, so the chain covers them.
- Deleting the newest entries, or rebuilding the whole chain, leaves a chain that is
  consistent in itself; :func:`head` gives the anchor (seq, hash, count) to keep outside the
  store, and :func:`verify` with that anchor detects both.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text

from veriga.store.schema import audit, audit_reads

GENESIS = "0" * 64
_PG_LOCK = 0x5645524947  # advisory lock that serialises appends on PostgreSQL
#: How many of the ids a read reached are repeated in the entry's detail (all are in
#: ``audit_reads``).
FIRST_IDS = 10
_READS_CHUNK = 5_000


def _canonical_time(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def entry_hash(prev_hash: str, row: Mapping[str, Any], scheme: int = 2) -> str:
    """Hash of one entry over the previous hash and its fields (``seq`` too from scheme 2)."""
    body = {
        "at": _canonical_time(row["at"]),
        "actor": row["actor"],
        "action": row["action"],
        "case_id": row["case_id"],
        "purpose": row["purpose"],
        "target": row["target"],
        "detail": row["detail"],
    }
    if scheme >= 2:
        body["seq"] = int(row["seq"])
    data = prev_hash + json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def reads_digest(entity_ids: Iterable[str]) -> str:
    """SHA-256 of a set of entity ids (sorted, one per line)."""
    return hashlib.sha256("\n".join(sorted(set(entity_ids))).encode("utf-8")).hexdigest()


def _with_reads(detail: dict[str, Any] | None, reads: Collection[str] | None
                ) -> tuple[dict[str, Any], list[str] | None]:
    """The entry's detail with what it read summed up (``entity_count``, the first ids,
    ``entity_ids_sha256``), and the ids read, sorted (None: no reads recorded)."""
    detail = dict(detail or {})
    if reads is None:
        return detail, None
    ids = sorted(set(reads))
    detail.update(entity_count=len(ids), entity_ids=ids[:FIRST_IDS],
                  entity_ids_sha256=reads_digest(ids))
    return detail, ids


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    case_id: str | None,
    purpose: str | None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    reads: Collection[str] | None = None,
) -> str:
    """Append an entry inside the caller's transaction; returns its hash.

    ``reads`` are the entities the action reached: all are written to ``audit_reads`` and
    the detail gets ``entity_count``, the first ids (``entity_ids``) and
    ``entity_ids_sha256``.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    elif conn.dialect.name == "sqlite":
        # take the write lock before reading the head: two writers cannot both follow it
        conn.execute(text("UPDATE audit SET seq = seq WHERE 0"))
    last = conn.execute(
        select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).first()
    detail, read = _with_reads(detail, reads)
    ids = read or []
    row = {
        "seq": (last.seq if last else 0) + 1,
        "at": datetime.now(UTC),
        "actor": actor,
        "action": action,
        "case_id": case_id,
        "purpose": purpose,
        "target": target,
        "detail": detail,
    }
    prev = last.hash if last else GENESIS
    digest = entry_hash(prev, row)
    conn.execute(audit.insert().values(**row, prev_hash=prev, hash=digest))
    for start in range(0, len(ids), _READS_CHUNK):
        conn.execute(audit_reads.insert(), [{"seq": row["seq"], "entity_id": i}
                                            for i in ids[start:start + _READS_CHUNK]])
    return digest


def seq_parts(row: Mapping[str, Any]) -> tuple[str, str]:
    """The entry's canonical JSON as :func:`entry_hash` hashes it (scheme 2), cut where its
    ``seq`` goes: ``seq`` and ``target`` are its last keys in sorted order."""
    body = {"at": _canonical_time(row["at"]), "actor": row["actor"], "action": row["action"],
            "case_id": row["case_id"], "purpose": row["purpose"], "detail": row["detail"]}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    target = json.dumps(row["target"], ensure_ascii=False, default=str)
    return text[:-1] + ', "seq": ', ', "target": ' + target + "}"


_APPEND = text(
    "SELECT veriga_audit_append(:lock, :before, :after, CAST(:at AS timestamptz), :actor, "
    ":action, :case_id, :purpose, :target, :detail, CAST(:reads AS text[]))")


def append_apart(
    conn: Connection,
    *,
    actor: str,
    action: str,
    case_id: str | None,
    purpose: str | None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    reads: Collection[str] | None = None,
) -> str:
    """Append an entry as :func:`append` does, in one call of the PostgreSQL function
    ``veriga_audit_append`` on ``conn``, a connection in autocommit: the entry is committed
    when this returns, and the lock that orders the chain is held only while the server runs
    the call. Returns its hash."""
    detail, ids = _with_reads(detail, reads)
    row = {"at": datetime.now(UTC), "actor": actor, "action": action, "case_id": case_id,
           "purpose": purpose, "target": target, "detail": detail}
    before, after = seq_parts(row)
    found = conn.execute(_APPEND, {
        "lock": _PG_LOCK, "before": before, "after": after, **row,
        "detail": json.dumps(detail, default=str), "reads": ids}).scalar_one()
    return str(found)


@dataclass
class Anchor:
    """The head of the chain as kept outside the store: last seq, its hash, entry count."""

    seq: int
    hash: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "count": self.count}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Anchor:
        try:
            anchor = cls(int(data["seq"]), str(data["hash"]), int(data["count"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("an audit anchor needs seq, hash and count") from exc
        if anchor.seq < 0 or anchor.count < 0 or len(anchor.hash) != 64:
            raise ValueError("not an audit anchor (seq, count >= 0; hash of 64 hex digits)")
        return anchor


@dataclass
class ChainReport:
    """Result of a verification: ok, entries checked, the first break found, and the head."""

    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None
    head: Anchor | None = None


def _grouped_reads(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, list[str]]]:
    for seq, group in itertools.groupby(rows, key=lambda r: r["seq"]):
        yield int(seq), [r["entity_id"] for r in group]


def _missing(last_seq: int, seq: int) -> str:
    gap = f"entry {seq - 1} is" if seq - 1 == last_seq + 1 else \
        f"entries {last_seq + 1} to {seq - 1} are"
    return f"{gap} missing: deleted, and the chain rebuilt over the gap"


def verify(rows: Iterable[Mapping[str, Any]], reads: Iterable[Mapping[str, Any]] = (),
           anchor: Anchor | None = None, legacy_gaps: bool = False) -> ChainReport:
    """Check that ``rows`` (ordered by seq, all of them) form an unbroken chain.

    ``reads`` are the rows of ``audit_reads`` ordered by seq; each entry's reads must match
    its digest. With ``anchor``, the chain must still hold the anchored entry, unchanged,
    with as many entries up to it as when it was anchored. ``legacy_gaps`` tolerates gaps
    between scheme-1 entries (PostgreSQL stores, whose sequence skipped numbers on rollback).
    """
    prev = GENESIS
    count = 0
    last_seq = 0
    scheme2 = False
    anchored = False
    pending = _grouped_reads(reads)
    read_seq, read_ids = next(pending, (None, []))

    def broken(problem: str, seq: int | None) -> ChainReport:
        return ChainReport(False, count, problem, seq)

    for row in rows:
        count += 1
        seq = int(row["seq"])
        if row["prev_hash"] != prev:
            return broken(f"entry {seq} does not follow entry {last_seq}: "
                          "an entry before it was deleted or altered", seq)
        if entry_hash(prev, row) == row["hash"]:
            if seq != last_seq + 1:
                return broken(_missing(last_seq, seq), seq)
            scheme2 = True
        elif scheme2 or entry_hash(prev, row, scheme=1) != row["hash"]:
            return broken(f"entry {seq} was altered after it was written", seq)
        elif seq != last_seq + 1 and not legacy_gaps:
            return broken(_missing(last_seq, seq), seq)
        if read_seq is not None and read_seq < seq:
            return broken(f"reads recorded for entry {read_seq}, which has none", read_seq)
        detail = row["detail"] if isinstance(row["detail"], Mapping) else {}
        ids: list[str] = []
        if read_seq == seq:
            ids = read_ids
            read_seq, read_ids = next(pending, (None, []))
        if "entity_ids_sha256" in detail:
            if reads_digest(ids) != detail["entity_ids_sha256"]:
                return broken(f"the entities read by entry {seq} were altered", seq)
        elif ids:
            return broken(f"reads recorded for entry {seq}, which has none", seq)
        if anchor is not None and seq == anchor.seq:
            anchored = True
            if row["hash"] != anchor.hash:
                return broken(f"entry {seq} is not the one anchored: the chain was rewritten",
                              seq)
            if count != anchor.count:
                return broken(f"{anchor.count} entries up to entry {seq} were anchored, "
                              f"{count} are there now: entries were deleted or added", seq)
        prev = row["hash"]
        last_seq = seq
    if read_seq is not None:
        return broken(f"reads recorded for entry {read_seq}, which does not exist", read_seq)
    if anchor is not None and anchor.seq > last_seq:
        return broken(f"the anchored entry {anchor.seq} is missing (the chain ends at "
                      f"{last_seq}): the newest entries were deleted", anchor.seq)
    if anchor is not None and anchor.seq and not anchored:
        return broken(f"the anchored entry {anchor.seq} is missing: it was deleted",
                      anchor.seq)
    return ChainReport(True, count, head=Anchor(last_seq, prev, count))
