"""`Workspace.analyze` on SQLite and PostgreSQL: saved findings, re-runs, access, audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.errors import VerigaError
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.workspace import Workspace


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "world"
    simulate("mixed", "tiny", 5, out)
    return out


def test_analysis_is_saved_rerun_and_audited(ws: Workspace, tiny_world: Path) -> None:
    ws.cases.create("tiny")
    requests, _ = expand([tiny_world / "bank"], ImportRequest(path=Path(".")))
    ws.records.import_files("tiny", requests)
    run = ws.analyses.run("tiny", ["finance"])["finance"].detail
    saved = ws.findings.list("tiny")
    assert {f.id for f in saved} == {f.id for f in run.findings}
    assert {"R1", "R12", "proceeds"} <= {f.kind for f in saved}
    again = ws.analyses.run("tiny", ["finance"])["finance"].detail
    assert {f.id for f in again.findings} == {f.id for f in saved}  # deterministic
    assert len(ws.findings.list("tiny")) == len(saved)
    actions = [e["action"] for e in ws.audit.log("tiny")]
    assert actions.count("finding.create") == 2 and "records.read" in actions


def test_only_case_workers_may_analyse(ws: Workspace, tiny_world: Path) -> None:
    ws.cases.create("tiny")
    ws.directory.add_org("Safe House", "ngo", "LV")
    ws.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    ws.cases.share("tiny", "Safe House")
    ngo = ws.as_user("ilze", purpose="victim support")
    with pytest.raises(VerigaError):
        ngo.analyses.run("tiny")
