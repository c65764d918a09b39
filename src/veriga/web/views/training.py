"""Learning in the browser: the trainee's programme (``/training``), a lesson with its quiz
(``/training/lessons/{id}``) and the spaced review (``/training/review``); the JSON API under
``/api/training/``. Everything goes through ``ws.training`` as the logged-in user: a trainee
reaches only their own progress and answers.

A lesson not yet translated into the interface language is shown in English and says so."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import FormData

from veriga.access.policy import Op, allows
from veriga.errors import VerigaError
from veriga.training.content import Lesson
from veriga.training.library import library
from veriga.training.markup import to_html
from veriga.training.progress import ModuleStatus
from veriga.training.quiz import ChoiceFeedback
from veriga.web.api import Timestamp, errors
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.workspace.training import Answered

router = APIRouter()
Current = Annotated[Web, Depends(current)]
Language = Literal["en", "bg", "lv", "et", "fi"]
Profession = Literal["law_enforcement", "prosecutors", "judges", "financial", "ngo"]
LessonId = Annotated[str, Path(max_length=128)]
QuestionId = Annotated[str, Path(max_length=128)]


def N_(msgid: str) -> str:  # noqa: N802 - the gettext marker `make messages` extracts
    return msgid


PROFESSION_LABELS = {
    "": N_("Your profession"), "law_enforcement": N_("Law enforcement"),
    "prosecutors": N_("Prosecutors"), "judges": N_("Judges"),
    "financial": N_("Financial and compliance officers"), "ngo": N_("NGOs"),
}
STATUS_LABELS = {"not_started": N_("not started"), "started": N_("started"),
                 "completed": N_("completed")}
#: The other parts of the programme, linked from the hub once their pages exist.
SECTIONS = (("/training/exercises", N_("Case simulations"), Op.TRAINING_LEARN),
            ("/training/library", N_("Best-practice library"), Op.TRAINING_LEARN),
            ("/training/cohorts", N_("Cohorts"), Op.TRAINING_MANAGE))


def _may(web: Web, op: Op) -> bool:
    return any(allows(role, op) for role in web.user.roles)


def _paths(request: Request) -> set[str]:
    """The paths of every view's pages in this installation."""
    return {getattr(route, "path", "") for view in request.app.state.views
            for route in view.router.routes}


def _sections(request: Request, web: Web) -> list[tuple[str, str]]:
    """The programme's other sections that exist in this installation and the user may use."""
    paths = _paths(request)
    return [(url, label) for url, label, op in SECTIONS if url in paths and _may(web, op)]


def _view_labels(request: Request) -> dict[str, str]:
    return {v.name: v.label for v in request.app.state.views}


# -- pages -----------------------------------------------------------------------------------


@router.get("/training", include_in_schema=False)
def hub(request: Request, web: Current,
        profession: Annotated[str, Query(max_length=32)] = "") -> Response:
    """The programme for the user's profession (or the one asked for; "" for the user's own)
    and language: modules and lessons with their status, the questions due for review, and
    the other sections of the programme."""
    if profession not in PROFESSION_LABELS:
        raise VerigaError(f"unknown profession {profession!r}")
    chosen = profession or web.ws.training.profession()
    modules = web.ws.training.overview(web.lang, chosen)
    due = web.ws.training.reviews(limit=100, lang=web.lang)
    return request.app.state.render(
        request, web, "training.html", modules=modules, due=len(due), profession=chosen,
        professions=PROFESSION_LABELS, status_labels=STATUS_LABELS,
        sections=_sections(request, web))


def _library(request: Request, lesson: Lesson, lang: str) -> list[tuple[str, str]]:
    """The library entries a lesson names or that name it, (id, title in ``lang``), once the
    library's pages exist."""
    if "/training/library/{entry_id}" not in _paths(request):
        return []
    try:
        shelf = library()
    except VerigaError:  # the library's content does not load: the lesson is still shown
        return []
    entries = [shelf.get(i) for i in lesson.library] + list(shelf.for_lesson(lesson.id))
    seen: dict[str, str] = {}
    for entry in entries:
        if entry is not None and entry.id not in seen:
            seen[entry.id] = entry.text(lang).title
    return list(seen.items())


def _lesson_page(request: Request, web: Web, lesson_id: str,
                 answered: dict[str, Answered] | None = None,
                 picked: dict[str, set[int]] | None = None) -> Response:
    page = web.ws.training.lesson(lesson_id, web.lang)
    library = _library(request, page.lesson, web.lang)
    return request.app.state.render(
        request, web, "training_lesson.html", page=page, body=to_html(page.text.body),
        examples=[to_html(ex.text) for ex in page.text.examples],
        module_title=page.module.title(web.lang)[0], answered=answered or {},
        picked=picked or {}, views=_view_labels(request), library=library,
        status_labels=STATUS_LABELS)


@router.get("/training/lessons/{lesson_id}", include_in_schema=False)
def lesson_page(request: Request, lesson_id: LessonId, web: Current) -> Response:
    return _lesson_page(request, web, lesson_id)


def _picked(form: FormData, prefix: str) -> dict[str, set[int]]:
    """The choices picked per question (fields ``<prefix><question>``, values from 0)."""
    picked: dict[str, set[int]] = {}
    for name, value in form.multi_items():
        if name.startswith(prefix) and isinstance(value, str):
            try:
                picked.setdefault(name.removeprefix(prefix), set()).add(int(value))
            except ValueError:
                raise VerigaError(f"not a choice: {value!r}") from None
    return picked


