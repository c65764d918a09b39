"""``ws.exports``: the case's entities written out for another tool, a partner or a court,
with the handling codes that restrict them travelling along."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection

from veriga import finance
from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.handling import Handling
from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.export import export_entities, get_exporter
from veriga.export.goaml import Material, Written
from veriga.findings import Finding, ReviewState
from veriga.ingest.goaml import load_profile
from veriga.model import EntityProxy
from veriga.model.holdings import holdings
from veriga.workspace.context import CaseAccess, PermissionDenied
from veriga.workspace.part import Part


class Exports(Part):
    def write(self, case: str, fmt: str, out: Path, for_court: bool = False,
              recipient: str | None = None,
              layout: Mapping[str, tuple[float, float]] | None = None) -> int:
        """Export what the user may see; handling codes restrict and travel with it.

        ``for_court`` leaves out material that may not be used in judicial proceedings;
        ``recipient`` (an organisation) makes it a disclosure that leaves out material that
        may not be passed on. ``layout`` exports a chart the user laid out instead of the
        whole case: the entities it places (ids as the user sees them) and the links among
        them (payments, ownerships...), each item where the user put it in a format that
        draws (ANX).
        """
        ws, store = self.ws, self.ws.store
        with ws.case(case, Op.EXPORT) as access:
            conn = access.conn
            owner = access.case["owner_org_id"]
            to_org = directory.get_org(conn, recipient) if recipient else None
            to_id = to_org["id"] if to_org else None
            per_source = case_access.source_handling(conn, access.case_id)
            per_entity = case_access.entity_handling_map(conn, access.case_id,
                                                         access.canonical_of)
            excluded_sources = set(access.hidden_sources) | {
                source_id for source_id, handling in per_source.items()
                if not handling.releasable(for_court, to_id, owner)
            }
            entity_sources = store.entity_sources(conn, access.case_id)
        handling_of: dict[str, Handling] = {}
        left_out: list[str] = []

        def entities() -> Iterator[EntityProxy]:
            with store.begin() as conn:
                if layout is None:
                    proxies = store.iter_entities(conn, access.case_id,
                                                  exclude_sources=excluded_sources,
                                                  only_ids=access.only_ids)
                else:
                    proxies = self._charted(conn, access, layout, excluded_sources)
                for proxy in access.visible(proxies):
                    real = access.real_id(proxy.id or "")
                    handling = case_access.combined_handling(real, entity_sources, per_source,
                                                             per_entity, excluded_sources)
                    if not handling.releasable(for_court, to_id, owner):
                        left_out.append(proxy.id or "")
                        continue
                    handling_of[proxy.id or ""] = handling
                    yield proxy

        count = export_entities(entities(), fmt, out,
                                handling=lambda eid: handling_of[eid].to_dict(), layout=layout)
        sidecar = out.with_name(out.name + ".handling.json")
        sidecar.write_text(json.dumps({
            "case": access.case["name"], "exported_by": ws.actor,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "for_court": for_court, "recipient": to_org["name"] if to_org else None,
            "entities": {eid: h.to_dict() for eid, h in handling_of.items()},
        }, indent=1, ensure_ascii=False), encoding="utf-8")
        with store.begin() as conn:
            ws.write_audit(conn, "disclosure" if to_org else "export", access.case_id,
                     target=to_org["name"] if to_org else out.name, format=fmt,
                     entities=count, for_court=for_court, left_out=len(left_out),
                     excluded_sources=sorted(excluded_sources - access.hidden_sources),
                     # a chart holds some entities: each is recorded as reached
                     reads=None if layout is None else {access.real_id(i) for i in handling_of},
                     **({"chart": True} if layout is not None else {}))
        return count

    def _charted(self, conn: Connection, access: CaseAccess,
                 layout: Mapping[str, tuple[float, float]], excluded: set[str]
                 ) -> Iterator[EntityProxy]:
        """The entities a chart places (real ids of those the user sees) and the links
        among them."""
        store = self.ws.store
        placed = set()
        for shown in layout:
            try:
                real = access.real_id(shown)
            except NotFound:
                continue  # a pseudonym's real id is never taken
            if access.reachable(real):
                placed.add(real)
        ends = store.with_members(conn, access.case_id, placed) | placed
        linking = store.linked_ids(conn, access.case_id, placed, excluded)
        found = list(store.iter_entities_by_id(conn, access.case_id, sorted(placed | linking),
                                               excluded, only_records=access.only_ids))
        for proxy in found:
            if proxy.id in placed or proxy.schema.edge and all(
                    v in ends for p in (proxy.schema.edge_source, proxy.schema.edge_target)
                    if p for v in proxy.get(p)):
                yield proxy

    def report(self, case: str, fmt: str, out: Path, finding_ids: Sequence[str],
               profile: str | None = None, reference: str | None = None,
               action: str | None = None, recipient: str | None = None) -> Written:
        """A report to an authority (``goaml``) from confirmed findings: the transactions
        they rest on, with both parties, their accounts and holders.

        Only findings the user may read, and only when the user sees the case whole (a
        report names persons: a minimised reader may not file one). Material whose handling
        code forbids passing it on (H2, H3, or an organisation list without ``recipient``)
        is left out; the report and what was left out are audited."""
        ws, store = self.ws, self.ws.store
        exporter = get_exporter(fmt)
        if not getattr(exporter, "from_findings", False):
            raise VerigaError(f"{fmt} exports entities, not findings: leave out --finding")
        if not finding_ids:
            raise VerigaError(f"{fmt} is a report from findings: give at least one --finding")
        fiu = load_profile(profile)
        with ws.case(case, Op.EXPORT) as access:
            if not access.may(Op.FINDING_READ):
                raise PermissionDenied("your role may not read this case's findings")
            if access.minimiser is not None or access.only_ids is not None:
                raise PermissionDenied("a report names the persons it is about: it is made "
                                       "only from a view of the whole case, not a minimised "
                                       "or shared part of it")
            conn = access.conn
            found = [self._confirmed(access, fid) for fid in dict.fromkeys(finding_ids)]
            owner = access.case["owner_org_id"]
            to_org = directory.get_org(conn, recipient) if recipient else None
            per_source = case_access.source_handling(conn, access.case_id)
            per_entity = case_access.entity_handling_map(conn, access.case_id,
                                                         access.canonical_of)
            entity_sources = store.entity_sources(conn, access.case_id)
        passes = _passes(to_org["id"] if to_org else None, owner)
        withheld = {s for s, h in per_source.items() if not passes(h)}

        def releasable(entity_id: str) -> bool:
            handling = Handling()
            for source_id in entity_sources.get(entity_id, set()):
                handling.merge(per_source[source_id])
            if entity_id in per_entity:
                handling.merge(per_entity[entity_id])
            return passes(handling)

        wanted = sorted({r for f in found for r in f.evidence.record_ids})
        engine = ws.records.engine(case)
        try:
            engine.register_arrow("wanted_records", pa.table(
                {"record_id": pa.array(wanted, pa.string())}))
            rows = engine.query('SELECT t.* FROM "transaction" t JOIN wanted_records w '
                                "ON w.record_id = t.record_id").to_pylist()
        finally:
            engine.close()
        records = [r for r in rows if r["source_id"] not in withheld]
        numbers = {n for r in records for n in (r["account"], r["counterparty_account"]) if n}
        entities = list(ws.entities.list(case, finance.HOLDER_SCHEMATA))
        by_id = {e.id: e for e in entities if e.id}
        accounts: dict[str, EntityProxy] = {}
        holders: dict[str, EntityProxy] = {}
        for held in holdings(entities):
            for number in held.numbers:
                if number not in numbers:
                    continue
                account, holder = by_id.get(held.account_id), by_id.get(held.owner_id)
                if account is not None and releasable(held.account_id):
                    accounts.setdefault(number, account)
                if holder is not None and releasable(held.owner_id):
                    holders.setdefault(number, holder)
        for proxy in entities:
            if proxy.schema.is_a("BankAccount") and proxy.id and releasable(proxy.id):
                for number in proxy.get("iban") + proxy.get("accountNumber"):
                    if number in numbers:
                        accounts.setdefault(number, proxy)
        material = Material(access.case["name"], found, records, accounts, holders)
        ref = reference or "VRG-" + hashlib.sha256(
            "|".join(sorted(f.id for f in found)).encode()).hexdigest()[:12].upper()
        written: Written = exporter.write_report(  # type: ignore[attr-defined]
            material, out, fiu, ref, action)
        with store.begin() as conn:
            ws.write_audit(conn, "disclosure" if to_org else "export", access.case_id,
                           target=to_org["name"] if to_org else out.name, format=fmt,
                           profile=fiu.name, reference=ref, findings=[f.id for f in found],
                           transactions=written.transactions,
                           left_out=len(rows) - len(records),
                           reads=sorted({e.id for e in (*accounts.values(), *holders.values())
                                         if e.id}))
        return written

    def _confirmed(self, access: Any, finding_id: str) -> Finding:
        items = self.ws.store.list_findings(access.conn, access.case_id, finding_id=finding_id)
        if not items:
            raise NotFound(f"no finding {finding_id!r} in case {access.case['name']!r}")
        state = items[0].review.state
        if state is not ReviewState.CONFIRMED:
            raise VerigaError(f"finding {finding_id} is {state.value}: a report rests only on "
                              "findings a person confirmed (review it in the findings view)")
        return items[0]


def _passes(recipient: str | None, owner: str | None) -> Callable[[Handling], bool]:
    """Whether material of a handling code may go to an authority outside the case:
    to ``recipient`` (an organisation of the directory) as a disclosure to it, else only
    material that may be passed on and is restricted to no organisation list."""
    if recipient is not None:
        return lambda h: h.releasable(False, recipient, owner)
    return lambda h: h.disseminate and h.orgs is None
