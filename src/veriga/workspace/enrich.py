"""``ws.enrich``: what the user's other cases know of one entity, and taking it in.

As a transform of a link-analysis tool does, an entity of one case (a person, a company, an
account...) is looked up in every other case the user may read: company registers,
ownership data or sanctions lists imported there (a *reference case* is just such a case,
shared with those who may use it), and earlier investigations. A candidate is an entity
there with the same identifier (registration number, IBAN, phone, e-mail) or the same name
(spelling, order, script and diacritics aside); it is shown with why it matched, what would
differ, and the values it holds that this entity lacks, each with the file it comes from.

Taking values in imports them as a small file of their own (FtM JSON) into this case, named
after the case and entity they come from, under the strictest handling code of the files
they were read from: every view shows them with that provenance, the import and the reads
are audited in both cases. Material that may not be passed on (H2, H3, or kept to some
organisations) is only taken into a case of the organisation that may see it.

Enrichment is for readers who see both cases whole and in clear: a pseudonym is never
looked up, and nothing is read in a case where something is withheld from the user. Only
cases of one kind meet: a training case's synthetic people never enter an investigation,
nor real people a training case.
"""

from __future__ import annotations

import builtins
import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney.schema import Schema
from sqlalchemy import func, or_, select

from veriga.access import cases as case_access
from veriga.access.handling import Code, Handling
from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.model import EntityProxy, model
from veriga.model.ids import make_id
from veriga.resolve.names import company_key, person_key
from veriga.store.schema import statements
from veriga.workspace.context import CaseAccess, PermissionDenied
from veriga.workspace.part import Part

#: Property types whose values identify a thing on their own.
IDENTIFYING = ("identifier", "iban", "phone", "email")
#: Values never offered: ids, internal links and what the store adds.
SKIPPED_TYPES = ("entity",)
SKIPPED_PROPS = ("id", "sourceUrl", "indexText", "previousName")
#: Candidates shown for one entity, best first.
LIMIT = 20
#: Links of one candidate listed (and offered to take in).
MAX_RELATED = 30
_WORDS = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Value:
    """A value the candidate holds and the entity lacks, with the files stating it."""

    prop: str
    label: str
    value: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class Related:
    """An entity linked to a candidate in its case (a company's director, a person's
    employer...): the link and the other end, with the files stating the link."""

    link_id: str
    link_schema: str
    other_id: str
    other_caption: str
    other_schema: str
    files: tuple[str, ...]


@dataclass
class Candidate:
    """An entity of another case that is probably this one."""

    case: str
    entity_id: str
    schema: str
    caption: str
    score: float
    #: the identifying values both hold, as (property, value)
    matched: list[tuple[str, str]]
    same_name: bool
    #: what the two state differently where one value is expected: (property, here, there)
    differences: list[tuple[str, str, str]]
    new: list[Value] = field(default_factory=list)
    handling: str = "H0"
    #: who or what it is linked to there (directors, owners, employers...)
    related: list[Related] = field(default_factory=list)
    #: whether its values may be taken into this case (the handling allows it)
    takeable: bool = True

    @property
    def reasons(self) -> list[str]:
        """Why it is a candidate, in words (the web page says it in the reader's language)."""
        return [f"same {p} {v}" for p, v in self.matched] + (
            ["same name"] if self.same_name else [])


@dataclass
class Lookup:
    """The entity looked up and the candidates found, with the cases searched."""

    entity_id: str
    caption: str
    schema: str
    searched: list[str]
    skipped: list[str]
    candidates: list[Candidate]


def _schema(name: str) -> Schema:
    found = model.get(name)
    if found is None:
        raise NotFound(f"no schema {name!r}")
    return found


def _name_key(schema: str, name: str) -> str | None:
    key = person_key(name) if _schema(schema).is_a("Person") else company_key(name)
    return key.key


