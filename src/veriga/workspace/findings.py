"""``ws.findings``: what the analyses found, and its review by a person."""

from __future__ import annotations

import builtins
import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from veriga import analysis
from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.findings import Finding, Review, ReviewState
from veriga.workspace import cache
from veriga.workspace.analyses import whole
from veriga.workspace.context import CaseAccess
from veriga.workspace.part import Part


def _copy(finding: Finding) -> Finding:
    """A finding that can be changed (minimised) without changing ``finding``."""
    ev = finding.evidence
    return replace(finding, review=replace(finding.review), evidence=replace(
        ev, entity_ids=list(ev.entity_ids), statement_ids=list(ev.statement_ids),
        source_ids=list(ev.source_ids), record_ids=list(ev.record_ids), keys=list(ev.keys)))


def _reviewed(finding: Finding, review: Review) -> Finding:
    """``finding`` with another review (the rest shared with it, as kept findings are)."""
    changed = copy.copy(finding)
    changed.review = review
    return changed


def _undoable(finding: Finding) -> bool:
    """A review a reopen undoes: not a confirmed proposal whose records it merged."""
    if finding.review.state is ReviewState.NEW:
        return False
    about = analysis.detector(finding.kind)
    return not (finding.review.state is ReviewState.CONFIRMED and about is not None
                and about.on_confirm == "merge")


