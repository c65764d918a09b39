"""The findings review queue: filter, read the explanation and evidence, confirm or dismiss."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from veriga.findings import Finding, ReviewState
from veriga.web.api import BODY, CASE, Timestamp, errors
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]
STATES = [s.value for s in ReviewState]


def _filtered(web: Web, case: str, kind: str, state: str, min_score: float) -> list[Finding]:
    items = web.ws.findings.list(case, kind or None)
    return [f for f in items if (not state or f.review.state.value == state)
            and f.score >= min_score]


@router.get("/cases/{case}/findings", include_in_schema=False)
def queue(request: Request, case: str, web: Current, kind: str = "", state: str = "new",
          min_score: float = 0.0) -> Response:
    everything = web.ws.findings.list(case)
    gettext = translations(web.lang).gettext
    kinds = sorted({(f.kind, f.heading(gettext, web.lang)) for f in everything},
                   key=lambda k: (len(k[0]), k[0]))
    items = [f for f in everything if (not kind or f.kind == kind)
             and (not state or f.review.state.value == state) and f.score >= min_score]
    return request.app.state.render(request, web, "findings.html", items=items, kinds=kinds,
                                    kind=kind, state=state, states=STATES,
                                    min_score=min_score)


def _one(web: Web, case: str, finding_id: str) -> Finding:
    return web.ws.findings.get(case, finding_id)


@router.post("/cases/{case}/findings/{finding_id}/review", include_in_schema=False)
def review_form(request: Request, case: str, finding_id: str, web: Current,
                state: Annotated[str, Form()], reason: Annotated[str, Form()]) -> Response:
    web.ws.findings.review(case, finding_id, ReviewState(state), reason)
    if not request.headers.get("hx-request"):  # a plain form post: back to the queue
        return RedirectResponse(f"/cases/{case}/findings?state=#{finding_id}", status_code=303)
    return request.app.state.render(request, web, "finding_row.html",
                                    f=_one(web, case, finding_id), states=STATES)


class Review(BaseModel):
    """A reviewer's decision on a finding."""

    state: ReviewState
    reason: str = Field(min_length=1, max_length=4000, pattern=r"\S",
                        description="why (required; kept with the reviewer's name and time)")


class KeyOut(BaseModel):
    type: str  # iban | transaction | url | phone | registration | email | other
    value: str


class EvidenceOut(BaseModel):
    """What a finding rests on: ids in the store and keys a person recognises."""

    entity_ids: list[str]
    statement_ids: list[str]
    source_ids: list[str]
    record_ids: list[str]
    keys: list[KeyOut]


class ReviewOut(BaseModel):
    state: ReviewState
    by: str | None
    at: Timestamp | None
    reason: str | None


class TextOut(BaseModel):
    """A translatable sentence: the msgid with ``%(name)s`` placeholders and their values."""

    msgid: str
    args: dict[str, Any]


class FindingOut(BaseModel):
    """A finding: what a detector saw, why, on what evidence, and its review."""

    model_config = ConfigDict(extra="allow")

    id: str
    kind: str
    score: float
    title: str
    explanation: str
    citation: str
    evidence: EvidenceOut
    detector: str
    detector_version: str
    review: ReviewOut
    message: TextOut | None = None
    title_message: TextOut | None = None


@router.get("/api/cases/{case}/findings", tags=["findings"], responses=errors(*CASE))
def findings_api(case: str, web: Current,
                 kind: Annotated[str, Query(max_length=100, description="e.g. R12")] = "",
                 state: ReviewState | None = None,
                 min_score: Annotated[float, Query(ge=0, le=1)] = 0.0) -> list[FindingOut]:
    """Findings of the case, highest score first."""
    found = _filtered(web, case, kind, state.value if state else "", min_score)
    return [FindingOut.model_validate(f.to_dict()) for f in found]


@router.post("/api/cases/{case}/findings/{finding_id}/review", tags=["findings"],
             responses=errors(*BODY))
def review_api(case: str, finding_id: str, body: Review, web: Current) -> FindingOut:
    """Confirm or dismiss a finding, with the reason (recorded with the reviewer's name)."""
    web.ws.findings.review(case, finding_id, body.state, body.reason.strip())
    return FindingOut.model_validate(_one(web, case, finding_id).to_dict())


VIEW = View("findings", "Findings", router, order=80)