def _keys(proxy: EntityProxy) -> tuple[set[str], set[str], set[str]]:
    """The entity's identifying values, name keys and the words to look names up by."""
    ids: set[str] = set()
    for prop, value in proxy.itervalues():
        if prop.type.name in IDENTIFYING and len(value) >= 4:
            ids.add(value)
    names = {v for p, v in proxy.itervalues() if p.type.name == "name"}
    keys = {k for n in names if (k := _name_key(proxy.schema.name, n))}
    words = {w.casefold() for n in names for w in _WORDS.findall(n)}
    return ids, keys, words


class Enrich(Part):
    def available(self, case: str) -> bool:
        """Whether the user may look the case's entities up in other cases (reads nothing)."""
        try:
            with self.ws.case(case, Op.ENTITY_READ) as access:
                return access.sees_all
        except (PermissionDenied, NotFound):
            return False

    def lookup(self, case: str, entity_id: str, limit: int = LIMIT) -> Lookup:
        """Candidates for ``entity_id`` (as the user sees it) in the user's other cases."""
        proxy, owner, kind = self._home(case, entity_id, Op.ENTITY_READ)
        ids, keys, words = _keys(proxy)
        searched, skipped, found = [], [], []
        for other in self.ws.cases.list():
            if other["name"] == case or other["kind"] != kind:
                continue  # synthetic training data and real data never meet
            try:
                with self.ws.case(other["name"], Op.ENTITY_READ) as access:
                    if not access.sees_all:
                        skipped.append(other["name"])
                        continue
                    searched.append(other["name"])
                    got = self._candidates(access, proxy, ids, keys, words, owner)
                    access.audit("entity.enrich.read", proxy.id, for_case=case,
                                 reads={c.entity_id for c in got} | {
                                     i for c in got for r in c.related
                                     for i in (r.link_id, r.other_id)})
                    found += got
            except (PermissionDenied, NotFound):
                continue
        found.sort(key=lambda c: (-c.score, c.case, c.caption.casefold()))
        found = found[:limit]
        with self.ws.case(case, Op.ENTITY_READ) as access:
            access.audit("entity.enrich", proxy.id, searched=searched, count=len(found),
                         reads={proxy.id or ""})
        return Lookup(proxy.id or "", proxy.caption, proxy.schema.name, searched, skipped,
                      found)

    def take(self, case: str, entity_id: str, other_case: str, other_id: str,
             values: Iterable[tuple[str, str]] | None = None,
             related: Iterable[str] = ()) -> dict[str, Any]:
        """Import the chosen ``(prop, value)`` pairs of ``other_id`` in ``other_case`` (all
        its new values when ``values`` is None) onto the entity, and the ``related`` links
        (by link id: a director, an owner...) with the entity at their other end, the link
        drawn to this entity; returns the import's result as a dict. Each value and link
        must be one the candidate holds as the user reads it."""
        proxy, owner, kind = self._home(case, entity_id, Op.IMPORT)
        with self.ws.case(other_case, Op.ENTITY_READ) as access:
            if access.case["kind"] != kind:
                raise PermissionDenied("values are taken only between cases of one kind: "
                                       "training data and real data never meet")
            if not access.sees_all:
                raise PermissionDenied(f"something in case {other_case!r} is withheld from "
                                       "you: its values cannot be taken")
            ids, keys, words = _keys(proxy)
            candidate = next((c for c in self._candidates(access, proxy, ids, keys, words,
                                                          owner, only=other_id)), None)
            if candidate is None:
                raise NotFound(f"{other_id!r} of case {other_case!r} is not a candidate for "
                               "this entity")
            offered = {(v.prop, v.value): v for v in candidate.new}
            wanted = list(offered) if values is None else list(dict.fromkeys(values))
            missing = [w for w in wanted if w not in offered]
            if missing:
                raise VerigaError(f"not a new value of the candidate: {missing[0][0]} "
                                  f"{missing[0][1]!r}")
            links = {r.link_id: r for r in candidate.related}
            chosen = list(dict.fromkeys(related))
            unknown = [r for r in chosen if r not in links]
            if unknown:
                raise VerigaError(f"not a link of the candidate: {unknown[0]!r}")
            if not wanted and not chosen:
                raise VerigaError("nothing to take: no value or link chosen")
            if not candidate.takeable:
                raise PermissionDenied(
                    f"the files of case {other_case!r} these values come from are handled "
                    f"{candidate.handling}: they may not be passed on to this case")
            handling = self._handling(access, other_id)
            lines: list[dict[str, Any]] = []
            if wanted:
                properties: dict[str, list[str]] = {}
                for prop, value in wanted:
                    properties.setdefault(prop, []).append(value)
                lines.append({"id": proxy.id, "schema": proxy.schema.name,
                              "properties": properties})
            reached = {other_id}
            for link_id in chosen:
                link, end = self._link_lines(access, links[link_id], other_id, proxy.id or "")
                for part in (links[link_id].link_id, links[link_id].other_id):
                    part_handling = self._handling(access, part)
                    if not _passable(part_handling, access.case.get("owner_org_id"), owner):
                        raise PermissionDenied(
                            f"{links[link_id].other_caption} is handled "
                            f"{part_handling.label} in case {other_case!r}: it may not be "
                            "passed on to this case")
                    handling.merge(part_handling)
                    reached.add(part)
                lines += [end, link]
            access.audit("entity.enrich.read", other_id, for_case=case, taken=len(wanted),
                         links=len(chosen), reads=reached)
        return self._import(case, other_case, candidate, lines, handling)

    def _link_lines(self, access: CaseAccess, related: Related, candidate: str, local: str
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """FtM lines of a related link, drawn to ``local`` instead of the candidate, and of
        the entity at its other end (their references to further entities left out)."""
        found = {p.id: p for p in self.ws.fetch(access, [related.link_id, related.other_id])}
        link, end = found.get(related.link_id), found.get(related.other_id)
        if link is None or end is None:
            raise NotFound("the link is no longer in that case")
        ends = {p for p in (link.schema.edge_source, link.schema.edge_target) if p}
        properties: dict[str, list[str]] = {}
        for prop, value in link.itervalues():
            if prop.type.name == "entity" and prop.name not in ends:
                continue
            if prop.name in ends:
                value = local if access.canonical_of.get(value, value) == candidate else \
                    access.canonical_of.get(value, value)
            properties.setdefault(prop.name, []).append(value)
        link_line = {"id": make_id("enrichment", related.link_id, local),
                     "schema": link.schema.name, "properties": properties}
        end_properties: dict[str, list[str]] = {}
        for prop, value in end.itervalues():
            if prop.type.name != "entity":
                end_properties.setdefault(prop.name, []).append(value)
        return link_line, {"id": related.other_id, "schema": end.schema.name,
                           "properties": end_properties}

    # -- reading ---------------------------------------------------------------------

    def _home(self, case: str, entity_id: str, op: Op
              ) -> tuple[EntityProxy, str | None, str]:
        with self.ws.case(case, op) as access:
            if not access.sees_all:
                raise PermissionDenied("enrichment is for readers who see the whole case in "
                                       "clear")
            found = self.ws.fetch(access, [entity_id])
            if not found or not found[0].schema.is_a("Thing"):
                raise NotFound(f"no entity {entity_id!r} to enrich in case {case!r}")
            return found[0], access.case.get("owner_org_id"), access.case["kind"]

    def _candidates(self, access: CaseAccess, proxy: EntityProxy, ids: set[str],
                    keys: set[str], words: set[str], owner: str | None,
                    only: str | None = None) -> builtins.list[Candidate]:
        conn, case_id = access.conn, access.case_id
        matched: dict[str, set[str]] = {}
        if ids:
            query = select(statements.c.canonical_id, statements.c.value).where(
                statements.c.case_id == case_id, statements.c.prop_type.in_(IDENTIFYING),
                statements.c.value.in_(sorted(ids)))
            for canonical, value in conn.execute(query):
                matched.setdefault(canonical, set()).add(value)
        by_name: set[str] = set()
        if keys and words:
            likes = [f"%{w}%" for w in sorted(words, key=len, reverse=True)[:3]]
            query = select(statements.c.canonical_id, statements.c.schema,
                           statements.c.value).where(
                statements.c.case_id == case_id, statements.c.prop_type == "name",
                or_(*[func.lower(statements.c.value).like(x) for x in likes],
                    *[func.lower(statements.c.latin).like(x) for x in likes])).limit(5000)
            for row in conn.execute(query):
                if _comparable(proxy.schema.name, row.schema) \
                        and _name_key(row.schema, row.value) in keys:
                    by_name.add(row.canonical_id)
        wanted = (matched.keys() | by_name) - {proxy.id or ""}
        if only is not None:
            wanted &= {only}
        out = []
        sources = case_access.source_handling(conn, case_id)
        entity_codes = case_access.entity_handling_map(conn, case_id, access.canonical_of)
        for other in self.ws.fetch(access, wanted):
            oid = other.id or ""
            if not _comparable(proxy.schema.name, other.schema.name) and oid not in matched:
                continue
            agreed = sorted((_prop(other, v), v) for v in matched.get(oid, ()))
            differences = _differences(proxy, other)
            score = 0.95 if oid in matched else 0.75
            score += 0.04 * len(_agreements(proxy, other)) - 0.3 * len(differences)
            rows = self.ws.entity_rows(access, oid)
            handling = _merged(rows, sources, entity_codes.get(oid))
            out.append(Candidate(
                access.case["name"], oid, other.schema.name, other.caption,
                round(max(0.05, min(score, 0.99)), 2), agreed, oid in by_name,
                differences, _new_values(proxy, other, rows), handling.label,
                related=self._related(access, oid),
                takeable=_passable(handling, access.case.get("owner_org_id"), owner)))
        return out

    def _related(self, access: CaseAccess, entity_id: str) -> builtins.list[Related]:
        """The links to ``entity_id`` in its case (ownerships, directorships, family...)
        with the entity at their other end, as the user sees them."""
        store, canonical = self.ws.store, access.canonical_of
        linking = store.linked_ids(access.conn, access.case_id, {entity_id},
                                   access.hidden_sources)
        links = [p for p in self.ws.fetch(access, linking) if p.schema.edge]
        other_end: dict[str, str] = {}
        for link in sorted(links, key=lambda p: (p.schema.name, p.id or ""))[:MAX_RELATED]:
            ends = [canonical.get(v, v) for prop in (link.schema.edge_source,
                                                     link.schema.edge_target)
                    if prop for v in link.get(prop)]
            other = next((e for e in ends if e != entity_id), None)
            if other is not None and entity_id in ends:
                other_end[link.id or ""] = other
        others = {p.id: p for p in self.ws.fetch(access, set(other_end.values()))}
        by_id = {p.id: p for p in links}
        out = []
        for link_id, other in other_end.items():
            if other not in others:
                continue
            files = store.source_files(access.conn, access.case_id, [link_id],
                                       exclude_sources=access.hidden_sources)
            out.append(Related(link_id, by_id[link_id].schema.name, other,
                               others[other].caption, others[other].schema.name,
                               tuple(files.get(link_id, []))))
        return out

    def _handling(self, access: CaseAccess, entity_id: str) -> Handling:
        sources = case_access.source_handling(access.conn, access.case_id)
        codes = case_access.entity_handling_map(access.conn, access.case_id,
                                                access.canonical_of)
        return _merged(self.ws.entity_rows(access, entity_id), sources, codes.get(entity_id))

    # -- taking in -------------------------------------------------------------------

    def _import(self, case: str, other_case: str, candidate: Candidate,
                lines: builtins.list[dict[str, Any]], handling: Handling) -> dict[str, Any]:
        from veriga.ingest import ImportRequest

        code = max(handling.codes, key=lambda c: list(Code).index(c))
        note = "; ".join([f"enrichment from case {other_case}, {candidate.caption}",
                          *handling.notes])
        with tempfile.TemporaryDirectory(prefix="veriga-enrich-") as tmp:
            path = Path(tmp) / _file_name(other_case, candidate.caption)
            path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n"
                                    for line in lines), encoding="utf-8")
            result = self.ws.records.import_files(
                case, [ImportRequest(path, format="ftm")], strict=True,
                handling=code.value, handling_orgs=sorted(handling.orgs or []) or None,
                handling_note=note)[0]
        return {"source_id": result.source_id, "file_name": path.name,
                "statements": result.statements, "handling": code.value}


