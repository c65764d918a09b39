"""Query execution over bulk records: DuckDB by default, Spark at scale, same SQL."""

from __future__ import annotations

from typing import Any

from veriga.engine.base import Engine, Tables
from veriga.engine.duckdb_engine import DuckDBEngine


def get_engine(name: str = "duckdb", **options: Any) -> Engine:
    """An engine by name: ``duckdb`` or ``spark``."""
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name == "spark":
        try:
            from veriga.engine.spark_engine import SparkEngine
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError("the Spark engine needs 'pip install veriga[spark]'") from exc
        return SparkEngine(**options)
    raise ValueError(f"unknown engine {name!r} (duckdb or spark)")


__all__ = ["DuckDBEngine", "Engine", "Tables", "get_engine"]
