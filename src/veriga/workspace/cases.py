"""``ws.cases``: cases, their members and shares, and their configuration."""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Sequence
from typing import Any

from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.policy import Op, allows
from veriga.access.roles import TRAINING_ONLY, CaseKind, Role, parse_role
from veriga.errors import NotFound, VerigaError
from veriga.workspace.context import PermissionDenied, public
from veriga.workspace.part import Part


class Cases(Part):
    def create(self, name: str, description: str = "",
               kind: CaseKind = CaseKind.INVESTIGATION) -> dict[str, Any]:
        ws = self.ws
        user = ws.require_global(Op.CASE_CREATE)
        if kind is CaseKind.INVESTIGATION and not any(
            allows(r, Op.CASE_CREATE) and r not in TRAINING_ONLY for r in user.roles
        ):
            raise PermissionDenied("trainers create training cases only (--training)")
        name = name.strip()
        if not name:
            raise VerigaError("a case needs a name")
        with ws.store.begin() as conn:
            case = ws.store.create_case(
                conn, name, ws.actor, description, owner_org_id=user.org_id,
                kind=kind.value, pseudonym_key=secrets.token_hex(32))
            role = user.case_role()
            if kind is CaseKind.TRAINING and Role.TRAINER in user.roles:
                role = Role.TRAINER
            case_access.add_member(conn, case["id"], user.id, role, ws.actor)
            ws.write_audit(conn, "case.create", case["id"], name=name, kind=kind.value)
        return case

    def list(self) -> builtins.list[dict[str, Any]]:
        """The cases the user may open."""
        user = self.ws.require_user()
        with self.ws.store.begin() as conn:
            ids = case_access.accessible_case_ids(conn, user.id, user.org_id)
            return [public(c) for c in self.ws.store.list_cases(conn) if c["id"] in ids]

    def get(self, name: str) -> dict[str, Any]:
        with self.ws.case(name, Op.CASE_OPEN) as access:
            return public(access.case)

    def open(self, name: str) -> dict[str, Any]:
        """Open a case for work: checks access and records the purpose."""
        with self.ws.case(name, Op.ENTITY_READ) as access:
            access.audit("case.open", role=access.role.value)
        return public(access.case)

    def check(self, case: str, op: Op) -> None:
        """Raise unless the user may do ``op`` on ``case`` now (``NotFound``,
        ``PermissionDenied``, ``PurposeRequired``); reads no personal data and writes no
        audit entry: a check before costly work, such as reading an upload's body."""
        with self.ws.case(case, op):
            pass

    def add_member(self, case: str, username: str, role: str | None = None) -> None:
        with self.ws.case(case, Op.CASE_MANAGE) as access:
            member = directory.load_user(access.conn, username=username)
            chosen = parse_role(role) if role else member.case_role()
            if chosen not in member.roles:
                raise VerigaError(f"{username} does not hold the role {chosen.value}")
            if chosen in TRAINING_ONLY and access.kind is not CaseKind.TRAINING:
                raise PermissionDenied("trainers and trainees join training cases only")
            case_access.add_member(access.conn, access.case_id, member.id, chosen,
                                   self.ws.actor)
            access.audit("case.member.add", username, role=chosen.value)

    def remove_member(self, case: str, username: str) -> None:
        """Take a member off the case (the undo of adding them); not oneself."""
        with self.ws.case(case, Op.CASE_MANAGE) as access:
            member = directory.load_user(access.conn, username=username)
            if member.username == self.ws.actor:
                raise VerigaError("you cannot take yourself off the case")
            if not case_access.remove_member(access.conn, access.case_id, member.id):
                raise NotFound(f"{username} is not a member of case {case!r}")
            access.audit("case.member.remove", username)

    def share(self, case: str, org: str, entity_ids: Sequence[str] | None = None) -> None:
        """Share the case (or selected entities) with another organisation: a disclosure."""
        with self.ws.case(case, Op.CASE_MANAGE) as access:
            org_row = directory.get_org(access.conn, org)
            case_access.share(access.conn, access.case_id, org_row["id"], entity_ids,
                              self.ws.actor)
            access.audit("disclosure", org_row["name"],
                         scope="entities" if entity_ids else "case",
                         entity_ids=list(entity_ids or []))

    def configure(self, case: str, ngo_sees_suspects: bool) -> None:
        with self.ws.case(case, Op.CASE_MANAGE) as access:
            self.ws.store.update_case(access.conn, access.case_id,
                                      ngo_sees_suspects=ngo_sees_suspects)
            self.ws.store.bump_revision(access.conn, access.case_id)
            access.audit("case.configure", ngo_sees_suspects=ngo_sees_suspects)
