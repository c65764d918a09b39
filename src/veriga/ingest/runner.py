"""Run imports: detect, parse, normalise, store and audit; all or nothing per run."""

from __future__ import annotations

import hashlib
import mimetypes
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.exc import IntegrityError, OperationalError

from veriga.errors import ImportFailed, VerigaError
from veriga.ingest import duck
from veriga.ingest.base import (
    Draft,
    EntityTable,
    ImportContext,
    Importer,
    Item,
    RecordBatch,
    Reject,
)
from veriga.ingest.checks import FileChecks, known_companies, unknown_parties
from veriga.ingest.guards import check_file_size
from veriga.ingest.limits import Limits, hint
from veriga.ingest.mapping import load_mapping
from veriga.ingest.normalise import draft_statements
from veriga.ingest.registry import detect_format, get_importer
from veriga.store import BulkStore, Store, new_id
from veriga.store.bulk import BulkRun, StagedWriter
from veriga.store.integrity import recover_bulk
from veriga.store.originals import KeptRun, Originals

FLUSH = 20_000
MAX_AUDITED_WARNINGS = 100  # warnings of one file written into its import audit entry
Progress = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    """What one file brought into the case."""

    source_id: str
    file_name: str
    format: str
    sha256: str
    entities: int = 0
    statements: int = 0
    records: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[Reject] = field(default_factory=list)  # kept as read, worth a look
    mapping: str | None = None  # "mapping" or "preset NAME" for CSV/XLSX


@dataclass
class ImportRequest:
    """One file to import. ``mapping`` may be ``preset:NAME``; ``account`` is the account a
    bank export belongs to when the file does not name it; ``options`` go to the importer
    (e.g. ``max_bytes``)."""

    path: Path
    format: str | None = None
    mapping: Path | None = None
    encoding: str | None = None
    country: str | None = None
    account: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_imports(
    store: Store,
    bulk: BulkStore,
    case_id: str,
    requests: Sequence[ImportRequest],
    actor: str,
    purpose: str | None,
    strict: bool = False,
    progress: Progress | None = None,
    source_values: dict[str, Any] | None = None,
    originals: Originals | None = None,
) -> list[ImportResult]:
    """Import every file in one transaction: if any file fails, nothing is stored.

    ``source_values`` are stored with every source (e.g. its handling code). Bulk files
    are staged and moved into place just before the commit (:class:`BulkRun`); files left
    by an interrupted import are cleaned up first. The files of importers that keep their
    original are copied into ``originals`` (removed again if the import fails)."""
    recover_bulk(store, bulk)
    run = bulk.begin()
    kept = originals.begin() if originals is not None else None
    results: list[ImportResult] = []
    run_state: dict[str, Any] = {}
    shas: dict[str, str] = {}
    try:
        with store.begin() as conn:
            # merges are not made by an import: read once for the run, not once per file;
            # so are the case's files (each new file is checked against them and the run's)
            run_state["canonical"] = {case_id: store.canonical_map(conn, case_id)}
            run_state["sources"] = {row["sha256"]: row
                                    for row in store.list_sources(conn, case_id)}
            # every write of the run on one thread, in order: a file is read while the one
            # before is written; the connection is the writer's until it has settled
            writer = Background(depth=WRITES_AHEAD)
            try:
                for req in requests:
                    result = _import_one(store, conn, run, case_id, req, actor, strict,
                                         progress, source_values or {}, run_state, shas,
                                         writer, kept)
                    results.append(result)
                writer.wait()
            finally:
                writer.stop()
            _check_invoice_parties(store, conn, case_id, results, run_state, strict)
            # audited last: an entry takes the audit chain's lock until the commit, and
            # every other writer of the server waits for it
            for result in results:
                store.audit(conn, actor=actor, action="import", case_id=case_id,
                            purpose=purpose, target=result.source_id, detail=_audited(result))
            run.publish()
    except (IntegrityError, OperationalError) as exc:
        run.abort()  # another import committed one of these files first?
        if kept is not None:
            kept.abort()
        raise _duplicate(store, case_id, shas) or exc from None
    except BaseException:
        run.abort()
        if kept is not None:
            kept.abort()
        raise
    run.finish()
    return results


