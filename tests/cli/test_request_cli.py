"""`veriga request eio` as a prosecutor runs it: a trace that ends abroad, drafted as DOCX."""

from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from veriga.cli import app
from veriga.simulate import simulate

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.slow
def test_request_eio_writes_one_draft_per_state(env_home, tmp_path) -> None:
    world = tmp_path / "world"
    simulate("mixed", "tiny", 2, world)
    truth = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    start = next(t["accounts"][0] for t in truth["typologies"] if t["code"] == "R9")
    run("case", "create", "amber")
    run("import", str(world / "bank"), "--case", "amber")
    out = run("request", "eio", "--case", "amber", "--account", start, "--out",
              str(tmp_path / "eio.docx"))
    drafts = sorted(tmp_path.glob("eio-*.docx"))
    assert len(drafts) >= 2 and out.count("EIO to") == len(drafts)
    with zipfile.ZipFile(drafts[0]) as z:
        assert start in z.read("word/document.xml").decode("utf-8")
    missing = run("request", "eio", "--case", "amber", "--account", start, "--out",
                  str(tmp_path / "de.docx"), "--executing-state", "DE", code=1)
    assert "ended nowhere in DE" in missing
