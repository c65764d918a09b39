"""Is the store whole? Sources against their bulk files and statements, and no bulk file
without a committed source (the checks behind ``veriga check``)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import func, select

from veriga.store.bulk import BulkStore, source_of
from veriga.store.originals import Originals
from veriga.store.schema import rejects, sources, statements
from veriga.store.store import Store

#: A kept file younger than this may belong to an import still running.
RUNNING_IMPORT_SECONDS = 3600


@dataclass
class IntegrityReport:
    """What was checked, what was repaired, and one line per problem found."""

    sources: int = 0
    bulk_files: int = 0
    statements: int = 0
    recovered: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def committed_sources(store: Store, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` of sources committed to the store."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    with store.begin() as conn:
        for start in range(0, len(wanted), 500):
            query = select(sources.c.id).where(sources.c.id.in_(wanted[start : start + 500]))
            found.update(r[0] for r in conn.execute(query))
    return found


def recover_bulk(store: Store, bulk: BulkStore) -> list[str]:
    """Clean up after interrupted imports (see :class:`BulkStore`); one line per file."""
    return bulk.recover(lambda ids: committed_sources(store, ids))


def check_store(store: Store, bulk: BulkStore, repair: bool = False,
                originals: Originals | None = None,
                kept_formats: Iterable[str] = ()) -> IntegrityReport:
    """Every source's bulk files exist and hold its record count, its statements and
    rejects are all there, and no bulk file lacks a committed source. Interrupted imports
    are cleaned up first; with ``repair``, orphaned bulk files are deleted too. With
    ``originals``, every source of a format in ``kept_formats`` has its file kept, whole and
    unchanged (its SHA-256), and no kept file lacks a committed source."""
    report = IntegrityReport(recovered=recover_bulk(store, bulk))
    on_disk = bulk.files()  # listed before the store is read: see _orphans
    running = bulk.live_files()
    with store.begin() as conn:
        rows = [dict(r) for r in conn.execute(select(
            sources.c.id, sources.c.case_id, sources.c.file_name, sources.c.bulk,
            sources.c.statement_count, sources.c.record_count, sources.c.reject_count,
        )).mappings()]
        counted: dict[str, int] = dict(conn.execute(select(statements.c.source_id, func.count())
                                    .group_by(statements.c.source_id)).all())
        rejected: dict[str, int] = dict(conn.execute(select(rejects.c.source_id, func.count())
                                     .group_by(rejects.c.source_id)).all())
    report.sources = len(rows)
    report.statements = sum(counted.values())
    referenced: set[str] = set()
    for row in rows:
        report.problems.extend(_check_source(bulk, row, counted, rejected, referenced))
    report.bulk_files = len(referenced)
    for rel in on_disk:
        if rel in referenced or rel in running:
            continue
        if repair:
            bulk.path(rel).unlink(missing_ok=True)
            report.repaired.append(f"removed orphaned bulk file {rel}")
        else:
            report.problems.append(f"orphaned bulk file {rel}: no committed source "
                                   f"{source_of(rel)} refers to it (--repair removes it)")
    if originals is not None:
        _check_originals(store, originals, set(kept_formats), repair, report)
    return report


def _check_originals(store: Store, originals: Originals, formats: set[str], repair: bool,
                     report: IntegrityReport) -> None:
    """Kept files against the sources that keep them (see :mod:`veriga.store.originals`)."""
    with store.begin() as conn:
        rows = conn.execute(select(sources.c.id, sources.c.case_id, sources.c.file_name,
                                   sources.c.sha256, sources.c.format)).all()
    wanted: set[tuple[str, str]] = set()
    for source_id, case_id, file_name, sha, fmt in rows:
        wanted.add((case_id, sha))
        if fmt not in formats:
            continue
        name = f"source {source_id} ({file_name})"
        if not originals.has(case_id, sha):
            report.problems.append(f"{name}: the kept original file is missing")
        elif not originals.verify(case_id, sha):
            report.problems.append(f"{name}: the kept original file no longer has the "
                                   f"SHA-256 it was imported with ({sha})")
    if not originals.root.is_dir():
        return
    young = time.time() - RUNNING_IMPORT_SECONDS
    for folder in sorted(p for p in originals.root.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.stat().st_mtime > young:
                continue  # perhaps an import still running: it commits or removes it
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)  # a copy an interrupted import left behind
                report.recovered.append(f"removed unfinished kept file {folder.name}/"
                                        f"{path.name}")
            elif (folder.name, path.name) not in wanted:
                rel = f"{folder.name}/{path.name}"
                if repair:
                    path.unlink(missing_ok=True)
                    report.repaired.append(f"removed orphaned kept file {rel}")
                else:
                    report.problems.append(f"orphaned kept file {rel}: no committed source "
                                           "has its SHA-256 (--repair removes it)")


def _check_source(bulk: BulkStore, row: dict[str, Any], counted: dict[str, int],
                  rejected: dict[str, int], referenced: set[str]) -> list[str]:
    name = f"source {row['id']} ({row['file_name']})"
    problems: list[str] = []
    records = 0
    for kind, rel in (row["bulk"] or {}).items():
        referenced.add(rel)
        if rel != bulk.relative_path(row["case_id"], kind, row["id"]):
            problems.append(f"{name}: bulk file {rel} is not where {kind} records belong")
        path = bulk.path(rel)
        if not path.is_file():
            problems.append(f"{name}: bulk file {rel} is missing")
            continue
        try:
            records += pq.ParquetFile(path).metadata.num_rows
        except Exception as exc:  # noqa: BLE001 - any unreadable file is one problem line
            problems.append(f"{name}: bulk file {rel} is unreadable: "
                            f"{(str(exc).splitlines() or [type(exc).__name__])[0]}")
    if not problems and records != row["record_count"]:
        problems.append(f"{name}: {records} bulk records, the source says {row['record_count']}")
    if counted.get(row["id"], 0) != row["statement_count"]:
        problems.append(f"{name}: {counted.get(row['id'], 0)} statements, the source says "
                        f"{row['statement_count']}")
    if rejected.get(row["id"], 0) != row["reject_count"]:
        problems.append(f"{name}: {rejected.get(row['id'], 0)} rejects, the source says "
                        f"{row['reject_count']}")
    return problems
