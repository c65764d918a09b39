"""`veriga import --limit`: a file over a limit is refused with the way to raise it, and
imports whole once the user raises it; a limit that is no limit is refused before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from veriga.cli import app
from veriga.demo import example_files
from veriga.errors import ImportFailed

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_a_file_over_a_limit_is_imported_once_it_is_raised(env_home, tmp_path: Path) -> None:
    ex = example_files()
    rows = ex["transactions"].read_text(encoding="utf-8").splitlines()
    assert len(rows) == 4  # a header and three transactions
    run("case", "create", "big")
    with pytest.raises(ImportFailed, match=r"3 rows, over the limit of 2 \(max_rows; raise "
                       r"it with veriga import --limit max_rows=N\)"):
        run("import", str(ex["transactions"]), "--case", "big", "--mapping",
            str(ex["mapping"]), "--limit", "max_rows=2")
    out = run("import", str(ex["transactions"]), "--case", "big", "--mapping",
              str(ex["mapping"]), "--limit", "max_rows=1M", "--limit", "max_read_bytes=1GiB")
    assert f"{len(rows) - 1} transaction records" in out


def test_a_limit_that_is_no_limit_is_refused(env_home) -> None:
    out = run("import", "nothing.csv", "--case", "x", "--limit", "max_rows=lots", code=1)
    assert "positive whole number" in out
    out = run("import", "nothing.csv", "--case", "x", "--limit", "rows=5", code=1)
    assert "max_read_bytes" in out
