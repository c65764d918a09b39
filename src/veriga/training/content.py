"""The programme's content: modules and lessons as Markdown with YAML front matter, validated
on load.

Layout under ``training/content/`` (one folder per module)::

    <module-id>/module.yml          id, track, order, title/summary per language, lesson ids
    <module-id>/<lesson-id>.en.md   the lesson in English (complete): front matter + text
    <module-id>/<lesson-id>.lv.md   a translation: the same outcome and question ids, the
                                    same choices marked correct, its own words

A lesson's front matter holds its ``title``, ``outcomes`` (``id``, ``text``), ``sources``
(citations; English only, shared by every language), ``examples`` (worked examples taken
from the tool: ``title``, ``text`` and optionally the ``view`` of the web application they
come from), ``library`` (ids of best-practice library entries) and ``quiz`` (``id``,
``outcome``, ``prompt``, ``choices`` with ``text``, ``correct`` and ``feedback`` on every
answer). A language a lesson has no file for is shown in English, marked untranslated
(:attr:`LessonText.translated`), never silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from veriga.errors import VerigaError
from veriga.training import frontmatter

LANGUAGES = ("en", "bg", "lv", "et", "fi")
PROFESSIONS = ("law_enforcement", "prosecutors", "judges", "financial", "ngo")
#: ``core`` modules are for everyone; the others for one profession each
TRACKS = ("core", *PROFESSIONS)
CONTENT = Path(__file__).parent / "content"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class ContentError(VerigaError):
    """Training content that does not load: the file and what is wrong with it."""


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    outcome: str
    prompt: str
    choices: tuple[Choice, ...]

    @property
    def multiple(self) -> bool:
        """More than one choice is correct (the trainee picks all of them)."""
        return sum(c.correct for c in self.choices) > 1

    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, c in enumerate(self.choices) if c.correct)

    def grade(self, chosen: frozenset[int] | set[int] | list[int]) -> bool:
        """Whether exactly the correct choices were picked."""
        return frozenset(chosen) == self.correct_indices()


@dataclass(frozen=True)
class Outcome:
    id: str
    text: str


@dataclass(frozen=True)
class Example:
    title: str
    text: str
    view: str | None = None


@dataclass(frozen=True)
class LessonText:
    """A lesson in one language; ``translated`` is False when it is English shown instead."""

    language: str
    title: str
    body: str  # Markdown
    outcomes: tuple[Outcome, ...]
    examples: tuple[Example, ...]
    quiz: tuple[Question, ...]
    translated: bool = True

    def question(self, question_id: str) -> Question:
        for q in self.quiz:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True)
class Lesson:
    id: str
    module_id: str
    order: int
    sources: tuple[str, ...]
    library: tuple[str, ...]
    texts: Mapping[str, LessonText]

    def text(self, language: str) -> LessonText:
        """The lesson in ``language``, or in English marked untranslated."""
        if language in self.texts:
            return self.texts[language]
        english = self.texts["en"]
        return LessonText(language, english.title, english.body, english.outcomes,
                          english.examples, english.quiz, translated=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if lang in self.texts)

    def question_key(self, question_id: str) -> str:
        return f"{self.id}/{question_id}"


@dataclass(frozen=True)
class Module:
    id: str
    track: str
    order: int
    titles: Mapping[str, str]
    summaries: Mapping[str, str]
    lessons: tuple[Lesson, ...]

    def title(self, language: str) -> tuple[str, bool]:
        """The title in ``language`` and whether it is translated (else English)."""
        if language in self.titles:
            return self.titles[language], True
        return self.titles["en"], False

    def summary(self, language: str) -> tuple[str, bool]:
        if language in self.summaries:
            return self.summaries[language], True
        return self.summaries["en"], False

    def translated(self, language: str) -> bool:
        """Whether the module and all its lessons are in ``language``."""
        return language in self.titles and all(language in le.texts for le in self.lessons)


@dataclass(frozen=True)
class Programme:
    modules: tuple[Module, ...]
    _lessons: dict[str, Lesson] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for module in self.modules:
            for lesson in module.lessons:
                self._lessons[lesson.id] = lesson

    def module(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def lesson(self, lesson_id: str) -> Lesson:
        return self._lessons[lesson_id]

    def lessons(self) -> Iterator[Lesson]:
        for module in self.modules:
            yield from module.lessons

    def track(self, track: str) -> tuple[Module, ...]:
        return tuple(m for m in self.modules if m.track == track)

    def for_profession(self, profession: str | None) -> tuple[Module, ...]:
        """The core modules, then the profession's own (all modules when None)."""
        if profession is None:
            return self.modules
        return self.track("core") + self.track(profession)

    def question(self, key: str, language: str = "en") -> tuple[Lesson, Question]:
        """The lesson and question of a key ``lesson-id/question-id``."""
        lesson_id, _, question_id = key.partition("/")
        lesson = self._lessons.get(lesson_id)
        if lesson is None:
            raise KeyError(key)
        return lesson, lesson.text(language).question(question_id)


