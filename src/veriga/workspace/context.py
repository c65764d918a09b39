"""The access context every part of the workspace goes through.

One call, :meth:`Context.case`, opens a transaction, checks the operation against the
declared policy (:mod:`veriga.access.policy`) for the acting user's role in the case,
requires a stated purpose where personal data is reached, works out what the user may not
see (handling codes, a share of selected entities) and, for a restricted reader, the
minimisation; the part then reads through the :class:`CaseAccess` it yields and writes its
audit entry with :meth:`CaseAccess.audit`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from veriga.access import cases as case_access
from veriga.access.directory import User
from veriga.access.jits import ended_jit_sources
from veriga.access.minimise import Minimiser
from veriga.access.policy import POLICY, Op, allows
from veriga.access.roles import TRAINING_ONLY, CaseKind, Role, SubjectRole
from veriga.config import Settings
from veriga.errors import NotFound, VerigaError
from veriga.model import EntityProxy
from veriga.store import BulkStore, Store
from veriga.store.originals import Originals
from veriga.workspace.protection import protection

#: Operations that touch personal data: each needs a stated purpose (LED Art. 25).
NEEDS_PURPOSE = frozenset({Op.ENTITY_READ, Op.ENTITY_WRITE, Op.IMPORT, Op.EXPORT,
                           Op.FINDING_READ, Op.FINDING_REVIEW, Op.ANALYZE, Op.CASE_MANAGE})


class PermissionDenied(VerigaError):
    """The acting user may not do this."""


class PurposeRequired(VerigaError):
    """Personal data is reached only for a stated purpose."""


def no_such_case(case: str) -> NotFound:
    """The one error for a case that does not exist and for one the user may not reach."""
    return NotFound(f"no case named {case!r} that you can access (see 'veriga case list')")


def public(case: Mapping[str, Any]) -> dict[str, Any]:
    """A case as shown to its readers: without the key its pseudonyms are made with."""
    return {k: v for k, v in case.items() if k != "pseudonym_key"}


@dataclass
class CaseAccess:
    """What one user may see of one case, and the transaction it was worked out in."""

    ctx: Context
    conn: Connection
    case: dict[str, Any]
    role: Role
    only_ids: frozenset[str] | None = None  # a share of selected records (entity ids)
    op: Op | None = None  # what the user does in this access
    #: the entities those records are (or are part of, once merged)
    only_entities: frozenset[str] | None = None
    hidden_sources: set[str] = field(default_factory=set)
    hidden_entities: set[str] = field(default_factory=set)
    minimiser: Minimiser | None = None
    subject_roles: dict[str, str] = field(default_factory=dict)
    #: merged records -> the entity they are part of (confirmed by a person)
    canonical_of: dict[str, str] = field(default_factory=dict)
    #: JITs whose period has ended, their parties' records withheld
    jit_ended: set[str] = field(default_factory=set)
    #: sources withdrawn from the case (imports undone): in ``hidden_sources`` for everyone
    withdrawn: set[str] = field(default_factory=set)

    @property
    def withheld_sources(self) -> set[str]:
        """The sources withheld from this reader (by handling, an ended JIT), not from all."""
        return self.hidden_sources - self.withdrawn

    @property
    def sees_all(self) -> bool:
        """Whether the reader sees the whole case in clear: not minimised, not a share of
        some records, no entity or file withheld from them."""
        return self.minimiser is None and self.only_entities is None \
            and not self.hidden_entities and not self.withheld_sources

    @property
    def case_id(self) -> str:
        return str(self.case["id"])

    @property
    def kind(self) -> CaseKind:
        return CaseKind(self.case["kind"])

    def may(self, op: Op) -> bool:
        """Whether the user's role in this case allows ``op`` too."""
        return allows(self.role, op, self.kind)

    def audit(self, action: str, target: str | None = None, *,
              reads: Collection[str] | None = None, **detail: Any) -> None:
        """Write the audit entry of this access; ``reads`` are the real ids of every entity
        reached. An access that only reads (:data:`READ_ONLY`) and has written nothing yet
        has its entry committed before this returns, in a transaction of its own where the
        store can; any other access's entry is written in its transaction, and stands or
        falls with it."""
        entry = self.ctx.audit_entry(action, self.case_id, target, reads=reads, **detail)
        store = self.ctx.store
        if self.op in READ_ONLY and store.audit_apart(self.conn, **entry):
            return
        store.audit(self.conn, **entry)

    # -- what the reader sees ------------------------------------------------------------

    def visible(self, proxies: Iterator[EntityProxy]) -> Iterator[EntityProxy]:
        """The entities not hidden from the reader, minimised for a restricted one."""
        for proxy in proxies:
            if proxy.id in self.hidden_entities:
                continue
            if self.minimiser is not None:
                proxy = self.minimiser.entity(proxy)
            yield proxy

    def shown(self, value: Any) -> Any:
        """``value`` as the reader may see it: every text minimised for restricted readers."""
        return self.minimiser.deep(value) if self.minimiser is not None else value

    def real_id(self, entity_id: str) -> str:
        """The real id of an entity the reader names by the id they see; a restricted reader
        naming a protected person by the real id learns nothing (its pseudonym included)."""
        if self.minimiser is not None:
            if self.minimiser.protection.protected(entity_id):
                raise NotFound(f"no entity {entity_id!r} in case {self.case['name']!r}")
            return self.minimiser.real_id(entity_id)
        return entity_id

    def roles(self) -> dict[str, str]:
        """Subject roles by entity id as the reader sees the ids."""
        if self.minimiser is None:
            return dict(self.subject_roles)
        return {self.minimiser.entity_id(e): r for e, r in self.subject_roles.items()}

    def partial(self) -> str | None:
        """Why the reader does not see the case as it is stored (None if they do): what
        is made from their view (an analysis run, say) is not the case's to keep."""
        if self.minimiser is not None:
            return "you see it minimised (protected people by pseudonym)"
        if self.only_ids is not None:
            return "only selected records of it are shared with your organisation"
        if self.jit_ended:
            return ("the period of joint investigation team " + ", ".join(sorted(
                self.jit_ended)) + " has ended: its parties' records are withheld until a "
                "new legal basis extends it")
        if self.withheld_sources or self.hidden_entities:
            return "handling codes withhold some of its records from you"
        return None

    def reachable(self, entity_id: str) -> bool:
        return entity_id not in self.hidden_entities and (
            self.only_entities is None or entity_id in self.only_entities)