class Findings(Part):
    def save(self, case: str, items: Sequence[Finding]) -> int:
        """Store findings made outside a run (only from a view of the whole case)."""
        with self.ws.case(case, Op.ANALYZE) as access:
            whole(access)
            added = self.ws.store.save_findings(access.conn, access.case_id, items)
            access.audit("finding.create", count=added)
        return added

    def list(self, case: str, kind: str | None = None, entity_id: str | None = None,
             shared: bool = False) -> builtins.list[Finding]:
        """The case's findings, of one kind or resting on one entity if given. ``shared``:
        for a caller that only reads them, the findings kept for every reader, not copies
        (a reader who sees them minimised gets copies still): never to be changed. Without
        ``kind``, a shared listing is the kept list itself, the same object while the case's
        findings are unchanged (:func:`cache.made_from` keeps what is made from it)."""
        with self.ws.case(case, Op.FINDING_READ) as access:
            real = access.real_id(entity_id) if entity_id else None
            if real is None:
                stored = self._stored(access)
                if shared and access.minimiser is None:  # the kept list itself, if whole
                    items = stored if kind is None else [f for f in stored if f.kind == kind]
                else:
                    items = [_copy(f) for f in stored if kind is None or f.kind == kind]
            else:
                items = self.ws.store.list_findings(access.conn, access.case_id, kind, real)
            access.audit("finding.list", kind=kind, count=len(items))
        if access.minimiser is not None:
            items = [access.minimiser.finding(item) for item in items]
        return items

    def by_kind(self, case: str) -> builtins.list[tuple[Finding, dict[str, int]]]:
        """The first finding of each kind (the highest score) with how many of the kind are
        in each review state, counted in SQL: what a summary shows, without reading every
        finding (a large case's take seconds to read). Audited as a listing."""
        with self.ws.case(case, Op.FINDING_READ) as access:
            found = self.ws.store.findings_by_kind(access.conn, access.case_id)
            access.audit("finding.list", count=sum(n for _, c in found for n in c.values()),
                         by_kind=True)
        if access.minimiser is not None:
            found = [(access.minimiser.finding(f), c) for f, c in found]
        return found

    def _stored(self, access: CaseAccess) -> builtins.list[Finding]:
        """Every finding of the case as stored (the same for every reader: minimised after),
        read once per change of the case's findings: shared, never to be changed (copy what
        is handed on)."""
        version = self.ws.store.findings_version(access.conn, access.case_id)
        found = cache.key(access, "findings", readers=False, version=version)
        return cache.cached(found, lambda: self._read(access, found))

    def _read(self, access: CaseAccess, found: tuple[Any, ...]) -> builtins.list[Finding]:
        """The case's findings as stored. If only reviews changed since they were last read
        here (as many, the newest as new), those read are kept and only their reviews read
        again: a large case's 9,688 findings take a second and a half to read whole, and a
        reviewer changes one at a time."""
        last = cache.latest(found)  # its version: (how many, the newest, the last review)
        if last is not None and last[0][4][:2] == found[4][:2]:
            reviews = self.ws.store.finding_reviews(access.conn, access.case_id)
            before: builtins.list[Finding] = last[1]
            if len(reviews) == len(before) and all(f.id in reviews for f in before):
                return [f if reviews[f.id] == f.review else _reviewed(f, reviews[f.id])
                        for f in before]
        return self.ws.store.list_findings(access.conn, access.case_id)

    def get(self, case: str, finding_id: str) -> Finding:
        """One finding (NotFound if the case has none of this id); the read is audited."""
        with self.ws.case(case, Op.FINDING_READ) as access:
            items = self.ws.store.list_findings(access.conn, access.case_id,
                                                finding_id=finding_id)
            if not items:
                raise NotFound(f"no finding {finding_id!r} in case {access.case['name']!r}")
            access.audit("finding.read", finding_id)
        item = items[0]
        return access.minimiser.finding(item) if access.minimiser is not None else item

    def review(self, case: str, finding_id: str, state: ReviewState, reason: str) -> None:
        """Confirm or dismiss a finding, with a reason. Confirming a proposed match (a
        detector whose ``on_confirm`` is "merge") also merges its records: both or
        neither, in one transaction (a record the reviewer may not see, say, leaves the
        proposal unreviewed), each audited."""
        if not reason.strip():
            raise VerigaError("a review needs a reason")
        with self.ws.case(case, Op.FINDING_REVIEW) as access:
            found = self.ws.store.list_findings(access.conn, access.case_id,
                                                finding_id=finding_id)
            if not found:
                raise NotFound(f"no finding {finding_id!r} in case {access.case['name']!r}")
            about = analysis.detector(found[0].kind)
            if state is ReviewState.CONFIRMED and about is not None \
                    and about.on_confirm == "merge":
                # merged first, as the reviewer may merge: a failure changes nothing
                writer = self.ws.access(access.conn, case, Op.ENTITY_WRITE)
                self.ws.entities.merge_in(writer, found[0].evidence.entity_ids, reason,
                                          finding_id)
            self.ws.store.review_finding(access.conn, access.case_id, finding_id, state,
                                         self.ws.actor, reason)
            access.audit("finding.review", finding_id, state=state.value, reason=reason)

    def reopenable(self, case: str, finding_ids: Sequence[str]) -> set[str]:
        """Which of these findings :meth:`reopen` would undo the review of (reviewed, and not
        a confirmed proposal that merged records)."""
        wanted = set(finding_ids)
        return {f.id for f in self.list(case) if f.id in wanted and _undoable(f)}

    def reopen(self, case: str, finding_id: str, reason: str = "review undone") -> None:
        """Undo a review: the finding is waiting for review again (recorded, with who and
        why, and audited as a review back to ``new``). A confirmed proposed match merged its
        records: splitting them on the entity page undoes that (and reopens it), not this."""
        with self.ws.case(case, Op.FINDING_REVIEW) as access:
            found = self.ws.store.list_findings(access.conn, access.case_id,
                                                finding_id=finding_id)
            if not found:
                raise NotFound(f"no finding {finding_id!r} in case {access.case['name']!r}")
            item = found[0]
            if item.review.state is ReviewState.NEW:
                return
            if not _undoable(item):
                raise VerigaError("confirming this proposal merged its records: split them on "
                                  "the entity page to undo it")
            self.ws.store.review_finding(access.conn, access.case_id, finding_id,
                                         ReviewState.NEW, self.ws.actor, reason)
            access.audit("finding.review", finding_id, state=ReviewState.NEW.value,
                         reason=reason, undone=item.review.state.value)

    def members(self, case: str, finding_ids: Sequence[str]
                ) -> dict[str, builtins.list[Member]]:
        """The records each of these findings rests on (a proposed match: the records it
        proposes as one), side by side: each with its own values and their sources and
        the accounts it holds, as the user may see them. One audited read."""
        store = self.ws.store
        with self.ws.case(case, Op.ENTITY_READ) as access:
            stored = {item.id: item for item in self._stored(access)}
            found = [stored[fid] for fid in dict.fromkeys(finding_ids) if fid in stored]
            records = {r for item in found for r in item.evidence.entity_ids}
            entities = {access.canonical_of.get(r, r) for r in records}
            rows_of: dict[str, builtins.list[dict[str, Any]]] = {}
            read = store.entities_statements(access.conn, access.case_id,
                                             (e for e in entities if access.reachable(e)))
            for entity in sorted(read):
                for row in read[entity]:
                    if row["source_id"] not in access.hidden_sources and (
                            access.only_ids is None or row["entity_id"] in access.only_ids):
                        rows_of.setdefault(row["entity_id"], []).append(row)
            held = _held_accounts(access, records & set(rows_of))
            access.audit("entity.read", reads=set(rows_of) | {a for accounts in held.values()
                                                               for a, _ in accounts},
                         findings=[item.id for item in found])
        out: dict[str, builtins.list[Member]] = {}
        minimiser = access.minimiser
        for item in found:
            members = []
            for record in item.evidence.entity_ids:
                rows = rows_of.get(record)
                if not rows:
                    continue  # hidden from this reader (a handling code, a share)
                entity = access.canonical_of.get(record, record)
                numbers = [n for _, n in held.get(record, [])]
                if minimiser is not None:
                    rows = minimiser.statements(record, rows)
                    numbers = [minimiser.text(n) for n in numbers]
                    record, entity = minimiser.entity_id(record), minimiser.entity_id(entity)
                members.append(Member(record, rows[0]["schema"], rows, numbers, entity))
            out[item.id] = members
        return out


