"""Subcontracting chains (``python -m benchmarks bench_labour``): a register of 1,000,000
firms and 10,000,000 invoices (100,000 and 1,000,000 with --quick), generated here as
Parquet; the chain SQL of :mod:`veriga.labour.chain` (pairs of firms, the levels above every
employer, the paths) on DuckDB, wall time and peak memory, and how many of the planted
chains come out whole.

A tenth of the firms are employers at the end of a chain of 2-5 tiers; the other invoices
are ordinary trade between random firms, which the chains must not absorb.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure


def make_world(n_firms: int, n_invoices: int, out: Path, seed: int = 15) -> dict[str, Any]:
    """Write ``invoice.parquet`` and return the planted chains and the employers."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from veriga.labour.chain import INVOICE_SCHEMA

    rng = np.random.default_rng(seed)
    n_chains = n_firms // 20
    depth = rng.integers(2, 6, n_chains)
    firms = rng.permutation(n_firms)
    chains, pos = [], 0
    for d in depth:
        chains.append(firms[pos:pos + d])
        pos += int(d)
    buyers, suppliers, amounts = [], [], []
    per_chain = max(1, n_invoices // 2 // int(depth.sum()))
    for ch in chains:
        value = 100000.0
        for a, b in zip(ch[:-1], ch[1:], strict=False):
            buyers.append(np.full(per_chain, a))
            suppliers.append(np.full(per_chain, b))
            amounts.append(np.full(per_chain, value / per_chain))
            value *= 0.9
    planted = sum(len(b) for b in buyers)
    rest = n_invoices - planted
    # ordinary trade among firms that are not employers, never into a chain's employer
    pool = np.setdiff1d(np.arange(n_firms), np.array([c[-1] for c in chains]))
    buyers.append(rng.choice(pool, rest))
    suppliers.append(rng.choice(pool, rest))
    amounts.append(rng.uniform(100, 20000, rest))
    buyer = np.concatenate(buyers)
    supplier = np.concatenate(suppliers)
    amount = np.round(np.concatenate(amounts), 2)
    n = len(buyer)
    day = pa.array(np.datetime64("2026-01-01") + rng.integers(0, 365, n), pa.date32())
    regs = np.char.add("R", np.arange(n_firms).astype(str))
    cols: dict[str, Any] = {f.name: pa.nulls(n, f.type) for f in INVOICE_SCHEMA}
    cols.update(record_id=pa.array(np.char.add("i", np.arange(n).astype(str))),
                source_id=pa.array(np.full(n, "s")), locator=pa.array(np.full(n, "b")),
                issue_date=day, buyer_reg=pa.array(regs[buyer]),
                buyer_country=pa.array(np.full(n, "LV")),
                supplier_reg=pa.array(regs[supplier]),
                supplier_country=pa.array(np.full(n, "LV")),
                net_amount=pa.array(amount).cast(pa.decimal128(18, 2)),
                amount_eur=pa.array(amount).cast(pa.decimal128(18, 2)),
                currency=pa.array(np.full(n, "EUR")))
    pq.write_table(pa.table(cols, schema=INVOICE_SCHEMA), out / "invoice.parquet")
    return {"chains": [[f"LV:R{i}" for i in c] for c in chains], "invoices": n}


def chain_child(n_firms: int, n_invoices: int, engine_name: str = "duckdb") -> dict[str, Any]:
    import pyarrow as pa

    from veriga.engine import get_engine
    from veriga.labour.case import LabourCase
    from veriga.labour.chain import chains, prepare_chain
    from veriga.labour.family import register_case

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        world = make_world(n_firms, n_invoices, out)
        generated = time.perf_counter() - start
        engine = (get_engine("duckdb", threads=2) if engine_name == "duckdb"
                  else get_engine(engine_name))
        engine.register({"invoice": [out / "invoice.parquet"]})
        register_case(engine, LabourCase())
        employers = sorted({c[-1] for c in world["chains"]})
        engine.register_arrow("lab_employers", pa.table({"firm": employers}))
        start = time.perf_counter()
        prepare_chain(engine, with_ledger=False, max_depth=6)
        found = chains(engine, 6)
        seconds = time.perf_counter() - start
        whole = {tuple(c) for c in world["chains"]}
        # a planted chain is found whole when a found path ends with all its tiers (ordinary
        # trade may add a buyer above its main contractor)
        right = sum(1 for ch in found if any(tuple(ch.firms[i:]) in whole
                                             for i in range(len(ch.firms))))
        engine.close()
    return {"engine": engine_name, "seconds": round(seconds, 2),
            "generate_s": round(generated, 1),
            "firms": n_firms, "invoices": world["invoices"], "chains": len(world["chains"]),
            "found": len(found), "whole": right}


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    for n_firms, n_invoices in ((100_000, 1_000_000),) if quick else (
            (100_000, 1_000_000), (1_000_000, 10_000_000)):
        figures = measure("benchmarks.bench_labour:chain_child", n_firms=n_firms,
                          n_invoices=n_invoices)
        rows.append({"name": f"labour chains {n_firms:,} firms, {n_invoices:,} invoices",
                     **figures})
    try:  # the same SQL on Spark local[2], at the smaller size
        import pyspark  # noqa: F401
    except ImportError:
        return rows
    figures = measure("benchmarks.bench_labour:chain_child", n_firms=100_000,
                      n_invoices=1_000_000, engine_name="spark")
    rows.append({"name": "labour chains 100,000 firms, 1,000,000 invoices (Spark)", **figures})
    return rows