def _merged(rows: Iterable[dict[str, Any]], sources: dict[str, Handling],
            own: Handling | None) -> Handling:
    """The strictest handling of an entity: that of every file stating it, and its own."""
    handling = Handling()
    for source in {r["source_id"] for r in rows}:
        handling.merge(sources.get(source, Handling()))
    handling.merge(own or Handling())
    return handling


def _file_name(case: str, caption: str) -> str:
    clean = re.sub(r"[^\w.-]+", "-", f"enrichment-{case}-{caption}", flags=re.UNICODE)
    return f"{clean.strip('-')[:120]}.ftm.json"


def _comparable(a: str, b: str) -> bool:
    """Whether entities of schemata ``a`` and ``b`` may be one (a person is no company)."""
    sa, sb = _schema(a), _schema(b)
    return sa.is_a(b) or sb.is_a(a) or (
        not sa.is_a("Person") and not sb.is_a("Person")
        and sa.is_a("LegalEntity") and sb.is_a("LegalEntity"))


def _prop(proxy: EntityProxy, value: str) -> str:
    """The property of ``proxy`` that holds the identifying ``value``."""
    for prop, v in proxy.itervalues():
        if v == value and prop.type.name in IDENTIFYING:
            return prop.name
    return "identifier"


SINGLE = ("birthDate", "deathDate", "incorporationDate", "gender")


