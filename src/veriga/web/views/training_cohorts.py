"""Cohorts of the training programme: a trainer's cohorts and each one's dashboard (mastery
per learning outcome, common misses, learning gain, trainees, events, tests, certificates),
enrolment by CSV upload with the rejected values shown, event pages with the feedback form,
a trainee's tests, and the public verification of a certificate (``/verify/{hash}``, no
login).

The CSV upload is checked like the Files page's: access first, before a byte of the body is
read; then its declared size; then the body is read with a hard limit, the form's CSRF token
checked before anything in it is used, and the file parsed in memory, never stored.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser

from veriga.access.policy import Op, allows
from veriga.errors import VerigaError
from veriga.training import content
from veriga.training.certificates import is_hash
from veriga.training.delivery import EVENT_KINDS, RATINGS, TEST_KINDS, TEXTS
from veriga.training.enrolment import MAX_BYTES, EnrolmentRejected, Reject
from veriga.web.session import Web, current, current_unread
from veriga.web.views import View
from veriga.workspace import Workspace

router = APIRouter()
Current = Annotated[Web, Depends(current)]
#: the whole body of an enrolment upload: the file and the form's few fields
MAX_BODY = MAX_BYTES + 64 * 1024


def _may_manage(web: Web) -> bool:
    return any(allows(role, Op.TRAINING_MANAGE) for role in web.user.roles)


def _when(text: str) -> datetime:
    """A date or date and time from a form (UTC)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise VerigaError(f"not a date or time: {text[:40]!r}") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _lesson_titles(lang: str) -> dict[str, str]:
    return {le.id: le.text(lang).title for le in content.programme().lessons()}


@router.get("/training/cohorts", include_in_schema=False)
def cohorts_page(request: Request, web: Current, error: str | None = None) -> Response:
    """The cohorts the user runs (and the form to create one), and those they are in."""
    ws = web.ws
    running = ws.cohorts.list() if _may_manage(web) else []
    mine = [c for c in ws.cohorts.mine() if c["role"] == "trainee"]
    events = {c["id"]: ws.cohorts.events(c["id"]) for c in mine}
    return request.app.state.render(
        request, web, "training_cohorts.html", status=400 if error else 200, running=running,
        mine=mine, events=events, may_manage=_may_manage(web), error=error,
        languages_all=content.LANGUAGES, professions=content.PROFESSIONS)


@router.post("/training/cohorts", include_in_schema=False)
def create_cohort(request: Request, web: Current, name: Annotated[str, Form()],
                  language: Annotated[str, Form()],
                  profession: Annotated[str, Form()] = "mixed",
                  description: Annotated[str, Form()] = "") -> Response:
    try:
        row = web.ws.cohorts.create(name, language, profession, description)
    except VerigaError as exc:
        if not _may_manage(web):
            raise
        return cohorts_page(request, web, str(exc))
    return RedirectResponse(f"/training/cohorts/{row['id']}", status_code=303)


