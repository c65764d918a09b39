"""Choose a case (stating the purpose), and the case dashboard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from veriga.access.auth import state_purpose
from veriga.findings import ReviewState
from veriga.web.api import CASE, Timestamp, errors
from veriga.web.i18n import translations
from veriga.web.session import (
    MAX_PURPOSE,
    MIN_PURPOSE,
    MIN_PURPOSE_WORDS,
    Web,
    current,
    valid_purpose,
)
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases", include_in_schema=False)
def cases_page(request: Request, web: Current) -> Response:
    return request.app.state.render(request, web, "cases.html", cases=web.ws.cases.list())


class CaseOut(BaseModel):
    """A case the user may open."""

    id: str
    name: str
    kind: str  # investigation | training
    description: str | None = None


class SourceOut(BaseModel):
    """An imported file."""

    id: str
    file_name: str
    format: str
    importer: str
    imported_at: Timestamp
    sha256: str


class KindCount(BaseModel):
    """The findings of one kind by review state."""

    kind: str
    title: str
    new: int
    confirmed: int
    dismissed: int
    total: int


class SummaryOut(BaseModel):
    """Counts of a case."""

    sources: list[SourceOut]
    schemata: list[tuple[str, int]]  # [schema, number of entities], by schema name
    entities: int
    findings: int
    by_kind: list[KindCount]
    rejects: int  # values rejected on import, over all sources


@router.get("/api/cases", tags=["cases"], responses=errors(401))
def cases_api(web: Current) -> list[CaseOut]:
    """The cases the user may open."""
    return [CaseOut(id=c["id"], name=c["name"], kind=c["kind"],
                    description=c.get("description")) for c in web.ws.cases.list()]


def _open_form(request: Request, web: Web, next: str, purpose: str, status: int = 200,
               error: bool = False) -> Response:
    return request.app.state.render(request, web, "open.html", status=status, next=next,
                                    purpose=purpose, error=error, min_chars=MIN_PURPOSE,
                                    min_words=MIN_PURPOSE_WORDS, max_chars=MAX_PURPOSE)


@router.get("/cases/{case}/open", include_in_schema=False)
def open_page(request: Request, case: str, web: Current, next: str | None = None
              ) -> Response:
    return _open_form(request, web, next or f"/cases/{case}", web.purpose or "")


@router.post("/cases/{case}/open", include_in_schema=False)
def open_submit(request: Request, case: str, web: Current,
                purpose: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    """State the purpose of working on the case: validated, audited (``case.open``) and kept
    in the session on the server, the only place later requests take it from."""
    stated = valid_purpose(purpose)
    if stated is None:
        return _open_form(request, web, next, " ".join(purpose.split())[:MAX_PURPOSE],
                          status=400, error=True)
    web.ws.purpose = stated
    row = web.ws.cases.open(case)
    with request.app.state.store.begin() as conn:
        state_purpose(conn, web.session_id, row["id"], stated)
    target = next if next.startswith(f"/cases/{case}") else f"/cases/{case}"
    return RedirectResponse(target, status_code=303)


#: what the dashboard shows of each file (not its bulk files, options and origin)
SUMMARY_COLUMNS = ("file_name", "format", "importer", "importer_version", "imported_at", "sha256",
                   "reject_count")


def summary(web: Web, case: str) -> dict[str, Any]:
    ws = web.ws
    sources = ws.records.sources(case, columns=SUMMARY_COLUMNS)
    schemata = ws.entities.count(case)  # ids and schemata only: no entity is read
    gettext = translations(web.lang).gettext  # titles in the reader's language
    by_kind = {f.kind: {"kind": f.kind, "title": f.heading(gettext, web.lang),
                        **{s.value: counts.get(s.value, 0) for s in ReviewState},
                        "total": sum(counts.values())}
               for f, counts in ws.findings.by_kind(case)}  # counted in SQL
    return {"sources": sources, "schemata": sorted(schemata.items()),
            "entities": sum(schemata.values()),
            "findings": sum(row["total"] for row in by_kind.values()),
            "by_kind": sorted(by_kind.values(), key=lambda r: (len(r["kind"]), r["kind"])),
            "rejects": sum(s.get("reject_count") or 0 for s in sources)}


@router.get("/cases/{case}", include_in_schema=False)
def dashboard(request: Request, case: str, web: Current) -> Response:
    return request.app.state.render(request, web, "dashboard.html", info=web.ws.cases.get(case),
                                    **summary(web, case))


@router.get("/api/cases/{case}/summary", tags=["cases"], responses=errors(*CASE),
            response_model=SummaryOut)
def summary_api(case: str, web: Current) -> Response:
    """Counts of the case: sources, entities by schema, findings by kind and review state."""
    # the answer is kept until the case's data, findings or the reader's view change (a
    # case of 14,000 files took a tenth of a second to validate them on every request)
    body = web.ws.records.kept(case, "summary-answer", lambda: SummaryOut.model_validate(
        summary(web, case)).model_dump_json().encode(), version=web.lang)
    return Response(body, media_type="application/json")


def _prepare(web: Web, case: str) -> None:
    """The entity counts, made ahead for the reader (:mod:`veriga.web.prepared`)."""
    web.ws.entities.count(case)


VIEW = View("", "Dashboard", router, order=10, key="d", prepare=_prepare)
