"""``ws.audit``: who reached what, when and why; and the integrity of the log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from veriga.access import cases as case_access
from veriga.access.directory import User
from veriga.access.policy import Op, allows
from veriga.access.roles import CaseKind
from veriga.errors import NotFound, VerigaError
from veriga.store.audit import Anchor, ChainReport
from veriga.store.schema import audit
from veriga.workspace.part import Part

#: The audited actions that change a case: its activity feed.
CHANGES = ("import", "finding.create", "finding.review", "entity.change", "entity.merge",
           "entity.split", "note.add", "note.remove", "note.restore", "view.save",
           "case.member.add", "case.member.remove", "case.configure", "exchange.import",
           "ad.capture", "export", "job.start", "import.withdraw", "import.restore",
           "view.delete")
#: Reads that, unless they record the entities they reached, reached the whole case.
BULK_READS = ("entity.list", "export", "disclosure")
#: Shown instead of what someone searched for to audit readers who may not read the case.
WITHHELD = "(search terms withheld)"


class Audit(Part):
    def _case_id(self, conn: Connection, case: str | None, user: User) -> str | None:
        if case is None:
            return None
        row = self.ws.store.get_case(conn, case)
        shared = case_access.share_for(conn, row["id"], user.org_id)
        if row["owner_org_id"] != user.org_id and shared is None:
            raise NotFound(f"no case named {case!r} that you can access")
        return str(row["id"])

    def _may_read_case(self, conn: Connection, case_id: str | None, user: User) -> bool:
        """Whether ``user`` may read all of the case's data in clear (and so what was
        searched for in it)."""
        if case_id is None or user.is_ngo:
            return False
        role = case_access.member_role(conn, case_id, user.id)
        if role is None:
            shared = case_access.share_for(conn, case_id, user.org_id)
            if shared is None or shared["entity_ids"] is not None:
                return False
            role = user.case_role()
        kind = CaseKind(self.ws.store.get_case(conn, case_id)["kind"])
        return allows(role, Op.ENTITY_READ, kind)

    def _withhold(self, conn: Connection, rows: list[dict[str, Any]], user: User
                  ) -> list[dict[str, Any]]:
        """Search terms are personal data: shown only to those who may read the case."""
        may_read: dict[str | None, bool] = {}
        for row in rows:
            detail = row["detail"]
            if isinstance(detail, dict) and "query" in detail:
                case_id = row["case_id"]
                if case_id not in may_read:
                    may_read[case_id] = self._may_read_case(conn, case_id, user)
                if not may_read[case_id]:
                    row["detail"] = {**detail, "query": WITHHELD}
        return rows

    def log(self, case: str | None = None) -> list[dict[str, Any]]:
        """The audit entries of the cases the reader's organisation owns and those written
        by its users (in a case only shared with it: only those); search terms withheld
        from readers who may not read the case."""
        user = self.ws.require_global(Op.AUDIT_READ)
        with self.ws.store.begin() as conn:
            case_id = self._case_id(conn, case, user)
            rows = self.ws.store.list_audit(conn, case_id, org_id=user.org_id)
            rows = self._withhold(conn, rows, user)
            self.ws.write_audit(conn, "audit.read", case_id)
        return rows

    def activity(self, case: str, limit: int = 100) -> list[dict[str, Any]]:
        """What the case's members changed in it, newest first (imports, findings made and
        reviewed, merges, notes...): for every reader of the case; one who may not see all
        of it (an NGO reader, an agency it is shared with for some entities, a reader some
        entities or files are withheld from) sees who did what when, without targets or
        details. Audited."""
        with self.ws.case(case, Op.CASE_OPEN) as access:
            rows = [dict(r) for r in access.conn.execute(
                select(audit.c.seq, audit.c.at, audit.c.actor, audit.c.action,
                       audit.c.target, audit.c.detail)
                .where(audit.c.case_id == access.case_id, audit.c.action.in_(CHANGES))
                .order_by(audit.c.seq.desc()).limit(limit)).mappings()]
            access.audit("activity.read", count=len(rows))
        if not access.sees_all:
            # a target, a file name or a reason may name what this reader may not see
            for row in rows:
                row["target"], row["detail"] = None, {}
        return rows

    def who_accessed(self, case: str, entity_id: str) -> list[dict[str, Any]]:
        """Every audit entry (in the reader's scope, see :meth:`log`) that shows someone
        reached this entity: the imports that brought it in, direct reads and changes, reads
        that recorded it among the entities they reached, and listings or exports of the
        whole case made after it was imported."""
        user = self.ws.require_global(Op.AUDIT_READ)
        store = self.ws.store
        with store.begin() as conn:
            case_id = self._case_id(conn, case, user)
            rows = store.list_audit(conn, case_id, org_id=user.org_id)
            # a merged entity is every record merged into it, and each record is part of it
            records = store.with_members(conn, case_id or "", [entity_id])
            canonical = store.canonical_map(conn, case_id or "").get(entity_id, entity_id)
            sources = {s["source_id"] for s in
                       store.entity_statements(conn, case_id or "", canonical)}
            reached = set().union(*(store.audit_seqs_reading(conn, r) for r in records))
            self.ws.write_audit(conn, "audit.read", case_id, target=entity_id)
            # the entity is present from its first import on (unknown: from the start)
            present = min((r["seq"] for r in rows
                           if r["action"] == "import" and r["target"] in sources), default=0)
            hits = []
            for row in rows:
                detail = row["detail"] if isinstance(row["detail"], dict) else {}
                ids = detail.get("entity_ids")
                if row["target"] in sources | records:
                    hit = True
                elif "entity_count" in detail:  # every entity reached is in audit_reads
                    hit = row["seq"] in reached
                elif ids:  # written before audit_reads: the first 1,000 ids
                    hit = bool(records & set(ids))
                else:
                    hit = row["action"] in BULK_READS and row["seq"] > present
                if hit:
                    hits.append(row)
            return self._withhold(conn, hits, user)

    def verify(self, anchor: Mapping[str, Any] | None = None) -> ChainReport:
        """Check the whole chain (every organisation's: integrity is global, no entry is
        shown); with ``anchor`` (see :meth:`anchor`) also truncation and rewriting."""
        self.ws.require_global(Op.AUDIT_VERIFY)
        try:
            head = Anchor.from_dict(anchor) if anchor is not None else None
        except ValueError as exc:
            raise VerigaError(str(exc)) from exc
        with self.ws.store.begin() as conn:
            return self.ws.store.verify_audit(conn, head)

    def anchor(self) -> dict[str, Any]:
        """Verify the chain and return its head (seq, hash, count, time) to keep outside the
        store, e.g. in an external register; taking it is itself audited."""
        self.ws.require_global(Op.AUDIT_VERIFY)
        with self.ws.store.begin() as conn:
            report = self.ws.store.verify_audit(conn)
            if not report.ok or report.head is None:
                raise VerigaError(f"audit log broken, not anchored: {report.problem}")
            head = report.head.to_dict()
            self.ws.write_audit(conn, "audit.anchor", None, **head)
        return {**head, "at": datetime.now(UTC).isoformat(timespec="seconds")}
