"""`veriga analyze --only/--params/--truth` and `veriga families`, as a user runs them."""

from __future__ import annotations

from typer.testing import CliRunner

from veriga.cli import app
from veriga.simulate import simulate

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_families_are_listed_with_their_detectors(env_home) -> None:
    out = run("families")
    assert "finance" in out and "R13" in out and "recruitment" in out and "fee_account" in out


def test_analyze_runs_the_families_named(env_home, tmp_path) -> None:
    world = tmp_path / "world"
    simulate("labour-exploitation", "tiny", 2, world)
    run("case", "create", "w")
    run("import", str(world / "bank"), str(world / "labour"), "--case", "w")
    out = run("analyze", "--case", "w", "--only", "finance",
              "--truth", str(world / "ground_truth.json"))
    assert "finance:" in out and "| finance | R" in out and "recall" in out
    missing = run("analyze", "--case", "w", "--only", "nonesuch", code=1)
    assert "no analysis family 'nonesuch'" in missing and "finance" in missing
    params = tmp_path / "p.yml"
    params.write_text("r5: {threshold: 15000}\n", encoding="utf-8")
    wrong = run("analyze", "--case", "w", "--params", str(params), code=1)
    assert "sections are per family" in wrong
    params.write_text("finance: {r5: {threshold: 15000}}\n", encoding="utf-8")
    assert "finance:" in run("analyze", "--case", "w", "--params", str(params))
