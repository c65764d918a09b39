import json

import pytest

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest


def _write(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def test_ftm_import_normalises_and_keeps_provenance(ws, examples):
    ws.cases.create("c")
    [result] = ws.records.import_files("c", [ImportRequest(examples["people"])])
    assert result.format == "ftm" and result.entities == 7 and not result.rejects
    view = ws.entities.get("c", "p-ivan")
    values = {s["prop"]: s for s in view.statements}
    assert values["phone"]["value"] == "+359888123456"  # local BG form, nationality as hint
    assert values["phone"]["original_value"] == "0888 123 456"
    assert values["birthDate"]["value"] == "1985-03-12"
    assert values["name"]["value"] == "Иван Петров" and values["name"]["latin"] == "Ivan Petrov"
    assert values["name"]["file_name"] == "people.ftm.json"
    assert values["name"]["locator"] == "line 1"
    assert values["name"]["importer"] == "veriga.ingest.ftm_json"
    assert len(values["name"]["sha256"]) == 64
    ad = ws.entities.get("c", "ad-1").entity
    assert ad.schema.name == "Advertisement" and ad.get("phone") == ["+37120123456"]


def test_ftm_rejects_are_reported_with_lines(sqlite_ws, tmp_path):
    path = _write(tmp_path / "bad.ftm.json", [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Ok Person"],
                                                        "birthDate": ["31.02.1990"]}},
        {"id": "p2", "schema": "Alien", "properties": {"name": ["X"]}},
        "{not json",
        {"id": "p3", "schema": "Person", "properties": {"phone": ["2012 3456"],
                                                        "nme": ["typo"]}},
        {"schema": "Person", "properties": {"name": ["No Id"]}},
    ])
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    got = {(r.locator, r.field) for r in result.rejects}
    assert got == {("line 1", "birthDate"), ("line 2", "schema"), ("line 3", None),
                   ("line 4", "phone"), ("line 4", "nme"), ("line 5", "id")}
    reasons = " ".join(r.reason for r in result.rejects)
    assert "unknown schema" in reasons and "no country code" in reasons
    assert result.entities == 2
    assert {e.id for e in sqlite_ws.entities.list("c")} == {"p1", "p3"}


def test_strict_mode_imports_nothing(sqlite_ws, tmp_path):
    path = _write(tmp_path / "x.json", [
        {"id": "p1", "schema": "Person", "properties": {"name": ["A"], "birthDate": ["bad"]}},
    ])
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match="strict"):
        sqlite_ws.records.import_files("c", [ImportRequest(path, format="ftm")], strict=True)
    assert list(sqlite_ws.entities.list("c")) == []
    assert sqlite_ws.records.sources("c") == []


def test_same_file_twice_is_refused(sqlite_ws, examples):
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [ImportRequest(examples["people"])])
    with pytest.raises(ImportFailed, match="already in the case"):
        sqlite_ws.records.import_files("c", [ImportRequest(examples["people"])])


def test_unknown_format_is_a_clear_error(sqlite_ws, tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\x00\x01\x02")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match="cannot tell the format"):
        sqlite_ws.records.import_files("c", [ImportRequest(path)])
