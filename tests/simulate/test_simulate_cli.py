"""`veriga simulate` and `veriga simulate --list`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from veriga.cli.main import app


def test_list() -> None:
    result = CliRunner().invoke(app, ["simulate", "--list"])
    assert result.exit_code == 0
    assert "labour-exploitation" in result.output


def test_generate(tmp_path: Path) -> None:
    out = tmp_path / "w"
    result = CliRunner().invoke(app, ["simulate", "labour-exploitation", "--size", "tiny",
                                      "--seed", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "ground_truth.json").is_file()
