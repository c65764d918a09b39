"""Review of entity resolution: the proposed matches of a case, best first, each with its
reasons and its records side by side, confirmed ("same": merged) or dismissed by a person;
and the split of a merged entity from its page."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from veriga.access.policy import Op
from veriga.errors import NotFound
from veriga.findings import N_, Finding, ReviewState
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.workspace import PermissionDenied, PurposeRequired, Workspace
from veriga.workspace.entities import SPLIT_NOTE
from veriga.workspace.findings import Member

router = APIRouter()
Current = Annotated[Web, Depends(current)]
KINDS = ("match.person", "match.company")
PER_PAGE = 10

#: What the side-by-side table shows of each record: a row label and the properties read.
NAMES = ("name", "alias", "previousName", "weakAlias")
FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("names", N_("Name as written"), NAMES),
    ("birth", N_("Birth date"), ("birthDate",)),
    ("gender", N_("Gender"), ("gender",)),
    ("countries", N_("Countries"), ("nationality", "citizenship", "country",
                                    "jurisdiction", "mainCountry")),
    ("phones", N_("Phones"), ("phone",)),
    ("emails", N_("E-mails"), ("email",)),
    ("accounts", N_("Bank accounts"), ("iban",)),
    ("numbers", N_("Registration and document numbers"),
     ("registrationNumber", "taxNumber", "idNumber", "passportNumber", "innCode", "vatCode")),
    ("addresses", N_("Addresses"), ("address",)),
)
#: Compared as written (upper-case country codes, names as in the file).
AS_WRITTEN = frozenset({"names"})


def may(ws: Workspace, case: str, *ops: Op) -> bool:
    """Whether the user's role in the case allows every one of ``ops`` (a purpose may
    still be needed); reads no personal data."""
    try:
        for op in ops:
            ws.cases.check(case, op)
    except PermissionDenied:
        return False
    except PurposeRequired:  # to be stated first: the role allows it
        return True
    return True


def _record(member: Member, case: str) -> dict[str, Any]:
    """One record's values, by row of the table, with the files and lines they came from."""
    values: dict[str, list[str]] = {key: [] for key, _, _ in FIELDS}
    sources: list[str] = []
    for row in member.statements:
        for key, _, props in FIELDS:
            if row["prop"] in props:
                text = row.get("original_value") if key in AS_WRITTEN else None
                value = str(text or row["value"])
                if key == "countries":
                    value = value.upper()
                if value not in values[key]:
                    values[key].append(value)
        where = " · ".join(str(p) for p in (row.get("file_name"), row.get("locator")) if p)
        if where and where not in sources:
            sources.append(where)
    for number in member.accounts:
        if number not in values["accounts"]:
            values["accounts"].append(number)
    return {"id": member.id, "schema": member.schema, "values": values, "sources": sources,
            "url": f"/cases/{case}/entities/{member.entity_id}",
            "merged": member.entity_id != member.id, "entity_id": member.entity_id}


def _proposal(members: list[Member], case: str) -> dict[str, Any]:
    """The records of one proposal and the rows of its table: only the rows some record
    has a value in, each value marked when two or more records share it."""
    records = [_record(m, case) for m in members]
    rows = []
    for key, label, _ in FIELDS:
        if not any(r["values"][key] for r in records):
            continue
        counts = Counter(v.casefold() for r in records for v in r["values"][key])
        rows.append({"key": key, "label": label,
                     "cells": [[(v, counts[v.casefold()] > 1) for v in r["values"][key]]
                               for r in records]})
    return {"records": records, "rows": rows}


def _reopened(finding: Finding) -> dict[str, Any] | None:
    """Who split the records a confirmation of this proposal had merged, when and why (the
    note of a proposal back for review); None for one never reviewed."""
    review = finding.review
    if review.state is not ReviewState.NEW or not review.by:
        return None
    why = (review.reason or "").removeprefix(SPLIT_NOTE)
    return {"by": review.by, "at": review.at.strftime("%Y-%m-%d %H:%M") if review.at else "",
            "why": why}


