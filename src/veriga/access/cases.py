"""Case membership, sharing with other organisations, subject roles and entity handling."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, select, text

from veriga.access.handling import Handling, parse_code
from veriga.access.roles import Role, SubjectRole
from veriga.store.schema import (
    RESTRICTED_HANDLING,
    case_members,
    case_shares,
    cases,
    entity_handling,
    entity_roles,
    sources,
)


def member_role(conn: Connection, case_id: str, user_id: str) -> Role | None:
    role = conn.execute(select(case_members.c.role).where(
        case_members.c.case_id == case_id, case_members.c.user_id == user_id)).scalar()
    return Role(role) if role else None


def reach(conn: Connection, case: str, user_id: str, org_id: str
          ) -> tuple[dict[str, Any], Role | None, bool, frozenset[str] | None] | None:
    """The case named ``case`` (or of that id), the user's role as its member, whether it
    is shared with the user's organisation and the records shared (None: all of them), read
    in one query (every access asks); None if there is no such case."""
    member = select(case_members.c.role).where(
        case_members.c.case_id == cases.c.id, case_members.c.user_id == user_id)
    share = case_shares.c.case_id == cases.c.id, case_shares.c.org_id == org_id
    row = conn.execute(select(
        cases, member.scalar_subquery().label("_member"),
        exists().where(*share).label("_shared"),
        select(case_shares.c.entity_ids).where(*share).scalar_subquery().label("_records"),
    ).where((cases.c.name == case) | (cases.c.id == case)).limit(1)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    role, shared, records = found.pop("_member"), found.pop("_shared"), found.pop("_records")
    return (found, Role(role) if role else None, bool(shared),
            None if records is None else frozenset(records))


def share_for(conn: Connection, case_id: str, org_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(case_shares).where(
        case_shares.c.case_id == case_id, case_shares.c.org_id == org_id)).mappings().first()
    return dict(row) if row else None


def add_member(conn: Connection, case_id: str, user_id: str, role: Role, by: str) -> None:
    conn.execute(delete(case_members).where(case_members.c.case_id == case_id,
                                            case_members.c.user_id == user_id))
    conn.execute(case_members.insert().values(case_id=case_id, user_id=user_id,
                                              role=role.value, added_by=by,
                                              added_at=datetime.now(UTC)))


def remove_member(conn: Connection, case_id: str, user_id: str) -> bool:
    """Take a member off the case; False if they were none."""
    return bool(conn.execute(delete(case_members).where(
        case_members.c.case_id == case_id, case_members.c.user_id == user_id)).rowcount)


def share(conn: Connection, case_id: str, org_id: str, entity_ids: Iterable[str] | None,
          by: str) -> None:
    ids = sorted(set(entity_ids)) if entity_ids else None
    conn.execute(delete(case_shares).where(case_shares.c.case_id == case_id,
                                           case_shares.c.org_id == org_id))
    conn.execute(case_shares.insert().values(case_id=case_id, org_id=org_id, entity_ids=ids,
                                             shared_by=by, shared_at=datetime.now(UTC)))


def accessible_case_ids(conn: Connection, user_id: str, org_id: str) -> set[str]:
    member = set(conn.execute(select(case_members.c.case_id)
                              .where(case_members.c.user_id == user_id)).scalars())
    shared = set(conn.execute(select(case_shares.c.case_id)
                              .where(case_shares.c.org_id == org_id)).scalars())
    return member | shared


def set_subject_role(conn: Connection, case_id: str, entity_id: str, role: SubjectRole,
                     by: str) -> None:
    conn.execute(delete(entity_roles).where(entity_roles.c.case_id == case_id,
                                            entity_roles.c.entity_id == entity_id))
    conn.execute(entity_roles.insert().values(case_id=case_id, entity_id=entity_id,
                                              role=role.value, set_by=by,
                                              set_at=datetime.now(UTC)))


#: When records with different subject roles are one entity, the most protective role wins.
ROLE_PRECEDENCE = {SubjectRole.VICTIM.value: 0, SubjectRole.SUSPECT.value: 1,
                   SubjectRole.WITNESS.value: 2, SubjectRole.OTHER.value: 3}


def subject_roles(conn: Connection, case_id: str,
                  canonical_of: Mapping[str, str] | None = None) -> dict[str, str]:
    """Subject roles by entity id; with ``canonical_of`` (merged record -> its entity) by
    entity, a merged entity taking its records' most protective role (victim first)."""
    rows = conn.execute(select(entity_roles.c.entity_id, entity_roles.c.role)
                        .where(entity_roles.c.case_id == case_id))
    out: dict[str, str] = {}
    for r in rows:
        entity = (canonical_of or {}).get(r.entity_id, r.entity_id)
        known = out.get(entity)
        if known is None or ROLE_PRECEDENCE.get(r.role, 9) < ROLE_PRECEDENCE.get(known, 9):
            out[entity] = r.role
    return out


def set_entity_handling(conn: Connection, case_id: str, entity_id: str, code: str,
                        orgs: list[str] | None, note: str | None, by: str) -> None:
    parse_code(code)
    conn.execute(delete(entity_handling).where(entity_handling.c.case_id == case_id,
                                               entity_handling.c.entity_id == entity_id))
    conn.execute(entity_handling.insert().values(
        case_id=case_id, entity_id=entity_id, handling=code.upper(), handling_orgs=orgs or None,
        handling_note=note, set_by=by, set_at=datetime.now(UTC)))


def withdrawn_sources(conn: Connection, case_id: str) -> set[str]:
    """The sources of the case withdrawn (imports undone): left out for every reader."""
    return set(conn.execute(select(sources.c.id).where(
        sources.c.case_id == case_id, sources.c.withdrawn_at.is_not(None))).scalars())


def source_handling(conn: Connection, case_id: str, restricted_only: bool = False
                    ) -> dict[str, Handling]:
    """Handling of every source of the case; with ``restricted_only`` just those limited to
    some organisations (the only ones that can be hidden from a reader)."""
    result = {}
    query = select(sources.c.id, sources.c.handling, sources.c.handling_orgs,
                   sources.c.handling_note).where(sources.c.case_id == case_id)
    if restricted_only:
        query = query.where(text(RESTRICTED_HANDLING))  # as its index names it
    for row in conn.execute(query):
        handling = Handling()
        handling.add(row.handling, row.handling_orgs, row.handling_note)
        result[row.id] = handling
    return result


def entity_handling_map(conn: Connection, case_id: str,
                        canonical_of: Mapping[str, str] | None = None) -> dict[str, Handling]:
    """Handling codes by entity id; with ``canonical_of`` (merged record -> its entity) by
    entity, a merged entity under every code set on any of its records (the strictest)."""
    result: dict[str, Handling] = {}
    for row in conn.execute(select(entity_handling).where(entity_handling.c.case_id == case_id)):
        entity = (canonical_of or {}).get(row.entity_id, row.entity_id)
        handling = result.setdefault(entity, Handling())
        handling.add(row.handling, row.handling_orgs, row.handling_note)
    return result


def combined_handling(entity_id: str, sources_of: Mapping[str, set[str]],
                      per_source: Mapping[str, Handling], per_entity: Mapping[str, Handling],
                      excluded: Collection[str] = ()) -> Handling:
    """Every handling code that applies to an entity: those of the sources its statements
    come from (but ``excluded`` ones, whose statements are left out) and its own."""
    handling = Handling()
    for source_id in sources_of.get(entity_id, set()) - set(excluded):
        handling.merge(per_source[source_id])
    if entity_id in per_entity:
        handling.merge(per_entity[entity_id])
    return handling
