"""Audit completeness: every path that reads or writes personal data leaves an entry."""

import pytest

from veriga.findings import Evidence, Finding, ReviewState
from veriga.ingest import ImportRequest

FINDING = Finding(kind="k", score=0.5, explanation="e", detector="d", detector_version="1",
                  evidence=Evidence(entity_ids=["p-ivan"]))


def _last(ws):
    with ws.store.begin() as conn:
        return ws.store.list_audit(conn)[-1]


@pytest.mark.parametrize(
    ("action", "call"),
    [
        ("import", lambda ws, tmp: ws.records.import_files("c",
                                                           [ImportRequest(tmp / "more.json")])),
        ("entity.list", lambda ws, tmp: list(ws.entities.list("c"))),
        ("entity.read", lambda ws, tmp: ws.entities.get("c", "p-ivan")),
        ("entity.change", lambda ws, tmp: ws.entities.set_subject_role("c", "p-anna", "victim")),
        ("export", lambda ws, tmp: ws.exports.write("c", "gexf", tmp / "x.gexf")),
        ("records.read", lambda ws, tmp: ws.records.engine("c").close()),
        ("finding.create", lambda ws, tmp: ws.findings.save("c", [FINDING])),
        ("finding.list", lambda ws, tmp: ws.findings.list("c")),
        ("finding.review", lambda ws, tmp: ws.findings.review("c", FINDING.id,
                                                              ReviewState.DISMISSED,
                                                     "lawful")),
        ("case.open", lambda ws, tmp: ws.cases.open("c")),
        ("audit.read", lambda ws, tmp: ws.audit.log("c")),
    ],
)
def test_every_personal_data_path_is_audited(sqlite_ws, examples, tmp_path, action, call):
    ws = sqlite_ws
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(examples["people"])])
    ws.findings.save("c", [FINDING])
    (tmp_path / "more.json").write_text(
        '{"id": "x", "schema": "Person", "properties": {"name": ["X"]}}\n', encoding="utf-8")
    with ws.store.begin() as conn:
        before = len(ws.store.list_audit(conn))
    call(ws, tmp_path)
    entry = _last(ws)
    with ws.store.begin() as conn:
        assert len(ws.store.list_audit(conn)) > before
    assert entry["action"] == action
    assert entry["actor"] == "tester" and entry["purpose"] == "automated test"
    assert ws.audit.verify().ok
