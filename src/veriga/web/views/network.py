"""The network explorer: start from chosen entities, expand, find paths, pivot on shared
identifiers, save views. The drawing is the TypeScript module static/dist/network.js."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from veriga.chain.graph import Graph, build, restrict, shortest_path
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.entities import entity_url

router = APIRouter()
Current = Annotated[Web, Depends(current)]
UI = ("expand", "find path", "pivot", "save view", "export PNG", "export SVG", "schema", "role",
      "stage", "from", "to", "size by", "degree", "betweenness", "saved views", "selected",
      "open page", "no path", "name of the view", "reset")


def _graph(web: Web, case: str, ids: list[str]) -> Graph:
    around = web.ws.neighbourhood(case, ids)
    return build(around.entities, around.roles, entity_url(case))


@router.get("/cases/{case}/network", include_in_schema=False)
def network_page(request: Request, case: str, web: Current, ids: str = "") -> Response:
    seed = [i for i in ids.split(",") if i]
    if not seed:  # start from the entities the strongest findings rest on
        for f in web.ws.findings(case)[:3]:
            seed += [e for e in f.evidence.entity_ids[:3] if e not in seed]
    trans = translations(web.lang)
    labels = {key: trans.gettext(key) for key in UI}
    return request.app.state.render(request, web, "network.html", seed=",".join(seed[:10]),
                                    i18n=json.dumps(labels, ensure_ascii=False))


@router.get("/api/cases/{case}/graph", tags=["network"])
def graph_api(case: str, web: Current, ids: str) -> dict[str, Any]:
    """The given entities (comma-separated ids) and their direct neighbours."""
    wanted = [i for i in ids.split(",") if i][:200]
    return _graph(web, case, wanted).to_json()


@router.get("/api/cases/{case}/neighbours/{entity_id}", tags=["network"])
def neighbours_api(case: str, entity_id: str, web: Current) -> dict[str, Any]:
    """One entity's neighbours and the links to them."""
    return _graph(web, case, [entity_id]).to_json()


@router.get("/api/cases/{case}/path", tags=["network"])
def path_api(case: str, web: Current, start: Annotated[str, Query(alias="from")],
             to: str, max_hops: int = 6) -> dict[str, Any]:
    """A shortest path between two entities, over links of every kind."""
    found = shortest_path(start, to, lambda frontier: _graph(web, case, frontier),
                          max_hops=max(1, min(max_hops, 8)))
    if found is None:
        raise HTTPException(404, "no path within reach")
    path, seen = found
    return restrict(seen, path).to_json(path=path)


@router.get("/api/cases/{case}/pivots/{entity_id}", tags=["network"])
def pivots_api(case: str, entity_id: str, web: Current) -> dict[str, Any]:
    """Entities sharing a phone, IBAN, e-mail or identifier with this one."""
    shared = web.ws.shared_identifiers(case, entity_id)
    me = web.ws.entities_by_id(case, [entity_id])
    graph = build(me + [p for p, _, _ in shared], web.ws.subject_roles(case),
                  entity_url(case))
    anchor = me[0].id if me else entity_id
    for proxy, kind, value in shared:
        key = f"shared:{anchor}:{proxy.id}:{kind}:{value}"
        graph.edges[key] = {"id": key, "source": anchor, "target": proxy.id,
                            "schema": "SharedIdentifier", "label": f"{kind} {value}",
                            "first": None, "last": None, "amount": None, "url": None}
    return graph.to_json()


class SavedView(BaseModel):
    name: str
    state: dict[str, Any]


@router.get("/api/cases/{case}/views", tags=["network"])
def views_api(case: str, web: Current) -> list[dict[str, Any]]:
    """Saved network views of the case."""
    return [{"id": v["id"], "name": v["name"], "created_by": v["created_by"],
             "created_at": str(v["created_at"])} for v in web.ws.views(case, "network")]


@router.post("/api/cases/{case}/views", tags=["network"])
def save_view_api(case: str, body: SavedView, web: Current) -> dict[str, str]:
    """Save the current view (node ids, positions, filters) under a name."""
    if not body.name.strip():
        raise HTTPException(422, "a saved view needs a name")
    return {"id": web.ws.save_view(case, "network", body.name.strip(), body.state)}


@router.get("/api/cases/{case}/views/{view_id}", tags=["network"])
def view_api(case: str, view_id: str, web: Current) -> dict[str, Any]:
    view = web.ws.view(case, view_id)
    return {"id": view["id"], "name": view["name"], "state": view["state"]}


VIEW = View("network", "Network", router)
