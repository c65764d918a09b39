"""Exports of the programme to learning-management systems: SCORM 1.2 packages
(:mod:`.scorm`), Moodle XML (:mod:`.moodle`) and GIFT (:mod:`.gift`) quizzes, and xAPI
statements of what trainees did (:mod:`.xapi`; the workspace reads the rows, this package
only shapes them).

A language a lesson has no text in is exported in English marked untranslated
(:func:`untranslated_note`), never silently in English.
"""

from __future__ import annotations

from veriga.errors import VerigaError
from veriga.training.content import LANGUAGES, Module, Programme

FORMATS = ("scorm", "moodle-xml", "gift", "xapi")

#: "not translated: shown in English", in each language of the programme
UNTRANSLATED = {
    "en": "Not translated: shown in English",
    "bg": "Не е преведено: показано на английски",
    "lv": "Nav tulkots: rādīts angliski",
    "et": "Tõlkimata: näidatud inglise keeles",
    "fi": "Ei käännetty: näytetään englanniksi",
}


class ExportError(VerigaError):
    """An export that cannot be made: an unknown module or language, content that does not
    fit the format."""


def untranslated_note(language: str) -> str:
    return UNTRANSLATED.get(language, UNTRANSLATED["en"])


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ExportError(f"unknown language {language!r}; known: {', '.join(LANGUAGES)}")
    return language


def modules(prog: Programme, module_id: str | None) -> tuple[Module, ...]:
    """The module named (or every module of the programme)."""
    if module_id is None:
        return prog.modules
    try:
        return (prog.module(module_id),)
    except KeyError:
        known = ", ".join(m.id for m in prog.modules)
        raise ExportError(f"no module {module_id!r}; known: {known}") from None
