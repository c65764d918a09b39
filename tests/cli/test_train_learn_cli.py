"""`veriga train lesson | review | progress`, as a trainee runs them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from learncontent import use_sample
from veriga.cli import app

runner = CliRunner()


def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def sample(env_home, tmp_path, monkeypatch):
    return use_sample(tmp_path, monkeypatch)


def test_lesson_with_answers_prints_it_and_grades_the_quiz(sample):
    out = run("train", "lesson", "sample-one", "--lang", "lv", "--answers", "q1=1,q2=0,2")
    assert "Pirmā nodarbība" in out and "Atšķirt A no B." in out  # title, outcome
    assert "Piemērs" in out and "A synthetic source, Article 1" in out  # example, source
    assert "not yet translated" not in out
    assert "Nepareizi: no." in out and "The right answer: 0) Pareizi" in out
    assert "A is right." in out and "C is right too." in out and "1 right." in out
    out = run("train", "lesson", "sample-one", "--answers", "q1=0")
    assert "Lesson completed." in out
    assert "1 of 2 lessons completed" in run("train", "progress", "--lang", "lv")
    shown = json.loads(run("train", "progress", "--lang", "lv", "--format", "json"))
    assert [(r["lesson"], r["status"], r["right"], r["translated"]) for r in shown["lessons"]
            ] == [("sample-one", "completed", 2, True), ("sample-two", "not_started", 0, False)]


def test_untranslated_lesson_is_marked(sample):
    out = run("train", "lesson", "sample-two", "--lang", "lv")
    assert "This lesson is not yet translated into lv; shown in English." in out
    assert "Answer the quiz with --answers" in out  # no terminal: nothing asked


def test_review_lists_nothing_due_right_after_the_lesson(sample):
    run("train", "lesson", "sample-one", "--answers", "q1=1")
    assert "Nothing is due for review." in run("train", "review")


def test_bad_answers_are_refused(sample):
    assert "names no question" in run("train", "lesson", "sample-one", "--answers", "0",
                                      code=1)
    assert "no question 'q9'" in run("train", "lesson", "sample-one", "--answers", "q9=0",
                                     code=1)