@router.post("/training/lessons/{lesson_id}", include_in_schema=False)
async def answer_lesson(request: Request, lesson_id: LessonId, web: Current) -> Response:
    """The quiz form: every question with a choice picked is graded; the page comes back
    with the feedback on each chosen answer."""
    picked = _picked(await request.form(), "q-")
    answered = {qid: web.ws.training.answer(lesson_id, qid, sorted(choices), web.lang)
                for qid, choices in picked.items()}
    return _lesson_page(request, web, lesson_id, answered, picked)


def _review_page(request: Request, web: Web, answered: list[tuple[Any, Answered,
                 set[int]]] | None = None) -> Response:
    due = web.ws.training.reviews(lang=web.lang)
    return request.app.state.render(request, web, "training_review.html", due=due,
                                    answered=answered or [])


@router.get("/training/review", include_in_schema=False)
def review_page(request: Request, web: Current) -> Response:
    return _review_page(request, web)


@router.post("/training/review", include_in_schema=False)
async def answer_review(request: Request, web: Current) -> Response:
    picked = _picked(await request.form(), "q-")
    due = {d.key: d for d in web.ws.training.reviews(limit=100, lang=web.lang)}
    answered = []
    for key, choices in picked.items():
        item = due.get(key)
        if item is None:  # answered meanwhile, or never due: nothing to grade
            continue
        done = web.ws.training.answer(item.lesson.id, item.question.id, sorted(choices),
                                      web.lang, context="review")
        answered.append((item, done, choices))
    return _review_page(request, web, answered)


# -- JSON API --------------------------------------------------------------------------------


class AnswerIn(BaseModel):
    """A trainee's answer to one question: the choices picked, numbered from 0."""

    choices: list[Annotated[int, Field(ge=0, le=99)]] = Field(min_length=1, max_length=20)
    lang: Language = "en"
    context: Literal["lesson", "review"] = "lesson"


class ChoiceOut(BaseModel):
    """A choice of a question: its number (from 0), text, whether it is right, feedback."""

    index: int
    text: str
    correct: bool
    feedback: str


class AnswerOut(BaseModel):
    """A graded answer: the feedback on every chosen choice and the right answer."""

    lesson: str
    question: str
    correct: bool
    chosen: list[ChoiceOut]
    answer: list[ChoiceOut]
    lesson_completed: bool
    next_review: Timestamp | None


def _choice(c: ChoiceFeedback) -> ChoiceOut:
    return ChoiceOut(index=c.index, text=c.text, correct=c.correct, feedback=c.feedback)


@router.post("/api/training/lessons/{lesson_id}/questions/{question_id}/answers",
             tags=["training"], responses=errors(400, 401, 403, 404, 422))
def answer_api(lesson_id: LessonId, question_id: QuestionId, body: AnswerIn, web: Current
               ) -> AnswerOut:
    """Answer a question of a lesson (or of the spaced review) as the logged-in trainee."""
    done = web.ws.training.answer(lesson_id, question_id, body.choices, body.lang,
                                  context=body.context)
    return AnswerOut(lesson=lesson_id, question=question_id, correct=done.graded.correct,
                     chosen=[_choice(c) for c in done.graded.chosen],
                     answer=[_choice(c) for c in done.graded.answer],
                     lesson_completed=done.completed, next_review=done.due_at)


class LessonOut(BaseModel):
    """A lesson and the trainee's status in it."""

    id: str
    title: str
    translated: bool  # False: shown in English
    status: Literal["not_started", "started", "completed"]
    questions: int
    correct: int  # questions answered right at least once


class ModuleOut(BaseModel):
    id: str
    track: str
    title: str
    translated: bool
    lessons: list[LessonOut]


class OverviewOut(BaseModel):
    """The trainee's programme: the core modules and those of the profession."""

    profession: str | None
    modules: list[ModuleOut]
    due_reviews: int


def _module(m: ModuleStatus) -> ModuleOut:
    return ModuleOut(id=m.id, track=m.track, title=m.title, translated=m.translated,
                     lessons=[LessonOut(id=le.id, title=le.title, translated=le.translated,
                                        status=le.status.value, questions=le.questions,
                                        correct=le.correct) for le in m.lessons])


@router.get("/api/training/overview", tags=["training"], responses=errors(400, 401, 403, 422))
def overview_api(web: Current, lang: Language = "en",
                 profession: Profession | None = None) -> OverviewOut:
    """The programme with the status of each of the trainee's lessons (without
    ``profession``: the trainee's own)."""
    chosen = profession or web.ws.training.profession()
    modules = web.ws.training.overview(lang, chosen)
    due = len(web.ws.training.reviews(limit=100, lang=lang))
    return OverviewOut(profession=chosen, modules=[_module(m) for m in modules],
                       due_reviews=due)


class ReviewOut(BaseModel):
    """A question due for spaced review."""

    lesson: str
    question: str
    prompt: str
    choices: list[str]
    multiple: bool  # several choices are right
    due_at: Timestamp
    translated: bool


@router.get("/api/training/reviews", tags=["training"], responses=errors(400, 401, 403, 422))
def reviews_api(web: Current, lang: Language = "en",
                limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[ReviewOut]:
    """The trainee's questions due for review, the most overdue first."""
    return [ReviewOut(lesson=d.lesson.id, question=d.question.id, prompt=d.question.prompt,
                      choices=[c.text for c in d.question.choices],
                      multiple=d.question.multiple, due_at=d.due_at, translated=d.translated)
            for d in web.ws.training.reviews(limit=limit, lang=lang)]


VIEW = View("training", "Training", router, nav=False, order=120)