def _dashboard(request: Request, web: Web, cohort: str, *, error: str | None = None,
               rejects: list[Reject] | None = None, enrolled: dict[str, int] | None = None,
               issued: str | None = None) -> Response:
    data = web.ws.cohorts.dashboard(cohort)
    status = 400 if error or rejects else 200
    return request.app.state.render(
        request, web, "training_cohort.html", status=status, d=data, error=error,
        rejects=rejects, enrolled=enrolled, issued=issued, event_kinds=EVENT_KINDS,
        test_kinds=TEST_KINDS, lessons=_lesson_titles(data["cohort"]["language"]),
        max_kb=MAX_BYTES // 1024)


@router.get("/training/cohorts/{cohort}", include_in_schema=False)
def cohort_page(request: Request, cohort: str, web: Current) -> Response:
    """The trainer's dashboard of one cohort."""
    return _dashboard(request, web, cohort)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise HTTPException(413, f"an enrolment file is at most {MAX_BYTES // 1024} KB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"an enrolment file is at most {MAX_BYTES // 1024} KB")
    return bytes(body)


@router.post("/training/cohorts/{cohort}/enrol", include_in_schema=False)
async def enrol(request: Request, cohort: str,
                web: Annotated[Web, Depends(current_unread)]) -> Response:
    """Enrol from an uploaded CSV: all or nobody, every rejected value shown with its line."""
    web.ws.cohorts.check(cohort)  # before a byte of the body is read
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(400, "send the file as multipart/form-data")
    body = await _body(request, MAX_BODY)

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=4).parse()
    try:
        token = form.get("csrf")
        if not web.csrf_checked and not (isinstance(token, str) and hmac.compare_digest(
                token.encode(), web.csrf.encode())):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page")
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _dashboard(request, web, cohort, error="Choose a CSV file to upload.")
        data = await upload.read(MAX_BYTES + 1)
    finally:
        await form.close()
    try:
        result = web.ws.cohorts.enrol(cohort, data)
    except EnrolmentRejected as exc:
        return _dashboard(request, web, cohort, rejects=exc.rejects)
    return _dashboard(request, web, cohort, enrolled=result)


@router.post("/training/cohorts/{cohort}/events", include_in_schema=False)
def add_event(request: Request, cohort: str, web: Current, title: Annotated[str, Form()],
              kind: Annotated[str, Form()], starts: Annotated[str, Form()],
              ends: Annotated[str, Form()], place: Annotated[str, Form()] = "",
              agenda: Annotated[str, Form()] = "",
              materials: Annotated[str, Form()] = "") -> Response:
    try:
        event = web.ws.cohorts.add_event(cohort, kind, title, _when(starts), _when(ends),
                                         place, agenda, materials.split())
    except VerigaError as exc:
        web.ws.cohorts.check(cohort)
        return _dashboard(request, web, cohort, error=str(exc))
    return RedirectResponse(f"/training/events/{event['id']}", status_code=303)


@router.post("/training/cohorts/{cohort}/tests", include_in_schema=False)
def create_test(request: Request, cohort: str, web: Current, kind: Annotated[str, Form()],
                opens: Annotated[str, Form()] = "", closes: Annotated[str, Form()] = ""
                ) -> Response:
    try:
        web.ws.cohorts.create_test(cohort, kind, None, _when(opens) if opens else None,
                                   _when(closes) if closes else None)
    except VerigaError as exc:
        web.ws.cohorts.check(cohort)
        return _dashboard(request, web, cohort, error=str(exc))
    return RedirectResponse(f"/training/cohorts/{cohort}#tests", status_code=303)


@router.post("/training/cohorts/{cohort}/certificates", include_in_schema=False)
def issue(request: Request, cohort: str, web: Current,
          username: Annotated[str, Form()]) -> Response:
    try:
        row = web.ws.cohorts.issue(cohort, username)
    except VerigaError as exc:
        web.ws.cohorts.check(cohort)
        return _dashboard(request, web, cohort, error=str(exc))
    return _dashboard(request, web, cohort, issued=row["hash"])


@router.post("/training/certificates/{hash_}/revoke", include_in_schema=False)
def revoke(request: Request, hash_: str, web: Current, cohort: Annotated[str, Form()],
           reason: Annotated[str, Form()]) -> Response:
    try:
        web.ws.cohorts.revoke(hash_, reason)
    except VerigaError as exc:
        web.ws.cohorts.check(cohort)
        return _dashboard(request, web, cohort, error=str(exc))
    return RedirectResponse(f"/training/cohorts/{cohort}#trainees", status_code=303)


@router.get("/training/certificates/{hash_}.pdf", include_in_schema=False)
def certificate_pdf(hash_: str, web: Current) -> Response:
    """The certificate as PDF (its holder, the cohort's trainers)."""
    pdf = web.ws.cohorts.pdf(hash_)
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="certificate-{hash_[:12]}.pdf"'})


# -- events ------------------------------------------------------------------------------------


def _event(request: Request, web: Web, event_id: str, error: str | None = None,
           thanks: bool = False) -> Response:
    event = web.ws.cohorts.event(event_id)
    return request.app.state.render(
        request, web, "training_event.html", status=400 if error else 200, e=event,
        error=error, thanks=thanks, ratings=RATINGS, texts=TEXTS,
        lessons=_lesson_titles(web.lang))


@router.get("/training/events/{event_id}", include_in_schema=False)
def event_page(request: Request, event_id: str, web: Current) -> Response:
    """An event: when, where, agenda, materials; its trainer takes attendance and reads the
    feedback, a participant fills in the feedback form."""
    return _event(request, web, event_id)


@router.post("/training/events/{event_id}/attendance", include_in_schema=False)
async def attendance(request: Request, event_id: str, web: Current) -> Response:
    form = await request.form(max_files=0, max_fields=2000)
    present = [str(v) for v in form.getlist("present")]
    everyone = [str(v) for v in form.getlist("trainee")]
    absent = [u for u in everyone if u not in present]
    try:
        if present:
            web.ws.cohorts.attend(event_id, present, "present")
        if absent:
            web.ws.cohorts.attend(event_id, absent, "absent")
    except VerigaError as exc:
        return _event(request, web, event_id, str(exc))
    return RedirectResponse(f"/training/events/{event_id}", status_code=303)


@router.post("/training/events/{event_id}/feedback", include_in_schema=False)
async def feedback(request: Request, event_id: str, web: Current) -> Response:
    form = await request.form(max_files=0, max_fields=20)
    answers: dict[str, Any] = {q.id: form.get(q.id) or "" for q in RATINGS}
    answers.update({t.id: form.get(t.id) or "" for t in TEXTS})
    try:
        web.ws.cohorts.submit_feedback(event_id, answers)
    except VerigaError as exc:
        return _event(request, web, event_id, str(exc))
    return _event(request, web, event_id, thanks=True)


# -- a trainee's tests -------------------------------------------------------------------------


@router.get("/training/tests", include_in_schema=False)
def tests_page(request: Request, web: Current) -> Response:
    """The acting trainee's tests and certificates."""
    return request.app.state.render(request, web, "training_tests.html",
                                    tests=web.ws.cohorts.my_tests(),
                                    certificates=web.ws.cohorts.my_certificates())


@router.get("/training/tests/{test_id}", include_in_schema=False)
def test_page(request: Request, test_id: str, web: Current) -> Response:
    """A test to take now (once)."""
    return request.app.state.render(request, web, "training_test.html",
                                    t=web.ws.cohorts.test(test_id, web.lang), result=None)


@router.post("/training/tests/{test_id}", include_in_schema=False)
async def take_test(request: Request, test_id: str, web: Current) -> Response:
    test = web.ws.cohorts.test(test_id, web.lang)
    form = await request.form(max_files=0, max_fields=500)
    answers: dict[str, list[int]] = {}
    for q in test["questions"]:
        picked = [str(v) for v in form.getlist(q["key"])]
        answers[q["key"]] = [int(v) for v in picked if v.isdigit()]
    result = web.ws.cohorts.take(test_id, answers, web.lang)
    return request.app.state.render(request, web, "training_test.html", t=test,
                                    result=result)


# -- verification, for anyone ------------------------------------------------------------------


@router.get("/verify", include_in_schema=False)
def verify_form(request: Request, hash: str = "") -> Response:
    if hash.strip():
        return RedirectResponse(f"/verify/{hash.strip().lower()[:64]}", status_code=303)
    return request.app.state.render(request, None, "verify.html", asked=None, found=None)


@router.get("/verify/{hash_}", include_in_schema=False)
def verify_page(request: Request, hash_: str) -> Response:
    """A certificate's verification, without logging in: holder, what, when, issuer, and
    whether it stands; nothing else about the holder."""
    found = None
    if is_hash(hash_):
        ws = Workspace(request.app.state.settings, None, None, store=request.app.state.store)
        found = ws.cohorts.verify(hash_)
    return request.app.state.render(request, None, "verify.html",
                                    status=200 if found else 404, asked=hash_[:64],
                                    found=found)


VIEW = View("training-cohorts", "Cohorts", router, nav=False, order=910)
