"""The programme's content loads, and broken content is refused with the file and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from veriga.training.content import CONTENT, LANGUAGES, ContentError, load, programme


def test_shipped_content_loads_and_is_complete_in_english():
    prog = programme()
    assert prog.modules, "the programme has modules"
    for lesson in prog.lessons():
        english = lesson.text("en")
        assert english.translated and english.quiz and english.outcomes and lesson.sources
        for q in english.quiz:
            assert all(c.feedback for c in q.choices)


def test_untranslated_lesson_is_marked_not_silently_english():
    prog = programme()
    for lesson in prog.lessons():
        for lang in LANGUAGES:
            text = lesson.text(lang)
            assert text.translated == (lang in lesson.texts)
            assert text.language == lang


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "core-legal", root / "core-legal")
    return root


def test_translation_with_other_right_answer_is_refused(tmp_path):
    root = _copy(tmp_path)
    english = (root / "core-legal" / "act-means-purpose.en.md").read_text(encoding="utf-8")
    # a translation that marks another choice correct than the English does
    broken = english.replace("        correct: true\n", "", 1).replace(
        "      - text: Crossing a border", "      - correct: true\n        text: Crossing a border")
    (root / "core-legal" / "act-means-purpose.lv.md").write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError, match="act-means-purpose.lv.md: question three-elements"):
        load(root)


@pytest.mark.parametrize(("edit", "reason"), [
    (("outcome: elements", "outcome: nowhere"), "outcome 'nowhere'"),
    (("title: \"The definition", "titel: \"The definition"), "'title'"),
    (("sources:", "sauces:"), "'sources'"),
])
def test_broken_lesson_is_refused_with_file_and_reason(tmp_path, edit, reason):
    root = _copy(tmp_path)
    path = root / "core-legal" / "act-means-purpose.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
    with pytest.raises(ContentError, match=reason):
        load(root)


def test_stray_file_is_refused(tmp_path):
    root = _copy(tmp_path)
    (root / "core-legal" / "other.en.md").write_text("---\ntitle: x\n---\nx\n")
    with pytest.raises(ContentError, match="other.en.md"):
        load(root)
