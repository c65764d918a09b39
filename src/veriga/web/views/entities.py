"""Search across a case's entities, and the entity page: every value with its source."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from veriga.chain.graph import build
from veriga.web.session import Web, current
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]


def entity_url(case: str) -> Any:
    return lambda entity_id: f"/cases/{case}/entities/{entity_id}"


def _brief(proxy: Any, case: str) -> dict[str, Any]:
    return {"id": proxy.id, "schema": proxy.schema.name, "caption": proxy.caption,
            "url": f"/cases/{case}/entities/{proxy.id}"}


@router.get("/cases/{case}/entities", include_in_schema=False)
def search_page(request: Request, case: str, web: Current, q: str = "",
                schema: str = "") -> Response:
    found = web.ws.search(case, q, [schema] if schema else ()) if q else []
    return request.app.state.render(request, web, "entities.html", q=q, schema=schema,
                                    found=[_brief(p, case) for p in found])


@router.get("/api/cases/{case}/search", tags=["entities"])
def search_api(case: str, web: Current, q: Annotated[str, Query(min_length=2)],
               schema: str = "") -> list[dict[str, Any]]:
    """Entities whose name, phone, IBAN, e-mail or identifier contains ``q``."""
    return [_brief(p, case) for p in web.ws.search(case, q, [schema] if schema else ())]


def entity_data(web: Web, case: str, entity_id: str) -> dict[str, Any]:
    page = web.ws.entity_page(case, entity_id)
    view, roles = page.view, page.around.roles
    proxy = view.entity
    graph = build(page.around.entities, roles, entity_url(case))
    links = []
    for edge in graph.edges.values():
        if proxy.id not in (edge["source"], edge["target"]):
            continue
        other = edge["target"] if edge["source"] == proxy.id else edge["source"]
        node = graph.nodes.get(other)
        if node:
            links.append({"label": edge["label"], "schema": edge["schema"], "other": node,
                          "direction": "out" if edge["source"] == proxy.id else "in",
                          "first": edge["first"], "last": edge["last"],
                          "edge_url": edge.get("url")})
    findings = page.findings
    values = [{"prop": s["prop"], "value": s["value"], "original": s.get("original_value"),
               "file": s.get("file_name"), "locator": s.get("locator"),
               "importer": f"{s.get('importer')} {s.get('importer_version')}",
               "sha256": s.get("sha256"), "at": s.get("imported_at")}
              for s in view.statements]
    return {"entity": {"id": proxy.id, "schema": proxy.schema.name, "caption": proxy.caption,
                       "role": roles.get(proxy.id)},
            "values": values, "links": sorted(links, key=lambda x: (x["schema"], x["label"])),
            "findings": [{"id": f.id, "kind": f.kind, "title": f.title, "score": f.score,
                          "state": f.review.state.value} for f in findings]}


@router.get("/cases/{case}/entities/{entity_id}", include_in_schema=False)
def entity_page(request: Request, case: str, entity_id: str, web: Current) -> Response:
    return request.app.state.render(request, web, "entity.html",
                                    **entity_data(web, case, entity_id))


@router.get("/api/cases/{case}/entities/{entity_id}", tags=["entities"])
def entity_api(case: str, entity_id: str, web: Current) -> dict[str, Any]:
    """An entity: every value with its source file, line, importer and hash; its links and
    the findings that rest on it."""
    data = entity_data(web, case, entity_id)
    for value in data["values"]:
        value["at"] = str(value["at"]) if value["at"] else None
    return data


VIEW = View("entities", "Search", router)
