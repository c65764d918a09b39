"""GIFT quizzes: parsed back with GIFT's grammar (escapes, ``=``/``~`` answers, ``%n%``
weights, ``#`` feedback), they give the programme's questions, answers and feedback; special
characters are escaped; untranslated lessons are marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from exportsamples import sample_programme

from veriga.training.content import Programme
from veriga.training.exports import gift

_WEIGHT = re.compile(r"^%(-?[0-9.]+)%")
Token = tuple[str, bool]  # a character and whether it was escaped


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append((text[i + 1], True))
            i += 2
        else:
            out.append((text[i], False))
            i += 1
    return out


def _text(tokens: list[Token]) -> str:
    return "".join(ch for ch, _ in tokens)


def _cut(tokens: list[Token], marks: str) -> list[tuple[str, list[Token]]]:
    """``tokens`` cut before each unescaped character of ``marks``: (mark, piece) pairs."""
    parts: list[tuple[str, list[Token]]] = [("", [])]
    for ch, escaped in tokens:
        if ch in marks and not escaped:
            parts.append((ch, []))
        else:
            parts[-1][1].append((ch, escaped))
    return parts


def parse_gift(text: str) -> list[dict[str, object]]:
    """Questions of a GIFT file: title, text, category and answers (weight, text, feedback)."""
    out: list[dict[str, object]] = []
    category = None
    body = "\n".join(line for line in text.splitlines() if not line.startswith("//"))
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block:
            continue
        if block.startswith("$CATEGORY:"):
            category = block.split(":", 1)[1].strip()
            continue
        tokens = _tokens(block)
        # ::title::text{answers}
        assert tokens[:2] == [(":", False), (":", False)], block
        rest = tokens[2:]
        end = next(i for i in range(len(rest) - 1)
                   if rest[i] == (":", False) and rest[i + 1] == (":", False))
        title, rest = rest[:end], rest[end + 2:]
        opening = [i for i, t in enumerate(rest) if t == ("{", False)]
        closing = [i for i, t in enumerate(rest) if t == ("}", False)]
        assert len(opening) == 1 and len(closing) == 1 and opening[0] < closing[0], block
        question, inner = rest[:opening[0]], rest[opening[0] + 1:closing[0]]
        assert not _text(rest[closing[0] + 1:]).strip()
        answers = []
        for mark, piece in _cut(inner, "=~"):
            if not mark:
                assert not _text(piece).strip()
                continue
            weight = 100.0 if mark == "=" else 0.0
            raw = _text(piece)
            found = _WEIGHT.match(raw) if piece and not piece[0][1] else None
            if found:
                weight = float(found.group(1))
                piece = piece[found.end():]
            cut = _cut(piece, "#")
            assert len(cut) <= 2, "one feedback per answer"
            answers.append({"weight": weight, "text": _text(cut[0][1]).strip(),
                            "feedback": _text(cut[1][1]).strip() if len(cut) == 2 else ""})
        out.append({"title": _text(title), "text": _text(question).strip(),
                    "category": category, "answers": answers})
    return out


@pytest.fixture
def prog(tmp_path: Path) -> Programme:
    return sample_programme(tmp_path)


def test_gift_parses_back_to_the_programme(prog: Programme) -> None:
    questions = parse_gift(gift.quiz_gift(prog, "sample-mod", "en"))
    assert [q["title"] for q in questions] == ["lesson-one/q-single", "lesson-two/q-multi"]
    one, two = questions
    assert one["category"] == "$course$/top/Veriga/sample-mod/lesson-one"
    assert one["text"] == "Which is right? {a} = b: #c ~d \\ end"
    assert one["answers"] == [
        {"weight": 100.0, "text": "The first {one}", "feedback": "Yes: #1 is = right"},
        {"weight": 0.0, "text": "The second", "feedback": "No ~ not this one"}]
    lesson = prog.lesson("lesson-two").text("en").quiz[0]
    assert [a["text"] for a in two["answers"]] == [c.text for c in lesson.choices]  # type: ignore[union-attr]
    assert [a["feedback"] for a in two["answers"]] == [c.feedback for c in lesson.choices]  # type: ignore[union-attr]
    assert [a["weight"] for a in two["answers"]] == [50, 50, -33.33333, -33.33333, -33.33333]  # type: ignore[union-attr]


def test_special_characters_are_escaped() -> None:
    assert gift.escape_gift("a~b=c#d{e}f:g\\h") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h"
    assert gift.escape_gift("two\nlines") == "two lines"


def test_translated_and_untranslated_lessons(prog: Programme) -> None:
    one, two = parse_gift(gift.quiz_gift(prog, "sample-mod", "lv"))
    assert one["text"] == "Kura atbilde ir pareiza?"
    assert one["answers"][0] == {"weight": 100.0, "text": "Pirmā",  # type: ignore[index]
                                 "feedback": "Jā, pareizi."}
    assert str(two["text"]).startswith("(Nav tulkots: rādīts angliski) Which are evidence")


def test_shipped_core_module_parses() -> None:
    from veriga.training.content import CONTENT, load_module

    shipped = Programme((load_module(CONTENT / "core-legal"),))
    assert parse_gift(gift.quiz_gift(shipped, "core-legal", "en"))
