"""``ws.exports``: the case's entities written out for another tool, a partner or a court,
with the handling codes that restrict them travelling along."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.handling import Handling
from veriga.access.policy import Op
from veriga.export import export_entities
from veriga.model import EntityProxy
from veriga.workspace.part import Part


class Exports(Part):
    def write(self, case: str, fmt: str, out: Path, for_court: bool = False,
              recipient: str | None = None) -> int:
        """Export what the user may see; handling codes restrict and travel with it.

        ``for_court`` leaves out material that may not be used in judicial proceedings;
        ``recipient`` (an organisation) makes it a disclosure that leaves out material that
        may not be passed on.
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
                proxies = store.iter_entities(conn, access.case_id,
                                              exclude_sources=excluded_sources,
                                              only_ids=access.only_ids)
                for proxy in access.visible(proxies):
                    real = access.real_id(proxy.id or "")
                    handling = Handling()
                    for source_id in entity_sources.get(real, set()) - excluded_sources:
                        handling.merge(per_source[source_id])
                    if real in per_entity:
                        handling.merge(per_entity[real])
                    if not handling.releasable(for_court, to_id, owner):
                        left_out.append(proxy.id or "")
                        continue
                    handling_of[proxy.id or ""] = handling
                    yield proxy

        count = export_entities(entities(), fmt, out,
                                handling=lambda eid: handling_of[eid].to_dict())
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
                     excluded_sources=sorted(excluded_sources - access.hidden_sources))
        return count
