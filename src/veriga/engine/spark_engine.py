"""Apache Spark: the scale-out engine (local mode in tests). SQL is transpiled by sqlglot."""

from __future__ import annotations

import os
import sys
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

            # Python workers run this interpreter (not the first python3 on the PATH), so
            # they import veriga and its dependencies as the driver does
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            session = (
                SparkSession.builder.master(master)
                .appName("veriga")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.memory", os.environ.get("VERIGA_SPARK_MEMORY", "4g"))
                .config("spark.sql.ansi.enabled", "false")
                .getOrCreate()
            )
        self.spark = session

    def register(self, tables: Tables, schemas: Mapping[str, pa.Schema] | None = None) -> None:
        for name, paths in tables.items():
            if paths:
                frame = self.spark.read.parquet(*[str(p) for p in paths])
            elif schemas and name in schemas:
                frame = self.spark.createDataFrame([], _spark_schema(schemas[name]))
            else:
                continue
            frame.createOrReplaceTempView(name)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(to_spark_sql(sql)).toArrow()

    def materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(to_spark_sql(sql)).cache()
        frame.count()
        frame.createOrReplaceTempView(name)

    def define(self, name: str, sql: str) -> None:
        self.spark.sql(to_spark_sql(sql)).createOrReplaceTempView(name)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        rows = [tuple(row.values()) for row in table.to_pylist()]
        frame = self.spark.createDataFrame(rows, _spark_schema(table.schema))
        frame.createOrReplaceTempView(name)

    def close(self) -> None:
        """The session is shared by the process; Spark stops it at exit."""


def _spark_schema(schema: pa.Schema) -> Any:
    """A Spark schema for an Arrow schema of plain columns (strings, numbers, dates)."""
    from pyspark.sql import types as T

    def kind(t: pa.DataType) -> Any:
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return T.StringType()
        if pa.types.is_boolean(t):
            return T.BooleanType()
        if pa.types.is_integer(t):
            return T.LongType()
        if pa.types.is_decimal(t):
            return T.DecimalType(t.precision, t.scale)
        if pa.types.is_date(t):
            return T.DateType()
        if pa.types.is_timestamp(t):
            return T.TimestampType()
        return T.DoubleType()

    return T.StructType([T.StructField(f.name, kind(f.type), True) for f in schema])
