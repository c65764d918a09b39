"""DuckDB, in-process: the default engine."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pyarrow as pa

from veriga.engine.base import Tables


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        self._empty: dict[str, pa.Table] = {}

    def register(self, tables: Tables, schemas: Mapping[str, pa.Schema] | None = None) -> None:
        for name, paths in tables.items():
            if paths:
                files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
                self.con.execute(
                    f"CREATE OR REPLACE VIEW {_quote(name)} AS "
                    f"SELECT * FROM read_parquet([{files}], union_by_name = true)"
                )
            elif schemas and name in schemas:
                self._empty[name] = schemas[name].empty_table()
                self.con.register(f"__empty_{name}", self._empty[name])
                self.con.execute(
                    f"CREATE OR REPLACE VIEW {_quote(name)} AS SELECT * FROM __empty_{name}"
                )

    def query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def materialize(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_quote(name)} AS {sql}")

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._empty[name] = table
        self.con.register(f"__arrow_{name}", table)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {_quote(name)} AS "
                         f"SELECT * FROM __arrow_{name}")

    def close(self) -> None:
        self.con.close()