#: Operations that only read personal data (what they keep is derived from it, never a
#: change of it): their audit entries are committed apart, before the data is handed on.
READ_ONLY = frozenset({Op.ENTITY_READ, Op.FINDING_READ})

#: Operations that only read: in a workspace that resolves once (a web request's, which
#: reads the case several times), what one resolved for a reader is reused by the next read
#: of the same revision; any other operation resolves afresh, and so does every read after.
RESOLVED_ONCE = READ_ONLY


@dataclass(frozen=True)
class _Resolved:
    """What a reader sees of a case's data at one revision: merges, files withdrawn or
    withheld, entities hidden, subject roles and the minimisation (copied into each access:
    an access may change its own)."""

    canonical_of: dict[str, str]
    withdrawn: frozenset[str]
    hidden_sources: frozenset[str]
    hidden_entities: frozenset[str]
    jit_ended: frozenset[str]
    subject_roles: dict[str, str]
    minimiser: Minimiser | None

    @classmethod
    def of(cls, access: CaseAccess) -> _Resolved:
        return cls(dict(access.canonical_of), frozenset(access.withdrawn),
                   frozenset(access.hidden_sources), frozenset(access.hidden_entities),
                   frozenset(access.jit_ended), dict(access.subject_roles), access.minimiser)

    def apply(self, access: CaseAccess) -> None:
        access.canonical_of = dict(self.canonical_of)
        access.withdrawn = set(self.withdrawn)
        access.hidden_sources = set(self.hidden_sources)
        access.hidden_entities = set(self.hidden_entities)
        access.jit_ended = set(self.jit_ended)
        access.subject_roles = dict(self.subject_roles)
        access.minimiser = self.minimiser