def _audited(result: ImportResult) -> dict[str, Any]:
    """The audit entry's detail of one imported file."""
    detail: dict[str, Any] = {
        "file": result.file_name, "sha256": result.sha256, "format": result.format,
        "entities": result.entities, "statements": result.statements,
        "records": result.records, "rejects": len(result.rejects)}
    if result.warnings:  # kept as read; the audit is where they are kept
        detail["warnings"] = [w.render(result.file_name)
                              for w in result.warnings[:MAX_AUDITED_WARNINGS]]
    return detail


def _check_invoice_parties(store: Store, conn: Any, case_id: str,
                           results: list[ImportResult], run_state: dict[str, Any],
                           strict: bool) -> None:
    """Invoices whose parties are no company of the case (after every file of the run):
    reported on their lines, kept (in strict mode: the run fails)."""
    parties: dict[str, pa.Table] = run_state.pop("invoice_parties", {})
    if not parties:
        return
    known = known_companies(conn, case_id)
    for result in results:
        table = parties.get(result.source_id)
        if table is None:
            continue
        found = unknown_parties(table, known)
        if not found:
            continue
        if strict:
            lines = "\n".join(r.render(result.file_name) for r in found[:20])
            raise ImportFailed(f"{result.file_name}: {len(found)} invoice part(ies) are no "
                               f"company of the case, in strict mode; nothing was imported:"
                               f"\n{lines}")
        result.rejects.extend(found)
        store.add_rejects(conn, [
            {"case_id": case_id, "source_id": result.source_id, "locator": r.locator,
             "field": r.field, "value": r.value, "reason": r.reason} for r in found])
        store.update_source(conn, result.source_id, reject_count=len(result.rejects))


def _duplicate(store: Store, case_id: str, shas: dict[str, str]) -> ImportFailed | None:
    """The clear error for a file that another import committed while this one ran (the
    store's unique key on case and SHA-256 refused the second)."""
    with store.begin() as conn:
        for sha, name in shas.items():
            found = store.find_source(conn, case_id, sha)
            if found:
                return ImportFailed(
                    f"{name}: this exact file is already in the case as source {found['id']} "
                    f"(imported at the same time by {found['imported_by']}); nothing of this "
                    "import was stored")
    return None


def _import_one(
    store: Store, conn: Any, run: BulkRun, case_id: str, req: ImportRequest, actor: str,
    strict: bool, progress: Progress | None, source_values: dict[str, Any],
    run_state: dict[str, Any], shas: dict[str, str], writer: Background,
    kept: KeptRun | None = None,
) -> ImportResult:
    """Read one file and hand its writes to ``writer`` (the run's, in order); the case's
    files are ``run_state["sources"]``, by SHA-256."""
    path = req.path
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    limits = Limits.from_options(req.options)
    check_file_size(path.name, path, limits.max_bytes, "max_bytes")
    sha = sha256_file(path)
    shas[sha] = path.name
    known: dict[str, dict[str, Any]] = run_state["sources"]
    existing = known.get(sha)
    if existing and existing.get("withdrawn_at"):
        raise ImportFailed(
            f"{path.name}: this exact file was imported as source {existing['id']} and "
            f"withdrawn {existing['withdrawn_at']:%Y-%m-%d %H:%M} by "
            f"{existing['withdrawn_by']}; restore it ('veriga files --restore', or the files "
            "page) rather than import it again")
    if existing:
        raise ImportFailed(
            f"{path.name}: this exact file is already in the case as source {existing['id']} "
            f"(imported {existing['imported_at']:%Y-%m-%d %H:%M} by {existing['imported_by']})"
        )
    fmt, importer, mapping, ctx = _open(req, limits, progress, run_state)
    now = datetime.now(UTC)
    source_row = {
        "id": ctx.source_id, "case_id": case_id, "file_name": path.name, "sha256": sha,
        "size": path.stat().st_size,
        "media_type": mimetypes.guess_type(path.name)[0] or importer.media_type,
        "format": fmt, "importer": importer.name, "importer_version": importer.version,
        "mapping": mapping.text if mapping else None, "imported_by": actor,
        "imported_at": now, "entity_count": 0, "statement_count": 0, "record_count": 0,
        "reject_count": 0, "bulk": {}, **source_values,
    }
    known[sha] = source_row
    writer.run(store.add_source, conn, source_row)
    result = ImportResult(source_id=ctx.source_id, file_name=path.name, format=fmt,
                          sha256=sha, mapping=mapping.label if mapping else None)
    entities: set[str] = set()
    seen: set[str] = set()
    records = Records(ctx, run, case_id)
    try:
        for rows in _read(importer, ctx, fmt, case_id, now, entities, seen, records):
            add = store.add_statement_table if isinstance(rows, pa.Table) else \
                store.add_statements
            writer.run(add, conn, rows, canonical=run_state.get("canonical"))
        _finish(ctx, strict, entities, records)
        paths = records.close()
    except BaseException:
        records.abort()
        raise
    result.rejects = ctx.rejects
    result.warnings = ctx.warnings
    result.records = dict(records.counts)
    if records.parties:  # checked against the case's companies when the run ends
        run_state.setdefault("invoice_parties", {})[ctx.source_id] = pa.concat_tables(
            records.parties)
    writer.run(store.add_rejects, conn, [
        {"case_id": case_id, "source_id": ctx.source_id, "locator": r.locator,
         "field": r.field, "value": r.value, "reason": r.reason} for r in ctx.rejects
    ])
    result.entities = len(entities)
    result.statements = len(seen)
    writer.run(store.update_source, conn, ctx.source_id, entity_count=result.entities,
                        statement_count=result.statements,
                        record_count=sum(result.records.values()),
                        reject_count=len(ctx.rejects), bulk=paths)
    if kept is not None and importer.keeps_original:
        kept.keep(case_id, sha, path)
    return result


