"""``ws.notes``: what investigators add from their own work to an entity or a finding of a
case: notes (a thread of comments), tags, who is assigned to it, and links between two
entities known from outside the case's files (:meth:`Notes.add_link`), marked as such with
where the knowledge comes from.

Writing takes the right to change the case's entities (``entity.write``) or to review its
findings (``finding.review``); every addition, removal and restoration is audited (the
note's id, never its text). A removal keeps the note with who removed it, so it can be undone
(:meth:`Notes.restore`). Notes are the team's working text and may name anyone: a reader who
may not see all of the case in clear (an NGO worker, who reads pseudonyms; an agency it is
shared with for some entities; one some entities or files are withheld from) is shown none
of them, only how many there are.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.store.schema import case_members, notes, users
from veriga.store.store import new_id
from veriga.workspace.context import CaseAccess, PermissionDenied
from veriga.workspace.part import Part

_MEMBERS = select(users.c.username).join(case_members, case_members.c.user_id == users.c.id)
TARGETS = ("entity", "finding")
KINDS = ("note", "tag", "assign")  # added with add(); a link with add_link()
MAX_NOTE = 4000
MAX_TAG = 40


@dataclass
class Annotations:
    """The live notes, tags and assignee of one target as the reader may see them;
    ``withheld`` counts the notes a restricted reader is not shown."""

    notes: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    assignee: dict[str, Any] | None
    withheld: int = 0


class Notes(Part):
    def add(self, case: str, target_kind: str, target_id: str, kind: str, text: str) -> str:
        """Add a note, a tag or an assignment (a user who is a member of the case; it takes
        the place of the one before) to an entity or a finding; returns its id."""
        if kind not in KINDS:
            raise VerigaError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
        text = _clean(kind, text)
        with self._case(case, target_kind) as access:
            target = self._target(access, target_kind, target_id)
            now = datetime.now(UTC)
            if kind == "tag":
                same = self._live(access, target_kind, target, "tag")
                found = next((n for n in same if n["text"].casefold() == text.casefold()), None)
                if found is not None:
                    return str(found["id"])
            if kind == "assign":
                if not self._member(access, text):
                    raise VerigaError(f"{text!r} is no member of this case")
                for old in self._live(access, target_kind, target, "assign"):
                    self._set_removed(access, old["id"], now)
            note_id = new_id("note")
            access.conn.execute(notes.insert().values(
                id=note_id, case_id=access.case_id, target_kind=target_kind, target_id=target,
                kind=kind, text=text, created_by=self.ws.actor, created_at=now))
            access.audit("note.add", note_id, target_kind=target_kind, about=target,
                         kind=kind)
        return note_id

    def remove(self, case: str, note_id: str) -> None:
        """Remove a note, tag or assignment (kept, to be restored); audited."""
        with self._by_id(case, note_id) as (access, row):
            if row["removed_at"] is None:
                self._set_removed(access, note_id, datetime.now(UTC))
                access.audit("note.remove", note_id, target_kind=row["target_kind"],
                             about=row["target_id"], kind=row["kind"])

    def restore(self, case: str, note_id: str) -> None:
        """Undo a removal; restoring an assignment removes the one that took its place."""
        with self._by_id(case, note_id) as (access, row):
            if row["removed_at"] is None:
                return
            if row["kind"] == "assign":
                for old in self._live(access, row["target_kind"], row["target_id"], "assign"):
                    self._set_removed(access, old["id"], datetime.now(UTC))
            access.conn.execute(notes.update().where(notes.c.id == note_id).values(
                removed_by=None, removed_at=None))
            access.audit("note.restore", note_id, target_kind=row["target_kind"],
                         about=row["target_id"], kind=row["kind"])

    def of(self, case: str, target_kind: str, target_id: str) -> Annotations:
        """The live notes (oldest first), tags and assignee of one entity or finding."""
        if target_kind not in TARGETS:
            raise VerigaError(f"unknown target {target_kind!r} (one of {', '.join(TARGETS)})")
        op = Op.ENTITY_READ if target_kind == "entity" else Op.FINDING_READ
        with self.ws.case(case, op) as access:
            target = self._target(access, target_kind, target_id)
            rows = self._live(access, target_kind, [target], None)
            access.audit("note.read", target, target_kind=target_kind, count=len(rows))
        return _annotations(rows, not _sees_all(access))

    def add_link(self, case: str, entity_id: str, other_id: str, relation: str,
                 source: str) -> str:
        """Link two entities of the case from the investigator's own knowledge (not from a
        file): what ties them and where that is known from (a witness statement, a
        surveillance log...), both required. Shown as such wherever the link is; removed and
        restored as a note is."""
        relation, source = _clean("link", relation), _clean("source", source)
        with self._case(case, "entity") as access:
            one = self._target(access, "entity", entity_id)
            other = self._target(access, "entity", other_id)
            if one == other:
                raise VerigaError("a link needs two different entities")
            link_id = new_id("note")
            access.conn.execute(notes.insert().values(
                id=link_id, case_id=access.case_id, target_kind="entity", target_id=one,
                other_id=other, kind="link", text=relation, source=source,
                created_by=self.ws.actor, created_at=datetime.now(UTC)))
            access.audit("note.add", link_id, target_kind="entity", about=one, other=other,
                         kind="link", reads={one, other})
        return link_id

    def links(self, case: str, entity_ids: Sequence[str]) -> builtins.list[dict[str, Any]]:
        """The live links investigators added that touch these entities and whose two ends
        the reader may see (``entity_id``, ``other_id`` as the reader names them,
        ``relation``, ``source``, who and when); none for a restricted reader."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            if not _sees_all(access):
                return []
            ids = {access.canonical_of.get(i, i) for i in entity_ids}
            rows = [dict(r) for r in access.conn.execute(select(notes).where(
                notes.c.case_id == access.case_id, notes.c.kind == "link",
                notes.c.removed_at.is_(None),
                or_(notes.c.target_id.in_(ids), notes.c.other_id.in_(ids))
            ).order_by(notes.c.created_at, notes.c.id)).mappings()]
            ends = {e for r in rows for e in (r["target_id"], r["other_id"])}
            seen = {e for e in ends if access.reachable(e)}
            rows = [r for r in rows if r["target_id"] in seen and r["other_id"] in seen]
            access.audit("note.read", None, kind="link", count=len(rows),
                         reads={e for r in rows for e in (r["target_id"], r["other_id"])})
        return [{"id": r["id"], "entity_id": r["target_id"], "other_id": r["other_id"],
                 "relation": r["text"], "source": r["source"], "created_by": r["created_by"],
                 "created_at": r["created_at"]} for r in rows]

    def of_findings(self, case: str, finding_ids: Sequence[str]) -> dict[str, Annotations]:
        """:meth:`of` for several findings of the case at once (a page of the queue), in one
        audited read; findings with nothing added are left out."""
        with self.ws.case(case, Op.FINDING_READ) as access:
            rows = self._live(access, "finding", list(dict.fromkeys(finding_ids)), None)
            access.audit("note.read", None, target_kind="finding", count=len(rows))
        by_target: dict[str, builtins.list[dict[str, Any]]] = {}
        for row in rows:
            by_target.setdefault(row["target_id"], []).append(row)
        restricted = not _sees_all(access)
        return {t: _annotations(found, restricted) for t, found in by_target.items()}

    def tags(self, case: str) -> dict[str, int]:
        """Every tag of the case with how many entities and findings carry it (none for a
        restricted reader)."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            if not _sees_all(access):
                return {}
            rows = access.conn.execute(
                select(notes.c.text, func.count()).where(
                    notes.c.case_id == access.case_id, notes.c.kind == "tag",
                    notes.c.removed_at.is_(None)).group_by(notes.c.text)).all()
            access.audit("note.read", None, tags=len(rows))
        return dict(sorted(((str(t), int(n)) for t, n in rows), key=lambda x: (-x[1], x[0])))

    def members(self, case: str) -> builtins.list[str]:
        """Who can be assigned: the usernames of the case's members."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            rows = access.conn.execute(_MEMBERS.where(
                case_members.c.case_id == access.case_id).order_by(users.c.username)
            ).scalars().all()
        return [str(r) for r in rows]

    # -- inside ------------------------------------------------------------------------

    def _case(self, case: str, target_kind: str) -> Any:
        """The case opened with the right to annotate this kind of target."""
        if target_kind not in TARGETS:
            raise VerigaError(f"unknown target {target_kind!r} (one of {', '.join(TARGETS)})")
        return self.ws.case(case, Op.ENTITY_WRITE if target_kind == "entity"
                            else Op.FINDING_REVIEW)

    def _target(self, access: CaseAccess, target_kind: str, target_id: str) -> str:
        """The real id of a target the reader may see (NotFound for any other)."""
        if target_kind == "entity":
            real = access.real_id(target_id)
            real = access.canonical_of.get(real, real)
            self.ws.entity_rows(access, real)  # NotFound when hidden or not in the case
            return real
        if not self.ws.store.list_findings(access.conn, access.case_id, finding_id=target_id):
            raise NotFound(f"no finding {target_id!r} in case {access.case['name']!r}")
        return target_id

    def _live(self, access: CaseAccess, target_kind: str, targets: str | Sequence[str],
              kind: str | None) -> builtins.list[dict[str, Any]]:
        """The live rows of one target (or several), oldest first."""
        ids = [targets] if isinstance(targets, str) else list(targets)
        where = [notes.c.case_id == access.case_id, notes.c.target_kind == target_kind,
                 notes.c.target_id.in_(ids), notes.c.removed_at.is_(None)]
        where.append(notes.c.kind == kind if kind is not None else notes.c.kind.in_(KINDS))
        query = select(notes).where(and_(*where)).order_by(notes.c.created_at, notes.c.id)
        return [dict(r) for r in access.conn.execute(query).mappings()]

    def _set_removed(self, access: CaseAccess, note_id: str, when: datetime) -> None:
        access.conn.execute(notes.update().where(notes.c.id == note_id).values(
            removed_by=self.ws.actor, removed_at=when))

    def _member(self, access: CaseAccess, username: str) -> bool:
        return access.conn.execute(_MEMBERS.where(
            case_members.c.case_id == access.case_id, users.c.username == username)
        ).first() is not None

    @contextmanager
    def _by_id(self, case: str, note_id: str) -> Iterator[tuple[CaseAccess, dict[str, Any]]]:
        """The note's case access (the right to write its kind of target) and its row; only
        its author or a case manager may remove or restore it."""
        with self.ws.case(case, Op.ENTITY_READ) as probe:
            row = probe.conn.execute(select(notes).where(
                notes.c.id == note_id, notes.c.case_id == probe.case_id)).mappings().first()
        if row is None:
            raise NotFound(f"no note {note_id!r} in this case")
        with self._case(case, row["target_kind"]) as access:
            manager = access.may(Op.CASE_MANAGE) and access.case["owner_org_id"] in (
                None, self.ws.require_user().org_id)  # not one of an agency it is shared with
            if row["created_by"] != self.ws.actor and not manager:
                raise PermissionDenied("only its author or the case's manager may change "
                                       "a note")
            yield access, dict(row)


def _clean(kind: str, text: str) -> str:
    text = text.strip() if kind in ("note", "source") else " ".join(text.split())
    limit = {"note": MAX_NOTE, "source": MAX_NOTE, "tag": MAX_TAG, "link": 80}.get(kind, 255)
    if not text:
        raise VerigaError(f"an empty {kind} is not added")
    if len(text) > limit:
        raise VerigaError(f"a {kind} has at most {limit} characters ({len(text)} given)")
    return text


def _sees_all(access: CaseAccess) -> bool:
    """Whether the reader sees the whole case in clear: a note may name anyone, so a reader
    who reads pseudonyms (an NGO worker), an agency the case is shared with for some
    entities, or one some entities or files are withheld from is shown none."""
    return access.sees_all


def _annotations(rows: list[dict[str, Any]], restricted: bool) -> Annotations:
    """One target's rows as the reader sees them: a restricted reader only their number."""
    if restricted:
        return Annotations([], [], None, withheld=len(rows))
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for row in rows:
        by_kind[row["kind"]].append(_public(row))
    assigned = by_kind["assign"][-1] if by_kind["assign"] else None
    return Annotations(by_kind["note"], by_kind["tag"], assigned)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "kind", "text", "created_by", "created_at")}
