"""``ws.hits``: hit/no-hit matching between parties (:mod:`veriga.cooperation.hits`).

Publishing a filter takes identifiers out of the case, however hashed: it needs the right to
export, and leaves out what may not be passed on (handling codes H2 and H3, material limited
to some organisations) and, unless asked, the victims and every record that may be one of
them (their phones and names would tell the other side that this case holds them). Matching
reads the user's own case as the user sees it: a restricted reader's protected people are
compared with nothing. Both are audited in their case, with the filter's key id and label.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from veriga.access import cases as case_access
from veriga.access.handling import Handling
from veriga.access.policy import Op
from veriga.access.roles import SubjectRole
from veriga.cooperation import hits as hnh
from veriga.cooperation import hitserver as hsrv
from veriga.errors import VerigaError
from veriga.model import EntityProxy
from veriga.resolve.records import build_records
from veriga.workspace.context import CaseAccess
from veriga.workspace.part import Part
from veriga.workspace.protection import protection

#: The people and companies a filter is made of (beside the accounts and links they hold).
PARTIES = ("Person", "Company", "Organization", "LegalEntity")
#: What is read: those, and what gives them their accounts and addresses (not the payments
#: and other links resolution reads for context: a filter holds identifiers only).
READ = (*PARTIES, "BankAccount", "Ownership", "Address")


@dataclass(frozen=True)
class Published:
    header: dict[str, Any]
    records: int  # people and companies read
    left_out: int  # entities withheld by handling code or as protected people


@dataclass(frozen=True)
class Matched:
    header: dict[str, Any]  # the filter's
    hits: list[hnh.Hit]
    captions: dict[str, str]  # record id (as the user sees it) -> its caption
    records: int


class Hits(Part):
    def publish(self, case: str, key: bytes, out: Path, *, label: str = "",
                expires: date | None = None, include_victims: bool = False) -> Published:
        """Write the case's match filter to ``out`` under ``key``."""
        ws, store = self.ws, self.ws.store
        left_out = 0
        with ws.case(case, Op.EXPORT) as access:
            conn = access.conn
            per_source = case_access.source_handling(conn, access.case_id)
            per_entity = case_access.entity_handling_map(conn, access.case_id,
                                                         access.canonical_of)
            withheld = {s for s, h in per_source.items() if not _passable(h)}
            entity_sources = store.entity_sources(conn, access.case_id)
            protected: set[str] = set()
            if not include_victims:
                roles = case_access.subject_roles(conn, access.case_id, access.canonical_of)
                marked = {e: r for e, r in roles.items() if r == SubjectRole.VICTIM.value}
                if marked:
                    found = protection(store, ws.bulk, ws.settings.database_url, conn,
                                       access.case, marked)
                    protected = {e for e in entity_sources if found.protected(e)}

            published: set[str] = set()

            def entities() -> Iterator[EntityProxy]:
                nonlocal left_out
                proxies = store.iter_entities(
                    conn, access.case_id, READ,
                    exclude_sources=access.hidden_sources | withheld, only_ids=access.only_ids)
                for proxy in access.visible(proxies):
                    real = access.real_id(proxy.id or "")
                    handling = case_access.combined_handling(real, entity_sources, per_source,
                                                             per_entity, withheld)
                    if real in protected or not _passable(handling):
                        left_out += 1
                        continue
                    published.add(real)
                    yield proxy

            records = build_records(entities())
            only_withheld = [e for e, srcs in entity_sources.items()
                             if srcs and srcs <= withheld and access.reachable(e)]
            if only_withheld:  # not read at all: their every statement may not go out
                left_out += sum(1 for _ in store.iter_entities(
                    conn, access.case_id, PARTIES, only_ids=only_withheld,
                    props=["name"]))
            header = hnh.write_filter(out, key, hnh.identifiers(records),
                                      hnh.encodings(records, key), label=label, expires=expires)
            access.audit("hits.publish", out.name, key_id=header["key_id"], label=label,
                         counts=header["counts"], names=header["names"], left_out=left_out,
                         victims_included=include_victims, expires=header["expires"],
                         reads=published)
        return Published(header, records.num_rows, left_out)

    def server(self, case: str, key: bytes, filter_path: Path, address: tuple[str, int],
               context: ssl.SSLContext, limits: hsrv.Limits | None = None) -> hsrv.HitServer:
        """A server answering other parties' hashes against the case's filter (published
        from ``case`` with ``key``), every answer and refusal audited in the case. The
        caller runs it (``serve_forever``)."""
        flt = hnh.read_filter(filter_path, key)
        with self.ws.case(case, Op.EXPORT) as access:
            access.audit("hits.serve", filter_path.name, key_id=flt.header["key_id"],
                         address=f"{address[0]}:{address[1]}")
            case_id = access.case_id
        store, ws = self.ws.store, self.ws

        def audit(action: str, client: str, detail: dict[str, Any]) -> None:
            with store.begin() as conn:
                ws.write_audit(conn, action, case_id, target=client,
                               key_id=flt.header["key_id"], **detail)

        return hsrv.HitServer(address, context, flt.exact, flt.header["key_id"], audit,
                               limits or hsrv.Limits())

    def match_remote(self, case: str, key: bytes, url: str, context: ssl.SSLContext) -> Matched:
        """The identifiers of the user's case that another party's server holds (exact
        identifiers only: names are not sent over the wire). The answer, or the refusal, is
        audited; nothing is held open in the store while the server is asked."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            shown, real_of = self._own(access)
        records = build_records(shown)
        by_digest: dict[bytes, list[hnh.Identifier]] = {}
        for i in hnh.identifiers(records):
            by_digest.setdefault(hnh.digest(key, i.kind, i.value), []).append(i)
        try:
            found = hsrv.query(url, context, hnh.key_id(key), by_digest)
        except VerigaError as exc:
            with self.ws.case(case, Op.ENTITY_READ) as access:
                access.audit("hits.refused", url, reason=str(exc))
            raise
        hits = sorted((hnh.Hit(i.record_id, i.kind, i.value) for d in found
                       for i in by_digest.get(d, ())), key=lambda h: (h.kind, h.value))
        with self.ws.case(case, Op.ENTITY_READ) as access:
            access.audit("hits.match", url, key_id=hnh.key_id(key), hits=len(hits),
                         sent=len(by_digest), reads={real_of[h.record_id] for h in hits})
        captions = {p.id or "": p.caption for p in shown}
        return Matched({"label": url, "key_id": hnh.key_id(key)}, hits,
                       {h.record_id: captions.get(h.record_id, h.record_id) for h in hits},
                       records.num_rows)

    def _own(self, access: CaseAccess) -> tuple[list[EntityProxy], dict[str, str]]:
        """The case's people and companies as the user sees them (protected people of a
        restricted reader left out), with the real id of each."""
        shown: list[EntityProxy] = []
        real_of: dict[str, str] = {}
        proxies = self.ws.store.iter_entities(
            access.conn, access.case_id, READ,
            exclude_sources=access.hidden_sources, only_ids=access.only_ids)
        for proxy in proxies:
            real = proxy.id or ""
            if not access.reachable(real):
                continue
            if access.minimiser is not None:
                if access.minimiser.protection.protected(real):
                    continue  # a protected person is matched with nothing
                proxy = access.minimiser.entity(proxy)
            real_of[proxy.id or ""] = real
            shown.append(proxy)
        return shown, real_of

    def match(self, case: str, key: bytes, filter_path: Path,
              min_dice: float = hnh.MIN_DICE) -> Matched:
        """The identifiers of the user's case that the filter holds (nothing else is
        learnt of the other side); a refused filter is audited as refused."""
        try:
            flt = hnh.read_filter(filter_path, key)
        except hnh.FilterRefused as exc:
            with self.ws.case(case, Op.ENTITY_READ) as access:
                access.audit("hits.refused", filter_path.name, reason=str(exc))
            raise
        with self.ws.case(case, Op.ENTITY_READ) as access:
            shown, real_of = self._own(access)
            records = build_records(shown)
            found = hnh.match(flt, key, hnh.identifiers(records),
                              hnh.encodings(records, key), min_dice)
            captions = {p.id or "": p.caption for p in shown}
            hit_ids = {h.record_id for h in found}
            access.audit("hits.match", filter_path.name, key_id=flt.header["key_id"],
                         label=flt.header.get("label", ""), hits=len(found),
                         reads={real_of[i] for i in hit_ids})
        return Matched(flt.header, found, {i: captions.get(i, i) for i in hit_ids},
                       records.num_rows)


def _passable(handling: Handling) -> bool:
    """Whether material may go to a party not named in advance (a filter's reader)."""
    return handling.disseminate and handling.orgs is None

