"""``ws.records``: the files imported into a case, and its bulk records (bank transactions,
call records) on a query engine; among them the money ledger of :mod:`veriga.finance`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from veriga import finance
from veriga.access import directory
from veriga.access.handling import parse_code
from veriga.access.policy import Op, allows
from veriga.engine import Engine, get_engine
from veriga.errors import NotFound, VerigaError
from veriga.findings import N_
from veriga.ingest import ImportRequest, ImportResult, run_imports
from veriga.model.holdings import holdings
from veriga.model.records import RECORD_KINDS
from veriga.workspace import cache, protection
from veriga.workspace.context import CaseAccess, PermissionDenied
from veriga.workspace.part import Part


@dataclass
class Ledger:
    """An engine holding the case's ``ledger`` (see :mod:`veriga.finance.ledger`), and who
    holds each account: account number -> the holder's entity id as the user sees it."""

    engine: Engine
    owners: dict[str, str] = field(default_factory=dict)
    #: the ledger's rows of some accounts, without a scan of it (None: ask the engine)
    rows_of: Callable[[Sequence[str]], pa.Table] | None = None

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


T = TypeVar("T")

#: What a money view asks of the ledger beside it, made with it and kept with it: the pairs
#: of legs of one transfer, the accounts with statements, the movements between accounts.
KEPT_WITH_LEDGER = (("legs", finance.ledger.LEGS_SQL), ("held", finance.ledger.HELD_SQL),
                    ("edges", finance.ledger.EDGES_SQL))


@dataclass(frozen=True)
class _Prepared:
    """A case's ledger as one reader sees it, with its account holders and the tables of
    :data:`KEPT_WITH_LEDGER`."""

    ledger: pa.Table
    holders: pa.Table
    owners: dict[str, str]
    tables: dict[str, pa.Table] = field(default_factory=dict)
    #: where each account's rows are (:func:`_by_account`, made once per process with it)
    index: list[finance.ledger.ByAccount] = field(default_factory=list, compare=False)


_INDEX_LOCK = threading.Lock()


def _by_account(prepared: _Prepared) -> finance.ledger.ByAccount:
    """The positions of each account's rows in the kept ledger, made once with it (about 1 %
    of its size, not counted in the cache's budget)."""
    with _INDEX_LOCK:
        if not prepared.index:
            prepared.index.append(finance.ledger.ByAccount(prepared.ledger))
        return prepared.index[0]


def _pack(prepared: _Prepared) -> bytes:
    """A prepared ledger as bytes: a JSON header (the owners, each table's name and length),
    then each table as a compressed Arrow stream."""
    tables = {"ledger": prepared.ledger, "holders": prepared.holders,
              **{f"kept:{k}": v for k, v in prepared.tables.items()}}
    parts, sizes = [], []
    for name, table in tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(
                compression="zstd")) as writer:
            writer.write_table(table)
        parts.append(sink.getvalue().to_pybytes())
        sizes.append([name, len(parts[-1])])
    head = json.dumps({"owners": prepared.owners, "tables": sizes}).encode()
    return len(head).to_bytes(8, "big") + head + b"".join(parts)


def _unpack(raw: bytes) -> _Prepared:
    size = int.from_bytes(raw[:8], "big")
    head = json.loads(raw[8:8 + size])
    at, tables = 8 + size, {}
    for name, length in head["tables"]:
        tables[name] = pa.ipc.open_stream(pa.py_buffer(raw[at:at + length])).read_all()
        at += length
    return _Prepared(tables.pop("ledger"), tables.pop("holders"), head["owners"],
                     {k.removeprefix("kept:"): v for k, v in tables.items()})


#: The prepared ledger kept in the store for every server process.
LEDGER_CODEC = cache.Codec(_pack, _unpack)


#: Amount bands of the payment search (EUR, the absolute amount): name, upper bound.
AMOUNT_BANDS: tuple[tuple[str, int | None], ...] = (
    (N_("under 1,000"), 1000), (N_("1,000–9,999"), 10000), (N_("10,000–99,999"), 100000),
    (N_("100,000 and more"), None))


