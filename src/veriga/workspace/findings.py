"""``ws.findings``: what the analyses found, and its review by a person."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from veriga import analysis
from veriga.access.policy import Op
from veriga.errors import NotFound
from veriga.findings import Finding, ReviewState
from veriga.workspace.part import Part


class Findings(Part):
    def save(self, case: str, items: Sequence[Finding]) -> int:
        with self.ws.case(case, Op.ANALYZE) as access:
            added = self.ws.store.save_findings(access.conn, access.case_id, items)
            access.audit("finding.create", count=added)
        return added

    def list(self, case: str, kind: str | None = None, entity_id: str | None = None
             ) -> builtins.list[Finding]:
        """The case's findings, of one kind or resting on one entity if given."""
        with self.ws.case(case, Op.FINDING_READ) as access:
            real = access.real_id(entity_id) if entity_id else None
            items = self.ws.store.list_findings(access.conn, access.case_id, kind, real)
            access.audit("finding.list", kind=kind, count=len(items))
        if access.minimiser is not None:
            items = [access.minimiser.finding(item) for item in items]
        return items

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
        detector whose ``on_confirm`` is "merge") also merges its records."""
        with self.ws.case(case, Op.FINDING_REVIEW) as access:
            found = self.ws.store.list_findings(access.conn, access.case_id,
                                                finding_id=finding_id)
            about = analysis.detector(found[0].kind) if found else None
            merges = state is ReviewState.CONFIRMED and about is not None \
                and about.on_confirm == "merge"
            if merges:  # the reviewer must also be allowed to merge, before anything changes
                self.ws.access(access.conn, case, Op.ENTITY_WRITE)
            self.ws.store.review_finding(access.conn, access.case_id, finding_id, state,
                                         self.ws.actor, reason)
            access.audit("finding.review", finding_id, state=state.value, reason=reason)
        if merges:
            self.ws.entities.merge(case, found[0].evidence.entity_ids, reason, finding_id)
