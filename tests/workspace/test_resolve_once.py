"""A web request's workspace resolves what its reader sees of a case (merges, withdrawn and
withheld files, hidden entities, subject roles, the minimisation) once per revision across
its reads; a change by anyone is a new revision and is seen at once, and a change made in
the same workspace makes its next read resolve afresh."""

from __future__ import annotations

import pytest

from veriga.access import cases as case_access
from veriga.ingest import ImportRequest
from veriga.workspace import Workspace


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cases whose withdrawn files were read (once per resolution)."""
    calls: list[str] = []
    original = case_access.withdrawn_sources

    def counted(conn, case_id):  # type: ignore[no-untyped-def]
        calls.append(case_id)
        return original(conn, case_id)

    monkeypatch.setattr(case_access, "withdrawn_sources", counted)
    return calls


def test_reads_resolve_once_per_revision(ws: Workspace, examples, resolved) -> None:
    ws.cases.create("c")
    [first] = ws.records.import_files("c", [ImportRequest(
        examples["transactions"], mapping=examples["mapping"])])
    request = ws.as_user(ws.actor, "automated test")
    request.resolve_once = True
    resolved.clear()
    shown = {e.id for e in request.entities.list("c")}
    assert shown
    assert {e.id for e in request.entities.list("c")} == shown
    request.findings.list("c")
    list(request.entities.list("c"))
    assert len(resolved) == 1
    # another session withdraws the file: a new revision, seen by the next read
    ws.records.withdraw("c", first.source_id, "imported into the wrong case")
    resolved.clear()
    assert list(request.entities.list("c")) == []
    assert len(resolved) == 1
    # a change in this workspace: the reads after it resolve afresh
    ws.records.restore("c", first.source_id)
    assert {e.id for e in request.entities.list("c")} == shown
    target = sorted(shown)[0]
    request.entities.set_subject_role("c", target, "victim")
    resolved.clear()
    list(request.entities.list("c"))
    list(request.entities.list("c"))
    assert len(resolved) == 1


def test_a_workspace_of_many_requests_resolves_every_read(ws: Workspace, examples,
                                                          resolved) -> None:
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(examples["transactions"],
                                                mapping=examples["mapping"])])
    resolved.clear()
    list(ws.entities.list("c"))
    list(ws.entities.list("c"))
    assert len(resolved) == 2
