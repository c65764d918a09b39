"""`veriga osint operations` as a user runs it: a simulated world's ads imported into a
case, the operations printed and the ad -> operation CSV agreeing with the answer key."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veriga.cli import app
from veriga.errors import NotFound
from veriga.osint.quality import agreement
from veriga.simulate import simulate

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_operations_prints_groups_and_writes_the_csv(env_home, tmp_path: Path) -> None:
    world = tmp_path / "world"
    simulate("sexual-exploitation", "tiny", 1, world)
    run("case", "create", "ads")
    run("import", str(world / "ads" / "ads.ftm.jsonl"), "--case", "ads")
    out_csv = tmp_path / "operations.csv"
    out = run("osint", "operations", "--case", "ads", "--out", str(out_csv))
    assert "120 ads" in out and "op-" in out and "phone" in out
    with out_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    key = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    truth = {a["entity_id"]: a["operation"] or f"{a['kind']}:{a['phone']}" for a in key["ads"]}
    assert len(rows) == len(truth)
    score = agreement(truth, {r["ad_id"]: r["operation_id"] for r in rows})
    assert score.ari >= 0.95 and score.recall == 1.0


def test_operations_of_an_unknown_case_is_refused(env_home) -> None:
    with pytest.raises(NotFound):
        run("osint", "operations", "--case", "nope")
