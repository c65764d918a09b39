"""An import that fails midway leaves the store and the bulk folder exactly as they were."""

import pytest
import sqlalchemy as sa

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.store import Store


def _snapshot(ws):
    with ws.store.begin() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("sources", "statements", "rejects", "audit")}
    files = sorted(p.relative_to(ws.bulk.root) for p in ws.bulk.root.rglob("*") if p.is_file()) \
        if ws.bulk.root.exists() else []
    return counts, files


def test_failure_midway_changes_nothing(ws, examples, monkeypatch, tmp_path):
    more = tmp_path / "more.ftm.json"
    more.write_text(examples["people"].read_text().replace('"p-', '"q-'), encoding="utf-8")
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(examples["people"])])
    before = _snapshot(ws)
    calls = {"n": 0}
    original = Store.add_statements

    def failing(self, conn, rows):
        calls["n"] += 1
        if calls["n"] == 2:  # the second file: records already written as Parquet
            raise RuntimeError("disk full (simulated)")
        return original(self, conn, rows)

    monkeypatch.setattr(Store, "add_statements", failing)
    with pytest.raises(RuntimeError, match="simulated"):
        ws.records.import_files("c", [
            ImportRequest(examples["transactions"], mapping=examples["mapping"]),
            ImportRequest(more),
        ])
    assert _snapshot(ws) == before


def test_second_file_failing_undoes_the_first(ws, examples, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    ws.cases.create("c")
    before = _snapshot(ws)
    with pytest.raises(ImportFailed):
        ws.records.import_files("c", [
            ImportRequest(examples["transactions"], mapping=examples["mapping"]),
            ImportRequest(bad, mapping=examples["mapping"]),
        ])
    assert _snapshot(ws) == before
    assert list(ws.entities.list("c")) == []
