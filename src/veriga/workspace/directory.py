"""``ws.directory``: organisations, user accounts and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, update

from veriga.access import directory
from veriga.access.auth import create_token, hash_password
from veriga.access.policy import Op
from veriga.store.schema import sessions, users
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

    def set_password(self, username: str, password: str) -> None:
        """Set (or reset) a user's password, e.g. for a trainee enrolled from a CSV; the
        account is unlocked and its open sessions end (administrators)."""
        self.ws.require_global(Op.USER_ADMIN)
        hashed = hash_password(password)
        with self.ws.store.begin() as conn:
            user = directory.load_user(conn, username=username)
            conn.execute(update(users).where(users.c.id == user.id).values(
                password_hash=hashed, failed_logins=0, locked_until=None))
            conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
            self.ws.write_audit(conn, "user.password", None, target=username)

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
