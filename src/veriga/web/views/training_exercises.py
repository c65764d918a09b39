"""Case simulations in the browser: the exercises (``/training/exercises``: start one; a
trainer sets them, forms teams and sees the attempts of the cohorts they run), an attempt
(``/training/attempts/{id}``: the case being built, then the role briefing, a link to the
case in the normal views and the answer form with entities picked from the case, then the
graded report). Everything goes through ``ws.exercises`` as the logged-in user.

Building an attempt's case takes seconds: it runs in a worker process of the
server's (:mod:`veriga.workspace.workers`), and the attempt's
page shows its progress, reloading itself until the case is ready.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from veriga.access.policy import Op, allows
from veriga.errors import VerigaError
from veriga.findings import Text
from veriga.training import content
from veriga.training.simulation import (
    BRIEFING_ROLES,
    DIFFICULTIES,
    ROLE_PARTS,
    SCENARIOS,
    SubmissionError,
)
from veriga.training.simulation.vocab import (
    COMPONENT_LABELS,
    ELEMENTS,
    EVIDENCE_KINDS,
    INSTRUMENTS,
    RECIPIENTS,
    ROLES,
    SAFEGUARDS,
)
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.workspace.exercises import MAX_SPARE, PURPOSE
from veriga.workspace.workers import build_attempt

router = APIRouter()
Current = Annotated[Web, Depends(current)]
Id = Annotated[str, Path(max_length=64)]
log = logging.getLogger(__name__)

#: rows of each repeated part of the answer form
ROWS = {"roles": 6, "links": 12, "evidence": 3, "proceeds": 10, "disclosures": 2,
        "prosecute": 3}


def N_(msgid: str) -> str:  # noqa: N802 - the gettext marker `make messages` extracts
    return msgid


#: a build's steps in order (the attempt's ``progress``) and what the page says of each
STEPS = {"queued": N_("waiting for the cases started before it"),
         "simulate": N_("simulating the world"), "import": N_("importing its records"),
         "analyse": N_("running the analyses"), "key": N_("building the answer key"),
         "done": N_("ready")}


def _may_manage(web: Web) -> bool:
    return any(allows(role, Op.TRAINING_MANAGE) for role in web.user.roles)


def _say(lang: str) -> Any:
    """A function rendering a message dict (``{"msgid", "args"}``) in ``lang``."""
    gettext = translations(lang).gettext

    def say(message: dict[str, Any] | None) -> str:
        found = Text.from_dict(message)
        return found.render(gettext, lang) if found else ""
    return say


def _labels() -> dict[str, Any]:
    return {"scenarios": SCENARIOS, "difficulties": {k: d.label for k, d in
                                                     DIFFICULTIES.items()},
            "roles_of_trainee": BRIEFING_ROLES, "components": COMPONENT_LABELS,
            "chain_roles": ROLES, "elements": ELEMENTS, "evidence_kinds": EVIDENCE_KINDS,
            "safeguards": SAFEGUARDS, "instruments": INSTRUMENTS, "recipients": RECIPIENTS,
            "steps": STEPS}


# -- exercises ---------------------------------------------------------------------------------


def _exercises_page(request: Request, web: Web, error: str | None = None) -> Response:
    ws = web.ws
    exercises = ws.exercises.list()
    attempts = ws.exercises.attempts()
    mine = [a for a in attempts if a["user_id"] == web.user.id and not a["spare"]]
    others = [a for a in attempts if a["user_id"] != web.user.id]
    prepared: dict[str, dict[str, int]] = {}
    for a in attempts:
        if a["spare"] and a["status"] in ("open", "building"):
            counts = prepared.setdefault(a["exercise_id"], {})
            counts[a["status"]] = counts.get(a["status"], 0) + 1
    cohorts = ws.cohorts.list() if _may_manage(web) else []
    return request.app.state.render(
        request, web, "training_exercises.html", status=400 if error else 200,
        exercises=exercises, mine=mine, others=others, cohorts=cohorts, prepared=prepared,
        max_spare=MAX_SPARE, may_manage=_may_manage(web), error=error, role_parts=ROLE_PARTS,
        **_labels())


@router.get("/training/exercises", include_in_schema=False)
def exercises_page(request: Request, web: Current) -> Response:
    """The exercises the user may start, their attempts; for a trainer, the form to set an
    exercise and the attempts of the cohorts they run."""
    return _exercises_page(request, web)


@router.post("/training/exercises", include_in_schema=False)
def create_exercise(request: Request, web: Current, title: Annotated[str, Form()],
                    scenario: Annotated[str, Form()], difficulty: Annotated[str, Form()],
                    cohort: Annotated[str, Form()] = "", role: Annotated[str, Form()] =
                    "investigator", team: Annotated[str, Form()] = "") -> Response:
    try:
        web.ws.exercises.create(title, scenario, difficulty, cohort or None, bool(team), role)
    except VerigaError as exc:
        if not _may_manage(web):
            raise
        return _exercises_page(request, web, str(exc))
    return RedirectResponse("/training/exercises", status_code=303)


@router.post("/training/exercises/{exercise}/teams", include_in_schema=False)
def add_team(request: Request, exercise: Id, web: Current, name: Annotated[str, Form()],
             members: Annotated[str, Form()]) -> Response:
    """A team: one ``user=role`` per line."""
    wanted: dict[str, str] = {}
    try:
        for line in members.splitlines()[:50]:
            if line.strip():
                user, sep, role = line.partition("=")
                if not sep:
                    raise VerigaError(f"{line.strip()[:60]!r}: expected user=role")
                wanted[user.strip()] = role.strip()
        web.ws.exercises.add_team(exercise, name, wanted)
    except VerigaError as exc:
        web.ws.exercises.get(exercise)  # not found for one who may not see it
        return _exercises_page(request, web, str(exc))
    return RedirectResponse("/training/exercises", status_code=303)


@router.post("/training/exercises/{exercise}/start", include_in_schema=False)
def start(request: Request, exercise: Id, web: Current) -> Response:
    """Start an attempt: its case is built in the background; its page shows the progress."""
    try:
        attempt = web.ws.exercises.begin(exercise)
    except VerigaError as exc:
        web.ws.exercises.get(exercise)
        return _exercises_page(request, web, str(exc))
    if attempt["status"] == "building" and attempt.get("builder", True):
        _build_in_background(request, web, attempt["id"])
    return RedirectResponse(f"/training/attempts/{attempt['id']}", status_code=303)


@router.post("/training/exercises/{exercise}/prepare", include_in_schema=False)
def prepare(request: Request, exercise: Id, web: Current,
            count: Annotated[int, Form(ge=1, le=MAX_SPARE)]) -> Response:
    """Cases built ahead of a workshop (trainers), in the server's worker processes."""
    try:
        made = web.ws.exercises.prepare(exercise, count)
    except VerigaError as exc:
        web.ws.exercises.get(exercise)
        return _exercises_page(request, web, str(exc))
    for attempt in made:
        _build_in_background(request, web, attempt["id"])
    return RedirectResponse("/training/exercises", status_code=303)