def _done(web: Web, case: str, finding_id: str) -> dict[str, Any] | None:
    """What became of the proposal just reviewed (for the message above the next one)."""
    try:
        finding = web.ws.findings.get(case, finding_id)
    except NotFound:
        return None
    entity = None
    if finding.review.state is ReviewState.CONFIRMED:
        members = web.ws.findings.members(case, [finding_id]).get(finding_id, [])
        entity = members[0].entity_id if members else None
    return {"state": finding.review.state.value, "entity": entity,
            "url": f"/cases/{case}/entities/{entity}" if entity else None}


@router.get("/cases/{case}/resolve", include_in_schema=False)
def review_page(request: Request, case: str, web: Current, kind: str = "", page: int = 1,
                done: str = "") -> Response:
    """The unreviewed proposals of the case, best first, one page of them at a time."""
    kinds = [kind] if kind in KINDS else list(KINDS)
    waiting = sorted((f for k in kinds for f in web.ws.findings.list(case, k, shared=True)
                      if f.review.state is ReviewState.NEW),
                     key=lambda f: (-f.score, -len(f.evidence.entity_ids), f.id))
    pages = max(1, -(-len(waiting) // PER_PAGE))
    page = min(max(page, 1), pages)
    shown = waiting[(page - 1) * PER_PAGE:page * PER_PAGE]
    members = web.ws.findings.members(case, [f.id for f in shown]) if shown else {}
    items = [{"f": f, "reopened": _reopened(f), **_proposal(members.get(f.id, []), case)}
             for f in shown]
    return request.app.state.render(
        request, web, "resolve.html", items=items, total=len(waiting), page=page,
        pages=pages, kind=kind if kind in KINDS else "", kinds=KINDS,
        first=(page - 1) * PER_PAGE + 1, last=(page - 1) * PER_PAGE + len(shown),
        may_review=may(web.ws, case, Op.FINDING_REVIEW, Op.ENTITY_WRITE),
        done=_done(web, case, done) if done else None)


@router.post("/cases/{case}/resolve/{finding_id}", include_in_schema=False)
def review(case: str, finding_id: str, web: Current, state: Annotated[str, Form()],
           reason: Annotated[str, Form()], kind: Annotated[str, Form()] = "",
           page: Annotated[int, Form()] = 1) -> Response:
    """Same (confirmed: the records are merged) or not the same (dismissed), with why."""
    if state not in (ReviewState.CONFIRMED.value, ReviewState.DISMISSED.value):
        raise HTTPException(422, "say whether the records are the same or not")
    web.ws.findings.review(case, finding_id, ReviewState(state), reason.strip())
    query = {"kind": kind if kind in KINDS else "", "page": max(page, 1), "done": finding_id}
    return RedirectResponse(f"/cases/{case}/resolve?{urlencode(query)}#proposals",
                            status_code=303)


def merged_records(web: Web, case: str, entity_id: str, values: list[dict[str, Any]]
                   ) -> dict[str, Any]:
    """For the entity page: the records merged into the entity, each with the files and
    lines its values came from (of ``values``, the page's) and who merged them, when and
    why; and whether the user may split them."""
    rows = web.ws.entities.records(case, entity_id)
    for row in rows:
        row["sources"] = list(dict.fromkeys(
            " · ".join(str(p) for p in (v["file"], v["locator"]) if p)
            for v in values if v.get("record") == row["entity_id"] and v["file"]))
    return {"merged": rows, "may_split": bool(rows) and may(web.ws, case, Op.ENTITY_WRITE)}


@router.post("/cases/{case}/entities/{entity_id}/split", include_in_schema=False)
def split(case: str, entity_id: str, web: Current, reason: Annotated[str, Form()]
          ) -> Response:
    """Undo the merge: each record is its own entity again, and the proposals confirmed
    into it are back on the review page."""
    members = web.ws.entities.split(case, entity_id, reason)
    query = urlencode({"parted": ",".join(members), "reopened": len(members.reopened)})
    return RedirectResponse(f"/cases/{case}/entities/{entity_id}?{query}", status_code=303)


VIEW = View("resolve", "Same records", router, order=85, key="r")
