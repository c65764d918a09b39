"""``ws.jits``: joint investigation teams: the agreement, its parties and its cases, the end
of its period (after which the other parties' records are withheld, see
:mod:`veriga.access.jits`), and every read of another party's records.

A JIT is recorded by someone who manages each case it covers (the owner organisation's
investigator or prosecutor); its parties are organisations of the directory (the other
installations' organisations, registered with their keys for exchange packages). Every
change is audited in each case covered.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select

from veriga.access import directory
from veriga.access.jits import origin_of
from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.store import new_id
from veriga.store.schema import (
    audit,
    audit_reads,
    cases,
    jit_cases,
    jit_parties,
    jits,
    organisations,
    sources,
    statements,
)
from veriga.workspace.audit import BULK_READS
from veriga.workspace.part import Part

#: Entity ids asked about at once (an IN list).
CHUNK = 500


@dataclass(frozen=True)
class Jit:
    reference: str
    legal_basis: str
    purpose: str
    starts: date
    ends: date
    action_plan: str | None
    parties: list[tuple[str, str]]  # organisation name, country
    cases: list[str]

    def active(self, day: date | None = None) -> bool:
        return self.starts <= (day or date.today()) <= self.ends


@dataclass(frozen=True)
class CrossRead:
    """One audited access that reached records another party contributed."""

    seq: int
    at: datetime
    actor: str
    action: str
    purpose: str | None
    case: str
    parties: list[str]  # the senders whose records it reached
    entities: int


class Jits(Part):
    def create(self, reference: str, legal_basis: str, purpose: str, starts: date, ends: date,
               parties: Sequence[str], cases: Sequence[str], action_plan: str | None = None
               ) -> Jit:
        """Record a JIT: the user's organisation and ``parties`` (organisation names), the
        ``cases`` it covers (each managed by the user)."""
        reference = " ".join(reference.split())
        if not reference or not legal_basis.strip() or not purpose.strip():
            raise VerigaError("a JIT needs a reference, a legal basis and a purpose")
        if ends < starts:
            raise VerigaError(f"the JIT ends ({ends}) before it starts ({starts})")
        if not cases:
            raise VerigaError("name the cases the JIT covers (--case)")
        user = self.ws.require_user()
        case_ids = []
        for name in cases:
            with self.ws.case(name, Op.CASE_MANAGE) as access:
                case_ids.append(access.case_id)
        jit_id = new_id("jit")
        with self.ws.store.begin() as conn:
            if conn.execute(select(jits.c.id).where(jits.c.reference == reference)).first():
                raise VerigaError(f"a JIT {reference!r} is recorded already")
            org_ids = {user.org_id} | {directory.get_org(conn, p)["id"] for p in parties}
            conn.execute(jits.insert().values(
                id=jit_id, reference=reference, legal_basis=legal_basis.strip(),
                purpose=purpose.strip(), starts=starts.isoformat(), ends=ends.isoformat(),
                action_plan=action_plan, created_at=datetime.now(UTC), created_by=self.ws.actor))
            conn.execute(jit_parties.insert(), [{"jit_id": jit_id, "org_id": o}
                                                for o in sorted(org_ids)])
            conn.execute(jit_cases.insert(), [{"jit_id": jit_id, "case_id": c}
                                              for c in case_ids])
            for case_id in case_ids:
                self.ws.write_audit(conn, "jit.create", case_id, target=reference,
                                    legal_basis=legal_basis.strip(), starts=starts.isoformat(),
                                    ends=ends.isoformat(), parties=len(org_ids))
        return self.get(reference)

    def extend(self, reference: str, until: date, legal_basis: str) -> Jit:
        """A new end date on a new legal basis (the agreement's extension); audited."""
        jit = self.get(reference)
        if until <= jit.ends:
            raise VerigaError(f"{reference} ends on {jit.ends} already; an extension ends later")
        for name in jit.cases:
            self.ws.cases.check(name, Op.CASE_MANAGE)
        with self.ws.store.begin() as conn:
            row = conn.execute(select(jits.c.id).where(jits.c.reference == reference)).one()
            conn.execute(jits.update().where(jits.c.id == row.id).values(
                ends=until.isoformat(), legal_basis=legal_basis.strip()))
            for case_id in _case_ids(conn, row.id):
                self.ws.write_audit(conn, "jit.extend", case_id, target=reference,
                                    ends=until.isoformat(), legal_basis=legal_basis.strip(),
                                    previous_end=jit.ends.isoformat())
        return self.get(reference)

    def list(self) -> builtins.list[Jit]:
        """The JITs the user's organisation is party to."""
        user = self.ws.require_user()
        with self.ws.store.begin() as conn:
            refs = conn.execute(select(jits.c.reference).join(
                jit_parties, jit_parties.c.jit_id == jits.c.id).where(
                jit_parties.c.org_id == user.org_id).order_by(jits.c.starts)).scalars().all()
        return [self.get(r) for r in refs]

    def get(self, reference: str) -> Jit:
        """A JIT the user's organisation is party to (else it does not exist for them)."""
        user = self.ws.require_user()
        with self.ws.store.begin() as conn:
            row = conn.execute(select(jits).where(jits.c.reference == reference)
                               ).mappings().first()
            parties = [] if row is None else conn.execute(
                select(organisations.c.id, organisations.c.name, organisations.c.country)
                .join(jit_parties, jit_parties.c.org_id == organisations.c.id)
                .where(jit_parties.c.jit_id == row["id"]).order_by(organisations.c.name)).all()
            if row is None or user.org_id not in {p.id for p in parties}:
                raise NotFound(f"no JIT {reference!r} that your organisation is party to")
            names = list(conn.execute(select(cases.c.name).where(
                cases.c.id.in_(_case_ids(conn, row["id"]))).order_by(cases.c.name)).scalars())
        return Jit(row["reference"], row["legal_basis"], row["purpose"],
                   date.fromisoformat(row["starts"]), date.fromisoformat(row["ends"]),
                   row["action_plan"], [(p.name, p.country) for p in parties], names)

    def reads(self, reference: str) -> builtins.list[CrossRead]:
        """Every audited access, in the JIT's cases, that reached records another party
        sent (sources with an origin), oldest first; for those who manage the cases."""
        jit = self.get(reference)
        out: builtins.list[CrossRead] = []
        for name in jit.cases:
            with self.ws.case(name, Op.CASE_MANAGE) as access:
                out += _cross_reads(access.conn, access.case_id, name)
                access.audit("jit.reads", reference, entries=len(out))
        return sorted(out, key=lambda r: r.seq)


def _case_ids(conn: Connection, jit_id: str) -> builtins.list[str]:
    return list(conn.execute(select(jit_cases.c.case_id).where(
        jit_cases.c.jit_id == jit_id)).scalars())


def _cross_reads(conn: Connection, case_id: str, case: str) -> builtins.list[CrossRead]:
    sender: dict[str, str] = {}
    arrived: list[tuple[datetime, str]] = []  # when each party's records came in
    for src in conn.execute(select(sources.c.id, sources.c.origin, sources.c.imported_at)
                            .where(sources.c.case_id == case_id,
                                   sources.c.origin.is_not(None))):
        sender[src.id] = str(origin_of(src.origin).get("sender") or "?")
        arrived.append((_aware(src.imported_at), sender[src.id]))
    if not sender:
        return []
    parties_of: dict[str, set[str]] = defaultdict(set)  # entity -> senders
    for st in conn.execute(select(statements.c.entity_id, statements.c.canonical_id,
                                  statements.c.source_id).where(
            statements.c.case_id == case_id,
            statements.c.source_id.in_(list(sender))).distinct()):
        parties_of[st.entity_id].add(sender[st.source_id])
        parties_of[st.canonical_id].add(sender[st.source_id])
    reached: dict[int, set[str]] = defaultdict(set)
    ids = sorted(parties_of)
    for start in range(0, len(ids), CHUNK):
        for hit in conn.execute(select(audit_reads.c.seq, audit_reads.c.entity_id).where(
                audit_reads.c.entity_id.in_(ids[start:start + CHUNK]))):
            reached[hit.seq].add(hit.entity_id)
    out = []
    first = min(at for at, _ in arrived)
    # listings and exports of the whole case record no reads: each one made after a
    # party's records came in reached them all
    for entry in conn.execute(select(audit).where(
            audit.c.case_id == case_id,
            audit.c.seq.in_(list(reached)) | (audit.c.action.in_(BULK_READS)
                                              & (audit.c.at >= first)))
            .order_by(audit.c.seq)).mappings():
        entities = reached.get(entry["seq"], set())
        if entities:
            parties = sorted({p for e in entities for p in parties_of[e]})
        else:
            at = _aware(entry["at"])
            parties = sorted({p for when, p in arrived if when <= at})
            entities = {e for e, ps in parties_of.items() if set(parties) & ps}
        if parties:
            out.append(CrossRead(entry["seq"], entry["at"], entry["actor"], entry["action"],
                                 entry["purpose"], case, parties, len(entities)))
    return out


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive times (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe(jit: Jit) -> dict[str, Any]:
    """The JIT as plain values (for JSON output)."""
    return {"reference": jit.reference, "legal_basis": jit.legal_basis,
            "purpose": jit.purpose, "starts": jit.starts.isoformat(),
            "ends": jit.ends.isoformat(), "active": jit.active(),
            "action_plan": jit.action_plan, "parties": [list(p) for p in jit.parties],
            "cases": jit.cases}
