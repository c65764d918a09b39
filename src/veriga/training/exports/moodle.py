"""Moodle XML quizzes: every lesson's questions as multiple-choice questions, in a category
per module and lesson, with every language in one question through Moodle's multi-language
content filter (``<span lang="lv" class="multilang">…</span>``).

A question with one correct choice is a single-answer question (the right choice 100 %, the
others 0 %); with several, a multiple-answer one: the correct choices share 100 % and the
wrong ones share -100 %, so that ticking everything scores nothing. Moodle accepts only the
fractions of its grade list; every fraction written is one of them (:data:`GRADES`). Each
choice carries its feedback. A language a lesson has no text in gets the English text after
the note that it is untranslated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from lxml import etree

from veriga.training.content import LANGUAGES, Lesson, LessonText, Programme
from veriga.training.exports import ExportError, check_language, modules, untranslated_note

#: The fractions (in %) Moodle's import accepts, as its own export writes them.
GRADES = ("100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40",
          "33.33333", "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10",
          "5", "0")
#: the category every question is under, in the course's question bank
TOP = "$course$/top/Veriga"


def share(count: int) -> str:
    """100 % shared by ``count`` answers, as a fraction Moodle accepts."""
    if count < 1:
        raise ExportError("no answer to share the grade")
    value = f"{100 / count:.5f}".rstrip("0").rstrip(".")
    if value not in GRADES:
        raise ExportError(f"Moodle has no grade of 1/{count}: at most 10 correct or wrong "
                          "answers in a multiple-answer question")
    return value


def multilang(texts: Sequence[tuple[str, str]]) -> str:
    """HTML of ``(language, text)`` pairs: spans for the multilang filter, or the plain text
    of a single language."""
    if len(texts) == 1:
        return escape(texts[0][1])
    return "".join(f'<span lang="{lang}" class="multilang">{escape(text)}</span>'
                   for lang, text in texts)


def _texts(lesson: Lesson, languages: Sequence[str],
           pick: Callable[[LessonText], str]) -> list[tuple[str, str]]:
    """One text per language, picked from the lesson's text in it (called at once); marked
    where the lesson is untranslated."""
    out = []
    for lang in languages:
        text = pick(lesson.text(lang))
        if not lesson.text(lang).translated:
            text = f"[{untranslated_note(lang)}] {text}"
        out.append((lang, text))
    return out


def _text(parent: etree._Element, tag: str, html: str, fmt: str | None = "html") -> None:
    elem = etree.SubElement(parent, tag)
    if fmt:
        elem.set("format", fmt)
    etree.SubElement(elem, "text").text = html


def _category(quiz: etree._Element, path: str, info: str) -> None:
    question = etree.SubElement(quiz, "question", type="category")
    cat = etree.SubElement(question, "category")
    etree.SubElement(cat, "text").text = path
    _text(question, "info", info)


def quiz_xml(prog: Programme, module_id: str | None = None,
             languages: Sequence[str] = LANGUAGES) -> bytes:
    """The Moodle XML of the quizzes of one module (or of every module)."""
    languages = [check_language(lang) for lang in languages]
    if not languages:
        raise ExportError("no language to export")
    quiz = etree.Element("quiz")
    for module in modules(prog, module_id):
        titles = [(lang, module.title(lang)) for lang in languages]
        _category(quiz, f"{TOP}/{module.id}", multilang(
            [(lang, t if ok else f"[{untranslated_note(lang)}] {t}") for lang, (t, ok) in titles]))
        for lesson in module.lessons:
            english = lesson.text("en")
            _category(quiz, f"{TOP}/{module.id}/{lesson.id}",
                      multilang(_texts(lesson, languages, lambda t: t.title)))
            for qi, question in enumerate(english.quiz):
                q = etree.SubElement(quiz, "question", type="multichoice")
                name = etree.SubElement(q, "name")
                etree.SubElement(name, "text").text = f"{lesson.id}/{question.id}"
                _text(q, "questiontext", multilang(_texts(
                    lesson, languages, lambda t: t.quiz[qi].prompt)))  # noqa: B023
                _text(q, "generalfeedback", "")
                etree.SubElement(q, "defaultgrade").text = "1"
                etree.SubElement(q, "penalty").text = "0.3333333"
                etree.SubElement(q, "hidden").text = "0"
                etree.SubElement(q, "idnumber").text = lesson.question_key(question.id)[:100]
                etree.SubElement(q, "single").text = "false" if question.multiple else "true"
                etree.SubElement(q, "shuffleanswers").text = "true"
                etree.SubElement(q, "answernumbering").text = "abc"
                etree.SubElement(q, "showstandardinstruction").text = "1"
                for tag in ("correctfeedback", "partiallycorrectfeedback",
                            "incorrectfeedback"):
                    _text(q, tag, "")
                right = sum(c.correct for c in question.choices)
                wrong = len(question.choices) - right
                for ci, choice in enumerate(question.choices):
                    if choice.correct:
                        fraction = share(right)
                    elif question.multiple:
                        fraction = "-" + share(wrong)
                    else:
                        fraction = "0"
                    answer = etree.SubElement(q, "answer", fraction=fraction, format="html")
                    etree.SubElement(answer, "text").text = multilang(_texts(
                        lesson, languages, lambda t: t.quiz[qi].choices[ci].text))  # noqa: B023
                    _text(answer, "feedback", multilang(_texts(
                        lesson, languages,
                        lambda t: t.quiz[qi].choices[ci].feedback)))  # noqa: B023
    return bytes(etree.tostring(quiz, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))
