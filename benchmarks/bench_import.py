"""Import speed: 100k FtM entities, a 1M-row transaction CSV (against DuckDB alone; its peak
memory), a 1M-row invoice CSV (registration and VAT numbers checked per country), a
100k-entry camt.053 file (against a bare lxml parse of the same file), a 100k-entry MT940
file (against reading its text) and the same 100k camt entries as 5,000 small files (one
statement per account and month, against the one large file), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.datagen import (
    camt_files,
    camt_statement,
    ftm_entities,
    invoices_csv,
    mt940_statement,
    transactions_csv,
)
from benchmarks.harness import measure


def import_file(path: str, mapping: str | None, home: str, url: str | None = None,
                options: dict[str, Any] | None = None) -> dict:
    """One import run of ``path``: a file, or a folder (each file a source, one run)."""
    from veriga.config import Settings
    from veriga.ingest import ImportRequest
    from veriga.ingest.folder import expand
    from veriga.workspace import Workspace

    db = url or f"sqlite:///{Path(home) / 'veriga.db'}"
    settings = Settings(home=Path(home), database_url=db)
    with Workspace.local(settings, purpose="benchmark", username="bench") as ws:
        ws.cases.create(f"bench-{os.getpid()}")
        start = time.perf_counter()  # the import only: not Python start-up or migrations
        cpu = time.process_time()
        requests, _ = expand([Path(path)], ImportRequest(
            Path(path), mapping=Path(mapping) if mapping else None, options=options or {}))
        results = ws.records.import_files(f"bench-{os.getpid()}", requests)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    return {"files": len(results), "entities": sum(r.entities for r in results),
            "records": sum(sum(r.records.values()) for r in results),
            "rejects": sum(len(r.rejects) for r in results), "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu, 3)}


def duckdb_read(path: str) -> dict:
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', delim=';', header=true)")
    seconds = time.perf_counter() - start
    return {"rows": con.execute("SELECT count(*) FROM t").fetchone()[0],
            "seconds": round(seconds, 3)}


def read_only(path: str) -> dict:
    """The importer's own work on a file (parsing, checks, normalisation) without a store."""
    from veriga.ingest import ImportRequest
    from veriga.ingest.runner import read_file

    start, cpu = time.perf_counter(), time.process_time()
    result = read_file(ImportRequest(Path(path)))
    return {"entities": result.entities, "records": sum(result.records.values()),
            "rejects": len(result.rejects), "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3)}


def lxml_parse(path: str) -> dict:
    """The bare streaming parse a camt import cannot beat: lxml's iterparse handing over
    each entry, freed at once."""
    from lxml import etree

    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for _, elem in etree.iterparse(path, events=("end",), tag="{*}Ntry",
                                   resolve_entities=False, no_network=True):
        n += 1
        elem.clear()
        while elem.getprevious() is not None:
            del elem.getparent()[0]
    return {"entries": n, "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3)}


def text_read(path: str) -> dict:
    """The bare read an MT940 import cannot beat: the file's text, decoded, in lines, with
    the statement lines (``:61:``) counted."""
    start, cpu = time.perf_counter(), time.process_time()
    lines = Path(path).read_bytes().decode("utf-8").split("\n")
    n = sum(1 for line in lines if line.startswith(":61:"))
    return {"entries": n, "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3)}


def _postgres_url(drop: bool = False) -> str | None:
    """The PostgreSQL server for the server-store figures, when one is reachable: an empty
    schema of this run's own (benchmarks run at the same time do not share one); with
    ``drop`` the schema is dropped and nothing returned."""
    import sqlalchemy as sa

    url = os.environ.get("VERIGA_BENCH_POSTGRES_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"veriga_bench_{os.getpid()}"
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            if not drop:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - no server: the figure is skipped
        return None
    return None if drop else url + f"?options=-csearch_path%3D{schema}"


def run(quick: bool = False) -> list[dict[str, Any]]:
    n_entities = 20_000 if quick else 100_000
    n_rows = 100_000 if quick else 1_000_000
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        ftm = ftm_entities(tmpdir / "entities.ftm.json", n_entities)
        csv_path, mapping = transactions_csv(tmpdir / "transactions.csv", n_rows)

        r = measure("benchmarks.bench_import:import_file", path=str(ftm), mapping=None,
                    home=str(tmpdir / "h1"))
        rows.append({"name": f"import {n_entities:,} FtM entities (SQLite)", **r,
                     "per_s": round(r["entities"] / r["seconds"])})
        pg = _postgres_url()
        if pg:
            r = measure("benchmarks.bench_import:import_file", path=str(ftm), mapping=None,
                        home=str(tmpdir / "h1pg"), url=pg)
            rows.append({"name": f"import {n_entities:,} FtM entities (PostgreSQL)", **r,
                         "per_s": round(r["entities"] / r["seconds"])})

        r = measure("benchmarks.bench_import:import_file", path=str(csv_path),
                    mapping=str(mapping), home=str(tmpdir / "h2"))
        base = measure("benchmarks.bench_import:duckdb_read", path=str(csv_path))
        rows.append({"name": f"import {n_rows:,}-row transaction CSV (SQLite)", **r,
                     "per_s": round(r["records"] / r["seconds"]),
                     "ratio_to_duckdb": round(r["seconds"] / base["seconds"], 1)})
        rows.append({"name": f"DuckDB read_csv of the same {n_rows:,} rows", **base,
                     "per_s": round(base["rows"] / base["seconds"])})

        inv_path, inv_mapping = invoices_csv(tmpdir / "invoices.csv", n_rows)
        r = measure("benchmarks.bench_import:import_file", path=str(inv_path),
                    mapping=str(inv_mapping), home=str(tmpdir / "h3"),
                    options={"max_read_bytes": 512 * 2**20})  # 1M invoices: 178 MB
        rows.append({"name": f"import {n_rows:,}-row invoice CSV (SQLite)", **r,
                     "per_s": round(r["records"] / r["seconds"])})

        n_bank = n_rows // 10
        rows += _bank(tmpdir, n_bank, pg is not None)
        _postgres_url(drop=True)
    return rows


def _bank(tmpdir: Path, n: int, postgres: bool) -> list[dict[str, Any]]:
    """camt and MT940 against their bare parse; many small camt files against one large.
    Each PostgreSQL figure starts from an empty schema."""
    rows: list[dict[str, Any]] = []
    stores = ["SQLite", *(["PostgreSQL"] if postgres else [])]
    camt = camt_statement(tmpdir / "statement.xml", n)
    mt940 = mt940_statement(tmpdir / "statement.sta", n)
    for label, path, bare_fn, bare_name in (
            ("camt.053", camt, "lxml_parse", "lxml iterparse"),
            ("MT940", mt940, "text_read", "reading the text")):
        base = measure(f"benchmarks.bench_import:{bare_fn}", path=str(path))
        read = measure("benchmarks.bench_import:read_only", path=str(path))
        rows.append({"name": f"read a {n:,}-entry {label} (no store)", **read,
                     "per_s": round(read["records"] / read["seconds"]),
                     **_ratios(read, base, "bare")})
        for store in stores:
            r = measure("benchmarks.bench_import:import_file", path=str(path), mapping=None,
                        home=str(tmpdir / f"{label}-{store}"), url=_store_url(store))
            rows.append({"name": f"import a {n:,}-entry {label} ({store})", **r,
                         "per_s": round(r["records"] / r["seconds"]),
                         **_ratios(r, base, "bare")})
        rows.append({"name": f"{bare_name} of the same {n:,} entries", **base,
                     "per_s": round(base["entries"] / base["seconds"])})
    per_file = 20
    folder = camt_files(tmpdir / "production", n, per_file)
    large = {r["name"]: r for r in rows}
    for store in stores:
        r = measure("benchmarks.bench_import:import_file", path=str(folder), mapping=None,
                    home=str(tmpdir / f"many-{store}"), url=_store_url(store))
        one = large[f"import a {n:,}-entry camt.053 ({store})"]
        per_entry = {k: r[k] / r["records"] / (one[k] / one["records"])
                     for k in ("seconds", "cpu_seconds")}
        rows.append({"name": f"import {r['files']:,} camt.053 files of {per_file} entries "
                             f"({store})", **r, "per_s": round(r["records"] / r["seconds"]),
                     "ratio_to_one_file": round(per_entry["seconds"], 1),
                     "ratio_cpu_to_one_file": round(per_entry["cpu_seconds"], 1)})
    return rows


def _ratios(row: dict[str, Any], base: dict[str, Any], name: str) -> dict[str, float]:
    """Wall time and processor time over the base's: on a machine shared with other work
    the second is the steadier (a PostgreSQL import's own is the client's share only)."""
    return {f"ratio_to_{name}": round(row["seconds"] / max(base["seconds"], 0.001), 1),
            f"ratio_cpu_to_{name}": round(row["cpu_seconds"] / max(base["cpu_seconds"], 0.001),
                                          1)}


def _store_url(store: str) -> str | None:
    return _postgres_url() if store == "PostgreSQL" else None
