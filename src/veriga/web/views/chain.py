"""The chain view: the case in stages, recruitment → transport → exploitation → proceeds."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from veriga.chain.stages import chain
from veriga.web.session import Web, current
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]
SCHEMATA = ["Employment", "Trip", "Advertisement", "Payment"]


def _stages(web: Web, case: str) -> list[dict[str, Any]]:
    stages = chain(web.ws.findings(case), web.ws.entities(case, SCHEMATA))
    ids = sorted({i for s in stages for i in s.entity_ids[:12]})
    names = {p.id: p.caption for p in web.ws.entities_by_id(case, ids)} if ids else {}
    return [{"name": s.name, "records": dict(s.records),
             "findings": [{"id": f.id, "kind": f.kind, "title": f.title, "score": f.score,
                           "explanation": f.explanation} for f in s.findings],
             "entities": [{"id": i, "label": names.get(i, i),
                           "url": f"/cases/{case}/entities/{i}"}
                          for i in s.entity_ids[:12] if i in names]}
            for s in stages]


@router.get("/cases/{case}/chain", include_in_schema=False)
def chain_page(request: Request, case: str, web: Current) -> Response:
    return request.app.state.render(request, web, "chain.html", stages=_stages(web, case))


@router.get("/api/cases/{case}/chain", tags=["chain"])
def chain_api(case: str, web: Current) -> list[dict[str, Any]]:
    """The stages of the chain with their findings, records and the entities involved."""
    return _stages(web, case)


VIEW = View("chain", "Chain", router)
