"""Cross-referencing: this case and another the user may read, their shared entities and the
people and companies of one that are probably in the other, with links to both entity
pages. Each case is read (and minimised) as the user may read it, audited in both."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from veriga.resolve.proposals import FIELDS, LEVELS
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.workspace.xref import Candidate, Side

router = APIRouter()
Current = Annotated[Web, Depends(current)]
#: At most this many shared entities and candidates are shown (the CLI writes them all).
SHOWN = 200


def _side(side: Side) -> dict[str, Any]:
    return {"case": side.case, "id": side.entity_id, "name": side.name, "schema": side.schema,
            "url": f"/cases/{side.case}/entities/{side.entity_id}"}


def _reasons(c: Candidate, names: list[str]) -> list[dict[str, Any]]:
    """What spoke for (``agreed``) and against the match: field, level, weight."""
    out = []
    for field in names:
        out.append({"field": FIELDS.get(field, field),
                    "level": LEVELS.get(c.levels[field], c.levels[field]),
                    "weight": c.weights[field]})
    return out


def _grouped(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """The candidates by entity of this case (best first), each with the entities of the
    other case it probably is, best first."""
    groups: dict[str, dict[str, Any]] = {}
    for c in candidates:
        group = groups.setdefault(c.left.entity_id, {"left": _side(c.left), "matches": []})
        group["matches"].append({"right": _side(c.right), "probability": c.probability,
                                 "agreed": _reasons(c, c.agreed),
                                 "differed": _reasons(c, c.differed)})
    return list(groups.values())


@router.get("/cases/{case}/xref", include_in_schema=False)
def xref_page(request: Request, case: str, web: Current,
              other: Annotated[str, Query(alias="with", max_length=255)] = "",
              min_probability: Annotated[float, Query(ge=0.05, le=1.0)] = 0.8) -> Response:
    """Pick another case; see what it shares with this one and the candidate matches."""
    web.ws.cases.get(case)  # this case is one the user may open
    cases = [c["name"] for c in web.ws.cases.list() if c["name"] != case]
    result = None
    if other:
        found = web.ws.xref.compare([case, other], min_probability)
        result = {
            "shared": [{"left": _side(s.left), "right": _side(s.right)}
                       for s in found.shared[:SHOWN]],
            "shared_total": len(found.shared),
            "groups": _grouped(found.candidates[:SHOWN]),
            "candidates_total": len(found.candidates),
            "records": found.records,
        }
    return request.app.state.render(request, web, "xref.html", cases=cases, other=other,
                                    min_probability=min_probability, result=result,
                                    shown=SHOWN)


VIEW = View("xref", "Other cases", router, order=95, key="x")
