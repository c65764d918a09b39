"""GIFT quizzes (Moodle's plain-text question format), one language per file.

Each lesson is a ``$CATEGORY`` under its module; each question is titled with its key
(``lesson-id/question-id``) and lists its choices with the feedback on each (``#``). A
question with one correct choice marks it ``=``; with several, the correct ones share 100 %
and the wrong ones -100 % (``~%50%…``), as in Moodle XML. GIFT's special characters
(``~ = # { } :`` and the backslash) are escaped in every text. A lesson without a text in the
language is exported in English with the note that it is untranslated, in the question text.
"""

from __future__ import annotations

from veriga.training.content import Programme
from veriga.training.exports import check_language, modules, untranslated_note
from veriga.training.exports.moodle import TOP, share

SPECIAL = "\\~=#{}:"


def escape_gift(text: str) -> str:
    """``text`` with GIFT's special characters escaped and on one line."""
    out = "".join(f"\\{ch}" if ch in SPECIAL else ch for ch in text)
    return " ".join(out.split())


def quiz_gift(prog: Programme, module_id: str | None = None, language: str = "en") -> str:
    """The GIFT text of the quizzes of one module (or of every module) in ``language``."""
    check_language(language)
    lines = [f"// Veriga training programme: quizzes ({language})", ""]
    for module in modules(prog, module_id):
        for lesson in module.lessons:
            text = lesson.text(language)
            lines.append(f"$CATEGORY: {TOP}/{module.id}/{lesson.id}")
            lines.append("")
            note = "" if text.translated else f"({untranslated_note(language)}) "
            for question in text.quiz:
                right = sum(c.correct for c in question.choices)
                wrong = len(question.choices) - right
                title = escape_gift(lesson.question_key(question.id))
                lines.append(f"::{title}::{escape_gift(note + question.prompt)} {{")
                for choice in question.choices:
                    if not question.multiple:
                        mark = "=" if choice.correct else "~"
                    elif choice.correct:
                        mark = f"~%{share(right)}%"
                    else:
                        mark = f"~%-{share(wrong)}%"
                    lines.append(f"\t{mark}{escape_gift(choice.text)}"
                                 f"#{escape_gift(choice.feedback)}")
                lines.append("}")
                lines.append("")
    return "\n".join(lines)
