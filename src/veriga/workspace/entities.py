"""``ws.entities``: the case's entities as the user may see them, and what is set on them."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from veriga import analysis
from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.policy import Op
from veriga.access.roles import SubjectRole
from veriga.chain.graph import stated_links
from veriga.errors import NotFound, VerigaError
from veriga.findings import Finding, ReviewState
from veriga.model import EntityProxy, with_overlay
from veriga.workspace import cache
from veriga.workspace.context import CaseAccess
from veriga.workspace.part import Part

T = TypeVar("T")

SEARCHED_TYPES = ("name", "phone", "iban", "email", "identifier")
#: How the review note of a proposal unreviewed again by a split begins.
SPLIT_NOTE = "Split: "


@dataclass
class EntityView:
    """An entity with every statement and the source each came from."""

    entity: EntityProxy
    statements: builtins.list[dict[str, Any]]


@dataclass
class Around:
    """Entities around some others, and the subject roles by id as the user sees them."""

    entities: builtins.list[EntityProxy]
    roles: dict[str, str]


@dataclass
class EntityPage:
    view: EntityView
    around: Around
    findings: builtins.list[Finding]


class Parted(builtins.list[str]):
    """The records of a split entity, each its own entity again; ``reopened``: the proposed
    matches that had made them one, unreviewed again."""

    reopened: builtins.list[str]

    def __init__(self, members: Sequence[str], reopened: Sequence[str]) -> None:
        super().__init__(members)
        self.reopened = builtins.list(reopened)


class Entities(Part):
    def list(self, case: str, schemata: Sequence[str] | None = None,
             props: Sequence[str] | None = None) -> Iterator[EntityProxy]:
        """Every entity of the case the user may see (with only ``props`` if given, as a
        list page reads them); the read is audited."""
        access = self.audit_list(case, schemata)
        with self.ws.store.begin() as conn:
            proxies = self.ws.store.iter_entities(conn, access.case_id, schemata,
                                                  exclude_sources=access.hidden_sources,
                                                  only_ids=access.only_ids, props=props)
            yield from access.visible(proxies)

    def audit_list(self, case: str, schemata: Sequence[str] | None = None) -> CaseAccess:
        """Check and audit a listing of the case's entities (of ``schemata``), as
        :meth:`list` does before reading them, and return the access it was checked in."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            # a listing of the whole case reaches every entity present (see who_accessed)
            access.audit("entity.list", schemata=builtins.list(schemata or []),
                         reads=access.only_entities)
        return access

    def derived(self, case: str, what: str, schemata: Sequence[str] | None,
                compute: Callable[[], T], version: Any = None, findings: bool = False,
                codec: cache.Codec[T] | None = None, reviews: bool = True) -> T:
        """A value ``compute`` makes from the case's entities (of ``schemata``) and findings
        as this reader sees them, reading them through the workspace: kept until the case's
        data, its findings or the reader's view change (``version``: what else it depends
        on, such as the language). Every call is audited as the listing it rests on (and as
        a listing of the findings, if it shows them), whether made now or kept.

        With a ``codec`` it is kept in the store too, for every server process: the first
        request after a change makes it once, not once a worker. ``reviews`` False: a value
        that does not depend on how findings were reviewed (the caller applies the reviews),
        kept when a review changes the findings' version."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            access.audit("entity.list", schemata=builtins.list(schemata or []),
                         reads=access.only_entities, derived=what)
            if findings and access.may(Op.FINDING_READ):
                access.audit("finding.list", derived=what)
            made = self.ws.store.findings_version(access.conn, access.case_id)
            found = cache.key(access, f"derived:{what}", version=version,
                              stale_with=made if reviews else made[:2])
        return cache.cached(found, compute, None if codec is None
                            else cache.in_store(self.ws.store, found, codec))

    def count(self, case: str) -> dict[str, int]:
        """How many entities of each schema the user may see (no value is read), counted
        once per change of the case's data and reader's view, and kept in the store for
        every server process (a large case's count takes seconds)."""
        with self.ws.case(case, Op.CASE_OPEN) as access:
            found = cache.key(access, "entity-counts")
            counts = cache.cached(found, lambda: self.ws.store.count_entities(
                access.conn, access.case_id, exclude_sources=access.hidden_sources,
                exclude_ids=access.hidden_entities, only_ids=access.only_ids),
                cache.in_store(self.ws.store, found, cache.AS_JSON))
        return dict(counts)

    def by_id(self, case: str, entity_ids: Sequence[str]) -> builtins.list[EntityProxy]:
        """Several entities at once (ids as the user sees them); the read is audited."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = [access.real_id(i) for i in entity_ids
                    if access.minimiser is None or not access.minimiser.protection.protected(i)]
            found = self.ws.fetch(access, real)
            access.audit("entity.read", reads=real)
        return found

    def get(self, case: str, entity_id: str) -> EntityView:
        """One entity with every value and the source it came from; the read is audited."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = access.real_id(entity_id)
            rows = self.ws.entity_rows(access, real)
            entity = next(self.ws.store.iter_entities_by_id(
                access.conn, access.case_id, [real], exclude_sources=access.hidden_sources,
                only_records=access.only_ids, canonical_of=access.canonical_of))
            access.audit("entity.read", real)
        if access.minimiser is not None:
            entity = access.minimiser.entity(entity)
            rows = access.minimiser.statements(real, rows)
        return EntityView(entity=entity, statements=rows)

    def _around(self, access: CaseAccess, real: set[str]
                ) -> tuple[set[str], dict[str, EntityProxy]]:
        """Ids of the entities, those linking to them and those they refer to; and the
        entities read on the way (the first two groups)."""
        store, hidden = self.ws.store, access.hidden_sources
        linking = store.linked_ids(access.conn, access.case_id, real, hidden)
        refs: set[str] = set()
        read: dict[str, EntityProxy] = {}
        for proxy in store.iter_entities_by_id(access.conn, access.case_id,
                                               sorted(real | linking), hidden,
                                               only_records=access.only_ids,
                                               canonical_of=access.canonical_of):
            read[proxy.id or ""] = proxy
            for prop, value in proxy.itervalues():
                if prop.type.name == "entity":
                    refs.add(value)
        return real | linking | refs, read

    def neighbourhood(self, case: str, entity_ids: Sequence[str]) -> Around:
        """The entities, every entity linking to them (payments, ownerships, employments...)
        with its other ends, and the entities they refer to; with the subject roles. The
        read is audited."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = {access.real_id(i) for i in entity_ids}
            everything, read = self._around(access, real)
            found = self.ws.fetch(access, everything, read)
            access.audit("entity.read", neighbourhood=True, reads=everything)
        return Around(found, access.roles())

    def links(self, case: str, entity_ids: Sequence[str]
              ) -> dict[str, dict[str, set[str]]]:
        """Who each of the entities (ids as the user sees them) is linked to, as the
        neighbourhood would draw it: each neighbour and the ids of the records linking them
        (payments, ownerships...; none for a reference from one entity to another). Only the
        links are read, not the records' other values: what a path search asks of an account
        with thousands of payments. The read is audited as a neighbourhood's."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            store, conn, case_id = self.ws.store, access.conn, access.case_id
            real = {access.real_id(i) for i in entity_ids}
            linking = store.linked_ids(conn, case_id, real, access.hidden_sources)
            found: dict[str, dict[str, set[str]]] = {}

            def link(a: str, b: str, record: str | None) -> None:
                if a in real and a != b:
                    records = found.setdefault(a, {}).setdefault(b, set())
                    if record is not None:
                        records.add(record)

            for proxy in store.iter_entities_by_id(
                    conn, case_id, sorted(real | linking), access.hidden_sources,
                    only_records=access.only_ids, canonical_of=access.canonical_of,
                    prop_types=("entity",)):
                if not access.reachable(proxy.id or ""):
                    continue
                for a, b, prop in stated_links(proxy):
                    through = proxy.id if prop is None else None  # the record, or none
                    link(a, b, through)
                    link(b, a, through)
            ends = set(found) | {b for around in found.values() for b in around}
            present = {e for e in store.present_ids(conn, case_id, ends, access.hidden_sources,
                                                    access.only_ids) if access.reachable(e)}
            access.audit("entity.read", neighbourhood=True, reads=real | linking | present)
        shown = access.minimiser.entity_id if access.minimiser is not None else str
        return {shown(a): {shown(b): {shown(r) for r in records}
                           for b, records in around.items() if b in present}
                for a, around in found.items() if a in present}

    def page(self, case: str, entity_id: str) -> EntityPage:
        """What the entity page shows, read at once: every value with its source, the
        neighbourhood, the subject roles and the findings resting on the entity."""
        store = self.ws.store
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = access.real_id(entity_id)
            rows = self.ws.entity_rows(access, real)
            entity = next(store.iter_entities_by_id(
                access.conn, access.case_id, [real], exclude_sources=access.hidden_sources,
                only_records=access.only_ids, canonical_of=access.canonical_of))
            everything, read = self._around(access, {real})
            around = self.ws.fetch(access, everything, read)
            findings = store.list_findings(access.conn, access.case_id, None, real) \
                if access.may(Op.FINDING_READ) else []
            access.audit("entity.read", real, reads=everything | {real})
        if access.minimiser is not None:
            entity = access.minimiser.entity(entity)
            rows = access.minimiser.statements(real, rows)
            findings = [access.minimiser.finding(item) for item in findings]
        return EntityPage(EntityView(entity, rows), Around(around, access.roles()), findings)

    def shared_identifiers(self, case: str, entity_id: str
                           ) -> builtins.list[tuple[EntityProxy, str, str]]:
        """Other entities sharing a phone, IBAN, e-mail or identifier with this one."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = access.real_id(entity_id)
            pairs = self.ws.store.sharing(access.conn, access.case_id, real,
                                          access.hidden_sources)
            others = {p.id: p for p in self.ws.fetch(access, {o for o, _, _ in pairs})}
            # the real ids: ``others`` is keyed by the ids the reader sees (pseudonyms)
            reached = {o for o, _, _ in pairs if access.reachable(o)}
            access.audit("entity.read", real, pivot=True, reads=reached)
        out = []
        for other, kind, value in pairs:
            proxy = others.get(access.minimiser.entity_id(other) if access.minimiser
                               else other)
            if proxy is not None:
                shown = value if access.minimiser is None else access.minimiser.text(value)
                out.append((proxy, kind, shown))
        return out

    def search(self, case: str, text: str, schemata: Sequence[str] = (),
               limit: int = 50) -> builtins.list[EntityProxy]:
        """Entities whose name or identifiers contain ``text``; the search is audited."""
        if len(text.strip()) < 2:
            return []
        with self.ws.case(case, Op.ENTITY_READ) as access:
            if access.minimiser is None:
                ids = self.ws.store.search(access.conn, access.case_id, text, schemata, limit,
                                           exclude_sources=access.hidden_sources)
                found = self.ws.fetch(access, ids)
            else:
                found = self._search_minimised(access, text, schemata, limit)
            access.audit("entity.search", query=text, count=len(found),
                         reads={access.real_id(p.id or "") for p in found})
        return found

    def source_files(self, case: str, entity_ids: Sequence[str]) -> dict[str, builtins.list[str]]:
        """The files that state something of each entity (ids as the user sees them), the
        files hidden from the user left out, the names minimised for restricted readers as
        on the files page: what tells two search results apart."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = {access.real_id(i): i for i in entity_ids}
            found = self.ws.store.source_files(access.conn, access.case_id, list(real),
                                               exclude_sources=access.hidden_sources)
            return {real[k]: access.shown(v) for k, v in found.items() if k in real}

    def _search_minimised(self, access: CaseAccess, text: str, schemata: Sequence[str],
                          limit: int) -> builtins.list[EntityProxy]:
        """Search as a restricted reader sees the case: protected people by their pseudonym
        only, everyone else by what is left of their values once minimised."""
        assert access.minimiser is not None
        needle = text.strip().casefold()
        protection = access.minimiser.protection
        pseudonymous = [real for label, reals in sorted(protection.labels().items())
                        if needle in label.casefold() for real in reals]
        ids = self.ws.store.search(access.conn, access.case_id, text, schemata, limit * 4,
                                   exclude_sources=access.hidden_sources)
        candidates = pseudonymous + [i for i in ids if not protection.protected(i)]
        found: builtins.list[EntityProxy] = []
        for start in range(0, len(candidates), limit):  # most match as they are: one round
            for proxy in self.ws.fetch(access, candidates[start:start + limit]):
                if schemata and proxy.schema.name not in with_overlay(schemata):
                    continue
                shown = [v for prop, v in proxy.itervalues() if prop.type.name in SEARCHED_TYPES]
                if any(needle in v.casefold() for v in shown):
                    found.append(proxy)
            if len(found) >= limit:
                break
        return found[:limit]

    def subject_roles(self, case: str) -> dict[str, str]:
        """Subject roles (victim, suspect...) by entity id as the user sees the ids."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            return access.roles()

    def set_subject_role(self, case: str, entity_id: str, role: str) -> None:
        subject = SubjectRole(role)
        with self.ws.case(case, Op.ENTITY_WRITE) as access:
            self.ws.entity_rows(access, access.canonical_of.get(entity_id, entity_id))
            case_access.set_subject_role(access.conn, access.case_id, entity_id, subject,
                                         self.ws.actor)
            self.ws.store.bump_revision(access.conn, access.case_id)
            access.audit("entity.change", entity_id, subject_role=subject.value)

    def set_handling(self, case: str, entity_id: str, code: str,
                     orgs: Sequence[str] | None = None, note: str | None = None) -> None:
        with self.ws.case(case, Op.CASE_MANAGE) as access:
            self.ws.entity_rows(access, access.canonical_of.get(entity_id, entity_id))
            org_ids = [directory.get_org(access.conn, o)["id"] for o in orgs or []]
            case_access.set_entity_handling(access.conn, access.case_id, entity_id, code,
                                            org_ids, note, self.ws.actor)
            access.audit("entity.change", entity_id, handling=code, orgs=org_ids)

    # -- one entity from several records: decided by a person ----------------------------

    def merge(self, case: str, entity_ids: Sequence[str], reason: str,
              finding_id: str | None = None) -> str:
        """Make these records (or entities) one entity, as a person decided (``reason``,
        and the proposed match it confirms if any: confirmed with it, or neither); returns
        its id. Statements are not rewritten: :meth:`split` undoes it exactly. Audited,
        with every record it joins."""
        with self.ws.case(case, Op.ENTITY_WRITE) as access:
            canonical = self.merge_in(access, entity_ids, reason, finding_id)
            if finding_id is not None:
                self._confirm(access, canonical, finding_id, reason.strip())
            return canonical

    def _confirm(self, access: CaseAccess, canonical: str, finding_id: str,
                 reason: str) -> None:
        """Confirm the proposed match a merge names, in its transaction, if the reviewer
        may review findings and the merge joins every record it proposes."""
        store, conn = self.ws.store, access.conn
        reviewer = self.ws.access(conn, access.case["name"], Op.FINDING_REVIEW)
        found = store.list_findings(conn, access.case_id, finding_id=finding_id)
        about = analysis.detector(found[0].kind) if found else None
        if about is None or about.on_confirm != "merge":
            raise NotFound(f"no proposed match {finding_id!r} in case {access.case['name']!r}")
        joined = {r["entity_id"] for r in store.merge_group(conn, access.case_id, canonical)}
        if not set(found[0].evidence.entity_ids) <= joined:
            raise VerigaError(f"the proposal {finding_id} joins records this merge leaves out: "
                              "name every record it proposes")
        store.review_finding(conn, access.case_id, finding_id, ReviewState.CONFIRMED,
                             self.ws.actor, reason)
        reviewer.audit("finding.review", finding_id, state=ReviewState.CONFIRMED.value,
                       reason=reason)

    def merge_in(self, access: CaseAccess, entity_ids: Sequence[str], reason: str,
                 finding_id: str | None = None) -> str:
        """:meth:`merge` in the transaction of ``access`` (opened for ``ENTITY_WRITE``), so
        that what else that transaction does happens with it or not at all."""
        if len(set(entity_ids)) < 2:
            raise VerigaError("a merge joins at least two records")
        if not reason.strip():
            raise VerigaError("say why these records are one (--reason)")
        real = [access.real_id(i) for i in dict.fromkeys(entity_ids)]
        for entity_id in real:
            self.ws.entity_rows(access, access.canonical_of.get(entity_id, entity_id))
        canonical = self.ws.store.merge(access.conn, access.case_id, real, self.ws.actor,
                                        reason.strip(), finding_id)
        members = [r["entity_id"] for r in self.ws.store.merge_group(
            access.conn, access.case_id, canonical)]
        self.ws.store.bump_revision(access.conn, access.case_id)
        access.audit("entity.merge", canonical, reads=members, members=members,
                     reason=reason.strip(), finding_id=finding_id)
        return canonical

    def split(self, case: str, entity_id: str, reason: str) -> Parted:
        """Undo the merge this entity (or record) is part of: each record is its own entity
        again, exactly as before; the proposed matches confirmed into it are unreviewed
        again (back on the review page, with a note of the split: by whom, when, why).
        Audited."""
        if not reason.strip():
            raise VerigaError("say why these records are not one (--reason)")
        store = self.ws.store
        with self.ws.case(case, Op.ENTITY_WRITE) as access:
            real = access.real_id(entity_id)
            self.ws.entity_rows(access, access.canonical_of.get(real, real))
            group = store.merge_group(access.conn, access.case_id, real)
            proposals = _confirmed_proposals(access, real, group)
            members = store.split(access.conn, access.case_id, real)
            if not members:
                raise VerigaError(f"{entity_id!r} is not merged with any other record")
            store.bump_revision(access.conn, access.case_id)
            access.audit("entity.split", real, reads=members, members=members,
                         reason=reason.strip(), reopened=proposals)
            note = f"{SPLIT_NOTE}{reason.strip()}"
            for finding_id in proposals:
                store.review_finding(access.conn, access.case_id, finding_id,
                                     ReviewState.NEW, self.ws.actor, note)
                access.audit("finding.review", finding_id, state=ReviewState.NEW.value,
                             reason=note, split=real)
        return Parted(members, proposals)

    def merged(self, case: str) -> dict[str, str]:
        """Every merged record -> the entity it is part of, by the ids the reader sees (ids
        only: findings name records, drawings need their entity). Audited."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            found = {r: c for r, c in access.canonical_of.items()
                     if access.reachable(c) and r != c}
            access.audit("entity.read", merges=True, reads=set(found.values()))
        if access.minimiser is None:
            return found
        shown = access.minimiser.entity_id
        return {shown(r): shown(c) for r, c in found.items()}

    def records(self, case: str, entity_id: str) -> builtins.list[dict[str, Any]]:
        """The records merged into this entity (who merged them, when and why); empty if it
        is a single record."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            real = access.real_id(entity_id)
            self.ws.entity_rows(access, access.canonical_of.get(real, real))
            rows = self.ws.store.merge_group(access.conn, access.case_id, real)
            access.audit("entity.read", real, merges=True,
                         reads=[r["entity_id"] for r in rows] or [real])
        return builtins.list(access.shown(rows))



def _confirmed_proposals(access: CaseAccess, entity_id: str,
                         group: builtins.list[dict[str, Any]]) -> builtins.list[str]:
    """The confirmed proposed matches that made the merged entity ``entity_id`` (merge
    rows ``group``): those its merges name, and any other confirmed proposal whose records
    are all in it (a later merge of the entity renames the proposal its rows name)."""
    members = {r["entity_id"] for r in group}
    named = {r["finding_id"] for r in group if r["finding_id"]}
    found = []
    for item in access.ctx.store.list_findings(access.conn, access.case_id,
                                               entity_id=entity_id):
        about = analysis.detector(item.kind)
        merging = about is not None and about.on_confirm == "merge" \
            and set(item.evidence.entity_ids) <= members
        if item.review.state is ReviewState.CONFIRMED and (item.id in named or merging):
            found.append(item.id)
    return found
