"""``ws.directory``: organisations, user accounts and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veriga.access import directory
from veriga.access.auth import create_token, hash_password
from veriga.access.policy import Op
from veriga.workspace.part import Part


class Directory(Part):
    def add_org(self, name: str, org_type: str, country: str) -> dict[str, Any]:
        self.ws.require_global(Op.USER_ADMIN)
        with self.ws.store.begin() as conn:
            org = directory.create_org(conn, name, org_type, country)
            self.ws.write_audit(conn, "org.create", None, target=org["name"], type=org["type"])
        return org

    def orgs(self) -> list[dict[str, Any]]:
        self.ws.require_user()
        with self.ws.store.begin() as conn:
            return directory.list_orgs(conn)

    def add_user(self, username: str, org: str, roles: Sequence[str], display_name: str = "",
                 password: str | None = None, language: str = "en") -> dict[str, Any]:
        self.ws.require_global(Op.USER_ADMIN)
        hashed = hash_password(password) if password else None
        with self.ws.store.begin() as conn:
            row = directory.create_user(conn, username, org, roles, display_name, hashed,
                                        language)
            self.ws.write_audit(conn, "user.create", None, target=username, roles=row["roles"])
        return row

    def users(self) -> list[dict[str, Any]]:
        self.ws.require_global(Op.USER_ADMIN)
        with self.ws.store.begin() as conn:
            return directory.list_users(conn)

    def new_token(self, name: str = "cli") -> str:
        user = self.ws.require_user()
        with self.ws.store.begin() as conn:
            token = create_token(conn, user.id, name)
            self.ws.write_audit(conn, "token.create", None, target=user.username, name=name)
        return token