class Context:
    """Who is acting, why, and on which store: the base every workspace part shares."""

    def __init__(self, settings: Settings, store: Store, user: User | None,
                 purpose: str | None) -> None:
        self.settings = settings
        self.store = store
        self.bulk = BulkStore(settings.bulk_dir)
        #: imported files kept as evidence (WARC archives), by case and SHA-256
        self.originals = Originals(settings.home / "originals")
        self.purpose = purpose.strip() if purpose and purpose.strip() else None
        self.user = user
        #: the minimisation applied to what this session was shown, by case id
        self.minimisers: dict[str, Minimiser] = {}
        #: reads resolve what the user sees of a case once (:data:`RESOLVED_ONCE`): set for
        #: a workspace that lives as briefly as a web request
        self.resolve_once = False
        self._resolved: dict[tuple[Any, ...], _Resolved] = {}
        #: written into every audit entry of this workspace (work done on the user's behalf
        #: in the background says so)
        self.audit_detail: dict[str, Any] = {}

    @property
    def actor(self) -> str:
        return self.user.username if self.user else "system"

    def write_audit(self, conn: Connection, action: str, case_id: str | None,
                    target: str | None = None, *, reads: Collection[str] | None = None,
                    **detail: Any) -> None:
        """Write an audit entry in ``conn``'s transaction; ``reads`` are the (real) ids of
        every entity reached, all recorded in ``audit_reads`` and covered by the chain."""
        self.store.audit(conn, **self.audit_entry(action, case_id, target, reads=reads,
                                                  **detail))

    def audit_entry(self, action: str, case_id: str | None, target: str | None = None, *,
                    reads: Collection[str] | None = None, **detail: Any) -> dict[str, Any]:
        """The fields of an audit entry of this user's ``action``."""
        return {"actor": self.actor, "action": action, "case_id": case_id,
                "purpose": self.purpose, "target": target,
                "detail": {**self.audit_detail, **detail}, "reads": reads}

    def require_user(self) -> User:
        if self.user is None:
            raise PermissionDenied("no user: log in or use an API token")
        return self.user

    def require_global(self, op: Op) -> User:
        user = self.require_user()
        if not any(allows(role, op) for role in user.roles):
            roles = ", ".join(sorted(user.roles))
            raise PermissionDenied(f"your role ({roles}) may not do {op.value}")
        return user

    @contextmanager
    def case(self, case: str, op: Op) -> Iterator[CaseAccess]:
        """A transaction on ``case`` in which the user may do ``op``, or the reason not."""
        with self.store.begin() as conn:
            yield self.access(conn, case, op)

    def access(self, conn: Connection, case: str, op: Op) -> CaseAccess:
        """Resolve the user's access to ``case`` and check ``op`` against the policy."""
        user = self.require_user()
        once = self.resolve_once and op in RESOLVED_ONCE
        if not once:
            self._resolved.clear()  # a change may follow: later reads resolve it again
        reached = case_access.reach(conn, case, user.id, user.org_id)
        if reached is None:
            raise no_such_case(case)
        row, role, shared, records = reached
        only_ids = None
        if role is None:
            if not shared:
                raise no_such_case(case)
            role, only_ids = user.case_role(), records
        kind = CaseKind(row["kind"])
        if op is Op.CASE_MANAGE and row["owner_org_id"] not in (None, user.org_id) \
                and allows(role, op, kind):
            raise PermissionDenied(
                f"case {row['name']!r} belongs to another organisation: only its owner "
                "configures it, shares it and adds members (ask the owner to share it onward)")
        if not allows(role, op, kind):
            why = " (trainers and trainees work on training cases only)" \
                if role in TRAINING_ONLY and role in POLICY[op] else ""
            raise PermissionDenied(f"as {role.value} in case {row['name']!r} you may not "
                                   f"do {op.value}{why}")
        if op in NEEDS_PURPOSE and not self.purpose:
            raise PurposeRequired("state the purpose of this access (--purpose); it is "
                                  "recorded in the audit log")
        access = CaseAccess(self, conn, row, role, only_ids, op)
        # what the reader sees of the case's data, resolved once per revision for reads
        key = (user.id, access.case_id, row["revision"], op in NEEDS_PURPOSE)
        seen = self._resolved.get(key)
        if seen is not None:
            seen.apply(access)
            if access.minimiser is not None:
                self.minimisers[access.case_id] = access.minimiser
        else:
            access.canonical_of = self.store.canonical_map(conn, access.case_id)
            access.withdrawn = case_access.withdrawn_sources(conn, access.case_id)
            access.hidden_sources |= access.withdrawn
            if op in NEEDS_PURPOSE:
                self._restrict(access, user)
            if user.is_ngo:
                self._minimise(access)
            if once:
                self._resolved[key] = _Resolved.of(access)
        if only_ids is not None:
            access.only_entities = frozenset(access.canonical_of.get(i, i) for i in only_ids)
        return access

    def _restrict(self, access: CaseAccess, user: User) -> None:
        conn, owner = access.conn, access.case["owner_org_id"]
        # another party's records sent under a JIT that has ended: a new legal basis first
        for source_id, reference in ended_jit_sources(conn, access.case_id).items():
            access.hidden_sources.add(source_id)
            access.jit_ended.add(reference)
        restricted = case_access.source_handling(conn, access.case_id, restricted_only=True)
        for source_id, handling in restricted.items():
            if not handling.visible_to(user.org_id, owner):
                access.hidden_sources.add(source_id)
        # a merged entity is hidden if any of its records is (the strictest code applies)
        for entity_id, handling in case_access.entity_handling_map(
                conn, access.case_id, access.canonical_of).items():
            if not handling.visible_to(user.org_id, owner):
                access.hidden_entities.add(entity_id)
        access.subject_roles = case_access.subject_roles(conn, access.case_id,
                                                         access.canonical_of)

    def _minimise(self, access: CaseAccess) -> None:
        """Minimisation for a restricted reader: victims (and suspects, unless the case owner
        allows) and every record that may be the same person, one pseudonym each."""
        roles = access.subject_roles or case_access.subject_roles(
            access.conn, access.case_id, access.canonical_of)
        hidden = {SubjectRole.VICTIM.value}
        if not access.case["ngo_sees_suspects"]:
            hidden.add(SubjectRole.SUSPECT.value)
        marked = {e: r for e, r in roles.items() if r in hidden}
        found = protection(self.store, self.bulk, self.settings.database_url, access.conn,
                           access.case, marked)
        # every record of a protected person takes the role of the person marked
        access.subject_roles = {**{e: marked[s] for e, s in found.group_of.items()}, **roles}
        access.minimiser = Minimiser(found)
        self.minimisers[access.case_id] = access.minimiser

    # -- reading entities as the user may see them ---------------------------------------

    def fetch(self, access: CaseAccess, ids: Collection[str],
              known: Mapping[str, EntityProxy] | None = None) -> list[EntityProxy]:
        """The visible entities among ``ids`` (real ids), minimised for the user; ``known``
        are entities already read in this access (not read again)."""
        known = known or {}
        wanted = [i for i in sorted(set(ids)) if access.reachable(i)]
        missing = [i for i in wanted if i not in known]
        read = {p.id: p for p in self.store.iter_entities_by_id(
            access.conn, access.case_id, missing, exclude_sources=access.hidden_sources,
            only_records=access.only_ids, canonical_of=access.canonical_of)}
        found = (known[i] if i in known else read[i] for i in wanted if i in known or i in read)
        return list(access.visible(found))

    def entity_rows(self, access: CaseAccess, entity_id: str) -> list[dict[str, Any]]:
        """The statements of one entity the user may see (NotFound if none)."""
        rows = self.store.entity_statements(access.conn, access.case_id, entity_id)
        rows = [r for r in rows if r["source_id"] not in access.hidden_sources
                and (access.only_ids is None or r["entity_id"] in access.only_ids)]
        if not rows or not access.reachable(entity_id):
            raise NotFound(f"no entity {entity_id!r} in case {access.case['name']!r}")
        return rows
