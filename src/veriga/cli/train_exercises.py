"""`veriga train exercise|attempt`: case simulations (``ws.exercises``).

A trainer sets an exercise; a trainee starts an attempt (the training case is built here,
with progress), investigates the case with the other commands, submits an answer as JSON
(see :mod:`veriga.training.simulation.submission`) and reads the graded report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from veriga.cli.common import OutFormat, PurposeOpt, console, print_rows, progress_bars, workspace
from veriga.cli.train import train_app
from veriga.errors import VerigaError
from veriga.findings import Text
from veriga.training.simulation import DIFFICULTIES, ROLE_PARTS, SCENARIOS
from veriga.training.simulation.vocab import COMPONENT_LABELS

exercise_app = typer.Typer(no_args_is_help=True, help="Case simulations: set, list, teams.")
attempt_app = typer.Typer(no_args_is_help=True,
                          help="Attempts at case simulations: start, show, submit, grade.")
train_app.add_typer(exercise_app, name="exercise")
train_app.add_typer(attempt_app, name="attempt")

Fmt = Annotated[OutFormat, typer.Option("--format")]
AttemptArg = Annotated[str, typer.Argument(help="The attempt's id.")]
MAX_ANSWER = 5_000_000


def _text(message: dict[str, Any] | None) -> str:
    found = Text.from_dict(message)
    return found.render() if found else ""


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@exercise_app.command("create")
def exercise_create(
    title: Annotated[str, typer.Argument(help="The exercise's title.")],
    scenario: Annotated[str, typer.Option(help=", ".join(SCENARIOS))] = "mixed",
    difficulty: Annotated[str, typer.Option(help=", ".join(DIFFICULTIES))] = "easy",
    cohort: Annotated[str | None, typer.Option(
        help="The cohort (name or id) it is for; without it, every trainee.")] = None,
    team: Annotated[bool, typer.Option("--team", help="A group exercise: teams share one "
                                       "case (set them with 'exercise team').")] = False,
    role: Annotated[str, typer.Option(help="The trainee's role when alone: "
                                      + ", ".join(ROLE_PARTS))] = "investigator",
) -> None:
    """Set a case simulation (trainers)."""
    with workspace() as ws:
        row = ws.exercises.create(title, scenario, difficulty, cohort, team, role)
    console.print(f"Set exercise [bold]{row['title']}[/] ({row['id']}): {scenario}, "
                  f"{difficulty}{', in teams' if team else ''}")


@exercise_app.command("list")
def exercise_list(fmt: Fmt = OutFormat.table) -> None:
    """The exercises you may attempt, and those you run."""
    with workspace() as ws:
        rows = ws.exercises.list()
    print_rows(rows, fmt, {"id": lambda r: r["id"], "title": lambda r: r["title"],
                           "scenario": lambda r: r["scenario"],
                           "difficulty": lambda r: r["difficulty"],
                           "team": lambda r: "yes" if r["team"] else "no",
                           "yours": lambda r: "runs" if r["runs"] else str(r["attempts"])})


@exercise_app.command("team")
def exercise_team(
    exercise: Annotated[str, typer.Argument(help="The exercise's id.")],
    name: Annotated[str, typer.Argument(help="The team's name.")],
    member: Annotated[list[str], typer.Option(
        help="USER=ROLE (repeat): " + ", ".join(ROLE_PARTS))],
) -> None:
    """Set a team of a group exercise (trainers)."""
    members: dict[str, str] = {}
    for item in member:
        user, sep, role = item.partition("=")
        if not sep or not user.strip() or not role.strip():
            raise VerigaError(f"--member {item!r}: expected USER=ROLE")
        members[user.strip()] = role.strip()
    with workspace() as ws:
        team = ws.exercises.add_team(exercise, name, members)
    console.print(f"Team [bold]{team['name']}[/] ({team['id']}): {len(members)} members")


@exercise_app.command("prepare")
def exercise_prepare(
    exercise: Annotated[str, typer.Argument(help="The exercise's id.")],
    count: Annotated[int, typer.Option(help="How many cases to build.")] = 1,
    purpose: PurposeOpt = None,
) -> None:
    """Build cases ahead of a workshop (trainers): a trainee who starts the exercise then
    takes a ready case at once. They build side by side in worker processes."""
    from veriga.workspace.exercises import PURPOSE
    from veriga.workspace.workers import WorkerPool, build_attempt

    with workspace(purpose) as ws:
        made = ws.exercises.prepare(exercise, count)
        pool = WorkerPool(ws.settings)
        try:
            me = ws.require_user().id
            builds = [pool.submit(me, PURPOSE, build_attempt, a["id"]) for a in made]
            with progress_bars() as progress:
                for done, build in enumerate(builds, 1):
                    build.result()
                    progress("building the cases", done, len(builds))
        finally:
            pool.close()
        built = [ws.exercises.show(a["id"]) for a in made]
    ready = sum(a["status"] == "open" for a in built)
    console.print(f"{ready} of {count} case(s) ready for trainees of exercise {exercise}"
                  + ("" if ready == count else "; see 'veriga train attempt list' for the "
                     "failed ones"))
    if ready < count:
        raise typer.Exit(1)


@attempt_app.command("start")
def attempt_start(
    exercise: Annotated[str, typer.Argument(help="The exercise's id.")],
    purpose: PurposeOpt = None,
) -> None:
    """Start an attempt: the training case is simulated, imported and analysed for you."""
    with workspace(purpose) as ws, progress_bars() as progress:
        attempt = ws.exercises.start(exercise, lambda step, done, total: progress(
            "building the case", done, total))
    _show(attempt)


@attempt_app.command("list")
def attempt_list(
    exercise: Annotated[str | None, typer.Option(help="Only this exercise's.")] = None,
    fmt: Fmt = OutFormat.table,
) -> None:
    """Your attempts (a trainer: also those of the exercises you run)."""
    with workspace() as ws:
        rows = ws.exercises.attempts(exercise)
    print_rows(rows, fmt, {"id": lambda r: r["id"], "exercise": lambda r: r["title"],
                           "trainee": lambda r: r["username"],
                           "status": lambda r: r["status"], "score": lambda r: _pct(r["score"]),
                           "passed": lambda r: {True: "yes", False: "no"}.get(r["passed"], "-"),
                           "case": lambda r: r["case_id"] or ""})


@attempt_app.command("show")
def attempt_show(attempt: AttemptArg, fmt: Fmt = OutFormat.table) -> None:
    """An attempt: its briefing, and once submitted its grade."""
    with workspace() as ws:
        found = ws.exercises.show(attempt)
    if fmt is OutFormat.json:
        print(json.dumps(found, default=str, ensure_ascii=False, indent=2))
        return
    _show(found)


def _show(attempt: dict[str, Any]) -> None:
    console.print(f"Attempt [bold]{attempt['id']}[/] of [bold]{attempt['exercise']['title']}"
                  f"[/]: {attempt['status']}")
    brief = attempt.get("briefing")
    if brief:
        console.print(f"Case: [bold]{attempt['case_id']}[/] (open it with "
                      f"'veriga entities --case {attempt['case_id']}' or in the web pages)")
        console.print(f"\n[bold]Your role: {brief['role_label']}[/]")
        for message in [*brief["situation"], brief["task"]]:
            console.print(_text(message))
        console.print("\n[bold]What is known[/]")
        for message in brief["known"]:
            console.print(f"- {_text(message)}")
        console.print("\n[bold]To assess[/] (entity id: name)")
        for item in brief["assess"]:
            console.print(f"- {item['entity']}: {item['name']}", highlight=False)
        console.print("\n[bold]To deliver[/]: " + ", ".join(
            COMPONENT_LABELS[d["component"]] for d in brief["deliver"]))
    if attempt.get("grade"):
        _report(attempt["grade"], "Your grade")
    if attempt.get("team_grade"):
        _report(attempt["team_grade"], "The team's grade")


def _report(graded: dict[str, Any], title: str) -> None:
    verdict = "[green]passed[/]" if graded["passed"] else "[red]not passed[/]"
    console.print(f"\n[bold]{title}: {graded['score']:.0%}[/] ({verdict}; pass mark "
                  f"{graded['pass_mark']:.0%})")
    for name, part in graded["components"].items():
        if part["applicable"]:
            console.print(f"  {COMPONENT_LABELS[name]}: {part['score']:.0%}")
    for harm in graded["harms"]:
        console.print(f"[red]Harmful action:[/] {_text(harm)}")
    for item in graded["feedback"]:
        console.print(f"- {_text(item)}")
    if graded["lessons"]:
        console.print("Lessons to review: " + ", ".join(graded["lessons"]) +
                      " ('veriga train lesson ID')")


@attempt_app.command("submit")
def attempt_submit(
    attempt: AttemptArg,
    answer: Annotated[Path, typer.Argument(help="The answer as JSON.", exists=True,
                                           dir_okay=False)],
    purpose: PurposeOpt = None,
) -> None:
    """Submit your answer; it is graded at once."""
    if answer.stat().st_size > MAX_ANSWER:
        raise VerigaError(f"{answer.name}: an answer has at most {MAX_ANSWER} bytes")
    try:
        data = json.loads(answer.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerigaError(f"{answer.name}: not JSON ({exc})") from None
    with workspace(purpose) as ws:
        graded = ws.exercises.submit(attempt, data)
    _report(graded, "Your grade")


@attempt_app.command("grade")
def attempt_grade(attempt: AttemptArg, fmt: Fmt = OutFormat.table) -> None:
    """The graded report of a submitted attempt (and the team's)."""
    with workspace() as ws:
        found = ws.exercises.grade(attempt)
    if fmt is OutFormat.json:
        print(json.dumps(found, default=str, ensure_ascii=False, indent=2))
        return
    _report(found["grade"], "Your grade")
    if found["team_grade"]:
        _report(found["team_grade"], "The team's grade")
