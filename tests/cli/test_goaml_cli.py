"""veriga export --format goaml --finding ID: a report from the command line, and its
refusal in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from veriga.cli import app
from veriga.config import load_settings
from veriga.findings import Evidence, Finding, ReviewState
from veriga.workspace import Workspace

DATA = Path(__file__).parent.parent / "ingest" / "data" / "goaml"
runner = CliRunner()


def test_a_goaml_report_from_the_command_line(env_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "str.xml"
    shutil.copy(DATA / "bi_party.xml", src)
    runner.invoke(app, ["case", "create", "amber"], catch_exceptions=False)
    result = runner.invoke(app, ["import", str(src), "--case", "amber"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with Workspace.local(load_settings(), purpose="test", username="cli-tester") as ws:
        engine = ws.records.engine("amber")
        try:
            ids = engine.query('SELECT record_id FROM "transaction"').column(0).to_pylist()
        finally:
            engine.close()
        item = Finding(kind="R3", score=0.9, title="Wages passed on",
                       explanation="Wages passed on within days.",
                       evidence=Evidence(record_ids=sorted(ids)), detector="tests.r3",
                       detector_version="1")
        ws.findings.save("amber", [item])
        ws.findings.review("amber", item.id, ReviewState.CONFIRMED, "checked")
    out = tmp_path / "out.goaml.xml"
    args = ["export", "-c", "amber", "--format", "goaml", "--finding", item.id, "--out",
            str(out)]
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and not out.exists()
    assert "no rentity_id, which FIU profile 'default' requires" in str(refused.exception)
    fiu = env_home / "goaml" / "my-fiu.yml"  # a profile of the user's, found by name
    fiu.parent.mkdir(parents=True, exist_ok=True)
    fiu.write_text("extends: default\nrentity_id: '4711'\n", encoding="utf-8")
    done = runner.invoke(app, [*args, "--profile", "my-fiu", "--reference", "STR-9"],
                         catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "Wrote report STR-9 with 2 transactions and 2 accounts" in done.output
    assert "<indicator>VRG-R3</indicator>" in out.read_text(encoding="utf-8")
