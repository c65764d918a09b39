"""`veriga check`: is the store whole and the audit chain intact?"""

from __future__ import annotations

from typing import Annotated

import typer

from veriga.cli.common import console, err, workspace
from veriga.ingest.registry import importers
from veriga.store.integrity import check_store


def check(
    repair: Annotated[bool, typer.Option(
        help="Delete bulk and kept files that no committed source refers to.")] = False,
) -> None:
    """Check the store: every source's bulk files exist and hold its records, its
    statements are all there, no bulk file lacks a committed source, every kept original
    (a WARC) is there with its SHA-256, and the audit chain is intact. Cleans up after
    interrupted imports first. One line per problem; exit code 1 if there is any."""
    with workspace() as ws:
        chain = ws.audit.verify()
        kept = [fmt for fmt, importer in importers().items() if importer.keeps_original]
        report = check_store(ws.store, ws.bulk, repair=repair, originals=ws.originals,
                             kept_formats=kept)
    for line in report.recovered + report.repaired:
        err.print(line, highlight=False, markup=False)
    problems = list(report.problems)
    if not chain.ok:
        where = f" at entry {chain.seq}" if chain.seq is not None else ""
        problems.append(f"audit chain broken{where}: {chain.problem}")
    for line in problems:
        err.print(f"problem: {line}", highlight=False, markup=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"ok: {report.sources} sources, {report.bulk_files} bulk files, "
                  f"{report.statements} statements, audit chain of {chain.checked} entries "
                  "intact", highlight=False)
