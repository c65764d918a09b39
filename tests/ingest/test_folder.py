import shutil

from veriga.ingest import expand


def test_a_folder_imports_what_it_can_and_says_what_it_left(sqlite_ws, examples, tmp_path):
    folder = tmp_path / "from-bank"
    folder.mkdir()
    for path in examples.values():
        shutil.copy(path, folder)
    (folder / "notes.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (folder / "scan.bin").write_bytes(b"\x00\x01")
    requests, skipped = expand([folder])
    assert sorted(r.path.name for r in requests) == ["people.ftm.json", "transactions.csv"]
    assert next(r for r in requests if r.path.name == "transactions.csv").mapping.name == \
        "transactions.mapping.yml"
    assert sorted(p.name for p, _ in skipped) == ["notes.csv", "scan.bin"]
    sqlite_ws.cases.create("c")
    results = sqlite_ws.records.import_files("c", requests)
    assert {r.format for r in results} == {"ftm", "csv"}
    assert not any(r.rejects for r in results)
