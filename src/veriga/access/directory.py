"""Organisations and users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from veriga.access.roles import OrgType, Role, parse_role
from veriga.errors import NotFound, VerigaError
from veriga.store import new_id
from veriga.store.schema import organisations, users


@dataclass(frozen=True)
class User:
    """Who is acting: an account, its organisation and the roles it holds."""

    id: str
    username: str
    display_name: str
    org_id: str
    org_type: OrgType
    roles: frozenset[Role]
    language: str = "en"

    @property
    def is_ngo(self) -> bool:
        return self.org_type is OrgType.NGO or Role.NGO_WORKER in self.roles

    def case_role(self) -> Role:
        """The role this user takes in a case by default (the first that is not admin)."""
        for role in Role:
            if role in self.roles and role not in (Role.ADMINISTRATOR, Role.DPO):
                return role
        return next(iter(sorted(self.roles)))


def create_org(conn: Connection, name: str, org_type: str, country: str) -> dict[str, Any]:
    name = name.strip()
    if conn.execute(select(organisations.c.id).where(organisations.c.name == name)).first():
        raise VerigaError(f"an organisation named {name!r} already exists")
    try:
        kind = OrgType(org_type.lower())
    except ValueError:
        known = ", ".join(t.value for t in OrgType)
        raise VerigaError(f"unknown organisation type {org_type!r}; types: {known}") from None
    if len(country.strip()) != 2:
        raise VerigaError("country must be a two-letter ISO code, e.g. LV")
    row = {"id": new_id("org"), "name": name, "type": kind.value,
           "country": country.strip().upper(), "created_at": datetime.now(UTC)}
    conn.execute(organisations.insert().values(**row))
    return row


def get_org(conn: Connection, name_or_id: str) -> dict[str, Any]:
    row = conn.execute(select(organisations).where(
        (organisations.c.name == name_or_id) | (organisations.c.id == name_or_id)
    )).mappings().first()
    if row is None:
        raise NotFound(f"no organisation {name_or_id!r} (see 'veriga org list')")
    return dict(row)


def list_orgs(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(organisations).order_by(organisations.c.name))
            .mappings()]


def create_user(
    conn: Connection, username: str, org: str, roles: Sequence[str], display_name: str = "",
    password_hash: str | None = None, language: str = "en",
) -> dict[str, Any]:
    username = username.strip()
    if not username:
        raise VerigaError("a user needs a user name")
    if conn.execute(select(users.c.id).where(users.c.username == username)).first():
        raise VerigaError(f"a user named {username!r} already exists")
    parsed = sorted({parse_role(r).value for r in roles})
    if not parsed:
        raise VerigaError("a user needs at least one role")
    org_row = get_org(conn, org)
    row = {"id": new_id("usr"), "username": username, "display_name": display_name or username,
           "org_id": org_row["id"], "roles": parsed, "language": language,
           "password_hash": password_hash, "active": True, "failed_logins": 0,
           "created_at": datetime.now(UTC)}
    conn.execute(users.insert().values(**row))
    return row


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar() or 0)


def load_user(conn: Connection, *, user_id: str | None = None,
              username: str | None = None) -> User:
    query = select(users, organisations.c.type.label("org_type")).join(
        organisations, organisations.c.id == users.c.org_id)
    query = query.where(users.c.id == user_id) if user_id else \
        query.where(users.c.username == username)
    row = conn.execute(query).mappings().first()
    if row is None or not row["active"]:
        raise NotFound(f"no active account {username or user_id!r}; an administrator adds "
                       "accounts with 'veriga user add'")
    return User(id=row["id"], username=row["username"], display_name=row["display_name"],
                org_id=row["org_id"], org_type=OrgType(row["org_type"]),
                roles=frozenset(Role(r) for r in row["roles"]), language=row["language"])


def list_users(conn: Connection) -> list[dict[str, Any]]:
    query = select(users.c.id, users.c.username, users.c.display_name, users.c.roles,
                   users.c.active, organisations.c.name.label("organisation")).join(
        organisations, organisations.c.id == users.c.org_id).order_by(users.c.username)
    return [dict(r) for r in conn.execute(query).mappings()]
