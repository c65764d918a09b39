"""`veriga analyze` and `veriga finance ...` on a simulated world, as a user runs them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from veriga.cli import app
from veriga.simulate import simulate

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_follow_the_money_from_the_command_line(env_home, tmp_path):
    world = tmp_path / "world"
    simulate("mixed", "small", 3, world)
    truth = json.loads((world / "ground_truth.json").read_text())
    run("case", "create", "money")
    run("import", str(world / "bank"), str(world / "labour"), "--case", "money")

    out = run("analyze", "--case", "money", "--truth", str(world / "ground_truth.json"))
    assert "findings" in out and "R12" in out and "Proceeds seen in the bank data" in out
    assert "| R1 |" in out  # the quality table

    explained = run("findings", "--case", "money", "--kind", "R9", "--explain")
    assert "remittances" in explained.lower() and "FATF" in explained

    remit = next(t for t in truth["typologies"] if t["code"] == "R9")
    account = remit["accounts"][0]
    traced = run("finance", "trace", "--case", "money", "--account", account, "--hops", "4")
    assert "where the money ended" in traced and "Traced money leaving" in traced
    data = json.loads(run("finance", "trace", "--case", "money", "--account", account,
                          "--direction", "backward", "--format", "json"))
    assert data["hops"] and data["direction"] == "backward"

    profile = run("finance", "account", "--case", "money", "--account", account)
    assert "counterparty" in profile and "balance" in profile

    proceeds = run("finance", "proceeds", "--case", "money")
    assert "Proceeds estimate for the case" in proceeds and "EUR" in proceeds

    missing = run("finance", "trace", "--case", "money", "--account", "LV00NOPE", code=1)
    assert "no debits" in missing