def _build_in_background(request: Request, web: Web, attempt_id: str) -> None:
    """In a worker process of the server's (:mod:`veriga.workspace.workers`)."""
    request.app.state.workers.submit(web.user.id, PURPOSE, build_attempt, attempt_id)


# -- an attempt --------------------------------------------------------------------------------


def _attempt_page(request: Request, web: Web, attempt_id: str,
                  problems: list[str] | None = None,
                  given: dict[str, Any] | None = None) -> Response:
    ws = web.ws
    attempt = ws.exercises.show(attempt_id)
    own = attempt["user_id"] == web.user.id
    choices = ws.exercises.choices(attempt_id) if own and attempt["status"] == "open" else None
    step = attempt.get("progress") if attempt["status"] == "building" else None
    order = list(STEPS)  # a build's steps in order, the last "done"
    progress = (step, order.index(step), len(order) - 1) if step in STEPS else None
    titles = {}
    grades = [g for g in (attempt.get("grade"), attempt.get("team_grade")) if g]
    lessons = {le for g in grades for le in g["lessons"]}
    if lessons:
        prog = content.programme()
        for lesson_id in lessons:
            try:
                text = prog.lesson(lesson_id).text(web.lang)
                titles[lesson_id] = (text.title, text.translated)
            except KeyError:
                continue
    names = {}
    if attempt.get("briefing"):
        names = {item["entity"]: item["name"] for item in attempt["briefing"]["assess"]}
    return request.app.state.render(
        request, web, "training_attempt.html", status=400 if problems else 200,
        a=attempt, own=own, choices=choices, progress=progress, problems=problems or [],
        given=given or {}, say=_say(web.lang),
        given_roles={r["entity"]: r["role"] for r in (given or {}).get("roles", [])},
        lesson_titles=titles, rows=ROWS, names=names,
        **_labels())


