"""`veriga train lesson | review | progress`: taking lessons and their quizzes, the spaced
review of questions due, and one's own progress through the programme.

Choices are numbered from 0, as in ``--answers q1=0,q2=1,2`` (a question with several right
answers takes them all)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from veriga.cli.common import OutFormat, _fail, console, workspace
from veriga.cli.train import train_app
from veriga.training.content import LANGUAGES, Question
from veriga.training.quiz import QuizError, parse_answers
from veriga.workspace import Workspace
from veriga.workspace.training import Answered

LangOpt = Annotated[str | None, typer.Option(
    "--lang", help=f"Language ({', '.join(LANGUAGES)}); default: your account's.")]
AnswersOpt = Annotated[str | None, typer.Option(
    "--answers", help="Answer without asking: question=choice pairs, choices from 0, "
                      "e.g. q1=0,q2=1,2.")]
UNTRANSLATED = "[yellow]This lesson is not yet translated into {lang}; shown in English.[/]"
STATUS = {"not_started": "not started", "started": "started", "completed": "completed"}


def _lang(ws: Workspace, lang: str | None) -> str:
    chosen = lang or (ws.user.language if ws.user else "en")
    if chosen not in LANGUAGES:
        _fail(f"unknown language {chosen!r} (one of {', '.join(LANGUAGES)})")
    return chosen


def _ask(question: Question, label: str) -> list[int]:
    console.print(f"\n[bold]{escape(label)}[/] {escape(question.prompt)}")
    for i, choice in enumerate(question.choices):
        console.print(f"  {i}) {escape(choice.text)}")
    hint = "choice numbers, comma-separated" if question.multiple else "choice number"
    while True:
        reply = typer.prompt(f"Your answer ({hint})")
        try:
            return [int(p) for p in reply.replace(" ", "").split(",") if p]
        except ValueError:
            console.print("Numbers only, e.g. 0 or 0,2.")


def _feedback(done: Answered) -> None:
    graded = done.graded
    console.print("[green]Right.[/]" if graded.correct else "[red]Not right.[/]")
    for c in graded.chosen:
        mark = "+" if c.correct else "-"
        console.print(f"  {mark} {c.index}) {escape(c.text)}: {escape(c.feedback)}")
    if not graded.correct:
        right = "; ".join(f"{c.index}) {c.text}" for c in graded.answer)
        console.print(f"  The right answer: {escape(right)}")


def _answers(text: str | None) -> dict[str, list[int]] | None:
    if text is None:
        return None
    try:
        return parse_answers(text)
    except QuizError as exc:
        _fail(str(exc))
        raise


@train_app.command("lesson")
def lesson(
    lesson_id: Annotated[str, typer.Argument(help="The lesson (see 'veriga train modules').")],
    lang: LangOpt = None,
    answers: AnswersOpt = None,
) -> None:
    """Take a lesson: its text, outcomes, worked examples and sources, then its quiz, asked
    one question at a time (or answered with --answers), with feedback on every answer."""
    given = _answers(answers)
    with workspace() as ws:
        language = _lang(ws, lang)
        page = ws.training.lesson(lesson_id, language)
        text = page.text
        console.print(f"[bold]{escape(text.title)}[/]  ({page.module.title(language)[0]})")
        if not text.translated:
            console.print(UNTRANSLATED.format(lang=language))
        console.print("\n[bold]Learning outcomes[/]")
        for outcome in text.outcomes:
            console.print(f"  • {escape(outcome.text)}")
        console.print()
        console.print(Markdown(text.body))
        for example in text.examples:
            where = f" (the {example.view} view)" if example.view else ""
            console.print(f"\n[bold]Worked example{where}: {escape(example.title)}[/]")
            console.print(escape(example.text))
        console.print("\n[bold]Sources[/]")
        for source in page.lesson.sources:
            console.print(f"  • {escape(source)}")
        if given is None and not sys.stdin.isatty():
            console.print("\nAnswer the quiz with --answers (e.g. "
                          f"{text.quiz[0].id}=0), or run this at a terminal.")
            return
        unknown = sorted(set(given or ()) - {q.id for q in text.quiz})
        if unknown:
            _fail(f"lesson {lesson_id!r} has no question {unknown[0]!r} (its questions: "
                  f"{', '.join(q.id for q in text.quiz)})")
        right = 0
        completed = False
        for n, question in enumerate(text.quiz, 1):
            if given is not None and question.id not in given:
                continue
            choices = given[question.id] if given is not None else _ask(
                question, f"{n}/{len(text.quiz)}")
            if given is not None:
                console.print(f"\n[bold]{question.id}[/] {escape(question.prompt)}")
            done = ws.training.answer(lesson_id, question.id, choices, language)
            _feedback(done)
            right += done.graded.correct
            completed = completed or done.completed
        console.print(f"\n{right} right.")
        if completed:
            console.print("[green]Lesson completed.[/]")


@train_app.command("review")
def review(
    lang: LangOpt = None,
    answers: AnswersOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 20,
) -> None:
    """The questions due for spaced review, asked one at a time (or answered with --answers,
    naming each question as lesson-id/question-id)."""
    given = _answers(answers)
    with workspace() as ws:
        language = _lang(ws, lang)
        due = ws.training.reviews(limit=limit, lang=language)
        if not due:
            console.print("Nothing is due for review.")
            return
        console.print(f"{len(due)} question(s) due for review.")
        if given is None and not sys.stdin.isatty():
            for item in due:
                console.print(f"  {item.key}: {escape(item.question.prompt)}")
            console.print("Answer with --answers (e.g. lesson-id/question-id=0).")
            return
        for n, item in enumerate(due, 1):
            if given is not None and item.key not in given:
                continue
            if not item.translated:
                console.print(f"[yellow]Not yet translated into {language}; shown in "
                              "English.[/]")
            choices = given[item.key] if given is not None else _ask(
                item.question, f"{n}/{len(due)}")
            if given is not None:
                console.print(f"\n[bold]{item.key}[/] {escape(item.question.prompt)}")
            done = ws.training.answer(item.lesson.id, item.question.id, choices, language,
                                      context="review")
            _feedback(done)
            if done.due_at is not None:
                console.print(f"  Next review: {done.due_at:%Y-%m-%d}")


@train_app.command("progress")
def progress(
    lang: LangOpt = None,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
) -> None:
    """Your progress through the programme for your profession: each lesson's status."""
    with workspace() as ws:
        language = _lang(ws, lang)
        modules = ws.training.overview(language, ws.training.profession())
        due = len(ws.training.reviews(limit=100, lang=language))
    rows: list[dict[str, Any]] = [
        {"module": m.id, "lesson": le.id, "title": le.title, "status": le.status.value,
         "right": le.correct, "questions": le.questions, "translated": le.translated}
        for m in modules for le in m.lessons]
    if fmt is OutFormat.json:
        print(json.dumps({"lessons": rows, "due_reviews": due}, ensure_ascii=False, indent=2))
        return
    table = Table("module", "lesson", "title", "status", "right", "translated")
    for r in rows:
        table.add_row(r["module"], r["lesson"], escape(r["title"]), STATUS[r["status"]],
                      f"{r['right']}/{r['questions']}",
                      "yes" if r["translated"] else "no (shown in English)")
    console.print(table)
    done = sum(r["status"] == "completed" for r in rows)
    console.print(f"{done} of {len(rows)} lessons completed; {due} question(s) due for "
                  "review ('veriga train review').")
