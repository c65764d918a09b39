"""Apache Spark: the scale-out engine (local mode in tests). SQL is transpiled by sqlglot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import sqlglot

from veriga.engine.base import Tables


def to_spark_sql(sql: str) -> str:
    """Transpile DuckDB SQL to Spark SQL."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkEngine:
    name = "spark"

    def __init__(self, session: Any | None = None, master: str = "local[2]") -> None:
        if session is None:
            from pyspark.sql import SparkSession

            session = (
                SparkSession.builder.master(master)
                .appName("veriga")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.ansi.enabled", "false")
                .getOrCreate()
            )
        self.spark = session

    def register(self, tables: Tables, schemas: Mapping[str, pa.Schema] | None = None) -> None:
        for name, paths in tables.items():
            if paths:
                frame = self.spark.read.parquet(*[str(p) for p in paths])
            elif schemas and name in schemas:
                frame = self.spark.createDataFrame(schemas[name].empty_table().to_pandas())
            else:
                continue
            frame.createOrReplaceTempView(name)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(to_spark_sql(sql)).toArrow()

    def close(self) -> None:
        """The session is shared by the process; Spark stops it at exit."""
