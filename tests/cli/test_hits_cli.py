"""`veriga hits key|publish|match` between two installations (two VERIGA_HOMEs)."""

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


def test_two_installations_learn_only_their_hits(env_home, tmp_path, monkeypatch) -> None:
    world = tmp_path / "world"
    simulate("mixed", "tiny", 2, world)
    key, flt = tmp_path / "jit.key", tmp_path / "lv.vhf"
    monkeypatch.setenv("VERIGA_HOME", str(tmp_path / "lv"))
    run("case", "create", "lv")
    run("import", str(world / "police"), str(world / "travel"), "--case", "lv")
    assert "key id" in run("hits", "key", "--out", str(key))
    assert "exists" in run("hits", "key", "--out", str(key), code=1)
    out = run("hits", "publish", "--case", "lv", "--key", str(key), "--out", str(flt),
              "--label", "Valsts policija LV-17", "--expires", "2999-12-31")
    assert "phone" in out and "names encoded" in out
    monkeypatch.setenv("VERIGA_HOME", str(tmp_path / "ee"))
    run("case", "create", "ee")
    run("import", str(world / "bank"), str(world / "registers"), "--case", "ee")
    out = run("hits", "match", "--case", "ee", "--key", str(key), "--filter", str(flt))
    assert "hit(s) of" in out and "Valsts policija LV-17" in out
    rows = [json.loads(line) for line in run(
        "hits", "match", "--case", "ee", "--key", str(key), "--filter", str(flt),
        "--format", "json").splitlines()]
    assert rows and {r["kind"] for r in rows} <= {"phone", "iban", "person", "document",
                                                  "company", "email", "name"}
    other = tmp_path / "other.key"
    run("hits", "key", "--out", str(other))
    refused = run("hits", "match", "--case", "ee", "--key", str(other), "--filter", str(flt),
                  code=1)
    assert "made under another key" in refused
