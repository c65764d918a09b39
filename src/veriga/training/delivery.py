"""What delivering the programme to a cohort is made of: the kinds of event, attendance,
the feedback form after an event, the tests, materials, and when a trainee may be certified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from veriga.errors import VerigaError
from veriga.training.content import PROFESSIONS, Programme

EVENT_KINDS = ("online_module", "national_training", "international_workshop", "study_visit")
ATTENDANCE = ("present", "absent", "excused")
TEST_KINDS = ("pre", "post", "delayed")
#: a trainee passes a post-test with at least this share correct
PASS_MARK = 0.7
#: questions a test takes from the programme when the trainer names none
DEFAULT_QUESTIONS = 20
MAX_TEXT = 2000
_LIBRARY = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
_LINK = re.compile(r"^https?://[^\s<>\"']{1,2000}$")


@dataclass(frozen=True)
class Rating:
    id: str
    label: str  # a msgid


@dataclass(frozen=True)
class FreeText:
    id: str
    label: str


#: The feedback form after every event: fixed questions, ratings 1 (poor) to 5 (excellent)
RATINGS = (
    Rating("relevance", "How relevant was the event to your work?"),
    Rating("content", "How clear and accurate was the content?"),
    Rating("delivery", "How well was it delivered?"),
    Rating("materials", "How useful were the materials?"),
    Rating("overall", "Overall, how would you rate the event?"),
)
TEXTS = (
    FreeText("useful", "What was most useful?"),
    FreeText("improve", "What should be improved?"),
)


def feedback_answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A filled-in feedback form, validated: every rating an integer 1-5, texts optional and
    at most MAX_TEXT characters, nothing else."""
    known = {q.id for q in RATINGS} | {t.id for t in TEXTS}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise VerigaError(f"unknown feedback question(s): {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for q in RATINGS:
        value = raw.get(q.id)
        try:
            rating = int(str(value).strip())
        except ValueError:
            raise VerigaError(f"feedback {q.id}: a rating from 1 to 5") from None
        if not 1 <= rating <= 5:
            raise VerigaError(f"feedback {q.id}: a rating from 1 to 5")
        out[q.id] = rating
    for t in TEXTS:
        text = " ".join(str(raw.get(t.id) or "").split())
        if len(text) > MAX_TEXT:
            raise VerigaError(f"feedback {t.id}: at most {MAX_TEXT} characters")
        out[t.id] = text
    return out


def feedback_summary(forms: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The forms of one event: their number, the mean of each rating, the texts (unsigned)."""
    forms = list(forms)
    means = {q.id: (sum(int(f[q.id]) for f in forms) / len(forms) if forms else None)
             for q in RATINGS}
    texts = {t.id: [str(f[t.id]) for f in forms if f.get(t.id)] for t in TEXTS}
    return {"forms": len(forms), "means": means, "texts": texts}


def materials(items: Iterable[str], prog: Programme) -> list[dict[str, str]]:
    """An event's materials: ``lesson:ID`` (a lesson of the programme), ``library:ID`` (a
    library entry) or an http(s) link."""
    out = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        kind, _, ref = item.partition(":")
        if kind == "lesson":
            try:
                prog.lesson(ref)
            except KeyError:
                raise VerigaError(f"material {item!r}: no such lesson") from None
            out.append({"kind": "lesson", "ref": ref})
        elif kind == "library" and _LIBRARY.match(ref):
            out.append({"kind": "library", "ref": ref})
        elif _LINK.match(item):
            out.append({"kind": "link", "ref": item})
        else:
            raise VerigaError(f"material {item[:80]!r}: lesson:ID, library:ID or an "
                              "http(s) link")
    return out


def profession(value: str | None) -> str | None:
    """A cohort's profession (None or ``mixed``: mixed professions)."""
    if value in (None, "", "mixed"):
        return None
    if value not in PROFESSIONS:
        raise VerigaError(f"profession is one of {', '.join(PROFESSIONS)} or mixed")
    return value


def required_lessons(prog: Programme, profession: str | None) -> list[str]:
    """The lessons a trainee of ``profession`` completes: the core modules and their own."""
    return [le.id for m in prog.for_profession(profession) if profession or m.track == "core"
            for le in m.lessons]


def test_questions(prog: Programme, profession: str | None, keys: Iterable[str] | None,
                   limit: int = DEFAULT_QUESTIONS) -> list[str]:
    """The questions of a test: the keys given (each checked), or up to ``limit`` of the
    required lessons' questions, spread over the lessons."""
    if keys is not None:
        chosen = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
        for key in chosen:
            try:
                prog.question(key)
            except KeyError:
                raise VerigaError(f"no quiz question {key!r} (lesson-id/question-id)") \
                    from None
        if not chosen:
            raise VerigaError("a test needs at least one question")
        return chosen
    per_lesson = [[f"{lid}/{q.id}" for q in prog.lesson(lid).text("en").quiz]
                  for lid in required_lessons(prog, profession)]
    chosen = []
    while len(chosen) < limit and any(per_lesson):
        for keys_of in per_lesson:
            if keys_of and len(chosen) < limit:
                chosen.append(keys_of.pop(0))
    if not chosen:
        raise VerigaError("the programme has no quiz questions for this cohort")
    return chosen