def read_file(req: ImportRequest, strict: bool = False, case_id: str = "dry-run") -> ImportResult:
    """Read one file exactly as :func:`run_imports` would (limits, format, mapping, parsing,
    normalisation, rejects, the checks that end an import) without a store: nothing is
    written anywhere. Returns what an import would bring (``sha256`` left empty), or raises
    the :class:`ImportFailed` the import would end with. The fuzz tests feed every importer
    through this, which is much faster than a full import."""
    path = req.path
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    limits = Limits.from_options(req.options)
    check_file_size(path.name, path, limits.max_bytes, "max_bytes")
    fmt, importer, mapping, ctx = _open(req, limits, None, {})
    result = ImportResult(source_id=ctx.source_id, file_name=path.name, format=fmt,
                          sha256="", mapping=mapping.label if mapping else None)
    entities: set[str] = set()
    seen: set[str] = set()
    records = Records(ctx, None, case_id)
    for _rows in _read(importer, ctx, fmt, case_id, datetime.now(UTC), entities, seen,
                       records):
        pass
    _finish(ctx, strict, entities, records)
    result.rejects = ctx.rejects
    result.warnings = ctx.warnings
    result.records = dict(records.counts)
    result.entities = len(entities)
    result.statements = len(seen)
    return result


def _open(req: ImportRequest, limits: Limits, progress: Progress | None,
          run_state: dict[str, Any]) -> tuple[str, Importer, Any, ImportContext]:
    """Format, importer, mapping and context of a file about to be parsed."""
    path = req.path
    fmt = req.format or detect_format(path)
    importer = get_importer(fmt)()
    if importer.reads_whole:
        check_file_size(path.name, path, limits.max_read_bytes, "max_read_bytes")
    mapping = load_mapping(req.mapping) if req.mapping else \
        importer.auto_mapping(path, req.encoding)
    size = path.stat().st_size
    report = (lambda done: progress(path.name, done, size)) if progress else (lambda done: None)
    ctx = ImportContext(
        path=path, source_id=new_id("src"),
        country=req.country.upper() if req.country else None,
        options={**req.options, "mapping": mapping, "encoding": req.encoding,
                 "account": req.account},
        progress=report,
        run_state=run_state,
        limits=limits,
    )
    if mapping and mapping.country and not ctx.country:
        ctx.country = mapping.country
    return fmt, importer, mapping, ctx


