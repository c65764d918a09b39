"""Financial analyses at 1M and 10M transactions: all detectors, the laundering shapes alone,
a 4-hop trace, Spark at 1M.

The ledger is a simulated `medium` mixed world's statements, imported once, tiled: each copy
renames every account, reference and record id, so the tiles are separate worlds with the
same typologies, decoys and background; rows are ordered by account, as statements are
(``python -m benchmarks bench_finance``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.harness import measure

OUT = Path("benchmarks/out/finance")
BASE_SIZE = {"full": "medium", "quick": "small"}


def _base(size: str) -> tuple[Path, str]:
    """The imported ledger of one simulated world as a Parquet file; and a controller IBAN."""
    base = OUT / f"base-{size}.parquet"
    meta = OUT / f"base-{size}.json"
    if base.exists() and meta.exists():
        return base, json.loads(meta.read_text())["controller"]
    from veriga.config import Settings
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    root = OUT / f"world-{size}"
    if not (root / "ground_truth.json").exists():
        simulate("mixed", size, 1, root)
    home = OUT / f"home-{size}"
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")
    ws = Workspace.local(settings, purpose="benchmark", username="bench")
    if not any(c["name"] == "bench" for c in ws.cases.list()):
        ws.cases.create("bench")
        requests, _ = expand([root / "bank"], ImportRequest(path=Path(".")))
        ws.records.import_files("bench", requests)
    files = [str(p) for p in (home / "bulk").rglob("transaction/*.parquet")]
    duckdb.sql(f"COPY (SELECT * FROM read_parquet({files!r})) TO '{base}' (FORMAT parquet)")
    truth = json.loads((root / "ground_truth.json").read_text())
    controller = next(t["accounts"][0] for t in truth["typologies"] if t["code"] == "R9")
    meta.write_text(json.dumps({"controller": controller}))
    ws.close()
    return base, controller


def _tiled(base: Path, copies: int) -> Path:
    path = OUT / f"ledger-{base.stem}-x{copies}-by-account.parquet"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    duckdb.sql(f"""
COPY (
  SELECT * REPLACE (
    record_id || '~' || t.i AS record_id, source_id || '~' || t.i AS source_id,
    CASE WHEN t.i = 0 THEN account ELSE account || '~' || t.i END AS account,
    ref || '~' || t.i AS ref,
    CASE WHEN t.i = 0 OR counterparty_account IS NULL THEN counterparty_account
         ELSE counterparty_account || '~' || t.i END AS counterparty_account)
  FROM read_parquet('{base}'), range({copies}) t(i)
  ORDER BY account, booking_date
) TO '{tmp}' (FORMAT parquet, ROW_GROUP_SIZE 100000)""")
    tmp.rename(path)
    return path


def _engine(name: str, ledger: str) -> Any:
    from veriga.engine import get_engine

    engine = get_engine(name)
    engine.register({"transaction": [Path(ledger)]})
    return engine


def analyze_child(ledger: str, engine: str, only: str = "") -> dict[str, Any]:
    """All detectors, or those whose kind starts with ``only`` (ledger preparation
    included), on one engine."""
    from veriga.finance import DETECTORS, analyze, prepare

    eng = _engine(engine, ledger)
    start = time.perf_counter()
    prepare(eng)
    prepared = time.perf_counter() - start
    result = analyze(eng, detectors=[d for d in DETECTORS if d.kind.startswith(only)])
    rows = eng.query("SELECT COUNT(*) AS n FROM ledger").column("n")[0].as_py()
    took = time.perf_counter() - start
    return {"seconds": round(took, 2), "rows": rows, "prepare_s": round(prepared, 2),
            "findings": len(result.findings), "per_s": f"{rows / took:,.0f} tx/s"}


def scan_child(ledger: str) -> dict[str, Any]:
    """One DuckDB scan of the ledger: the yardstick for the ratio."""
    start = time.perf_counter()
    duckdb.sql(f"SELECT COUNT(*), SUM(amount), COUNT(DISTINCT account), MAX(booking_date) "
               f"FROM read_parquet('{ledger}')").fetchall()
    return {"seconds": round(time.perf_counter() - start, 2)}


def trace_child(ledger: str, account: str) -> dict[str, Any]:
    """A 4-hop forward trace from a controller's account, as `veriga finance trace` runs it:
    on the ledger as a view, reading only the accounts on the path."""
    from veriga.finance import prepare, trace

    eng = _engine("duckdb", ledger)
    start = time.perf_counter()
    prepare(eng, lazy=True)
    result = trace(eng, account, "forward", hops=4)
    took = time.perf_counter() - start
    return {"seconds": round(took, 3), "hops": len(result.hops)}


def inputs_child(size: str, targets: list[int]) -> dict[str, Any]:
    """Build (or reuse) the base ledger and its tiles; in a child, so that the memory this
    takes is not counted in the measured children (Linux keeps a parent's peak across exec)."""
    base, controller = _base(size)
    base_rows = duckdb.sql(f"SELECT COUNT(*) FROM read_parquet('{base}')").fetchall()[0][0]
    ledgers = {str(t): str(_tiled(base, max(1, round(t / base_rows)))) for t in targets}
    return {"controller": controller, "ledgers": ledgers}


def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = BASE_SIZE["quick" if quick else "full"]
    targets = [1_000_000, 10_000_000] if not quick else [100_000]
    inputs = measure("benchmarks.bench_finance:inputs_child", size=size, targets=targets)
    controller = inputs["controller"]
    results = []
    for target in targets:
        ledger = inputs["ledgers"][str(target)]
        scan = measure("benchmarks.bench_finance:scan_child", ledger=ledger)
        label = f"{target / 1e6:g}M" if target >= 1e6 else f"{target / 1e3:g}k"
        duck = measure("benchmarks.bench_finance:analyze_child", ledger=ledger,
                       engine="duckdb")
        duck["name"] = f"finance: all analyses, {label} tx (duckdb)"
        duck["ratio_to_duckdb"] = f"{duck['seconds'] / scan['seconds']:.1f}× a scan"
        results.append(duck)
        shapes = measure("benchmarks.bench_finance:analyze_child", ledger=ledger,
                         engine="duckdb", only="shape.")
        shapes["name"] = f"finance: the laundering shapes alone, {label} tx (duckdb)"
        share = (shapes["seconds"] - shapes["prepare_s"]) / (duck["seconds"] - duck["prepare_s"])
        shapes["ratio_to_duckdb"] = f"{share:.2f}× all detectors (preparation left out)"
        results.append(shapes)
        traced = measure("benchmarks.bench_finance:trace_child", ledger=ledger,
                         account=controller)
        traced["name"] = f"finance: 4-hop trace, {label} tx ({traced['hops']} movements)"
        results.append(traced)
        if target <= 1_000_000:
            try:
                spark = measure("benchmarks.bench_finance:analyze_child", ledger=ledger,
                                engine="spark")
            except RuntimeError as exc:  # no Java or PySpark here
                print(f"spark skipped: {str(exc)[-300:]}")
            else:
                spark["name"] = (f"finance: all analyses, {label} tx (spark local[2]; "
                                 "peak MB: the Python driver, not the JVM)")
                spark["ratio_to_duckdb"] = f"{spark['seconds'] / duck['seconds']:.1f}× duckdb"
                results.append(spark)
    return results
