"""xAPI 1.0.3 statements of what trainees did: answers to quiz questions, lessons completed,
case simulations passed or failed.

The actor is always a pseudonymous account (``{"account": {"homePage": …, "name": …}}``):
its name is an HMAC-SHA256 of the user's id under a per-installation secret, so that an LRS
can follow one trainee across statements without learning who they are; no name, username
or e-mail is ever written. Verbs are from the ADL vocabulary; activity ids are IRIs under the
configured home page; statement ids are name-based UUIDs of the row they come from, so that
exporting twice yields the same statements (an LRS keeps one of each).

This module only shapes rows the workspace has read and checked (``ws.xapi``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from veriga.training.content import Programme, Question

VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "answered": {"id": ADL + "answered", "display": {"en-US": "answered"}},
    "completed": {"id": ADL + "completed", "display": {"en-US": "completed"}},
    "passed": {"id": ADL + "passed", "display": {"en-US": "passed"}},
    "failed": {"id": ADL + "failed", "display": {"en-US": "failed"}},
}
ACTIVITY = "http://adlnet.gov/expapi/activities/"
#: the namespace of statement ids (uuid5 of the installation's home page and the row)
NAMESPACE = uuid.UUID("6f1d3c52-9a1e-5b57-8d0c-0c6a6b1e7a11")


def pseudonym(secret: bytes, user_id: str) -> str:
    """The account name of a user: HMAC-SHA256 of their id under the installation's secret."""
    return hmac.new(secret, user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _actor(home_page: str, name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


def _when(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite gives naive datetimes: the store writes UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _id(home_page: str, kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{home_page}|{kind}|{key}"))


def _base(home_page: str) -> str:
    return home_page.rstrip("/")


def answer_statement(row: Mapping[str, Any], actor: str, home_page: str,
                     prog: Programme) -> dict[str, Any]:
    """An answer to a quiz question (``training_answers``): *answered*, with success and the
    choices picked (xAPI's choice interaction)."""
    lesson_id, question_id = str(row["lesson_id"]), str(row["question_id"])
    definition: dict[str, Any] = {
        "type": ACTIVITY + "cmi.interaction", "interactionType": "choice"}
    question: Question | None = None
    with contextlib.suppress(KeyError):  # a question since removed from the programme
        question = prog.question(f"{lesson_id}/{question_id}")[1]
    if question is not None:
        definition["name"] = {"en": question.prompt}
        definition["choices"] = [{"id": str(i), "description": {"en": c.text}}
                                 for i, c in enumerate(question.choices)]
        definition["correctResponsesPattern"] = [
            "[,]".join(str(i) for i in sorted(question.correct_indices()))]
    chosen = row.get("choices") or []
    return {
        "id": _id(home_page, "answer", str(row["id"])),
        "version": VERSION,
        "actor": _actor(home_page, actor),
        "verb": VERBS["answered"],
        "object": {"objectType": "Activity",
                   "id": f"{_base(home_page)}/training/lessons/{lesson_id}/questions/"
                         f"{question_id}",
                   "definition": definition},
        "result": {"success": bool(row["correct"]),
                   "response": "[,]".join(str(c) for c in chosen)},
        "context": {"language": str(row["language"]),
                    "contextActivities": {"parent": [{
                        "objectType": "Activity",
                        "id": f"{_base(home_page)}/training/lessons/{lesson_id}"}]},
                    "extensions": {f"{_base(home_page)}/xapi/context":
                                   str(row["context"])}},
        "timestamp": _when(row["answered_at"]),
    }


def lesson_statement(row: Mapping[str, Any], actor: str, home_page: str,
                     prog: Programme) -> dict[str, Any]:
    """A lesson completed (``training_progress`` with ``completed_at``): *completed*."""
    lesson_id = str(row["lesson_id"])
    definition: dict[str, Any] = {"type": ACTIVITY + "lesson"}
    with contextlib.suppress(KeyError):  # a lesson since removed from the programme
        definition["name"] = {"en": prog.lesson(lesson_id).text("en").title}
    return {
        "id": _id(home_page, "lesson", f"{actor}|{lesson_id}"),
        "version": VERSION,
        "actor": _actor(home_page, actor),
        "verb": VERBS["completed"],
        "object": {"objectType": "Activity",
                   "id": f"{_base(home_page)}/training/lessons/{lesson_id}",
                   "definition": definition},
        "result": {"completion": True},
        "context": {"language": str(row["language"])},
        "timestamp": _when(row["completed_at"]),
    }


def attempt_statement(row: Mapping[str, Any], actor: str, home_page: str) -> dict[str, Any]:
    """A case simulation submitted and graded (``training_attempts``): *passed* or
    *failed*, with the scaled score."""
    passed = bool(row.get("passed"))
    result: dict[str, Any] = {"success": passed, "completion": True}
    score = row.get("score")
    if score is not None:
        scaled = float(score) / 100 if float(score) > 1 else float(score)
        result["score"] = {"scaled": round(min(max(scaled, 0.0), 1.0), 4)}
    return {
        "id": _id(home_page, "attempt", str(row["id"])),
        "version": VERSION,
        "actor": _actor(home_page, actor),
        "verb": VERBS["passed" if passed else "failed"],
        "object": {"objectType": "Activity",
                   "id": f"{_base(home_page)}/training/exercises/{row['exercise_id']}",
                   "definition": {"type": ACTIVITY + "simulation"}},
        "result": result,
        "context": {"registration": _id(home_page, "registration", str(row["id"]))},
        "timestamp": _when(row["submitted_at"] or row["started_at"]),
    }
