"""`veriga train exercise | attempt`: set an exercise, start an attempt (the case built with
progress), submit an answer from a JSON file and read the grade."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from veriga.cli import app
from veriga.store.schema import training_attempts
from veriga.training.simulation import model_answer
from veriga.workspace import Workspace

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_set_start_submit_and_grade(env_home: Path, tmp_path: Path) -> None:
    out = run("train", "exercise", "create", "Baltic route", "--scenario",
              "sexual-exploitation", "--difficulty", "easy")
    assert "Set exercise Baltic route" in out
    run("train", "exercise", "create", "x", "--scenario", "piracy", code=1)
    exercise = json.loads(run("train", "exercise", "list", "--format", "json"))[0]["id"]
    out = run("train", "attempt", "start", exercise)
    assert "Your role: investigator" in out and "To assess" in out and "controller" not in out
    attempt = json.loads(run("train", "attempt", "list", "--format", "json"))[0]
    assert attempt["status"] == "open" and "key" not in attempt
    with Workspace.local(username="cli-tester") as ws, ws.store.begin() as conn:
        key = conn.execute(select(training_attempts.c.key).where(
            training_attempts.c.id == attempt["id"])).scalar()
    run("train", "attempt", "grade", attempt["id"], code=1)  # not submitted yet
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"roles": [{"entity": "nobody", "role": "victim"}]}))
    run("train", "attempt", "submit", attempt["id"], str(bad), code=1)  # refused whole
    assert json.loads(run("train", "attempt", "show", attempt["id"], "--format", "json")
                      )["status"] == "open"
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(model_answer(key)))
    out = run("train", "attempt", "submit", attempt["id"], str(answer))
    assert "Your grade: 100%" in out and "passed" in out
    shown = json.loads(run("train", "attempt", "grade", attempt["id"], "--format", "json"))
    assert shown["grade"]["passed"] is True


def test_prepare_cases_ahead_of_a_workshop(env_home: Path) -> None:
    run("train", "exercise", "create", "Workshop", "--scenario", "sexual-exploitation",
        "--difficulty", "easy")
    exercise = json.loads(run("train", "exercise", "list", "--format", "json"))[0]["id"]
    run("train", "exercise", "prepare", exercise, "--count", "0", code=1)
    out = run("train", "exercise", "prepare", exercise, "--count", "2")
    assert "2 of 2 case(s) ready" in out
    prepared = json.loads(run("train", "attempt", "list", "--format", "json"))
    assert len(prepared) == 2 and all(a["status"] == "open" and a["case_id"] for a in prepared)
    assert len({a["case_id"] for a in prepared}) == 2  # a case of its own each
