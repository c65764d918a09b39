"""`veriga xref` as a user runs it: two cases sharing a world's police files, the tables, the
candidates CSV, and a case the user may not read answered as one that does not exist."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veriga.cli import app
from veriga.config import load_settings
from veriga.errors import NotFound, VerigaError
from veriga.simulate import simulate
from veriga.workspace import Workspace

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def cases(env_home, tmp_path) -> Path:
    world = tmp_path / "world"
    simulate("mixed", "tiny", 3, world)
    run("case", "create", "a")
    run("case", "create", "b")
    run("import", str(world / "bank"), str(world / "police"), "--case", "a")
    run("import", str(world / "police"), str(world / "travel"), str(world / "registers"),
        "--case", "b")
    return world


def test_xref_prints_shared_entities_and_candidates_and_writes_them(cases, tmp_path) -> None:
    out_csv = tmp_path / "matches.csv"
    out = run("xref", "--case", "a", "--case", "b", "--out", str(out_csv),
              "--min-probability", "0.8", "--limit", "500")
    assert "shared entities (a and b)" in out and "candidate matches at probability 0.8" in out
    assert "Person" in out and "name (exact)" in out
    with out_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["left_case"] for r in rows} == {"a"} and {r["right_case"] for r in rows} \
        == {"b"}
    probabilities = [float(r["match_probability"]) for r in rows]
    assert min(probabilities) >= 0.8 and probabilities == sorted(probabilities, reverse=True)
    assert f"Wrote {len(rows)} candidate matches" in out
    # the table shows the CSV's best candidate (ids as the table cuts them)
    assert f"a: {rows[0]['left_id'][:12]}" in out and f"b: {rows[0]['right_id'][:12]}" in out
    log = run("audit", "--case", "b")
    assert "case.xref" in log and "export" in log


def test_a_case_of_another_force_is_a_case_that_does_not_exist(cases) -> None:
    with Workspace.local(load_settings(), purpose="setting up") as ws:
        ws.directory.add_org("Politsei", "police", "EE")
        ws.directory.add_user("mart", "Politsei", ["investigator"])
        mart = ws.as_user("mart", purpose="investigation EE-1")
        mart.cases.create("theirs")
        mart.close()
    with pytest.raises(NotFound) as theirs:
        run("xref", "--case", "a", "--case", "theirs")
    with pytest.raises(NotFound) as missing:
        run("xref", "--case", "a", "--case", "absent")
    assert str(theirs.value) == str(missing.value).replace("absent", "theirs")
    with pytest.raises(VerigaError, match="two different cases"):
        run("xref", "--case", "a", "--case", "a")
