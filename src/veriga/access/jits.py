"""Joint investigation teams as the access layer sees them: the records another party
contributed under a JIT may be read during the JIT's period only.

A source that came in an exchange package carries its ``origin`` (sender, package, legal
basis; with ``jit``, the reference of the JIT it was sent under). Once that JIT has ended,
its sources are withheld from every reader of the case until the JIT is extended (a new
legal basis, :func:`veriga.workspace.jits.Jits.extend`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from veriga.store.schema import jits, sources


def origin_of(row: Any) -> dict[str, Any]:
    """A source's origin as a dict (empty for the case's own files)."""
    return row if isinstance(row, dict) else {}


def ended_jit_sources(conn: Connection, case_id: str, today: date | None = None
                      ) -> dict[str, str]:
    """Sources of the case received under a JIT that has ended: source id -> reference."""
    rows = conn.execute(select(sources.c.id, sources.c.origin).where(
        sources.c.case_id == case_id, sources.c.origin.is_not(None))).all()
    under = {r.id: str(origin_of(r.origin).get("jit") or "") for r in rows}
    under = {s: ref for s, ref in under.items() if ref}
    if not under:
        return {}
    day = (today or date.today()).isoformat()
    ends = {r.reference: r.ends for r in conn.execute(select(jits.c.reference, jits.c.ends)
                                                      .where(jits.c.reference.in_(
                                                          set(under.values()))))}
    # a JIT this installation does not know (yet) has no period to read: withheld too
    return {s: ref for s, ref in under.items() if ref not in ends or ends[ref] < day}
