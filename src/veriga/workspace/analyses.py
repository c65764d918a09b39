"""``ws.analyses``: run the analysis families of :mod:`veriga.analysis` on a case."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from veriga import analysis
from veriga.access.policy import Op
from veriga.errors import VerigaError
from veriga.workspace.context import CaseAccess, PermissionDenied
from veriga.workspace.part import Part


class Analyses(Part):
    def run(self, case: str, only: Sequence[str] | None = None, engine: str = "duckdb",
            params: Mapping[str, Any] | None = None, progress: analysis.Progress | None = None,
            save: bool = True) -> dict[str, analysis.Run]:
        """Run every family (or those named in ``only``) on the case; each replaces only its
        own unreviewed findings (those whose detector starts with its prefix), reviewed
        ones are kept. ``params`` by family name (defaults for those not given);
        ``progress`` is told ``family: step``; with ``save=False`` nothing is stored (a
        report reproducing a run). A run is stored only from a view of the whole case:
        a reader who sees it minimised or in part is refused before any work (their
        findings would name pseudonyms, or miss what they may not see, and replace
        everyone's), and may still run it without storing it."""
        chosen = analysis.chosen(only)
        for fam in chosen:
            if engine not in fam.engines:
                raise VerigaError(f"the {fam.name} analyses run on {', '.join(fam.engines)}, "
                                  f"not {engine}")
        if save:
            with self.ws.case(case, Op.ANALYZE) as access:
                whole(access)
        else:  # reproducing a run without storing it (a report) reads what the user sees
            self.ws.cases.check(case, Op.ENTITY_READ)
        runs: dict[str, analysis.Run] = {}
        for fam in chosen:
            told = None
            if progress is not None:
                def told(step: str, done: int, total: int, name: str = fam.name) -> None:
                    progress(f"{name}: {step}", done, total)
            given = (params or {}).get(fam.name)
            eng = self.ws.records.engine(case, engine)
            try:
                inputs = analysis.Inputs(case, eng, lambda s: self.ws.entities.list(case, s),
                                         engine)
                run = fam.run(inputs, given if given is not None else fam.params(), told)
            finally:
                eng.close()
            runs[fam.name] = run
            if save:
                with self.ws.case(case, Op.ANALYZE) as access:
                    whole(access)
                    added, removed = self.ws.store.replace_findings(
                        access.conn, access.case_id, fam.prefix, run.findings)
                    access.audit("finding.create", family=fam.name, count=added,
                                 removed=removed, engine=engine)
        return runs

    def export_rows(self, case: str, family: str, rows: Iterable[Mapping[str, Any]],
                    entity_ids: Iterable[str], target: str) -> builtins.list[dict[str, Any]]:
        """Rows a run left (resolution's scored pairs, say) as the user may take them out of
        the tool: only for a user allowed to export from the case; every text, ids
        included, minimised for a restricted reader (a protected person's records by
        pseudonym id); audited as an export to ``target`` (a file name) with every entity
        the rows name (``entity_ids``, as the run saw them)."""
        with self.ws.case(case, Op.EXPORT) as access:
            seen = set(entity_ids)
            real = {access.minimiser.real_id(i) for i in seen} if access.minimiser else seen
            out = [dict(row) for row in rows]
            access.audit("export", target, format=f"{family} rows", rows=len(out), reads=real)
        return builtins.list(access.shown(out))


def whole(access: CaseAccess) -> None:
    """Refuse to store findings made from a view that is not the whole case (PermissionDenied,
    saying why): they would rest on pseudonyms or on part of the records, and a stored run
    replaces the unreviewed findings of everyone who works on the case."""
    why = access.partial()
    if why is not None:
        raise PermissionDenied(
            f"findings are not stored from your view of case {access.case['name']!r}: {why}. "
            "A stored run replaces the unreviewed findings everyone reviews, so it is made "
            "from the whole case only: run it without storing (--no-save) to read its "
            "results, or ask an investigator of the case's owner to run it")
