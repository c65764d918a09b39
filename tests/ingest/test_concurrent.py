"""Two imports of the same file into one case at the same time: one stores it, the other
says in one line that the file is already in the case (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.store import Store
from veriga.store.integrity import check_store
from veriga.workspace import Workspace


def test_concurrent_imports_of_one_file(settings, examples, monkeypatch):
    setup = Workspace.local(settings, purpose="automated test", username="tester")
    setup.cases.create("c")
    barrier = threading.Barrier(2, timeout=30)
    original = Store.list_sources  # an import run reads the case's files once, first

    calls: list[int] = []

    def find_then_wait(self, conn, case_id):
        found = original(self, conn, case_id)
        calls.append(1)
        if len(calls) <= 2:
            barrier.wait()  # both imports have seen that the file is not in the case yet
        return found

    monkeypatch.setattr(Store, "list_sources", find_then_wait)
    outcomes: list[object] = []

    sessions = [setup.as_user("tester", "automated test") for _ in range(2)]

    def run(ws: Workspace) -> None:
        try:
            outcomes.append(ws.records.import_files("c", [ImportRequest(
                examples["transactions"], mapping=examples["mapping"])]))
        except BaseException as exc:  # noqa: BLE001 - the outcome is what is tested
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(ws,)) for ws in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    monkeypatch.setattr(Store, "list_sources", original)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(outcomes) == 2 and len(errors) == 1, [repr(o) for o in outcomes]
    [error] = errors
    assert isinstance(error, ImportFailed), repr(error)
    text = str(error)
    assert len(text.splitlines()) == 1
    assert text.startswith("transactions.csv: this exact file is already in the case as source")
    report = check_store(setup.store, setup.bulk)
    setup.close()
    assert report.ok and report.sources == 1, report.problems


def test_same_file_twice_in_one_command(sqlite_ws, examples):
    sqlite_ws.cases.create("c")
    request = ImportRequest(examples["transactions"], mapping=examples["mapping"])
    with pytest.raises(ImportFailed, match="already in the case"):
        sqlite_ws.records.import_files("c", [request, request])