class Records(Part):
    def sources(self, case: str, ids: Sequence[str] | None = None,
                columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The files imported into the case that the reader may see (names minimised for
        restricted readers; files withheld by their handling code are left out; withdrawn
        ones are listed, with when, by whom and why). ``ids``: only these files (in no set
        order); ``columns``: only these columns besides the id and the withdrawal's."""
        if columns is not None:
            columns = list(dict.fromkeys(["id", "withdrawn_at", "withdrawn_reason", *columns]))
        with self.ws.case(case, Op.CASE_OPEN) as access:
            if ids is not None:
                return self._shown_sources(access, ids, columns)
            # every file of the case: kept until the case's data or the reader's view
            # change (the dashboard and the files page of 14,000 files asked it each time)
            found = cache.key(access, "sources",
                              version=(tuple(columns or ()), access.sees_all))
            kept = cache.cached(found, lambda: self._shown_sources(access, None, columns))
        return [dict(r) for r in kept]

    def _shown_sources(self, access: CaseAccess, ids: Sequence[str] | None,
                       columns: list[str] | None) -> list[dict[str, Any]]:
        rows = [r for r in self.ws.store.list_sources(access.conn, access.case_id, ids, columns)
                if r["id"] not in access.withheld_sources]
        if not access.sees_all:  # why a file was withdrawn may name anyone
            rows = [{**r, "withdrawn_reason": None} if r["withdrawn_at"] else r for r in rows]
        return list(access.shown(rows))

    def withdraw(self, case: str, source: str, reason: str) -> dict[str, Any]:
        """Undo an import: the file (by source id or name) is left out of every view, its
        statements, records and findings' evidence included, until it is restored; nothing
        is deleted. For whoever imported it or manages the case; audited with the reason."""
        reason = " ".join(reason.split())
        if not reason:
            raise VerigaError("say why the file is withdrawn: the reason is kept with it")
        with self.ws.case(case, Op.IMPORT) as access:
            row = self._source(access, source)
            if row["withdrawn_at"] is not None:
                raise VerigaError(f"{row['file_name']} is withdrawn already")
            if row["imported_by"] != self.ws.actor and not allows(access.role, Op.CASE_MANAGE,
                                                                   access.kind):
                raise PermissionDenied(f"{row['file_name']} was imported by "
                                       f"{row['imported_by']}: they or a case manager may "
                                       "withdraw it")
            self.ws.store.update_source(access.conn, row["id"],
                                        withdrawn_at=datetime.now(UTC),
                                        withdrawn_by=self.ws.actor, withdrawn_reason=reason)
            self.ws.store.bump_revision(access.conn, access.case_id)
            access.audit("import.withdraw", row["id"], file=row["file_name"], reason=reason,
                         statements=row["statement_count"], records=row["record_count"])
        return {"source_id": row["id"], "file_name": row["file_name"]}

    def restore(self, case: str, source: str) -> dict[str, Any]:
        """Undo a withdrawal: the file is back in every view. Audited."""
        with self.ws.case(case, Op.IMPORT) as access:
            row = self._source(access, source)
            if row["withdrawn_at"] is None:
                raise VerigaError(f"{row['file_name']} is not withdrawn")
            self.ws.store.update_source(access.conn, row["id"], withdrawn_at=None,
                                        withdrawn_by=None, withdrawn_reason=None)
            self.ws.store.bump_revision(access.conn, access.case_id)
            access.audit("import.restore", row["id"], file=row["file_name"])
        return {"source_id": row["id"], "file_name": row["file_name"]}

    def _source(self, access: CaseAccess, source: str) -> dict[str, Any]:
        """One file of the case the reader may see, by source id or file name."""
        rows = [r for r in self.ws.store.list_sources(access.conn, access.case_id)
                if source in (r["id"], r["file_name"]) and r["id"] not in access.withheld_sources]
        if not rows:
            raise NotFound(f"no file {source!r} in case {access.case['name']!r}")
        if len(rows) > 1:
            raise VerigaError(f"{len(rows)} files of case {access.case['name']!r} are "
                              f"called {source!r}; name one by its source id: "
                              + ", ".join(r["id"] for r in rows))
        return rows[0]

    def rejects(self, case: str, source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A file of the case (by source id or file name) and the values its import rejected,
        each with its line: for those who may import into the case, to mend the file. The
        rejected values are as the file wrote them, so a reader who sees the case minimised
        never gets them; the read is audited."""
        with self.ws.case(case, Op.IMPORT) as access:
            row = self._source(access, source)
            found = self.ws.store.list_rejects(access.conn, row["id"])
            if access.minimiser is not None:
                found = [{**r, "value": None} for r in found]
            access.audit("rejects.read", row["id"], count=len(found))
        return access.shown(row), list(access.shown(found))

    def import_files(
        self, case: str, requests: Sequence[ImportRequest], strict: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        handling: str = "H0", handling_orgs: Sequence[str] | None = None,
        handling_note: str | None = None,
    ) -> list[ImportResult]:
        """Import files into the case, each all-or-nothing; each import is audited."""
        ws = self.ws
        code = parse_code(handling)
        with ws.case(case, Op.IMPORT) as access:
            org_ids = [directory.get_org(access.conn, o)["id"] for o in handling_orgs or []]
        source_values = {"handling": code.value, "handling_orgs": org_ids or None,
                         "handling_note": handling_note}
        results = run_imports(ws.store, ws.bulk, access.case_id, requests, ws.actor,
                              ws.purpose, strict=strict, progress=progress,
                              source_values=source_values, originals=ws.originals)
        with ws.store.begin() as conn:
            ws.store.bump_revision(conn, access.case_id)
        ws.store.refresh_statistics()
        return results

    def engine(self, case: str, name: str = "duckdb") -> Engine:
        """A query engine (``duckdb`` or ``spark``) with one view per record kind over the
        case's committed Parquet files, as the user may see them; the read is audited."""
        return self._engine(case, name)[0]

    def _engine(self, case: str, name: str) -> tuple[Engine, tuple[Any, ...]]:
        """:meth:`engine`, and the cache key of its ledger for this reader (see
        :mod:`veriga.workspace.cache`)."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            access.audit("records.read", engine=name)
            key = cache.key(access, f"ledger:{name}")
            # the files of each kind, kept until the case's data or the reader's view change
            # (a case of 14,000 files read every file's row for each money view)
            tables = cache.cached(cache.key(access, "bulk files", version=self.ws.bulk.root),
                                  lambda: self._bulk_tables(access))
        if access.minimiser is not None:  # (made again if another reader's replaced it)
            tables = self._minimised(access, tables)
        engine = get_engine(name)
        engine.register(tables, {k: v.schema for k, v in RECORD_KINDS.items()})
        return engine, key

    def _bulk_tables(self, access: CaseAccess) -> dict[str, list[str]]:
        """The bulk files of each record kind that the reader may see."""
        tables: dict[str, list[str]] = {kind: [] for kind in RECORD_KINDS}
        root = os.path.join(self.ws.bulk.root, "")  # joined as text: a path per file costs
        for source_id, bulk in self.ws.store.bulk_files(access.conn, access.case_id):
            if source_id in access.hidden_sources:
                continue
            for kind, rel in bulk.items():
                tables.setdefault(kind, []).append(root + rel)
        return tables

    def search_payments(self, case: str, text: str, limit: int = 20, year: int | None = None,
                        band: str | None = None) -> tuple[int, list[dict[str, Any]],
                                                           dict[str, list[tuple[str, int]]]]:
        """Transactions whose counterparty's name or payment text contains ``text`` (case
        aside), as the reader sees the ledger: how many, the latest ``limit``, and how many
        there are per year and per amount band (:data:`AMOUNT_BANDS`, in EUR), both before
        ``year`` and ``band`` narrow the list. The search is audited with its words."""
        words = " ".join(text.split())
        if len(words) < 3:
            return 0, [], {"years": [], "bands": []}
        if band is not None and band not in dict(AMOUNT_BANDS):
            raise ValueError(f"unknown amount band {band!r}")
        with self.ledger(case) as ledger:
            ledger.engine.register_arrow("needle", pa.table({"q": [words.upper()]}))
            where = "strpos(text, (SELECT q FROM needle)) > 0"
            bands = " ".join(f"WHEN abs(eur) < {high} THEN '{name}'"
                             for name, high in AMOUNT_BANDS if high is not None)
            band_sql = f"CASE WHEN eur IS NULL THEN 'none' {bands} ELSE '{AMOUNT_BANDS[-1][0]}' END"
            facets = ledger.engine.query(
                f"SELECT year(day) AS y, {band_sql} AS b, count(*) AS n FROM ledger "
                f"WHERE {where} GROUP BY ALL").to_pylist()
            narrow = where
            if year is not None:
                narrow += f" AND year(day) = {int(year)}"
            if band is not None:
                narrow += f" AND ({band_sql}) = '{band}'"
            total = ledger.engine.query(f"SELECT count(*) AS n FROM ledger WHERE {narrow}"
                                        ).column("n")[0].as_py()
            rows = ledger.engine.query(
                "SELECT day, account, cp_account, cp_name, amount, currency, ref, text "
                f"FROM ledger WHERE {narrow} ORDER BY day DESC, record_id "
                f"LIMIT {max(1, min(int(limit), 500))}").to_pylist()
        for row in rows:  # the text is the counterparty's name and the payment's text
            row["text"] = (row.pop("text") or "").partition(" | ")[2]
        years: dict[str, int] = {}
        by_band: dict[str, int] = {}
        for f in facets:
            if f["y"] is not None:
                years[str(f["y"])] = years.get(str(f["y"]), 0) + f["n"]
            by_band[f["b"]] = by_band.get(f["b"], 0) + f["n"]
        order = [name for name, _ in AMOUNT_BANDS] + ["none"]
        with self.ws.case(case, Op.ENTITY_READ) as access:
            access.audit("records.search", query=words, count=total, year=year, band=band)
        return int(total), rows, {
            "years": sorted(years.items(), reverse=True),
            "bands": [(b, by_band[b]) for b in order if b in by_band]}

    def ledger(self, case: str, engine: str = "duckdb", lazy: bool = False) -> Ledger:
        """The case's money ledger on an engine. ``lazy``: a view that reads only the
        accounts asked for (a trace), without holders; else a table (many questions, as a
        Sankey asks) with the account holders from one read of the entities, prepared once
        per change of the case's data and reader's view, and kept (see
        :mod:`veriga.workspace.cache`)."""
        eng, key = self._engine(case, engine)
        try:
            if lazy:
                finance.prepare(eng, lazy=True)
                return Ledger(eng)
            built = []

            def build() -> _Prepared:
                built.append(True)
                entities = list(self.ws.entities.list(case, finance.HOLDER_SCHEMATA))
                holders = finance.ledger.holders_table(finance.account_holders(entities))
                finance.prepare(eng, holders, ledger_only=True)
                tables = {}
                for name, sql in KEPT_WITH_LEDGER:
                    eng.materialize(name, sql)
                    tables[name] = eng.query(f"SELECT * FROM {name}")
                owners: dict[str, str] = {}
                for held in holdings(entities):
                    for number in held.numbers:
                        owners.setdefault(number, held.owner_id)
                return _Prepared(eng.query("SELECT * FROM ledger"), holders, owners, tables)

            prepared = cache.cached(key, build, cache.in_store(self.ws.store, key, LEDGER_CODEC))
            if not built:  # the holders are read as building the ledger read them
                self.ws.entities.audit_list(case, finance.HOLDER_SCHEMATA)
                eng.register_arrow("holders", prepared.holders)
                eng.register_arrow("ledger", prepared.ledger)
                for name, table in prepared.tables.items():
                    eng.register_arrow(name, table)
            return Ledger(eng, dict(prepared.owners),  # (positions made when first asked)
                          lambda accounts: _by_account(prepared).rows(prepared.ledger, accounts))
        except BaseException:
            eng.close()
            raise

    def kept(self, case: str, what: str, compute: Callable[[], T], version: Any = None,
             codec: cache.Codec[T] | None = None, reviews: bool = True,
             later: bool = False) -> T:
        """A value ``compute`` makes from the case's ledger and findings as this reader sees
        them (a money view's flows), kept until the case's data, its findings or the reader's
        view change (``version``: what else it depends on, such as the view's parameters);
        with a ``codec`` kept in the store too, for every server process (``later``: once
        the caller has it, see :func:`cache.in_store`). ``reviews`` False:
        a value that does not depend on how findings were reviewed, kept across reviews.
        Every call is audited as the reads it rests on, whether made now or kept."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            access.audit("records.read", derived=what)
            access.audit("finding.list", derived=what)
            made = self.ws.store.findings_version(access.conn, access.case_id)
            found = cache.key(access, f"kept:{what}", version=version,
                              stale_with=made if reviews else made[:2])
        return cache.cached(found, compute, None if codec is None
                            else cache.in_store(self.ws.store, found, codec, later))

    def _minimised(self, access: CaseAccess, tables: dict[str, list[str]]
                   ) -> dict[str, list[str]]:
        """The bulk records with every name and identifier of a protected person replaced,
        written once per case, data and reader kind beside the bulk records."""
        assert access.minimiser is not None
        found = access.minimiser.protection
        digest = hashlib.sha256(json.dumps(
            [access.case_id, found.key, sorted(found.group_of.items()),
             {k: sorted(map(str, v)) for k, v in tables.items()}]).encode()).hexdigest()[:24]
        folder = self.ws.settings.home / "minimised" / access.case_id / digest
        out: dict[str, list[str]] = {}
        with protection.LOCK:
            for kind, paths in tables.items():
                if not paths:
                    out[kind] = []
                    continue
                target = folder / f"{kind}.parquet"
                if not target.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    # files imported before amounts kept 3 decimals hold 2: widened
                    table = pa.concat_tables([pq.read_table(p) for p in paths],
                                             promote_options="permissive")
                    tmp = target.with_name(f".{target.name}.tmp")
                    pq.write_table(access.minimiser.table(table), tmp, compression="zstd")
                    os.replace(tmp, target)
                out[kind] = [str(target)]
        for old in folder.parent.glob("*"):
            if old != folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return out
