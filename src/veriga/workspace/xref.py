"""``ws.xref``: cross-referencing cases: the entities they share and the candidate matches.

Two (or more) cases the user may read are compared as the user sees each of them: hidden
sources and entities left out, a share of selected records kept to those records, and for a
restricted reader (an NGO member) every case minimised on its own, its protected people
(pseudonymised) left out of the comparison altogether, so that nothing joins a pseudonym to
a name. An entity is *shared* when one record (entity id) is in both cases (the same file
imported in both, say); a *candidate match* is a person or company of one case that is
probably one of the other, scored by entity resolution (:mod:`veriga.resolve`) on the records
of both cases together, cross-case pairs only. Each case's read is audited in that case, with
the cases it was cross-referenced with. A case the user may not read fails as a case that
does not exist, before anything is read.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.model import EntityProxy, model
from veriga.resolve.family import Resolution
from veriga.resolve.link import COMPARISONS, LinkSettings, link
from veriga.resolve.records import build_records
from veriga.workspace.context import CaseAccess, PermissionDenied, no_such_case
from veriga.workspace.part import Part

#: The schemata whose entities may be shared: people, companies, accounts, addresses,
#: vehicles, documents... (not payments or ownerships: the links between them).
THINGS = tuple(sorted(s.name for s in model.schemata.values() if s.is_a("Thing")))
#: What is read: those, and what resolution joins to its records (ownerships of accounts).
READ = tuple(sorted(set(THINGS) | set(Resolution.schemata)))
#: Separates a case's index from a record id in the linked records (ids never hold it).
SEP = "\x1f"


@dataclass(frozen=True)
class Side:
    """An entity as one case shows it to the user."""

    case: str
    entity_id: str
    schema: str
    name: str


@dataclass(frozen=True)
class Shared:
    """One entity in two cases: the records (entity ids) both hold."""

    left: Side
    right: Side
    records: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A record of one case that is probably a record of the other."""

    left: Side
    right: Side
    kind: str  # person | company
    probability: float
    weight: float  # match weight (log2 of the odds)
    levels: dict[str, str]  # comparison -> level ("exact", "different", "missing" ...)
    weights: dict[str, float]  # comparison -> that level's weight

    @property
    def agreed(self) -> builtins.list[str]:
        """The comparisons that spoke for the match, heaviest first."""
        return sorted((c for c, w in self.weights.items() if w > 0),
                      key=lambda c: -self.weights[c])

    @property
    def differed(self) -> builtins.list[str]:
        return sorted((c for c, w in self.weights.items() if w < 0),
                      key=lambda c: self.weights[c])


@dataclass
class Xref:
    """What cross-referencing the cases found."""

    cases: builtins.list[str]
    shared: builtins.list[Shared] = field(default_factory=list)
    candidates: builtins.list[Candidate] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)  # people and companies per case


@dataclass
class _Read:
    """One case as the user sees it, ready to compare."""

    name: str
    shown: dict[str, EntityProxy]  # shown id -> entity (minimised), pseudonymised left out
    record_of: dict[str, str]  # record (entity id) -> the shown id of its entity
    records_of: dict[str, set[str]]  # shown id -> its records
    real: set[str]  # every entity id reached (audited)


class XrefPart(Part):
    def compare(self, cases: Sequence[str], min_probability: float = 0.5,
                engine: str = "duckdb") -> Xref:
        """Cross-reference ``cases`` (two or more names): shared entities and candidate
        matches at or above ``min_probability``, best first."""
        names = builtins.list(dict.fromkeys(c.strip() for c in cases if c.strip()))
        if len(names) < 2:
            raise VerigaError("cross-referencing needs two different cases")
        if not 0.0 < min_probability <= 1.0:
            raise VerigaError("the match probability is between 0 and 1")
        for name in names:  # every case first: nothing is read of any before all may be
            self.check(name)
        read = [self._read(name, [n for n in names if n != name]) for name in names]
        out = Xref(names)
        for i, a in enumerate(read):
            for b in read[i + 1:]:
                out.shared += _shared(a, b)
        out.candidates, out.records = _candidates(read, min_probability, engine)
        return out

    def check(self, case: str) -> None:
        """Raise unless the user may read the case's entities; a case they may not read
        fails as one that does not exist."""
        try:
            self.ws.cases.check(case, Op.ENTITY_READ)
        except PermissionDenied:
            raise no_such_case(case) from None

    def export(self, result: Xref, target: str) -> builtins.list[dict[str, Any]]:
        """The candidate matches as rows to take out of the tool (``target``, a file name):
        only for a user allowed to export from every case; audited as an export in each."""
        for name in result.cases:
            self.ws.cases.check(name, Op.EXPORT)
        rows = [_row(c) for c in result.candidates]
        for name in result.cases:
            with self.ws.case(name, Op.EXPORT) as access:
                ids = {s.entity_id for c in result.candidates for s in (c.left, c.right)
                       if s.case == name}
                real = {access.real_id(i) for i in ids}
                access.audit("export", target, format="xref candidates", rows=len(rows),
                             with_cases=[n for n in result.cases if n != name], reads=real)
        return rows

    def _read(self, name: str, others: builtins.list[str]) -> _Read:
        """The case's entities as the user sees them, read and audited in one access."""
        with self.ws.case(name, Op.ENTITY_READ) as access:
            out = _Read(name, {}, {}, {}, set())
            raw = self.ws.store.iter_entities(
                access.conn, access.case_id, READ, exclude_sources=access.hidden_sources,
                only_ids=access.only_ids)
            merged = set(access.canonical_of.values())
            for proxy in raw:
                real = proxy.id or ""
                if not access.reachable(real):
                    continue
                records = self._records(access, real) if real in merged else {real}
                out.real |= records | {real}
                if access.minimiser is not None:
                    if access.minimiser.protection.protected(real):
                        continue  # a protected person is compared with nothing
                    proxy = access.minimiser.entity(proxy)
                out.shown[real] = proxy
                if proxy.schema.name in THINGS:
                    out.records_of[real] = records
                    out.record_of.update((record, real) for record in records)
            access.audit("case.xref", with_cases=others, reads=out.real)
        return out

    def _records(self, access: CaseAccess, canonical: str) -> set[str]:
        """The records of a merged entity the user may see (sources and shares apply)."""
        try:
            rows = self.ws.entity_rows(access, canonical)
        except NotFound:
            return set()
        return {str(r["entity_id"]) for r in rows}