def _read(importer: Importer, ctx: ImportContext, fmt: str, case_id: str, now: datetime,
          entities: set[str], seen: set[str], records: Records
          ) -> Iterator[list[dict] | pa.Table]:
    """Parse and normalise: new statement rows in chunks of about :data:`FLUSH` (or, for an
    :class:`EntityTable`, as a table); entity ids into ``entities``, statement ids into
    ``seen``, bulk tables into ``records``."""
    pending: list[dict] = []
    checks = FileChecks(ctx)
    for item in _guarded(importer, ctx, fmt):
        if isinstance(item, RecordBatch):
            _check_batch(ctx, item)
            records.add(item.kind, item.table)
            continue
        if isinstance(item, EntityTable):
            table = _entity_statements(ctx, item, case_id, now, entities, seen)
            if table.num_rows:
                yield table
            continue
        assert isinstance(item, Draft)
        _check_draft(ctx, item)
        entities.add(item.id)
        rows = list(draft_statements(item, ctx, case_id, now))
        checks.draft(item, rows)
        for row in rows:
            if row["id"] not in seen:
                seen.add(row["id"])
                pending.append(row)
        if len(pending) >= FLUSH:
            yield pending
            pending = []
    checks.finish()
    yield pending


def _finish(ctx: ImportContext, strict: bool, entities: set[str], records: Records) -> None:
    """The checks that end the reading of a file."""
    name = ctx.file_name
    if strict and ctx.rejects:
        lines = "\n".join(r.render(name) for r in ctx.rejects[:20])
        raise ImportFailed(f"{name}: {len(ctx.rejects)} value(s) rejected in strict mode; "
                           f"nothing was imported:\n{lines}")
    if not entities and not records.counts:
        raise ImportFailed(f"{name}: nothing to import (every record was rejected or "
                           f"the file is empty); {len(ctx.rejects)} reject(s)")


INVOICE_PARTIES = ["locator", "supplier_reg", "supplier_country", "buyer_reg", "buyer_country"]


class Records:
    """The bulk records of one file, staged as the importer hands them over (never all in
    memory at once), or only counted (``run`` ``None``: a dry run)."""

    def __init__(self, ctx: ImportContext, run: BulkRun | None, case_id: str) -> None:
        self.ctx, self.run, self.case_id = ctx, run, case_id
        self.counts: dict[str, int] = {}
        self.writers: dict[str, StagedWriter] = {}
        #: the invoice parties, checked against the case's companies when the run ends
        self.parties: list[pa.Table] = []

    def add(self, kind: str, table: pa.Table) -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + table.num_rows
        if n > self.ctx.limits.max_rows:
            raise self.ctx.fail(None, f"over {self.ctx.limits.max_rows:,} {kind} records, the "
                                      f"limit ({hint('max_rows')}); refused")
        if kind == "invoice":
            self.parties.append(table.select(INVOICE_PARTIES))
        if self.run is not None:
            writer = self.writers.get(kind)
            if writer is None:
                writer = self.writers[kind] = self.run.writer(self.case_id, kind,
                                                              self.ctx.source_id)
            writer.write(table)

    def close(self) -> dict[str, str]:
        """The files written, by record kind (paths relative to the bulk root)."""
        return {kind: writer.close() for kind, writer in self.writers.items()}

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()


#: Writes an import run may hand over before it waits for the oldest (a chunk of statements
#: each at most: the memory they hold is bounded)
WRITES_AHEAD = 3