# -- loading --------------------------------------------------------------------------------


def _fail(path: Path, message: str) -> ContentError:
    return ContentError(f"{path.parent.name}/{path.name}: {message}")


def _str(path: Path, data: Mapping[str, Any], key: str, where: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{where}{key!r} must be a non-empty text")
    return value.strip()


def _id(path: Path, value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _fail(path, f"{where}: {value!r} is not an id (a-z, 0-9, '-')")
    return value


def _list(path: Path, data: Mapping[str, Any], key: str, *, required: bool) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list) or (required and not value):
        raise _fail(path, f"{key!r} must be a {'non-empty ' if required else ''}list")
    return value


def _front(path: Path) -> tuple[dict[str, Any], str]:
    try:
        data, body = frontmatter.read(path)
    except ValueError as exc:
        raise _fail(path, str(exc)) from None
    if not body:
        raise _fail(path, "the lesson has no text")
    return data, body


def _lesson_text(path: Path, language: str) -> tuple[LessonText, dict[str, Any]]:
    data, body = _front(path)
    outcomes = []
    for i, raw in enumerate(_list(path, data, "outcomes", required=True)):
        where = f"outcome {i + 1}"
        if not isinstance(raw, dict):
            raise _fail(path, f"{where} must be a mapping")
        outcomes.append(Outcome(_id(path, raw.get("id"), where), _str(path, raw, "text", where)))
    examples = []
    for i, raw in enumerate(_list(path, data, "examples", required=False)):
        where = f"example {i + 1}: "
        if not isinstance(raw, dict):
            raise _fail(path, f"{where}must be a mapping")
        view = raw.get("view")
        examples.append(Example(_str(path, raw, "title", where), _str(path, raw, "text", where),
                                str(view) if view else None))
    outcome_ids = {o.id for o in outcomes}
    quiz = []
    for i, raw in enumerate(_list(path, data, "quiz", required=True)):
        where = f"question {i + 1}"
        if not isinstance(raw, dict):
            raise _fail(path, f"{where} must be a mapping")
        qid = _id(path, raw.get("id"), where)
        outcome = raw.get("outcome")
        if outcome not in outcome_ids:
            raise _fail(path, f"question {qid}: outcome {outcome!r} is not one of the lesson's")
        choices = []
        for j, c in enumerate(raw.get("choices") or []):
            cw = f"question {qid}, choice {j + 1}: "
            if not isinstance(c, dict):
                raise _fail(path, f"{cw}must be a mapping")
            choices.append(Choice(_str(path, c, "text", cw), c.get("correct") is True,
                                  _str(path, c, "feedback", cw)))
        if len(choices) < 2 or not any(c.correct for c in choices):
            raise _fail(path, f"question {qid}: at least two choices, one or more correct")
        quiz.append(Question(qid, str(outcome), _str(path, raw, "prompt", f"question {qid}: "),
                             tuple(choices)))
    for kind, ids in (("outcome", [o.id for o in outcomes]), ("question", [q.id for q in quiz])):
        if len(set(ids)) != len(ids):
            raise _fail(path, f"{kind} ids repeat")
    text = LessonText(language, _str(path, data, "title"), body, tuple(outcomes),
                      tuple(examples), tuple(quiz))
    return text, data


def _same_shape(path: Path, english: LessonText, other: LessonText) -> None:
    """A translation asks the same questions with the same right answers."""
    if [o.id for o in other.outcomes] != [o.id for o in english.outcomes]:
        raise _fail(path, "outcome ids differ from the English lesson's")
    if [q.id for q in other.quiz] != [q.id for q in english.quiz]:
        raise _fail(path, "question ids differ from the English lesson's")
    for q, e in zip(other.quiz, english.quiz, strict=True):
        if q.outcome != e.outcome or [c.correct for c in q.choices] != [
                c.correct for c in e.choices]:
            raise _fail(path, f"question {q.id}: choices or outcome differ from the English")
    if len(other.examples) != len(english.examples):
        raise _fail(path, "a different number of examples than the English lesson")


def _texts(path: Path, key: str, data: Mapping[str, Any]) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("en"), str):
        raise _fail(path, f"{key!r} must map languages to texts, English included")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise _fail(path, f"{key!r}: unknown languages {sorted(unknown)}")
    return {lang: str(text).strip() for lang, text in value.items() if str(text).strip()}


