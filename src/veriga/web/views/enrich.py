"""Enrichment: what the user's other cases (registers, sanctions lists, earlier
investigations) know of an entity, and taking chosen values into this case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from veriga.access.policy import Op
from veriga.findings import N_
from veriga.web.api import BODY, CASE, errors
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.resolve import may
from veriga.workspace.enrich import MAX_RELATED, Candidate, Lookup

router = APIRouter()
Current = Annotated[Web, Depends(current)]
#: Separates a property from its value in a checkbox of the form (never in either).
SEP = "\x1f"


class ValueOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prop: str
    label: str
    value: str
    files: list[str]


class PropValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prop: str = Field(max_length=64)
    value: str = Field(max_length=4000)


class Difference(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prop: str
    here: str
    there: str


class RelatedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    link_id: str
    link_schema: str
    other_id: str
    other_caption: str
    other_schema: str
    files: list[str]


class CandidateOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case: str
    entity_id: str
    schema_: str = Field(alias="schema")
    caption: str
    score: float
    matched: list[PropValue] = Field(description="the identifying values both hold")
    same_name: bool
    differences: list[Difference]
    new: list[ValueOut]
    handling: str
    takeable: bool
    related: list[RelatedOut] = Field(description="who or what it is linked to there")


class LookupOut(BaseModel):
    """The candidates found in the other cases searched (``skipped``: cases where something
    is withheld from the reader, not searched)."""

    model_config = ConfigDict(extra="forbid")
    entity_id: str
    caption: str
    searched: list[str]
    skipped: list[str]
    candidates: list[CandidateOut]


class TakeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: list[PropValue] | None = Field(
        None, max_length=500, description="the values to take; all its new values if left out")
    related: list[str] = Field([], max_length=MAX_RELATED,
                               description="links of the candidate to take, by link id, with "
                                           "the entity at their other end")


class Taken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_id: str
    file_name: str
    statements: int
    handling: str


def _candidate(c: Candidate) -> CandidateOut:
    return CandidateOut.model_validate({
        "case": c.case, "entity_id": c.entity_id, "schema": c.schema, "caption": c.caption,
        "score": c.score, "same_name": c.same_name,
        "matched": [PropValue(prop=p, value=v) for p, v in c.matched],
        "differences": [Difference(prop=p, here=h, there=t) for p, h, t in c.differences],
        "new": [ValueOut(prop=v.prop, label=v.label, value=v.value, files=list(v.files))
                for v in c.new], "handling": c.handling, "takeable": c.takeable,
        "related": [RelatedOut(link_id=r.link_id, link_schema=r.link_schema,
                               other_id=r.other_id, other_caption=r.other_caption,
                               other_schema=r.other_schema, files=list(r.files))
                    for r in c.related]})


def _lookup(found: Lookup) -> LookupOut:
    return LookupOut(entity_id=found.entity_id, caption=found.caption, searched=found.searched,
                     skipped=found.skipped, candidates=[_candidate(c) for c in found.candidates])


@router.get("/cases/{case}/entities/{entity_id}/enrich", include_in_schema=False)
def enrich_page(request: Request, case: str, entity_id: str, web: Current,
                taken: str = "") -> Response:
    found = web.ws.enrich.lookup(case, entity_id)
    return request.app.state.render(request, web, "enrich.html", found=found, sep=SEP,
                                    may_take=may(web.ws, case, Op.IMPORT), taken=taken)


@router.post("/cases/{case}/entities/{entity_id}/enrich", include_in_schema=False)
def take_form(case: str, entity_id: str, web: Current,
              other_case: Annotated[str, Form(max_length=255)],
              other_id: Annotated[str, Form(max_length=128)],
              value: Annotated[list[str] | None, Form(max_length=4100)] = None,
              related: Annotated[list[str] | None, Form(max_length=200)] = None) -> Response:
    pairs = [tuple(v.split(SEP, 1)) for v in value or [] if SEP in v]
    result = web.ws.enrich.take(case, entity_id, other_case, other_id,
                                [(p, v) for p, v in pairs],  # none ticked: refused
                                related or [])
    return RedirectResponse(f"/cases/{case}/entities/{entity_id}?enriched="
                            f"{result['statements']}#values", status_code=303)


@router.get("/api/cases/{case}/entities/{entity_id}/enrichment", tags=["entities"],
            responses=errors(*CASE))
def enrich_api(case: str, entity_id: str, web: Current) -> LookupOut:
    """Candidates for the entity in the user's other cases, with the values they would add."""
    return _lookup(web.ws.enrich.lookup(case, entity_id))


@router.post("/api/cases/{case}/entities/{entity_id}/enrichment/{other_case}/{other_id}",
             tags=["entities"], responses=errors(*BODY))
def take_api(case: str, entity_id: str, other_case: str, other_id: str, body: TakeIn,
             web: Current) -> Taken:
    """Take the values of ``other_id``, a candidate in ``other_case``, into this case, as a
    file of their own (audited)."""
    values = None if body.values is None else [(v.prop, v.value) for v in body.values]
    return Taken(**web.ws.enrich.take(case, entity_id, other_case, other_id, values,
                                      body.related))


VIEW = View("enrich", N_("Enrich"), router, nav=False, order=97)
