"""Reading a file as an import would, without a store (the fuzz tests' fast path), and the
in-memory DuckDB connections importers share."""

from __future__ import annotations

import pyarrow as pa
import pytest

from veriga.demo import example_files
from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest, duck, read_file


def test_read_file_brings_what_an_import_brings(sqlite_ws, tmp_path):
    ex = example_files()
    requests = [ImportRequest(ex["transactions"], mapping=ex["mapping"]),
                ImportRequest(ex["people"])]
    dry = [read_file(r) for r in requests]
    sqlite_ws.cases.create("c")
    stored = sqlite_ws.records.import_files("c", requests)
    for got, want in zip(dry, stored, strict=True):
        assert (got.format, got.entities, got.statements, got.records, got.mapping) == \
            (want.format, want.entities, want.statements, want.records, want.mapping)
        assert [r.render("f") for r in got.rejects] == [r.render("f") for r in want.rejects]


def test_read_file_ends_as_an_import_would(tmp_path):
    empty = tmp_path / "empty.ftm.json"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportFailed, match="nothing to import"):
        read_file(ImportRequest(empty, format="ftm"))
    big = tmp_path / "big.ftm.json"
    big.write_text('{"id": "a", "schema": "Person"}\n' * 10, encoding="utf-8")
    with pytest.raises(ImportFailed, match="max_bytes"):
        read_file(ImportRequest(big, format="ftm", options={"max_bytes": 100}))
    with pytest.raises(ImportFailed, match="no such file"):
        read_file(ImportRequest(tmp_path / "missing.csv"))


def test_duck_connections_keep_their_tables_apart():
    a, b = duck.connect(), duck.connect()
    try:
        a.register("raw", pa.table({"x": [1, 2]}))
        b.register("raw", pa.table({"x": [3]}))
        a.execute("CREATE TEMP TABLE conv AS SELECT x FROM raw")
        assert a.execute("SELECT sum(x) FROM conv").fetchone() == (3,)
        assert b.execute("SELECT sum(x) FROM raw").fetchone() == (3,)
        with pytest.raises(Exception, match="conv"):
            b.execute("SELECT * FROM conv")
    finally:
        a.close()
        b.close()
    c = duck.connect()
    try:
        with pytest.raises(Exception, match="raw"):
            c.execute("SELECT * FROM raw")
    finally:
        c.close()
