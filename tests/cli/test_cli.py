import json
import subprocess
import sys

import networkx as nx
from typer.testing import CliRunner

from veriga.cli import app

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_whole_foundation_from_the_command_line(env_home, examples, tmp_path):
    run("case", "create", "Operation Amber", "--purpose", "case opening")
    assert "Operation Amber" in run("case", "list")
    out = run("import", str(examples["people"]), str(examples["transactions"]),
              "--mapping", str(examples["mapping"]), "--case", "Operation Amber",
              "--purpose", "evidence intake")
    assert "imported people.ftm.json as ftm" in out and "3 transaction records" in out

    lines = run("entities", "-c", "Operation Amber", "--schema", "Person", "--format", "json")
    people = [json.loads(x) for x in lines.splitlines()]
    assert {p["schema"] for p in people} == {"Person"} and len(people) == 3

    shown = json.loads(run("show", "p-ivan", "-c", "Operation Amber", "--format", "json",
                           "--purpose", "check suspect"))
    phone = next(s for s in shown["statements"] if s["prop"] == "phone")
    assert phone["file_name"] == "people.ftm.json" and phone["locator"] == "line 1"
    assert "Иван Петров" in run("show", "p-ivan", "-c", "Operation Amber")

    gexf = tmp_path / "case.gexf"
    run("export", "-c", "Operation Amber", "--format", "gexf", "--out", str(gexf))
    assert nx.read_gexf(gexf).number_of_nodes() > 5

    assert json.loads(run("findings", "-c", "Operation Amber", "--format", "json")) == []
    audit = json.loads(run("audit", "-c", "Operation Amber", "--format", "json"))
    reads = [a for a in audit if a["action"] == "entity.read"]
    assert reads and reads[0]["target"] == "p-ivan" and reads[0]["purpose"] == "check suspect"
    assert reads[0]["actor"] == "cli-tester"
    assert "intact" in run("audit", "verify")


def test_errors_are_one_line_and_exit_non_zero(env_home, tmp_path):
    missing = tmp_path / "nope.csv"
    done = subprocess.run(
        [sys.executable, "-m", "veriga", "import", str(missing), "--case", "ghost"],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error:") and "ghost" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_import_reports_rejects_with_lines(env_home, tmp_path):
    path = tmp_path / "p.ftm.json"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"birthDate": ["soon"]}}\n',
                    encoding="utf-8")
    run("case", "create", "c")
    out = run("import", str(path), "-c", "c")
    assert "1 rejected value" in out and "p.ftm.json:line 1: birthDate='soon'" in out


def test_reading_personal_data_needs_a_purpose(env_home, examples, monkeypatch):
    run("case", "create", "c")
    monkeypatch.delenv("VERIGA_PURPOSE")
    done = subprocess.run([sys.executable, "-m", "veriga", "entities", "-c", "c"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "purpose" in done.stderr


def test_help_everywhere():
    for args in ([], ["case"], ["import"], ["export"], ["audit"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_two_agencies_from_the_command_line(env_home, examples, monkeypatch):
    run("case", "create", "amber")  # cli-tester: the first user, administrator of this store
    run("import", str(examples["people"]), "-c", "amber")
    run("org", "add", "Politsei", "--type", "police", "--country", "EE")
    run("user", "add", "mart", "--org", "Politsei", "--role", "investigator")
    monkeypatch.setenv("VERIGA_USER", "mart")
    assert "amber" not in run("case", "list")
    result = runner.invoke(app, ["entities", "-c", "amber"])
    assert result.exit_code != 0 and "that you can access" in str(result.exception)
    monkeypatch.setenv("VERIGA_USER", "cli-tester")
    run("case", "share", "amber", "--org", "Politsei")
    run("entity", "role", "p-anna", "victim", "-c", "amber")
    monkeypatch.setenv("VERIGA_USER", "mart")
    assert "Иван Петров" in run("entities", "-c", "amber")
    monkeypatch.setenv("VERIGA_USER", "cli-tester")
    who = json.loads(run("audit", "who", "p-anna", "-c", "amber", "--format", "json"))
    assert any(w["actor"] == "mart" and w["action"] == "entity.list" for w in who)
