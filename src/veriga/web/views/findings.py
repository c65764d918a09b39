"""The findings review queue: filter, read the explanation and evidence, confirm or dismiss."""

from __future__ import annotations

import gzip
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from veriga.access.policy import Op
from veriga.findings import Finding, ReviewState
from veriga.web.api import BODY, CASE, Timestamp, accepts_gzip, errors
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.resolve import may
from veriga.workspace import cache
from veriga.workspace.notes import Annotations

router = APIRouter()
Current = Annotated[Web, Depends(current)]
STATES = [s.value for s in ReviewState]


#: how the queue is ordered: highest score first, by kind, or by the person or company a
#: finding is about (grouped under them)
SORTS = ("score", "kind", "subject")
PER_PAGE = 25
#: what a finding is about: the first of its entities that is one of these
SUBJECTS = ("Person", "Company", "Organization", "LegalEntity", "PublicBody")


def _names(web: Web, case: str, findings: list[Finding], per_finding: int
           ) -> dict[str, Any]:
    """The entities the findings rest on (the first ``per_finding`` of each), by id; what
    the reader may not see is left out."""
    ids = list(dict.fromkeys(e for f in findings for e in f.evidence.entity_ids[:per_finding]))
    return {str(e.id): e for e in web.ws.entities.by_id(case, ids) if e.id} if ids else {}


def _subject(f: Finding, names: dict[str, Any]) -> str | None:
    for entity_id in f.evidence.entity_ids:
        found = names.get(entity_id)
        if found is not None and found.schema.name in SUBJECTS:
            return str(found.caption)
    return None