class Background:
    """Runs calls one at a time, in order, on a thread of its own while the caller prepares
    the next (the statements of one chunk are written while the next chunk is read, one file
    while the next file is read); at most ``depth`` calls wait or run at once, the caller
    waits for the oldest beyond that. The first call waits for a second: a run of one call
    starts no thread."""

    def __init__(self, depth: int = 1) -> None:
        self.depth = depth
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[Any]] = deque()
        self._first: Callable[[], Any] | None = None

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        call = partial(fn, *args, **kwargs)
        if self._pool is None and self._first is None:
            self._first = call
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
            self._pending.append(self._pool.submit(self._first))  # type: ignore[arg-type]
            self._first = None
        while len(self._pending) >= self.depth:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(call))

    def wait(self) -> None:
        """Every call made and done (an error raised here)."""
        if self._first is not None:
            first, self._first = self._first, None
            first()
        while self._pending:
            self._pending.popleft().result()
        self.stop()

    def stop(self) -> None:
        """Wait for the call running, if any, drop those not started, and end the thread."""
        self._first = None
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _guarded(importer: Importer, ctx: ImportContext, fmt: str) -> Iterator[Item]:
    """The importer's items; an unexpected exception inside the importer becomes one line
    (a bug to report, but never a traceback for the investigator)."""
    items = iter(importer.parse(ctx))
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except VerigaError:
            raise
        except RecursionError:
            raise ctx.fail(None, f"nested deeper than the {fmt} reader can follow "
                                 f"(max_depth {ctx.limits.max_depth}); refused") from None
        except MemoryError:
            raise ctx.fail(None, "too large to read in the memory available; refused") from None
        except Exception as exc:  # noqa: BLE001 - reported in one line, chained for debugging
            text = (str(exc).strip().splitlines() or [""])[0][:200]
            raise ctx.fail(None, f"cannot be read as {fmt} ({type(exc).__name__}: {text}); "
                                 f"{INTERNAL}") from exc
        yield item


#: Ends the message of an unexpected importer error (tests look for it).
INTERNAL = "this is a bug in the importer, please report it"


def _check_draft(ctx: ImportContext, draft: Draft) -> None:
    limit = ctx.limits.max_value_chars
    for prop, value in draft.values:
        if len(value) > limit:
            raise ctx.fail(draft.locator, f"value of {prop} is {len(value):,} characters, over "
                                          f"the limit of {limit:,} (max_value_chars); refused")


_STATEMENT_IDS = """
SELECT sha1(concat($case, chr(31), entity_id, chr(31), prop, chr(31), value, chr(31), $source))
       AS id, *
FROM entities
"""


def _entity_statements(ctx: ImportContext, item: EntityTable, case_id: str, now: datetime,
                       entities: set[str], seen: set[str]) -> pa.Table:
    """The statement rows of an :class:`EntityTable` (ids as :func:`statement_id` makes
    them, hashed in DuckDB), less those already seen in this file; the same value limit as
    a draft's."""
    table = item.table
    longest = pc.max(pc.utf8_length(table["value"])).as_py() if table.num_rows else None
    if longest is not None and longest > ctx.limits.max_value_chars:
        raise ctx.fail(None, f"a value of {longest:,} characters, over the limit of "
                             f"{ctx.limits.max_value_chars:,} (max_value_chars); refused")
    con = duck.connect()
    try:
        con.register("entities", table)
        table = con.sql(_STATEMENT_IDS, params={"case": case_id, "source": ctx.source_id}
                        ).to_arrow_table()
    finally:
        con.close()
    keep = []
    for statement in table["id"].to_pylist():
        keep.append(statement not in seen)
        seen.add(statement)
    if not all(keep):
        table = table.filter(pa.array(keep))
    entities.update(pc.unique(table["entity_id"]).to_pylist())
    n = table.num_rows
    return pa.Table.from_arrays(
        [table["id"], pa.array([case_id] * n, pa.string()), table["entity_id"],
         table["entity_id"], table["schema"], table["prop"], table["prop_type"],
         table["value"], table["original_value"], table["latin"], pa.nulls(n, pa.string()),
         pa.array([ctx.source_id] * n, pa.string()), table["locator"],
         pa.array([now] * n, pa.timestamp("us", tz="UTC"))],
        names=["id", "case_id", "entity_id", "canonical_id", "schema", "prop", "prop_type",
               "value", "original_value", "latin", "lang", "source_id", "locator",
               "first_seen"])


def _check_batch(ctx: ImportContext, batch: RecordBatch) -> None:
    limit = ctx.limits.max_value_chars
    for name, column in zip(batch.table.column_names, batch.table.columns, strict=True):
        if not pa.types.is_string(column.type) or not len(column):
            continue
        longest = pc.max(pc.utf8_length(column)).as_py()
        if longest is not None and longest > limit:
            raise ctx.fail(None, f"{batch.kind} field {name} holds a value of {longest:,} "
                                 f"characters, over the limit of {limit:,} (max_value_chars); "
                                 "refused")