@router.get("/training/attempts/{attempt}", include_in_schema=False)
def attempt_page(request: Request, attempt: Id, web: Current) -> Response:
    return _attempt_page(request, web, attempt)


def answer_from_form(form: FormData, parts: list[str]) -> dict[str, Any]:
    """The JSON form of an answer (:mod:`veriga.training.simulation.submission`) from the
    answer form's fields; only the parts the trainee delivers, empty rows left out."""
    def get(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    data: dict[str, Any] = {}
    if "roles" in parts:
        roles = []
        for name, value in form.multi_items():
            if name.startswith("role:") and isinstance(value, str) and value:
                roles.append({"entity": name.removeprefix("role:"), "role": value})
        for n in range(ROWS["roles"]):
            if get(f"roles-entity-{n}") and get(f"roles-role-{n}"):
                roles.append({"entity": get(f"roles-entity-{n}"),
                              "role": get(f"roles-role-{n}")})
        data["roles"] = roles
        data["prosecute"] = [get(f"prosecute-{n}") for n in range(ROWS["prosecute"])
                             if get(f"prosecute-{n}")]
    if "links" in parts:
        data["links"] = [{"from": get(f"links-from-{n}"), "to": get(f"links-to-{n}")}
                         for n in range(ROWS["links"])
                         if get(f"links-from-{n}") or get(f"links-to-{n}")]
    if "evidence" in parts:
        data["evidence"] = {
            element: [{"kind": get(f"ev-{element}-kind-{n}"), "ref": get(f"ev-{element}-ref-{n}"),
                       "note": get(f"ev-{element}-note-{n}")}
                      for n in range(ROWS["evidence"]) if get(f"ev-{element}-ref-{n}")]
            for element in ELEMENTS}
    if "proceeds" in parts:
        data["proceeds"] = [{"account": get(f"proceeds-account-{n}"),
                             "amount": get(f"proceeds-amount-{n}") or "0"}
                            for n in range(ROWS["proceeds"]) if get(f"proceeds-account-{n}")]
    if "safeguards" in parts:
        data["safeguards"] = [v for v in form.getlist("safeguards") if isinstance(v, str)]
        data["disclosures"] = [{"entity": get(f"disclose-entity-{n}"),
                                "to": get(f"disclose-to-{n}")}
                               for n in range(ROWS["disclosures"])
                               if get(f"disclose-entity-{n}")]
    if "cooperation" in parts:
        data["cooperation"] = [v for v in form.getlist("cooperation") if isinstance(v, str)]
    return data


@router.post("/training/attempts/{attempt}", include_in_schema=False)
async def submit(request: Request, attempt: Id, web: Current) -> Response:
    """The answer form: validated against the case (every problem shown, nothing kept),
    graded at once; the page comes back with the graded report."""
    shown = web.ws.exercises.show(attempt)
    form = await request.form()
    data = answer_from_form(form, shown["parts"])
    try:
        web.ws.exercises.submit(attempt, data)
    except SubmissionError as exc:
        return _attempt_page(request, web, attempt, exc.problems, data)
    return RedirectResponse(f"/training/attempts/{attempt}#grade", status_code=303)


VIEW = View("training-exercises", "Case simulations", router, nav=False, order=122)