def _agreements(a: EntityProxy, b: EntityProxy) -> list[str]:
    return [p for p in SINGLE + ("nationality", "country", "jurisdiction")
            if p in a.schema.properties and p in b.schema.properties
            and set(a.get(p)) & set(b.get(p))]


def _differences(a: EntityProxy, b: EntityProxy) -> list[tuple[str, str, str]]:
    """What the two state differently where one value is expected (a birth date...)."""
    out = []
    for prop in SINGLE:
        if prop not in a.schema.properties or prop not in b.schema.properties:
            continue
        mine, theirs = set(a.get(prop)), set(b.get(prop))
        if mine and theirs and not mine & theirs:
            out.append((prop, ", ".join(sorted(mine)), ", ".join(sorted(theirs))))
    return out


def _new_values(proxy: EntityProxy, other: EntityProxy,
                rows: Sequence[dict[str, Any]]) -> builtins.list[Value]:
    """The values of ``other`` that ``proxy``'s schema can hold and it does not have."""
    files: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        files.setdefault((row["prop"], row["value"]), set()).add(row["file_name"])
    have = {(p.name, v.casefold()) for p, v in proxy.itervalues()}
    out = []
    for prop, value in other.itervalues():
        if prop.type.name in SKIPPED_TYPES or prop.name in SKIPPED_PROPS or prop.stub:
            continue
        mine = proxy.schema.properties.get(prop.name)
        if mine is None or (prop.name, value.casefold()) in have:
            continue
        out.append(Value(prop.name, mine.label, value,
                         tuple(sorted(files.get((prop.name, value), ())))))
    return sorted(out, key=lambda v: (v.label, v.value))


def _passable(handling: Handling, provider: str | None, recipient: str | None) -> bool:
    """Whether material under ``handling`` of a case of ``provider`` may go into a case of
    ``recipient``: always within one organisation, else only what may be passed on to an
    organisation that may see it."""
    if provider == recipient:
        return True
    if recipient is None or not handling.visible_to(recipient, provider):
        return False
    return handling.disseminate