@dataclass
class Member:
    """A record a finding rests on, as the reader may see it."""

    id: str
    schema: str
    statements: list[dict[str, Any]]  # its own, each with its source (file, locator)
    accounts: list[str]  # numbers of the bank accounts it holds (through an Ownership)
    entity_id: str  # the entity it is part of: itself unless merged


def _held_accounts(access: CaseAccess, records: set[str]
                   ) -> dict[str, list[tuple[str, str]]]:
    """(account id, number) of the visible accounts each record holds by an Ownership."""
    store, conn, case_id = access.ctx.store, access.conn, access.case_id
    hidden = access.hidden_sources
    only = access.only_ids
    ownerships = sorted(store.linked_ids(conn, case_id, records, hidden, ("Ownership",)))
    owned: dict[str, list[str]] = {}
    statements_of = store.entities_statements(conn, case_id, ownerships)
    for ownership in ownerships:
        rows = [r for r in statements_of.get(ownership, []) if r["source_id"] not in hidden
                and (only is None or r["entity_id"] in only)]
        assets = [r["value"] for r in rows if r["prop"] == "asset"]
        for row in rows:
            if row["prop"] == "owner" and row["value"] in records:
                owned.setdefault(row["value"], []).extend(assets)
    wanted = sorted({a for assets in owned.values() for a in assets if access.reachable(a)})
    numbers = {p.id: p.get("iban") + p.get("accountNumber", quiet=True)
               for p in store.iter_entities_by_id(conn, case_id, wanted, hidden,
                                                  only_records=access.only_ids)
               if p.schema.is_a("BankAccount")}
    return {record: [(a, n) for a in dict.fromkeys(assets) for n in numbers.get(a, [])]
            for record, assets in owned.items()}
