"""The case report for prosecutors: read in the app, printed, or downloaded as PDF, in the
user's language. Built by :mod:`veriga.reports` through the user's Workspace (audited)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from veriga.reports import build_report, render_html, render_pdf
from veriga.web.api import CASE, errors
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]


def _filename(case: str, suffix: str) -> str:
    safe = re.sub(r"[^\w.\-]+", "_", case, flags=re.ASCII).strip("._") or "case"
    return f"veriga-report-{safe}-{datetime.now(UTC):%Y%m%d}.{suffix}"


@router.get("/cases/{case}/report", include_in_schema=False)
def report_page(request: Request, case: str, web: Current, unreviewed: bool = False
                ) -> Response:
    """The report inside the application, with links to print it and download the PDF."""
    rep = build_report(web.ws, case, translations(web.lang).gettext, web.lang, unreviewed)
    return request.app.state.render(request, web, "report.html", unreviewed=unreviewed,
                                    body=render_html(rep, standalone=False))


@router.get("/cases/{case}/report.html", include_in_schema=False)
def report_document(case: str, web: Current, unreviewed: bool = False) -> Response:
    """The report alone, as one printable HTML document."""
    rep = build_report(web.ws, case, translations(web.lang).gettext, web.lang, unreviewed)
    return HTMLResponse(render_html(rep))


@router.get("/cases/{case}/report.pdf", tags=["report"],
            responses={200: {"content": {"application/pdf": {}}}, **errors(*CASE)})
async def report_pdf(case: str, web: Current, unreviewed: bool = False) -> Response:
    """The case report as PDF (A4) in the user's language: confirmed findings, the chain,
    the proceeds, the persons involved and every fact with its source."""
    rep = await run_in_threadpool(build_report, web.ws, case, translations(web.lang).gettext,
                                  web.lang, unreviewed)
    data, _pages = await run_in_threadpool(render_pdf, rep)
    name = _filename(case, "pdf")
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


VIEW = View("report", "Report", router, order=90)