@router.get("/cases/{case}/findings", include_in_schema=False)
def queue(request: Request, case: str, web: Current, kind: str = "", state: str = "new",
          min_score: float = 0.0, sort: str = "score",
          page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    everything = web.ws.findings.list(case, shared=True)  # read only: no copy of each
    gettext = translations(web.lang).gettext
    first: dict[str, Finding] = {}
    for f in everything:
        first.setdefault(f.kind, f)
    kinds = sorted(((k, f.heading(gettext, web.lang)) for k, f in first.items()),
                   key=lambda k: (len(k[0]), k[0]))
    items = [f for f in everything if (not kind or f.kind == kind)
             and (not state or f.review.state.value == state) and f.score >= min_score]
    sort = sort if sort in SORTS else "score"
    names: dict[str, Any] = {}
    if sort == "subject":  # every finding's subject, to order and group by it
        names = _names(web, case, items, 5)
        items.sort(key=lambda f: (_subject(f, names) is None,
                                  (_subject(f, names) or "").casefold(), -f.score))
    elif sort == "kind":
        items.sort(key=lambda f: (len(f.kind), f.kind, -f.score))
    else:
        items.sort(key=lambda f: -f.score)
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(page, pages)
    shown = items[(page - 1) * PER_PAGE:page * PER_PAGE]
    names.update(_names(web, case, [f for f in shown
                                    if any(e not in names for e in f.evidence.entity_ids[:20])],
                        20))
    groups: list[tuple[str | None, list[Finding]]] = []
    for f in shown:
        subject = _subject(f, names) if sort == "subject" else None
        if not groups or groups[-1][0] != subject:
            groups.append((subject, []))
        groups[-1][1].append(f)
    query = urlencode({"kind": kind, "state": state, "min_score": min_score, "sort": sort})
    return request.app.state.render(request, web, "findings.html", items=items, kinds=kinds,
                                    kind=kind, state=state, states=STATES,
                                    min_score=min_score, sort=sort, sorts=SORTS,
                                    groups=groups, names=names, page=page, pages=pages,
                                    query=query, error=request.query_params.get("error"),
                                    reviewable=any(f.review.state.value == "new"
                                                   for f in shown),
                                    notes_of=web.ws.notes.of_findings(case, [f.id for f in shown]),
                                    empty_notes=Annotations([], [], None),
                                    members=web.ws.notes.members(case),
                                    may_annotate=may(web.ws, case, Op.FINDING_REVIEW),
                                    back=f"/cases/{case}/findings?{query}&page={page}")


@router.post("/cases/{case}/findings/review", include_in_schema=False)
def review_many(request: Request, case: str, web: Current,
                state: Annotated[str, Form()], reason: Annotated[str, Form()],
                ids: Annotated[list[str], Form(max_length=200)] | None = None,
                back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The findings selected in the queue, confirmed or dismissed with one reason (each
    review recorded and audited on its own)."""
    if state not in (ReviewState.CONFIRMED.value, ReviewState.DISMISSED.value):
        raise HTTPException(422, "state: confirmed or dismissed")
    target = f"/cases/{case}/findings?" + (back if _safe_query(back) else "")
    if not ids:
        return RedirectResponse(target + "&error=none-selected", status_code=303)
    for finding_id in dict.fromkeys(ids):
        web.ws.findings.review(case, finding_id, ReviewState(state), reason)
    return RedirectResponse(target, status_code=303)


def _safe_query(query: str) -> bool:
    """A query string of the queue's own filters, nothing that leaves the page."""
    return all(k in ("kind", "state", "min_score", "sort", "page")
               for k, _ in parse_qsl(query, keep_blank_values=True))


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


FINDINGS_OUT: TypeAdapter[list[FindingOut]] = TypeAdapter(list[FindingOut])


def findings_json(web: Web, case: str, kind: str, state: str, min_score: float,
                  offset: int = 0, limit: int | None = None, gzipped: bool = False) -> bytes:
    """The findings API's answer as JSON (``offset`` and ``limit``: one page of it). The
    whole case's answer to the same filters is given again while the case's findings are
    unchanged (each request still reads them, audited, as the reader sees them); one
    kind's, and a minimised reader's, is made anew. With ``gzipped``, the kept answer is
    given compressed (kept so too): a large case's is tens of megabytes of JSON."""
    every = web.ws.findings.list(case, kind or None, shared=True)

    def make() -> bytes:
        found = [f for f in every if (not state or f.review.state.value == state)
                 and f.score >= min_score]
        page = found[offset:None if limit is None else offset + limit]
        return FINDINGS_OUT.dump_json([FindingOut.model_validate(f.to_dict()) for f in page])

    if kind or web.user.is_ngo:  # one kind's list, or copies minimised: never the same
        return make()
    key = ("findings", case, state, min_score, offset, limit)
    if gzipped:
        return cache.made_from(every, (*key, "gzip"), lambda: gzip.compress(
            cache.made_from(every, key, make), compresslevel=GZIP_LEVEL, mtime=0))
    return cache.made_from(every, key, make)


#: The compression of a kept answer, made once per change of the case's findings: level 1
#: packs 25 MB of findings in a third of the time level 6 takes, nearly as small.
GZIP_LEVEL = 1


@router.get("/api/cases/{case}/findings", tags=["findings"], responses=errors(*CASE),
            response_model=list[FindingOut])
def findings_api(request: Request, case: str, web: Current,
                 kind: Annotated[str, Query(max_length=100, description="e.g. R12")] = "",
                 state: ReviewState | None = None,
                 min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
                 offset: Annotated[int, Query(ge=0, description="findings skipped")] = 0,
                 limit: Annotated[int | None, Query(
                     ge=1, le=10_000, description="at most this many (empty: every one; a "
                                                  "large case's are tens of megabytes)")] = None,
                 ) -> Response:
    """Findings of the case, highest score first; ``offset`` and ``limit`` page them. A
    client that accepts gzip gets the answer compressed."""
    gzipped = accepts_gzip(request) and not kind and not web.user.is_ngo
    body = findings_json(web, case, kind, state.value if state else "", min_score, offset,
                         limit, gzipped)
    if gzipped and not web.ws.minimisers:  # (a minimised answer is rewritten as text)
        return Response(body, media_type="application/json",
                        headers={"content-encoding": "gzip", "vary": "accept-encoding"})
    if gzipped:
        body = gzip.decompress(body)
    return Response(body, media_type="application/json", headers={"vary": "accept-encoding"})


@router.post("/api/cases/{case}/findings/{finding_id}/review", tags=["findings"],
             responses=errors(*BODY))
def review_api(case: str, finding_id: str, body: Review, web: Current) -> FindingOut:
    """Confirm or dismiss a finding, with the reason (recorded with the reviewer's name)."""
    web.ws.findings.review(case, finding_id, body.state, body.reason.strip())
    return FindingOut.model_validate(_one(web, case, finding_id).to_dict())


VIEW = View("findings", "Findings", router, order=80, key="f")
