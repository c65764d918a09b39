"""An import that fails midway leaves the store and the bulk folder exactly as they were."""

import pytest
from ingesthelpers import snapshot

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.store import Store


def test_failure_midway_changes_nothing(ws, examples, monkeypatch, tmp_path):
    more = tmp_path / "more.ftm.json"
    more.write_text(examples["people"].read_text().replace('"p-', '"q-'), encoding="utf-8")
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(examples["people"])])
    before = snapshot(ws)
    calls = {"n": 0}
    original = Store.add_statements

    def failing(self, conn, rows, **options):
        calls["n"] += 1
        if calls["n"] == 2:  # the second file: records already written as Parquet
            raise RuntimeError("disk full (simulated)")
        return original(self, conn, rows, **options)

    monkeypatch.setattr(Store, "add_statements", failing)
    with pytest.raises(RuntimeError, match="simulated"):
        ws.records.import_files("c", [
            ImportRequest(examples["transactions"], mapping=examples["mapping"]),
            ImportRequest(more),
        ])
    assert snapshot(ws) == before


def test_second_file_failing_undoes_the_first(ws, examples, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    ws.cases.create("c")
    before = snapshot(ws)
    with pytest.raises(ImportFailed):
        ws.records.import_files("c", [
            ImportRequest(examples["transactions"], mapping=examples["mapping"]),
            ImportRequest(bad, mapping=examples["mapping"]),
        ])
    assert snapshot(ws) == before
    assert list(ws.entities.list("c")) == []
