"""Checks across the entities of an import: reported as rejects, never fatal, nothing dropped.

- **Duplicate registration numbers**: one registration or VAT number of one country on two
  different entities of one file (two register entries of one number) is reported on the
  second one's line; both entities keep every value.
- **Circular ownership**: ownership edges (``Ownership``: owner -> asset) that close a cycle,
  within a file or with the files imported before it in the same run (BODS statements,
  register extracts), are reported once, on the line of the edge that closed it; every
  statement is kept (cross-holdings exist, and a cycle in a register may be an error or a
  scheme: an investigator decides).
- **Dates in an impossible order**: a company dissolved before it was incorporated, an
  interval (employment, contract award, trip) that ends before it starts; both dates kept.
- **Invoices from or to unknown companies**: at the end of an import run, each invoice party
  whose registration number no company of the case has (after the run's own register
  extracts) is reported on the invoice's line; the invoice is kept. A case without any
  registered company (invoices imported before the register) is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.compute as pc

from veriga.ingest.base import Draft, ImportContext, Reject
from veriga.model import model

#: Cycles longer than this are not searched for (a register of a million companies).
MAX_CYCLE = 8
#: Dates that must come in this order on one entity.
DATE_PAIRS = (("incorporationDate", "dissolutionDate"), ("startDate", "endDate"))
ORDERED_DATES = {d for pair in DATE_PAIRS for d in pair}
#: Names kept to show the entities of a cycle (the rest are shown by id).
MAX_NAMES = 200_000


@dataclass
class RunChecks:
    """Shared by the files of one import run (kept in the context's ``run_state``)."""

    ownership: nx.DiGraph = field(default_factory=nx.DiGraph)
    names: dict[str, str] = field(default_factory=dict)
    reported: set[frozenset[str]] = field(default_factory=set)


@dataclass
class FileChecks:
    """Observes the drafts of one file; :meth:`finish` reports what it found."""

    ctx: ImportContext
    #: "prop|country|number" -> (hash of the entity id, locator): small for a big register
    numbers: dict[str, tuple[int, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # owner, asset, locator

    @property
    def run(self) -> RunChecks:
        found = self.ctx.run_state.get("checks")
        if not isinstance(found, RunChecks):
            found = self.ctx.run_state["checks"] = RunChecks()
        return found

    def draft(self, draft: Draft, rows: list[dict[str, Any]]) -> None:
        """Look at one draft and the statement rows it gave."""
        schema = model.get(draft.schema)
        if schema is None:
            return
        self._order(draft, rows)
        if schema.is_a("Ownership"):
            owners = [v for p, v in draft.values if p == "owner"]
            assets = [v for p, v in draft.values if p == "asset"]
            for owner in owners:
                for asset in assets:
                    self.edges.append((owner, asset, draft.locator))
            return
        if not schema.is_a("LegalEntity"):
            return
        names = self.run.names
        if draft.id not in names and len(names) < MAX_NAMES:
            name = next((v for p, v in draft.values if p == "name"), None)
            if name:
                names[draft.id] = name
        if schema.is_a("Person"):
            return
        country = next((r["value"].upper() for r in rows
                        if r["prop"] in ("jurisdiction", "country")), "")
        for row in rows:
            if row["prop"] not in ("registrationNumber", "vatCode"):
                continue
            key = f"{row['prop']}|{country}|{row['value']}"
            first = self.numbers.setdefault(key, (hash(draft.id), draft.locator))
            if first[0] != hash(draft.id):
                self.ctx.reject(
                    draft.locator, row["prop"], row["value"],
                    f"duplicate {_label(row['prop'])}: also on {first[1]} for another "
                    f"entity{' of ' + country if country else ''}; both kept")

    def _order(self, draft: Draft, rows: list[dict[str, Any]]) -> None:
        """A company dissolved before it was founded, an interval that ends before it
        starts: reported on the draft's line, both dates kept."""
        dates: dict[str, list[str]] = {}
        for row in rows:
            if row["prop"] in ORDERED_DATES:
                dates.setdefault(row["prop"], []).append(row["value"])
        for first, then in DATE_PAIRS:
            for start in dates.get(first, ()):
                for end in dates.get(then, ()):
                    n = min(len(start), len(end))
                    if end[:n] < start[:n]:
                        self.ctx.reject(draft.locator, then, end,
                                        f"{then} {end} is before {first} {start}: an "
                                        "impossible order of dates; both kept")

    def finish(self) -> None:
        """Report the ownership cycles this file's edges closed."""
        if not self.edges:
            return
        run = self.run
        graph = run.ownership
        locators: dict[tuple[str, str], str] = {}
        for owner, asset, locator in self.edges:
            graph.add_edge(owner, asset)
            locators.setdefault((owner, asset), locator)
        # a cycle this file closed runs through one of its edges, owner -> asset, and on
        # from the asset: an asset that owns nothing (a bank account) closes none
        if not any(graph.out_degree(asset) for _owner, asset in locators):
            return
        touched = {n for edge in locators for n in edge}
        # so all of such a cycle can be reached from the file's edges: only that part of
        # the run's graph is searched (not the whole graph again for every file of a run of
        # thousands)
        reach: set[str] = set()
        for node in touched:
            if node not in reach:  # else its descendants are in already
                reach.add(node)
                reach |= nx.descendants(graph, node)
        sub_graph = graph.subgraph(reach)
        cyclic = [c for c in nx.strongly_connected_components(sub_graph) if len(c) > 1
                  or any(graph.has_edge(n, n) for n in c)]
        for component in cyclic:
            if not component & touched:
                continue
            sub = graph.subgraph(component)
            for cycle in nx.simple_cycles(sub, length_bound=MAX_CYCLE):
                key = frozenset(cycle)
                if key in run.reported:
                    continue
                pairs = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
                closing = next((locators[p] for p in reversed(pairs) if p in locators), None)
                if closing is None:  # a cycle of earlier files only: reported there
                    continue
                run.reported.add(key)
                path = " → ".join(run.names.get(n, n) for n in [*cycle, cycle[0]])
                self.ctx.reject(closing, "owner", path,
                                f"circular ownership ({len(cycle)} "
                                f"{'entity' if len(cycle) == 1 else 'entities'}): every "
                                "statement kept")


def _label(prop: str) -> str:
    return "VAT number" if prop == "vatCode" else "registration number"


# -- invoices whose parties are no company of the case -------------------------------------


def known_companies(conn: Any, case_id: str) -> set[str]:
    """``COUNTRY|NUMBER`` (and ``|NUMBER`` for entities without a country) for every
    registration number a company of the case states (this run's statements included)."""
    from sqlalchemy import and_, select

    from veriga.store.schema import statements

    reg, where = statements.alias("reg"), statements.alias("loc")
    query = select(reg.c.value, where.c.value).select_from(reg.outerjoin(where, and_(
        where.c.case_id == reg.c.case_id, where.c.entity_id == reg.c.entity_id,
        where.c.prop.in_(("jurisdiction", "country"))))).where(
        reg.c.case_id == case_id, reg.c.prop == "registrationNumber")
    return {f"{(cc or '').upper()}|{number}" for number, cc in conn.execute(query)}


def unknown_parties(table: pa.Table, known: set[str]) -> list[Reject]:
    """One reject per invoice party whose registration number no company of the case has
    (the invoice is kept); parties named without a number are not checked."""
    if not known:  # no register in the case (yet): nothing to check against
        return []
    numbers_arr = pa.array(sorted({k.split("|", 1)[1] for k in known}), pa.string())
    known_arr = pa.array(sorted(known), pa.string())
    out: list[Reject] = []
    for side in ("supplier", "buyer"):
        reg, cc = table[f"{side}_reg"], pc.fill_null(table[f"{side}_country"], "")
        found = pc.or_(pc.is_in(pc.binary_join_element_wise(cc, reg, "|"), known_arr),
                       pc.is_in(pc.binary_join_element_wise("", reg, "|"), known_arr))
        loose = pc.and_(pc.equal(cc, ""), pc.is_in(reg, numbers_arr))
        missing = pc.and_(pc.is_valid(reg), pc.invert(pc.fill_null(pc.or_(found, loose), False)))
        rows = table.filter(missing)
        for locator, number, country in zip(rows["locator"].to_pylist(),
                                            rows[f"{side}_reg"].to_pylist(),
                                            rows[f"{side}_country"].to_pylist(), strict=True):
            where = f" of {country}" if country else ""
            out.append(Reject(locator, f"{side}_reg", number,
                              f"the {side} is no company of the case (no company{where} "
                              "with this registration number); invoice kept"))
    return out