def load_module(folder: Path) -> Module:
    """One module folder, validated."""
    path = folder / "module.yml"
    if not path.is_file():
        raise ContentError(f"{folder.name}: no module.yml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, f"not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise _fail(path, "must be a mapping")
    module_id = _id(path, data.get("id"), "id")
    if module_id != folder.name:
        raise _fail(path, f"id {module_id!r} is not the folder's name")
    track = data.get("track")
    if track not in TRACKS:
        raise _fail(path, f"track {track!r} is not one of {', '.join(TRACKS)}")
    order = data.get("order")
    if not isinstance(order, int):
        raise _fail(path, "'order' must be a whole number")
    lesson_ids = [_id(path, x, "lessons") for x in _list(path, data, "lessons", required=True)]
    files = {p.name for p in folder.glob("*.md")}
    expected = {f"{lid}.{lang}.md" for lid in lesson_ids for lang in LANGUAGES}
    stray = sorted(files - expected)
    if stray:
        raise _fail(path, f"files of no listed lesson or language: {', '.join(stray)}")
    lessons = []
    for n, lesson_id in enumerate(lesson_ids):
        english_path = folder / f"{lesson_id}.en.md"
        if not english_path.is_file():
            raise _fail(english_path, "the English lesson is missing")
        english, data_en = _lesson_text(english_path, "en")
        sources = tuple(str(s).strip() for s in _list(english_path, data_en, "sources",
                                                       required=True))
        library = tuple(_id(english_path, x, "library")
                        for x in _list(english_path, data_en, "library", required=False))
        texts = {"en": english}
        for lang in LANGUAGES[1:]:
            other_path = folder / f"{lesson_id}.{lang}.md"
            if other_path.is_file():
                other, _ = _lesson_text(other_path, lang)
                _same_shape(other_path, english, other)
                texts[lang] = other
        lessons.append(Lesson(lesson_id, module_id, n, sources, library, texts))
    return Module(module_id, str(track), order, _texts(path, "title", data),
                  _texts(path, "summary", data), tuple(lessons))


def load(root: Path = CONTENT) -> Programme:
    """Every module under ``root``, validated; lesson ids are unique across modules."""
    modules = [load_module(folder) for folder in sorted(root.iterdir())
               if folder.is_dir() and not folder.name.startswith((".", "_"))]
    seen: dict[str, str] = {}
    for module in modules:
        for lesson in module.lessons:
            if lesson.id in seen:
                raise ContentError(f"lesson id {lesson.id!r} is in {seen[lesson.id]} and "
                                   f"{module.id}")
            seen[lesson.id] = module.id
    modules.sort(key=lambda m: (TRACKS.index(m.track), m.order, m.id))
    return Programme(tuple(modules))


@cache
def programme() -> Programme:
    """The programme shipped with Veriga (loaded once)."""
    return load()
