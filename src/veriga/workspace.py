"""The case workspace: the service every interface (CLI, web) calls.

It owns the store and the bulk records, knows who is acting and why, enforces the declared
access policy (:mod:`veriga.access.policy`) on every operation, minimises what NGO users see,
applies handling codes, and writes an audit entry for every read and write of personal data.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection

from veriga import finance
from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.auth import create_token, hash_password, user_for_token
from veriga.access.directory import User
from veriga.access.handling import Handling, parse_code
from veriga.access.minimise import Minimiser
from veriga.access.policy import POLICY, Op, allows
from veriga.access.protect import Protection, Row, protect
from veriga.access.roles import TRAINING_ONLY, CaseKind, OrgType, Role, SubjectRole, parse_role
from veriga.config import Settings, current_user, load_settings
from veriga.engine import Engine, get_engine
from veriga.errors import NotFound, VerigaError
from veriga.export import export_entities
from veriga.findings import Finding, ReviewState
from veriga.ingest import ImportRequest, ImportResult, run_imports
from veriga.model import EntityProxy
from veriga.model.records import RECORD_KINDS
from veriga.store import BulkStore, Store
from veriga.store.audit import Anchor, ChainReport

#: Operations that touch personal data: each needs a stated purpose (LED Art. 25).
NEEDS_PURPOSE = frozenset({Op.ENTITY_READ, Op.ENTITY_WRITE, Op.IMPORT, Op.EXPORT,
                           Op.FINDING_READ, Op.FINDING_REVIEW, Op.ANALYZE, Op.CASE_MANAGE})
#: Reads that, unless they record the entities they reached, reached the whole case.
BULK_READS = ("entity.list", "export", "disclosure")
#: Shown instead of what someone searched for to audit readers who may not read the case.
WITHHELD = "(search terms withheld)"


#: Protections computed in this process: (store, case, data fingerprint, marked) -> it.
_PROTECTIONS: dict[tuple, Protection] = {}
_PROTECTIONS_LOCK = threading.Lock()
_COMPUTING: dict[tuple, threading.Lock] = {}
MAX_PROTECTIONS = 16


class PermissionDenied(VerigaError):
    """The acting user may not do this."""


class PurposeRequired(VerigaError):
    """Personal data is reached only for a stated purpose."""


@dataclass
class EntityView:
    """An entity with every statement and the source each came from."""

    entity: EntityProxy
    statements: list[dict[str, Any]]


@dataclass
class Around:
    """Entities around some others, and the subject roles by id as the user sees them."""

    entities: list[EntityProxy]
    roles: dict[str, str]


@dataclass
class EntityPage:
    view: EntityView
    around: Around
    findings: list[Finding]


@dataclass
class CaseAccess:
    """What one user may see of one case."""

    case: dict
    role: Role
    only_ids: frozenset[str] | None = None  # a share of selected entities
    hidden_sources: set[str] = field(default_factory=set)
    hidden_entities: set[str] = field(default_factory=set)
    minimiser: Minimiser | None = None
    subject_roles: dict[str, str] = field(default_factory=dict)

    @property
    def case_id(self) -> str:
        return self.case["id"]


def _public(case: Mapping[str, Any]) -> dict:
    """A case as shown to its readers: without the key its pseudonyms are made with."""
    return {k: v for k, v in case.items() if k != "pseudonym_key"}


class Workspace:
    """One user's session on a workspace (a store plus its bulk records)."""

    def __init__(
        self, settings: Settings | None = None, user: User | None = None,
        purpose: str | None = None, *, store: Store | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.store = store or Store(self.settings.database_url)
        self.bulk = BulkStore(self.settings.bulk_dir)
        self.purpose = purpose.strip() if purpose and purpose.strip() else None
        self.user = user
        #: the minimisation applied to what this session was shown, by case id
        self.minimisers: dict[str, Minimiser] = {}

    # -- who is acting -------------------------------------------------------------------

    @classmethod
    def local(cls, settings: Settings | None = None, purpose: str | None = None,
              token: str | None = None, username: str | None = None) -> Workspace:
        """The workspace as used from a terminal.

        With ``token`` the account is the token's. Otherwise the login name (or
        ``VERIGA_USER``) names the account; on a store with no accounts yet, that first
        user becomes the administrator and an investigator of a local organisation.
        """
        ws = cls(settings, purpose=purpose)
        with ws.store.begin() as conn:
            if token:
                ws.user = directory.load_user(conn, user_id=user_for_token(conn, token))
            elif directory.count_users(conn) == 0:
                name = username or current_user()
                org = directory.create_org(conn, "Local workspace", OrgType.OTHER.value, "EU")
                row = directory.create_user(conn, name, org["id"],
                                            [Role.ADMINISTRATOR, Role.INVESTIGATOR])
                ws.user = directory.load_user(conn, user_id=row["id"])
                ws._audit(conn, "user.bootstrap", None, target=name)
            else:
                if ws.store.engine.dialect.name != "sqlite":
                    raise PermissionDenied(
                        "a server store needs an API token: set VERIGA_TOKEN (create one "
                        "with 'veriga user token')")
                ws.user = directory.load_user(conn, username=username or current_user())
        return ws

    def as_user(self, username: str, purpose: str | None = None) -> Workspace:
        """Another session on the same store (for services acting for a logged-in user)."""
        with self.store.begin() as conn:
            user = directory.load_user(conn, username=username)
        return Workspace(self.settings, user, purpose, store=self.store)

    @property
    def actor(self) -> str:
        return self.user.username if self.user else "system"

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _audit(self, conn: Connection, action: str, case_id: str | None,
               target: str | None = None, *, reads: Collection[str] | None = None,
               **detail: Any) -> None:
        """Write an audit entry; ``reads`` are the (real) ids of every entity reached, all
        recorded in ``audit_reads`` and covered by the chain."""
        self.store.audit(conn, actor=self.actor, action=action, case_id=case_id,
                         purpose=self.purpose, target=target, detail=detail, reads=reads)

    def _require_user(self) -> User:
        if self.user is None:
            raise PermissionDenied("no user: log in or use an API token")
        return self.user

    def _require_global(self, op: Op) -> User:
        user = self._require_user()
        if not any(allows(role, op) for role in user.roles):
            roles = ", ".join(sorted(user.roles))
            raise PermissionDenied(f"your role ({roles}) may not do {op.value}")
        return user

    def _access(self, conn: Connection, case: str, op: Op) -> CaseAccess:
        """Resolve the user's access to ``case`` and check ``op`` against the policy."""
        user = self._require_user()
        try:
            row = self.store.get_case(conn, case)
        except NotFound:
            row = None
        role = None
        only_ids = None
        if row is not None:
            role = case_access.member_role(conn, row["id"], user.id)
            if role is None:
                shared = case_access.share_for(conn, row["id"], user.org_id)
                if shared is not None:
                    role = user.case_role()
                    if shared["entity_ids"] is not None:
                        only_ids = frozenset(shared["entity_ids"])
        if row is None or role is None:
            raise NotFound(f"no case named {case!r} that you can access "
                           "(see 'veriga case list')")
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
        access = CaseAccess(case=row, role=role, only_ids=only_ids)
        if op in NEEDS_PURPOSE:
            self._restrict(conn, access, user)
        if user.is_ngo:
            self._minimise(conn, access)
        return access

    def _restrict(self, conn: Connection, access: CaseAccess, user: User) -> None:
        owner = access.case["owner_org_id"]
        restricted = case_access.source_handling(conn, access.case_id, restricted_only=True)
        for source_id, handling in restricted.items():
            if not handling.visible_to(user.org_id, owner):
                access.hidden_sources.add(source_id)
        for entity_id, handling in case_access.entity_handling_map(conn, access.case_id).items():
            if not handling.visible_to(user.org_id, owner):
                access.hidden_entities.add(entity_id)
        access.subject_roles = case_access.subject_roles(conn, access.case_id)

    def _minimise(self, conn: Connection, access: CaseAccess) -> None:
        """Minimisation for a restricted reader: victims (and suspects, unless the case owner
        allows) and every record that may be the same person, one pseudonym each."""
        roles = access.subject_roles or case_access.subject_roles(conn, access.case_id)
        hidden = {SubjectRole.VICTIM.value}
        if not access.case["ngo_sees_suspects"]:
            hidden.add(SubjectRole.SUSPECT.value)
        marked = {e: r for e, r in roles.items() if r in hidden}
        protection = self._protection(conn, access.case, marked)
        # every record of a protected person takes the role of the person marked
        access.subject_roles = {**{e: marked[s] for e, s in protection.group_of.items()},
                                **roles}
        access.minimiser = Minimiser(protection)
        self.minimisers[access.case_id] = access.minimiser

    def _named_accounts(self, conn: Connection, case_id: str) -> set[tuple[str, str]]:
        """(account, name) of the other side of every bank transaction of the case."""
        paths = [self.bulk.path(rel) for source in self.store.list_sources(conn, case_id)
                 if (rel := (source["bulk"] or {}).get("transaction"))]
        paths = [p for p in paths if p.exists()]
        if not paths:
            return set()
        engine = get_engine("duckdb")
        try:
            engine.register({"transaction": paths})
            table = engine.query('SELECT DISTINCT counterparty_account, counterparty_name '
                                 'FROM "transaction" WHERE counterparty_account IS NOT NULL '
                                 'AND counterparty_name IS NOT NULL')
        finally:
            engine.close()
        return set(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))

    def _protection(self, conn: Connection, case: Mapping[str, Any],
                    marked: Mapping[str, str]) -> Protection:
        """The case's protection for these marked people, computed once per change of the
        case's data (shared by every restricted reader and request of this process)."""
        key = (self.settings.database_url, case["id"], self.store.fingerprint(conn, case["id"]),
               tuple(sorted(marked.items())))
        with _PROTECTIONS_LOCK:
            found = _PROTECTIONS.get(key)
            computing = _COMPUTING.setdefault(key, threading.Lock())
        if found is not None:
            return found
        with computing:  # one computation per key, however many requests wait for it
            with _PROTECTIONS_LOCK:
                found = _PROTECTIONS.get(key)
            if found is None:
                found = self._compute_protection(conn, case, marked, key)
            with _PROTECTIONS_LOCK:
                _COMPUTING.pop(key, None)
        return found

    def _compute_protection(self, conn: Connection, case: Mapping[str, Any],
                            marked: Mapping[str, str], key: tuple) -> Protection:
        """Read what identifies people in the case, compute its protection and keep it."""
        values: list[Row] = []
        links: list[Row] = []
        for entity_id, schema, prop, prop_type, value, latin in \
                self.store.identifying(conn, case["id"]):
            row = Row(entity_id, schema, prop, prop_type, value, latin)
            (links if prop_type == "entity" else values).append(row)
        protection = protect(case["pseudonym_key"] or case["id"], marked, values, links,
                             self._named_accounts(conn, case["id"]))
        with _PROTECTIONS_LOCK:
            while len(_PROTECTIONS) >= MAX_PROTECTIONS:
                _PROTECTIONS.pop(next(iter(_PROTECTIONS)))
            _PROTECTIONS[key] = protection
        return protection

    # -- cases ---------------------------------------------------------------------------

    def create_case(self, name: str, description: str = "",
                    kind: CaseKind = CaseKind.INVESTIGATION) -> dict:
        user = self._require_global(Op.CASE_CREATE)
        if kind is CaseKind.INVESTIGATION and not any(
            allows(r, Op.CASE_CREATE) and r not in TRAINING_ONLY for r in user.roles
        ):
            raise PermissionDenied("trainers create training cases only (--training)")
        name = name.strip()
        if not name:
            raise VerigaError("a case needs a name")
        with self.store.begin() as conn:
            case = self.store.create_case(
                conn, name, self.actor, description, owner_org_id=user.org_id,
                kind=kind.value, pseudonym_key=secrets.token_hex(32))
            role = user.case_role()
            if kind is CaseKind.TRAINING and Role.TRAINER in user.roles:
                role = Role.TRAINER
            case_access.add_member(conn, case["id"], user.id, role, self.actor)
            self._audit(conn, "case.create", case["id"], name=name, kind=kind.value)
        return case

    def cases(self) -> list[dict]:
        user = self._require_user()
        with self.store.begin() as conn:
            ids = case_access.accessible_case_ids(conn, user.id, user.org_id)
            return [_public(c) for c in self.store.list_cases(conn) if c["id"] in ids]

    def case(self, name: str) -> dict:
        with self.store.begin() as conn:
            access = self._access(conn, name, Op.CASE_OPEN)
        return _public(access.case)

    def open_case(self, name: str) -> dict:
        """Open a case for work: checks access and records the purpose."""
        with self.store.begin() as conn:
            access = self._access(conn, name, Op.ENTITY_READ)
            self._audit(conn, "case.open", access.case_id, role=access.role.value)
        return _public(access.case)

    def sources(self, case: str) -> list[dict]:
        """The files imported into the case (names minimised for restricted readers)."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.CASE_OPEN)
            rows = self.store.list_sources(conn, access.case_id)
        return self._shown(access, rows)

    def add_member(self, case: str, username: str, role: str | None = None) -> None:
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.CASE_MANAGE)
            member = directory.load_user(conn, username=username)
            chosen = parse_role(role) if role else member.case_role()
            if chosen not in member.roles:
                raise VerigaError(f"{username} does not hold the role {chosen.value}")
            if chosen in TRAINING_ONLY and access.case["kind"] != CaseKind.TRAINING.value:
                raise PermissionDenied("trainers and trainees join training cases only")
            case_access.add_member(conn, access.case_id, member.id, chosen, self.actor)
            self._audit(conn, "case.member.add", access.case_id, target=username,
                        role=chosen.value)

    def share_case(self, case: str, org: str, entity_ids: Sequence[str] | None = None) -> None:
        """Share the case (or selected entities) with another organisation: a disclosure."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.CASE_MANAGE)
            org_row = directory.get_org(conn, org)
            case_access.share(conn, access.case_id, org_row["id"], entity_ids, self.actor)
            self._audit(conn, "disclosure", access.case_id, target=org_row["name"],
                        scope="entities" if entity_ids else "case",
                        entity_ids=list(entity_ids or []))

    def configure_case(self, case: str, ngo_sees_suspects: bool) -> None:
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.CASE_MANAGE)
            self.store.update_case(conn, access.case_id, ngo_sees_suspects=ngo_sees_suspects)
            self.store.bump_revision(conn, access.case_id)
            self._audit(conn, "case.configure", access.case_id,
                        ngo_sees_suspects=ngo_sees_suspects)

    def set_subject_role(self, case: str, entity_id: str, role: str) -> None:
        subject = SubjectRole(role)
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_WRITE)
            self._entity_rows(conn, access, entity_id)
            case_access.set_subject_role(conn, access.case_id, entity_id, subject, self.actor)
            self.store.bump_revision(conn, access.case_id)
            self._audit(conn, "entity.change", access.case_id, target=entity_id,
                        subject_role=subject.value)

    def set_handling(self, case: str, entity_id: str, code: str,
                     orgs: Sequence[str] | None = None, note: str | None = None) -> None:
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.CASE_MANAGE)
            self._entity_rows(conn, access, entity_id)
            org_ids = [directory.get_org(conn, o)["id"] for o in orgs or []]
            case_access.set_entity_handling(conn, access.case_id, entity_id, code, org_ids,
                                           note, self.actor)
            self._audit(conn, "entity.change", access.case_id, target=entity_id,
                        handling=code, orgs=org_ids)

    def check(self, case: str, op: Op) -> None:
        """Raise unless the user may do ``op`` on ``case`` now (``NotFound``,
        ``PermissionDenied``, ``PurposeRequired``); reads no personal data and writes no
        audit entry: a check before costly work, such as reading an upload's body."""
        with self.store.begin() as conn:
            self._access(conn, case, op)

    # -- import --------------------------------------------------------------------------

    def import_files(
        self, case: str, requests: Sequence[ImportRequest], strict: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        handling: str = "H0", handling_orgs: Sequence[str] | None = None,
        handling_note: str | None = None,
    ) -> list[ImportResult]:
        code = parse_code(handling)
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.IMPORT)
            org_ids = [directory.get_org(conn, o)["id"] for o in handling_orgs or []]
        source_values = {"handling": code.value, "handling_orgs": org_ids or None,
                         "handling_note": handling_note}
        results = run_imports(self.store, self.bulk, access.case_id, requests, self.actor,
                              self.purpose, strict=strict, progress=progress,
                              source_values=source_values)
        with self.store.begin() as conn:
            self.store.bump_revision(conn, access.case_id)
        self.store.refresh_statistics()
        return results

    # -- entities ------------------------------------------------------------------------

    def _visible(self, access: CaseAccess, proxies: Iterator[EntityProxy]) -> Iterator[EntityProxy]:
        for proxy in proxies:
            if proxy.id in access.hidden_entities:
                continue
            if access.minimiser is not None:
                proxy = access.minimiser.entity(proxy)
            yield proxy

    def entities(self, case: str, schemata: Sequence[str] | None = None) -> Iterator[EntityProxy]:
        """Every entity of the case the user may see; the read is audited."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            # a listing of the whole case reaches every entity present (see who_accessed)
            self._audit(conn, "entity.list", access.case_id, schemata=list(schemata or []),
                        reads=access.only_ids)
        with self.store.begin() as conn:
            proxies = self.store.iter_entities(conn, access.case_id, schemata,
                                               exclude_sources=access.hidden_sources,
                                               only_ids=access.only_ids)
            yield from self._visible(access, proxies)

    def _fetch(self, conn: Connection, access: CaseAccess, ids: Collection[str],
               known: Mapping[str, EntityProxy] | None = None) -> list[EntityProxy]:
        """The visible entities among ``ids`` (real ids), minimised for the user; ``known``
        are entities already read in this access (not read again)."""
        known = known or {}
        wanted = [i for i in sorted(set(ids)) if i not in access.hidden_entities
                  and (access.only_ids is None or i in access.only_ids)]
        missing = [i for i in wanted if i not in known]
        read = {p.id: p for p in self.store.iter_entities_by_id(
            conn, access.case_id, missing, exclude_sources=access.hidden_sources)}
        found = (known[i] if i in known else read[i] for i in wanted if i in known or i in read)
        return list(self._visible(access, found))

    def entities_by_id(self, case: str, entity_ids: Sequence[str]) -> list[EntityProxy]:
        """Several entities at once (ids as the user sees them); the read is audited."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            real = [self._real_id(access, i) for i in entity_ids
                    if access.minimiser is None or not access.minimiser.protection.protected(i)]
            found = self._fetch(conn, access, real)
            self._audit(conn, "entity.read", access.case_id, reads=real)
        return found

    def _around(self, conn: Connection, access: CaseAccess, real: set[str]
                ) -> tuple[set[str], dict[str, EntityProxy]]:
        """Ids of the entities, those linking to them and those they refer to; and the
        entities read on the way (the first two groups)."""
        hidden = access.hidden_sources
        linking = self.store.linked_ids(conn, access.case_id, real, hidden)
        refs: set[str] = set()
        read: dict[str, EntityProxy] = {}
        for proxy in self.store.iter_entities_by_id(conn, access.case_id,
                                                    sorted(real | linking), hidden):
            read[proxy.id or ""] = proxy
            for prop, value in proxy.itervalues():
                if prop.type.name == "entity":
                    refs.add(value)
        return real | linking | refs, read

    def _roles(self, access: CaseAccess) -> dict[str, str]:
        if access.minimiser is None:
            return dict(access.subject_roles)
        return {access.minimiser.entity_id(e): r for e, r in access.subject_roles.items()}

    def neighbourhood(self, case: str, entity_ids: Sequence[str]) -> Around:
        """The entities, every entity linking to them (payments, ownerships, employments...)
        with its other ends, and the entities they refer to; with the subject roles. The
        read is audited."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            real = {self._real_id(access, i) for i in entity_ids}
            everything, read = self._around(conn, access, real)
            found = self._fetch(conn, access, everything, read)
            self._audit(conn, "entity.read", access.case_id, neighbourhood=True,
                        reads=everything)
        return Around(found, self._roles(access))

    def entity_page(self, case: str, entity_id: str) -> EntityPage:
        """What the entity page shows, read at once: every value with its source, the
        neighbourhood, the subject roles and the findings resting on the entity."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            real = self._real_id(access, entity_id)
            rows = self._entity_rows(conn, access, real)
            entity = next(self.store.iter_entities_by_id(
                conn, access.case_id, [real], exclude_sources=access.hidden_sources))
            everything, read = self._around(conn, access, {real})
            around = self._fetch(conn, access, everything, read)
            kind = CaseKind(access.case["kind"])
            findings = self.store.list_findings(conn, access.case_id, None, real) \
                if allows(access.role, Op.FINDING_READ, kind) else []
            self._audit(conn, "entity.read", access.case_id, target=real,
                        reads=everything | {real})
        if access.minimiser is not None:
            entity = access.minimiser.entity(entity)
            rows = access.minimiser.statements(real, rows)
            findings = [access.minimiser.finding(item) for item in findings]
        return EntityPage(EntityView(entity, rows), Around(around, self._roles(access)),
                          findings)

    def shared_identifiers(self, case: str, entity_id: str
                           ) -> list[tuple[EntityProxy, str, str]]:
        """Other entities sharing a phone, IBAN, e-mail or identifier with this one."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            real = self._real_id(access, entity_id)
            pairs = self.store.sharing(conn, access.case_id, real, access.hidden_sources)
            others = {p.id: p for p in self._fetch(conn, access, {o for o, _, _ in pairs})}
            # the real ids: ``others`` is keyed by the ids the reader sees (pseudonyms)
            reached = {o for o, _, _ in pairs if o not in access.hidden_entities
                       and (access.only_ids is None or o in access.only_ids)}
            self._audit(conn, "entity.read", access.case_id, target=real, pivot=True,
                        reads=reached)
        out = []
        for other, kind, value in pairs:
            proxy = others.get(access.minimiser.entity_id(other) if access.minimiser
                               else other)
            if proxy is not None:
                shown = value if access.minimiser is None else access.minimiser.text(value)
                out.append((proxy, kind, shown))
        return out

    def search(self, case: str, text: str, schemata: Sequence[str] = (),
               limit: int = 50) -> list[EntityProxy]:
        """Entities whose name or identifiers contain ``text``; the search is audited."""
        if len(text.strip()) < 2:
            return []
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            if access.minimiser is None:
                ids = self.store.search(conn, access.case_id, text, schemata, limit,
                                        exclude_sources=access.hidden_sources)
                found = self._fetch(conn, access, ids)
            else:
                found = self._search_minimised(conn, access, text, schemata, limit)
            self._audit(conn, "entity.search", access.case_id, query=text, count=len(found),
                        reads={self._real_id(access, p.id or "") for p in found})
        return found

    def _search_minimised(self, conn: Connection, access: CaseAccess, text: str,
                          schemata: Sequence[str], limit: int) -> list[EntityProxy]:
        """Search as a restricted reader sees the case: protected people by their pseudonym
        only, everyone else by what is left of their values once minimised."""
        assert access.minimiser is not None
        needle = text.strip().casefold()
        protection = access.minimiser.protection
        pseudonymous = [real for label, reals in sorted(protection.labels().items())
                        if needle in label.casefold() for real in reals]
        ids = self.store.search(conn, access.case_id, text, schemata, limit * 4,
                                exclude_sources=access.hidden_sources)
        candidates = pseudonymous + [i for i in ids if not protection.protected(i)]
        found: list[EntityProxy] = []
        for start in range(0, len(candidates), limit):  # most match as they are: one round
            for proxy in self._fetch(conn, access, candidates[start:start + limit]):
                if schemata and proxy.schema.name not in schemata:
                    continue
                shown = [v for prop, v in proxy.itervalues()
                         if prop.type.name in ("name", "phone", "iban", "email", "identifier")]
                if any(needle in v.casefold() for v in shown):
                    found.append(proxy)
            if len(found) >= limit:
                break
        return found[:limit]

    def subject_roles(self, case: str) -> dict[str, str]:
        """Subject roles (victim, suspect...) by entity id as the user sees the ids."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
        return self._roles(access)

    def save_view(self, case: str, kind: str, name: str, state: Any) -> str:
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            if access.minimiser is not None:  # what they typed never turns into a pseudonym
                name, state = access.minimiser.withhold([name, state])
            view_id = self.store.save_view(conn, access.case_id, kind, name, state, self.actor)
            self._audit(conn, "view.save", access.case_id, target=view_id, kind=kind)
        return view_id

    def views(self, case: str, kind: str) -> list[dict]:
        """The saved views of the case (names and authors); the listing is audited."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            rows = self.store.list_views(conn, access.case_id, kind)
            self._audit(conn, "view.list", access.case_id, kind=kind, count=len(rows))
        return self._shown(access, rows)

    def view(self, case: str, view_id: str) -> dict:
        """A saved view with its state (ids, phones... minimised for the reader); audited."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            row = self.store.get_view(conn, access.case_id, view_id)
            self._audit(conn, "view.read", access.case_id, target=view_id)
        return self._shown(access, row)

    @staticmethod
    def _shown(access: CaseAccess, value: Any) -> Any:
        """``value`` as the reader may see it: every text minimised for restricted readers."""
        return access.minimiser.deep(value) if access.minimiser is not None else value

    def _real_id(self, access: CaseAccess, entity_id: str) -> str:
        """The real id of an entity the reader names by the id they see; a restricted reader
        naming a protected person by the real id learns nothing (its pseudonym included)."""
        if access.minimiser is not None:
            if access.minimiser.protection.protected(entity_id):
                raise NotFound(f"no entity {entity_id!r} in case {access.case['name']!r}")
            return access.minimiser.real_id(entity_id)
        return entity_id

    def _entity_rows(self, conn: Connection, access: CaseAccess, entity_id: str) -> list[dict]:
        rows = self.store.entity_statements(conn, access.case_id, entity_id)
        rows = [r for r in rows if r["source_id"] not in access.hidden_sources]
        if (not rows or entity_id in access.hidden_entities
                or (access.only_ids is not None and entity_id not in access.only_ids)):
            raise NotFound(f"no entity {entity_id!r} in case {access.case['name']!r}")
        return rows

    def entity(self, case: str, entity_id: str) -> EntityView:
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            real = self._real_id(access, entity_id)
            rows = self._entity_rows(conn, access, real)
            entity = next(self.store.iter_entities_by_id(
                conn, access.case_id, [real], exclude_sources=access.hidden_sources))
            self._audit(conn, "entity.read", access.case_id, target=real)
        if access.minimiser is not None:
            entity = access.minimiser.entity(entity)
            rows = access.minimiser.statements(real, rows)
        return EntityView(entity=entity, statements=rows)

    def export(self, case: str, fmt: str, out: Path, for_court: bool = False,
               recipient: str | None = None) -> int:
        """Export what the user may see; handling codes restrict and travel with it.

        ``for_court`` leaves out material that may not be used in judicial proceedings;
        ``recipient`` (an organisation) makes it a disclosure that leaves out material that
        may not be passed on.
        """
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.EXPORT)
            owner = access.case["owner_org_id"]
            to_org = directory.get_org(conn, recipient) if recipient else None
            to_id = to_org["id"] if to_org else None
            per_source = case_access.source_handling(conn, access.case_id)
            per_entity = case_access.entity_handling_map(conn, access.case_id)
            excluded_sources = set(access.hidden_sources) | {
                source_id for source_id, handling in per_source.items()
                if not handling.releasable(for_court, to_id, owner)
            }
            entity_sources = self.store.entity_sources(conn, access.case_id)
        handling_of: dict[str, Handling] = {}
        left_out: list[str] = []

        def entities() -> Iterator[EntityProxy]:
            with self.store.begin() as conn:
                proxies = self.store.iter_entities(conn, access.case_id,
                                                   exclude_sources=excluded_sources,
                                                   only_ids=access.only_ids)
                for proxy in self._visible(access, proxies):
                    real = self._real_id(access, proxy.id or "")
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
            "case": access.case["name"], "exported_by": self.actor,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "for_court": for_court, "recipient": to_org["name"] if to_org else None,
            "entities": {eid: h.to_dict() for eid, h in handling_of.items()},
        }, indent=1, ensure_ascii=False), encoding="utf-8")
        with self.store.begin() as conn:
            self._audit(conn, "disclosure" if to_org else "export", access.case_id,
                        target=to_org["name"] if to_org else out.name, format=fmt,
                        entities=count, for_court=for_court, left_out=len(left_out),
                        excluded_sources=sorted(excluded_sources - access.hidden_sources))
        return count

    # -- bulk records --------------------------------------------------------------------

    def engine(self, case: str, name: str = "duckdb") -> Engine:
        """An engine with one view per record kind over the case's committed Parquet files."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ENTITY_READ)
            found = self.store.list_sources(conn, access.case_id)
            self._audit(conn, "records.read", access.case_id, engine=name)
        tables: dict[str, list[Path]] = {kind: [] for kind in RECORD_KINDS}
        for source in found:
            if source["id"] in access.hidden_sources:
                continue
            for kind, rel in (source["bulk"] or {}).items():
                tables.setdefault(kind, []).append(self.bulk.path(rel))
        if access.minimiser is not None:
            tables = self._minimised_records(access, tables)
        engine = get_engine(name)
        engine.register(tables, {k: v.schema for k, v in RECORD_KINDS.items()})
        return engine

    def _minimised_records(self, access: CaseAccess, tables: dict[str, list[Path]]
                           ) -> dict[str, list[Path]]:
        """The bulk records with every name and identifier of a protected person replaced,
        written once per case, data and reader kind beside the bulk records."""
        assert access.minimiser is not None
        protection = access.minimiser.protection
        digest = hashlib.sha256(json.dumps(
            [access.case_id, protection.key, sorted(protection.group_of.items()),
             {k: sorted(map(str, v)) for k, v in tables.items()}]).encode()).hexdigest()[:24]
        folder = self.settings.home / "minimised" / access.case_id / digest
        out: dict[str, list[Path]] = {}
        with _PROTECTIONS_LOCK:
            for kind, paths in tables.items():
                if not paths:
                    out[kind] = []
                    continue
                target = folder / f"{kind}.parquet"
                if not target.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    table = pa.concat_tables([pq.read_table(p) for p in paths],
                                             promote_options="default")
                    tmp = target.with_name(f".{target.name}.tmp")
                    pq.write_table(access.minimiser.table(table), tmp, compression="zstd")
                    os.replace(tmp, target)
                out[kind] = [target]
        for old in folder.parent.glob("*"):
            if old != folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return out

    # -- financial investigation ---------------------------------------------------------

    def analyze(self, case: str, engine: str = "duckdb", params: finance.Params | None = None,
                progress: finance.analyze.Progress | None = None) -> finance.CaseRun:
        """Run every financial analysis; a re-run replaces its unreviewed findings."""
        with self.store.begin() as conn:
            self._access(conn, case, Op.ANALYZE)
        eng = self.engine(case, engine)
        try:
            run = finance.run_case(eng, self.entities(case, finance.SCHEMATA), params,
                                   progress)
        finally:
            eng.close()
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ANALYZE)
            added, removed = self.store.replace_findings(conn, access.case_id,
                                                         finance.DETECTOR_PREFIX, run.findings)
            self._audit(conn, "finding.create", access.case_id, count=added, removed=removed,
                        engine=engine)
        return run

    def ledger(self, case: str, engine: str = "duckdb", lazy: bool = False) -> Engine:
        """An engine with the case's ``ledger`` (for traces and account profiles); ``lazy``
        as a view that reads only the accounts asked for (a trace), else a table."""
        eng = self.engine(case, engine)
        if lazy:
            finance.prepare(eng, lazy=True)
            return eng
        holders = finance.account_holders(self.entities(case, finance.SCHEMATA[:6]))
        finance.prepare(eng, finance.ledger.holders_table(holders), ledger_only=True)
        return eng

    # -- findings ------------------------------------------------------------------------

    def save_findings(self, case: str, items: Sequence[Finding]) -> int:
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.ANALYZE)
            added = self.store.save_findings(conn, access.case_id, items)
            self._audit(conn, "finding.create", access.case_id, count=added)
        return added

    def findings(self, case: str, kind: str | None = None, entity_id: str | None = None
                 ) -> list[Finding]:
        """The case's findings, of one kind or resting on one entity if given."""
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.FINDING_READ)
            real = self._real_id(access, entity_id) if entity_id else None
            items = self.store.list_findings(conn, access.case_id, kind, real)
            self._audit(conn, "finding.list", access.case_id, kind=kind, count=len(items))
        if access.minimiser is not None:
            items = [access.minimiser.finding(item) for item in items]
        return items

    def review(self, case: str, finding_id: str, state: ReviewState, reason: str) -> None:
        with self.store.begin() as conn:
            access = self._access(conn, case, Op.FINDING_REVIEW)
            self.store.review_finding(conn, access.case_id, finding_id, state, self.actor,
                                      reason)
            self._audit(conn, "finding.review", access.case_id, target=finding_id,
                        state=state.value, reason=reason)

    # -- audit ---------------------------------------------------------------------------

    def _audit_case_id(self, conn: Connection, case: str | None, user: User) -> str | None:
        if case is None:
            return None
        row = self.store.get_case(conn, case)
        shared = case_access.share_for(conn, row["id"], user.org_id)
        if row["owner_org_id"] != user.org_id and shared is None:
            raise NotFound(f"no case named {case!r} that you can access")
        return row["id"]

    def _may_read_case(self, conn: Connection, case_id: str | None, user: User) -> bool:
        """Whether ``user`` may read all of the case's data in clear (and so what was searched
        for in it)."""
        if case_id is None or user.is_ngo:
            return False
        role = case_access.member_role(conn, case_id, user.id)
        if role is None:
            shared = case_access.share_for(conn, case_id, user.org_id)
            if shared is None or shared["entity_ids"] is not None:
                return False
            role = user.case_role()
        kind = CaseKind(self.store.get_case(conn, case_id)["kind"])
        return allows(role, Op.ENTITY_READ, kind)

    def _withhold(self, conn: Connection, rows: list[dict], user: User) -> list[dict]:
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

    def audit_log(self, case: str | None = None) -> list[dict]:
        """The audit entries of the cases the reader's organisation owns and those written
        by its users (in a case only shared with it: only those); search terms withheld
        from readers who may not read the case."""
        user = self._require_global(Op.AUDIT_READ)
        with self.store.begin() as conn:
            case_id = self._audit_case_id(conn, case, user)
            rows = self.store.list_audit(conn, case_id, org_id=user.org_id)
            rows = self._withhold(conn, rows, user)
            self._audit(conn, "audit.read", case_id)
        return rows

    def who_accessed(self, case: str, entity_id: str) -> list[dict]:
        """Every audit entry (in the reader's scope, see :meth:`audit_log`) that shows someone
        reached this entity: the imports that brought it in, direct reads and changes, reads
        that recorded it among the entities they reached, and listings or exports of the
        whole case made after it was imported."""
        user = self._require_global(Op.AUDIT_READ)
        with self.store.begin() as conn:
            case_id = self._audit_case_id(conn, case, user)
            rows = self.store.list_audit(conn, case_id, org_id=user.org_id)
            sources = {s["source_id"] for s in
                       self.store.entity_statements(conn, case_id or "", entity_id)}
            reached = self.store.audit_seqs_reading(conn, entity_id)
            self._audit(conn, "audit.read", case_id, target=entity_id)
            # the entity is present from its first import on (unknown: from the start)
            present = min((r["seq"] for r in rows
                           if r["action"] == "import" and r["target"] in sources), default=0)
            hits = []
            for row in rows:
                detail = row["detail"] if isinstance(row["detail"], dict) else {}
                ids = detail.get("entity_ids")
                if row["target"] in sources | {entity_id}:
                    hit = True
                elif "entity_count" in detail:  # every entity reached is in audit_reads
                    hit = row["seq"] in reached
                elif ids:  # written before audit_reads: the first 1,000 ids
                    hit = entity_id in ids
                else:
                    hit = row["action"] in BULK_READS and row["seq"] > present
                if hit:
                    hits.append(row)
            return self._withhold(conn, hits, user)

    def verify_audit(self, anchor: Mapping[str, Any] | None = None) -> ChainReport:
        """Check the whole chain (every organisation's: integrity is global, no entry is
        shown); with ``anchor`` (see :meth:`audit_anchor`) also truncation and rewriting."""
        self._require_global(Op.AUDIT_VERIFY)
        try:
            head = Anchor.from_dict(anchor) if anchor is not None else None
        except ValueError as exc:
            raise VerigaError(str(exc)) from exc
        with self.store.begin() as conn:
            return self.store.verify_audit(conn, head)

    def audit_anchor(self) -> dict[str, Any]:
        """Verify the chain and return its head (seq, hash, count, time) to keep outside the
        store, e.g. in an external register; taking it is itself audited."""
        self._require_global(Op.AUDIT_VERIFY)
        with self.store.begin() as conn:
            report = self.store.verify_audit(conn)
            if not report.ok or report.head is None:
                raise VerigaError(f"audit log broken, not anchored: {report.problem}")
            head = report.head.to_dict()
            self._audit(conn, "audit.anchor", None, **head)
        return {**head, "at": datetime.now(UTC).isoformat(timespec="seconds")}

    # -- organisations and users ---------------------------------------------------------

    def add_org(self, name: str, org_type: str, country: str) -> dict:
        self._require_global(Op.USER_ADMIN)
        with self.store.begin() as conn:
            org = directory.create_org(conn, name, org_type, country)
            self._audit(conn, "org.create", None, target=org["name"], type=org["type"])
        return org

    def orgs(self) -> list[dict]:
        self._require_user()
        with self.store.begin() as conn:
            return directory.list_orgs(conn)

    def add_user(self, username: str, org: str, roles: Sequence[str], display_name: str = "",
                 password: str | None = None, language: str = "en") -> dict:
        self._require_global(Op.USER_ADMIN)
        hashed = hash_password(password) if password else None
        with self.store.begin() as conn:
            row = directory.create_user(conn, username, org, roles, display_name, hashed,
                                        language)
            self._audit(conn, "user.create", None, target=username, roles=row["roles"])
        return row

    def users(self) -> list[dict]:
        self._require_global(Op.USER_ADMIN)
        with self.store.begin() as conn:
            return directory.list_users(conn)

    def new_token(self, name: str = "cli") -> str:
        user = self._require_user()
        with self.store.begin() as conn:
            token = create_token(conn, user.id, name)
            self._audit(conn, "token.create", None, target=user.username, name=name)
        return token
