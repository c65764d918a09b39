"""Moodle XML quizzes, read as Moodle's XML import reads them: known question types, the
elements it requires, fractions from its grade list summing as its multiple-choice type
demands, every language in one question through the multilang filter, untranslated text
marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from exportsamples import sample_programme
from lxml import etree

from veriga.training.content import LANGUAGES, Programme
from veriga.training.exports import ExportError, moodle

#: Moodle's grade options (question_bank::fraction_options_full), as fractions of 1
MOODLE_GRADES = [1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333,
                 0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0]
SPAN = re.compile(r'<span lang="([a-z]{2})" class="multilang">(.*?)</span>', re.S)


def _grade(fraction: str) -> float:
    """The grade Moodle matches a fraction to ('error' mode: within 1e-5, else refused)."""
    value = float(fraction) / 100
    for option in MOODLE_GRADES:
        if abs(abs(value) - option) < 0.00001:
            return option if value >= 0 else -option
    raise AssertionError(f"Moodle refuses the fraction {fraction}")


def read_as_moodle(data: bytes) -> list[dict[str, object]]:
    """The questions as Moodle's importer would take them (or an AssertionError)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    assert root.tag == "quiz"
    out: list[dict[str, object]] = []
    category = None
    for q in root:
        kind = q.get("type")
        assert kind in {"category", "multichoice"}, kind
        if kind == "category":
            category = q.findtext("category/text")
            assert category and category.startswith("$course$/top/")
            continue
        name = q.findtext("name/text")
        text = q.find("questiontext")
        assert name and text is not None and text.get("format") == "html"
        assert text.findtext("text")
        single = q.findtext("single")
        assert single in {"true", "false"}
        answers = q.findall("answer")
        assert len(answers) >= 2
        grades = [_grade(a.get("fraction", "")) for a in answers]
        for a in answers:
            assert a.findtext("text") and a.find("feedback/text") is not None
        if single == "true":
            assert max(grades) == 1.0  # Moodle: one answer must be 100 %
        else:
            positive = sum(g for g in grades if g > 0)
            assert round(positive, 2) == 1.0  # Moodle: the positive grades total 100 %
        out.append({"name": name, "category": category, "single": single == "true",
                    "grades": grades, "text": text.findtext("text"),
                    "answers": [a.findtext("text") for a in answers],
                    "feedback": [a.findtext("feedback/text") for a in answers]})
    return out


@pytest.fixture
def prog(tmp_path: Path) -> Programme:
    return sample_programme(tmp_path)


def test_questions_read_as_moodle_reads_them(prog: Programme) -> None:
    questions = read_as_moodle(moodle.quiz_xml(prog, "sample-mod"))
    assert [q["name"] for q in questions] == ["lesson-one/q-single", "lesson-two/q-multi"]
    one, two = questions
    assert one["category"] == "$course$/top/Veriga/sample-mod/lesson-one"
    assert one["single"] and one["grades"] == [1.0, 0.0]
    assert not two["single"]
    assert two["grades"] == [0.5, 0.5, -0.3333333, -0.3333333, -0.3333333]


def test_every_language_in_one_question_untranslated_marked(prog: Programme) -> None:
    one, two = read_as_moodle(moodle.quiz_xml(prog, "sample-mod"))
    spans = dict(SPAN.findall(str(one["text"])))
    assert list(spans) == list(LANGUAGES)
    assert spans["lv"] == "Kura atbilde ir pareiza?"
    assert spans["en"].startswith("Which is right? {a} = b: #c ~d")
    assert spans["fi"].startswith("[Ei käännetty: näytetään englanniksi] Which is right?")
    feedback = dict(SPAN.findall(str(one["feedback"][0])))  # type: ignore[index]
    assert feedback["lv"] == "Jā, pareizi." and feedback["en"] == "Yes: #1 is = right"
    spans_two = dict(SPAN.findall(str(two["text"])))
    assert spans_two["lv"].startswith("[Nav tulkots: rādīts angliski] Which are evidence")


def test_one_language_is_plain_text(prog: Programme) -> None:
    one, _ = read_as_moodle(moodle.quiz_xml(prog, "sample-mod", ["lv"]))
    assert one["text"] == "Kura atbilde ir pareiza?"
    assert 'class="multilang"' not in str(one["answers"])


def test_markup_in_content_is_escaped_in_the_html(prog: Programme) -> None:
    data = moodle.quiz_xml(prog, "sample-mod")
    categories = etree.fromstring(data).findall("question[@type='category']")
    info = categories[1].findtext("info/text")
    assert info is not None and "Lesson one: &lt;the&gt; basics" in info


def test_fractions_moodle_has_no_grade_for_are_refused() -> None:
    assert moodle.share(3) == "33.33333" and moodle.share(7) == "14.28571"
    with pytest.raises(ExportError):
        moodle.share(11)


def test_shipped_core_module_reads_in_moodle() -> None:
    from veriga.training.content import CONTENT, load_module

    shipped = Programme((load_module(CONTENT / "core-legal"),))
    assert read_as_moodle(moodle.quiz_xml(shipped, "core-legal"))
