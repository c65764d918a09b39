from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from veriga.engine import get_engine
from veriga.engine.parity import run_parity
from veriga.model.records import TRANSACTION


@pytest.fixture
def ledger(tmp_path):
    n = 200
    table = pa.table({
        "record_id": [f"s:{i}" for i in range(n)],
        "source_id": ["s"] * n,
        "locator": [f"line {i + 2}" for i in range(n)],
        "account": [f"A{i % 7}" for i in range(n)],
        "amount": pa.array([Decimal((i * 37 % 500) - 250) / 4 for i in range(n)],
                           pa.decimal128(18, 2)),
    })
    paths = []
    for part in range(2):
        path = tmp_path / f"part{part}.parquet"
        pq.write_table(table.slice(part * 100, 100), path)
        paths.append(path)
    return {"ledger": paths}


SQL = """
SELECT account, count(*) AS n, sum(amount) AS total,
       sum(amount) FILTER (WHERE amount > 0) AS credits
FROM ledger GROUP BY account
"""


def test_duckdb_runs_sql_over_parquet(ledger):
    engine = get_engine("duckdb")
    engine.register(ledger)
    rows = {r["account"]: r for r in engine.query(SQL).to_pylist()}
    assert len(rows) == 7 and sum(r["n"] for r in rows.values()) == 200


def test_empty_kind_is_an_empty_table():
    engine = get_engine("duckdb")
    engine.register({"transaction": []}, {"transaction": TRANSACTION.schema})
    assert engine.query('SELECT count(*) AS n FROM "transaction"').to_pylist() == [{"n": 0}]


def test_unknown_engine():
    with pytest.raises(ValueError, match="unknown engine"):
        get_engine("oracle")


@pytest.mark.spark
def test_spark_gives_the_same_result_as_duckdb(ledger):
    pytest.importorskip("pyspark")
    engines = [get_engine("duckdb"), get_engine("spark")]
    duck, spark = run_parity(engines, SQL, ledger, order_by=["account"])
    assert duck.num_rows == spark.num_rows == 7


def test_views_over_files_are_made_when_a_statement_names_them(tmp_path) -> None:
    """Binding a view reads the schema of each of its files: a query of other tables binds
    none (a damaged file does not fail it), one that names the view reads it."""
    from veriga.engine.duckdb_engine import DuckDBEngine

    good = tmp_path / "t.parquet"
    pq.write_table(pa.table({"record_id": ["a", "b"]}), good)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    engine = DuckDBEngine()
    try:
        engine.register({"transaction": [good], "call": [broken]})
        engine.register_arrow("ledger", pa.table({"n": [1, 2, 3]}))
        assert engine.query("SELECT count(*) AS n FROM ledger").column(0)[0].as_py() == 3
        assert engine.query('SELECT count(*) AS n FROM "transaction"'
                            ).column(0)[0].as_py() == 2
        engine.materialize("ids", "SELECT record_id FROM transaction")
        assert engine.query("SELECT count(*) AS n FROM ids").column(0)[0].as_py() == 2
        with pytest.raises(Exception):  # noqa: B017 - DuckDB's own error
            engine.query("SELECT * FROM call")
    finally:
        engine.close()