def _side(read: _Read, shown_id: str) -> Side:
    proxy = read.shown[shown_id]
    return Side(read.name, shown_id, proxy.schema.name, proxy.caption)


def _shared(a: _Read, b: _Read) -> builtins.list[Shared]:
    """Entities of ``a`` and ``b`` holding one record (entity id) in common."""
    joined: dict[tuple[str, str], set[str]] = {}
    for record in a.record_of.keys() & b.record_of.keys():
        joined.setdefault((a.record_of[record], b.record_of[record]), set()).add(record)
    out = [Shared(_side(a, left), _side(b, right), tuple(sorted(records)))
           for (left, right), records in joined.items()]
    return sorted(out, key=lambda s: (_rank(s.left.schema), s.left.schema,
                                      s.left.name.casefold(), s.left.entity_id))


def _rank(schema: str) -> int:
    """People first, then companies and other parties, accounts, everything else."""
    for rank, parent in enumerate(("Person", "LegalEntity", "BankAccount")):
        if model[schema].is_a(parent):
            return rank
    return 3


def _candidates(read: builtins.list[_Read], min_probability: float, engine: str
                ) -> tuple[builtins.list[Candidate], dict[str, int]]:
    """Resolution on the records of every case together; the pairs across cases that are
    not one shared record, best first."""
    tables = []
    counts: dict[str, int] = {}
    for i, case in enumerate(read):
        table = build_records(p for p in case.shown.values()
                              if p.schema.is_a("LegalEntity") or p.schema.name in
                              Resolution.schemata)
        counts[case.name] = table.num_rows
        ids = [f"{i}{SEP}{r}" for r in table.column("record_id").to_pylist()]
        tables.append(table.set_column(0, "record_id", pa.array(ids, pa.string())))
    records = pa.concat_tables(tables)
    if records.num_rows < 2:
        return [], counts
    settings = LinkSettings(pair_threshold=min(min_probability, LinkSettings.pair_threshold))
    pairs = link(records, engine, settings).pairs
    out: builtins.list[Candidate] = []
    for pair in pairs.to_pylist():
        (li, left), (ri, right) = (_split(pair["left_id"]), _split(pair["right_id"]))
        if li == ri or pair["match_probability"] < min_probability:
            continue
        a, b = (read[li], left), (read[ri], right)
        if li > ri:
            a, b = b, a
        if _in_other(a, read) or _in_other(b, read):
            continue  # a record in both cases is shared; what it matches, each case's own
        out.append(Candidate(
            _side(*a), _side(*b), pair["kind"], float(pair["match_probability"]),
            float(pair["match_weight"]),
            {c: pair[f"{c}_level"] for c in COMPARISONS},
            {c: float(pair[f"{c}_weight"] or 0.0) for c in COMPARISONS}))
    out.sort(key=lambda c: (-c.probability, c.left.case, c.left.name.casefold(),
                            c.right.name.casefold()))
    return out, counts


def _split(record_id: str) -> tuple[int, str]:
    index, _, rest = record_id.partition(SEP)
    return int(index), rest


def _in_other(side: tuple[_Read, str], read: builtins.list[_Read]) -> bool:
    """Whether a record of this entity is in another of the cases too."""
    case, shown = side
    records = case.records_of.get(shown, set())
    return any(other is not case and not records.isdisjoint(other.record_of)
               for other in read)


def _row(c: Candidate) -> dict[str, Any]:
    """A candidate as one row of a table (CSV)."""
    row: dict[str, Any] = {
        "left_case": c.left.case, "left_id": c.left.entity_id, "left_name": c.left.name,
        "right_case": c.right.case, "right_id": c.right.entity_id,
        "right_name": c.right.name, "kind": c.kind,
        "match_probability": round(c.probability, 6), "match_weight": round(c.weight, 3),
    }
    row.update({f"{k}_level": v for k, v in c.levels.items()})
    return row

