"""Import speed: 100k FtM entities, a 1M-row transaction CSV (against DuckDB alone), a
1M-row invoice CSV (registration and VAT numbers checked per country) and a 100k-entry
camt.053 file (against a bare lxml parse of the same file)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.datagen import camt_statement, ftm_entities, invoices_csv, transactions_csv
from benchmarks.harness import measure


def import_file(path: str, mapping: str | None, home: str, url: str | None = None,
                options: dict[str, Any] | None = None) -> dict:
    from veriga.config import Settings
    from veriga.ingest import ImportRequest
    from veriga.workspace import Workspace

    db = url or f"sqlite:///{Path(home) / 'veriga.db'}"
    settings = Settings(home=Path(home), database_url=db)
    with Workspace.local(settings, purpose="benchmark", username="bench") as ws:
        ws.cases.create(f"bench-{os.getpid()}")
        start = time.perf_counter()  # the import only: not Python start-up or migrations
        [result] = ws.records.import_files(
            f"bench-{os.getpid()}",
            [ImportRequest(Path(path), mapping=Path(mapping) if mapping else None,
                           options=options or {})],
        )
        seconds = time.perf_counter() - start
    return {"entities": result.entities, "records": sum(result.records.values()),
            "rejects": len(result.rejects), "seconds": round(seconds, 3)}


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

    start = time.perf_counter()
    result = read_file(ImportRequest(Path(path)))
    return {"entities": result.entities, "records": sum(result.records.values()),
            "rejects": len(result.rejects), "seconds": round(time.perf_counter() - start, 3)}


def lxml_parse(path: str) -> dict:
    """The bare streaming parse a camt import cannot beat: lxml's iterparse handing over
    each entry, freed at once."""
    from lxml import etree

    start = time.perf_counter()
    n = 0
    for _, elem in etree.iterparse(path, events=("end",), tag="{*}Ntry",
                                   resolve_entities=False, no_network=True):
        n += 1
        elem.clear()
        while elem.getprevious() is not None:
            del elem.getparent()[0]
    return {"entries": n, "seconds": round(time.perf_counter() - start, 3)}


def _postgres_url() -> str | None:
    """The PostgreSQL server for the server-store figures, when one is reachable."""
    import sqlalchemy as sa

    url = os.environ.get("VERIGA_BENCH_POSTGRES_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS veriga_bench CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA veriga_bench"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - no server: the figure is skipped
        return None
    return url + "?options=-csearch_path%3Dveriga_bench"


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

        n_camt = n_rows // 10
        camt = camt_statement(tmpdir / "statement.xml", n_camt)
        r = measure("benchmarks.bench_import:import_file", path=str(camt), mapping=None,
                    home=str(tmpdir / "h4"))
        read = measure("benchmarks.bench_import:read_only", path=str(camt))
        base = measure("benchmarks.bench_import:lxml_parse", path=str(camt))
        rows.append({"name": f"import {n_camt:,}-entry camt.053 (SQLite)", **r,
                     "per_s": round(r["records"] / r["seconds"]),
                     "ratio_to_lxml": round(r["seconds"] / base["seconds"], 1)})
        rows.append({"name": f"read the same {n_camt:,}-entry camt.053 (no store)", **read,
                     "per_s": round(read["records"] / read["seconds"]),
                     "ratio_to_lxml": round(read["seconds"] / base["seconds"], 1)})
        rows.append({"name": f"lxml iterparse of the same {n_camt:,} entries", **base,
                     "per_s": round(base["entries"] / base["seconds"])})
    return rows
