"""Choose a case (stating the purpose), and the case dashboard."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from veriga.web.session import PURPOSES, Web, current, encode_purposes
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases", include_in_schema=False)
def cases_page(request: Request, web: Current) -> Response:
    return request.app.state.render(request, web, "cases.html", cases=web.ws.cases())


@router.get("/api/cases", tags=["cases"])
def cases_api(web: Current) -> list[dict[str, Any]]:
    """The cases the user may open."""
    return [{k: c[k] for k in ("id", "name", "kind", "description") if k in c}
            for c in web.ws.cases()]


@router.get("/cases/{case}/open", include_in_schema=False)
def open_page(request: Request, case: str, web: Current, next: str | None = None
              ) -> Response:
    return request.app.state.render(request, web, "open.html", next=next or f"/cases/{case}",
                                    purpose=web.purposes.get(case, ""))


@router.post("/cases/{case}/open", include_in_schema=False)
def open_submit(request: Request, case: str, web: Current,
                purpose: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    purpose = " ".join(purpose.split())
    if len(purpose) < 4:
        return request.app.state.render(request, web, "open.html", status=400, next=next,
                                        purpose=purpose, error=True)
    web.ws.purpose = purpose
    web.ws.open_case(case)
    stated = {**web.purposes, case: purpose}
    target = next if next.startswith(f"/cases/{case}") else f"/cases/{case}"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(PURPOSES, encode_purposes(stated), httponly=True, samesite="strict")
    return response


def summary(web: Web, case: str) -> dict[str, Any]:
    ws = web.ws
    sources = ws.sources(case)
    findings = ws.findings(case)
    schemata = Counter(e.schema.name for e in ws.entities(case))
    by_kind: dict[str, dict[str, Any]] = {}
    for f in findings:
        row = by_kind.setdefault(f.kind, {"kind": f.kind, "title": f.title, "new": 0,
                                          "confirmed": 0, "dismissed": 0, "total": 0})
        row[f.review.state.value] += 1
        row["total"] += 1
    return {"sources": sources, "schemata": sorted(schemata.items()),
            "entities": sum(schemata.values()), "findings": len(findings),
            "by_kind": sorted(by_kind.values(), key=lambda r: (len(r["kind"]), r["kind"])),
            "rejects": sum(s.get("rejects") or 0 for s in sources
                           if isinstance(s.get("rejects"), int))}


@router.get("/cases/{case}", include_in_schema=False)
def dashboard(request: Request, case: str, web: Current) -> Response:
    return request.app.state.render(request, web, "dashboard.html", info=web.ws.case(case),
                                    **summary(web, case))


@router.get("/api/cases/{case}/summary", tags=["cases"])
def summary_api(case: str, web: Current) -> dict[str, Any]:
    """Counts of the case: sources, entities by schema, findings by kind and review state."""
    data = summary(web, case)
    data["sources"] = [{k: s.get(k) for k in ("id", "file_name", "format", "importer",
                                              "imported_at", "sha256")} for s in data["sources"]]
    return data


VIEW = View("", "Dashboard", router)
