"""The case report for prosecutors: read in the app, printed, or downloaded as PDF, in the
user's language. Built by :mod:`veriga.reports` through the user's Workspace (audited): in
the browser as a background job (:mod:`veriga.web.report_jobs`), through the API within the
request."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from veriga.errors import NotFound
from veriga.findings import N_
from veriga.reports import build_report, render_html, render_pdf
from veriga.reports.gather import DEFAULT_SECTIONS, SECTIONS
from veriga.web.api import CASE, errors
from veriga.web.i18n import translations
from veriga.web.report_jobs import run_report
from veriga.web.session import Web, current
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]


def _filename(case: str, suffix: str) -> str:
    safe = re.sub(r"[^\w.\-]+", "_", case, flags=re.ASCII).strip("._") or "case"
    return f"veriga-report-{safe}-{datetime.now(UTC):%Y%m%d}.{suffix}"


@router.get("/cases/{case}/report", include_in_schema=False)
def report_page(request: Request, case: str, web: Current, job: str = "") -> Response:
    """The report page: build the report (a background job), follow its steps, then read
    it here, print it or download the PDF. The user's earlier reports of the case stay a
    day."""
    jobs = web.ws.jobs.list(case)
    shown = next((j for j in jobs if j["id"] == job), None) if job else (
        jobs[0] if jobs else None)
    body = None
    if shown is not None and shown["status"] == "done":
        try:
            body = web.ws.jobs.file(shown["id"], "fragment.html")[0].decode("utf-8")
        except NotFound:  # its files were deleted after a day
            shown = None
    chosen = set(shown["params"].get("sections", DEFAULT_SECTIONS)) if shown else \
        DEFAULT_SECTIONS
    return request.app.state.render(
        request, web, "report.html", jobs=jobs, job=shown, body=body,
        unreviewed=bool(shown and shown["params"].get("unreviewed")), steps=STEPS,
        sections=[(s, SECTION_LABELS[s], s in chosen) for s in SECTIONS])


#: what the form calls each section a report may hold
SECTION_LABELS = {
    "chain": N_("The trafficking chain"), "proceeds": N_("Proceeds"),
    "parties": N_("Persons, organisations and bank accounts involved"),
    "facts": N_("Facts and their sources"), "transactions": N_("Transactions cited"),
    "others": N_("Other persons the case marks")}


#: a report job's steps, and what the page says of each
STEPS = {"gather": N_("gathering the findings, the chain, the money and the facts"),
         "render": N_("writing the report"), "pdf": N_("making the PDF")}


@router.post("/cases/{case}/report/jobs", include_in_schema=False)
def start_report(request: Request, case: str, web: Current,
                 unreviewed: Annotated[str, Form()] = "",
                 section: Annotated[list[str] | None, Form()] = None,
                 choosing: Annotated[str, Form()] = "") -> Response:
    """Start building the report in the background, with the sections ticked (``choosing``
    says the form offered them: none ticked is then none; else the default); its page
    follows the job."""
    chosen = [s for s in section or [] if s in SECTIONS] if choosing or section else \
        sorted(DEFAULT_SECTIONS)
    job = web.ws.jobs.start_report(case, web.lang, bool(unreviewed), chosen)
    request.app.state.workers.submit(web.user.id, web.ws.purpose or "", run_report,
                                     job["id"])
    return RedirectResponse(f"/cases/{case}/report?job={job['id']}", status_code=303)


@router.get("/cases/{case}/report/jobs/{job}/{name}", include_in_schema=False)
def report_file(case: str, job: str, name: str, web: Current) -> Response:
    """A file of a report job of the user's: the PDF (a download) or the printable
    HTML."""
    data, media = web.ws.jobs.file(job, name)
    headers = {}
    if name.endswith(".pdf"):
        headers["Content-Disposition"] = f'attachment; filename="{_filename(case, "pdf")}"'
    return Response(data, media_type=media, headers=headers)


Sections = Annotated[str, Query(
    description=f"comma-separated sections of the report: {', '.join(SECTIONS)} (the "
                "summary, findings, source files and method are always there); default: "
                f"{', '.join(s for s in SECTIONS if s in DEFAULT_SECTIONS)}")]


def _sections(text: str | None) -> frozenset[str]:
    if text is None:
        return DEFAULT_SECTIONS
    chosen = frozenset(s.strip() for s in text.split(",") if s.strip())
    unknown = chosen - set(SECTIONS)
    if unknown:
        raise HTTPException(422, f"unknown report sections: {', '.join(sorted(unknown))}")
    return chosen


@router.get("/cases/{case}/report.html", include_in_schema=False)
def report_document(case: str, web: Current, unreviewed: bool = False,
                    sections: Sections | None = None) -> Response:
    """The report alone, as one printable HTML document."""
    rep = build_report(web.ws, case, translations(web.lang).gettext, web.lang, unreviewed,
                       sections=_sections(sections))
    return HTMLResponse(render_html(rep))


@router.get("/cases/{case}/report.pdf", tags=["report"],
            responses={200: {"content": {"application/pdf": {}}}, **errors(*CASE)})
async def report_pdf(case: str, web: Current, unreviewed: bool = False,
                     sections: Sections | None = None) -> Response:
    """The case report as PDF (A4) in the user's language: confirmed findings, the chain,
    the proceeds, the persons involved and every fact with its source (the sections
    chosen)."""
    chosen = _sections(sections)
    rep = await run_in_threadpool(lambda: build_report(
        web.ws, case, translations(web.lang).gettext, web.lang, unreviewed, sections=chosen))
    data, _pages = await run_in_threadpool(render_pdf, rep)
    name = _filename(case, "pdf")
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


VIEW = View("report", "Report", router, order=90, key="p")
