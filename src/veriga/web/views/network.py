"""The network explorer: start from chosen entities, expand, find paths, pivot on shared
identifiers, save views. The drawing is the TypeScript module static/dist/network.js."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from veriga.access.policy import Op
from veriga.access.roles import SubjectRole
from veriga.chain.graph import Graph, Links, build, restrict, shortest_path
from veriga.chain.labels import SCHEMATA
from veriga.chain.stages import STAGES
from veriga.findings import N_
from veriga.web.api import BODY, CASE, GraphOut, PathOut, Problem, Timestamp, errors
from veriga.web.i18n import labels, translations
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.entities import entity_url

router = APIRouter()
Current = Annotated[Web, Depends(current)]
#: Entities an ANX chart of the network view may hold (the view draws at most a few thousand).
MAX_CHART = 5000
#: The explorer opens on at most this many entities (and their neighbours): the case's
#: suspects (up to MAX_SUSPECTS), then what the three strongest findings rest on.
SEEDS, MAX_SUSPECTS = 14, 5
UI = (
    N_('expand'), N_('find path'), N_('pivot'), N_('save view'), N_('export PNG'),
    N_('export SVG'), N_('export ANX'), N_('schema'), N_('role'), N_('stage'), N_('from'),
    N_('to'), N_('size by'),
    N_('degree'), N_('betweenness'), N_('saved views'), N_('selected'), N_('open page'),
    N_('no path'), N_('name of the view'), N_('reset'), N_('centrality'), N_('closeness'),
    N_('pagerank'), N_('top 10 by'), N_('computing'), N_('choose a saved view'), N_('connections'),
    N_('dates'), N_('entity types'), N_('error: {message}'), N_('filters'), N_('find entity'),
    N_('graph tools'), N_('laying out'), N_('layout finished'), N_('link types'), N_('loading'),
    N_('network graph'), N_('no selection'), N_('none'), N_('not found'), N_('nothing new'),
    N_('nothing to show'), N_('path of {steps} steps found.'), N_('path start: {label}'),
    N_('roles'), N_('run layout'), N_('stages'), N_('stop layout'), N_('time range'),
    N_('unknown'), N_('view opened: {name}'), N_('view saved: {name}'),
    N_('{nodes} entities and {edges} links added.'),
    N_('{nodes} entities and {edges} links shown.'),
    N_('show'), N_('zoom in'), N_('zoom out'), N_('fit graph'), N_('open view'),
    N_('path start'), N_('clear highlight'), N_('no role'), N_('no stage'),
    N_('show unlinked entities'), N_('linked timeline'), N_('linked map'),
)
#: What a shared identifier is, on the link between the entities sharing it.
SHARED = {"phone": N_("Phone"), "iban": N_("IBAN"), "email": N_("E-mail"),
          "identifier": N_("Identifier")}


def ui_strings(lang: str) -> dict[str, str]:
    """The explorer's strings in ``lang``: its UI keys, and the schema, role and stage codes
    the graph's nodes and links carry (each shown by its translated label)."""
    trans = translations(lang)
    out = {key: trans.gettext(key) for key in UI}
    out |= {name: trans.gettext(label) for name, label in SCHEMATA.items()}
    out |= {code: trans.gettext(code) for code in [r.value for r in SubjectRole] + list(STAGES)}
    return out


def _graph(web: Web, case: str, ids: list[str]) -> Graph:
    around = web.ws.entities.neighbourhood(case, ids)
    graph = build(around.entities, around.roles, entity_url(case), labels=labels(web.lang))
    _investigator_links(web, case, graph, around.roles)
    return graph


def _investigator_links(web: Web, case: str, graph: Graph, roles: dict[str, str]) -> None:
    """The links investigators added from their own knowledge to the graph's entities, as
    edges of their own kind (``InvestigatorLink``), their other ends drawn too."""
    if not graph.nodes:
        return
    links = web.ws.notes.links(case, list(graph.nodes))
    missing = {e for link in links for e in (link["entity_id"], link["other_id"])
               } - graph.nodes.keys()
    if missing:
        ends = build(web.ws.entities.by_id(case, sorted(missing)), roles, entity_url(case),
                     labels=labels(web.lang))
        graph.nodes.update(ends.nodes)
    by = translations(web.lang).gettext("investigator")
    for link in links:
        if link["entity_id"] in graph.nodes and link["other_id"] in graph.nodes:
            graph.edges[link["id"]] = {
                "id": link["id"], "source": link["entity_id"], "target": link["other_id"],
                "schema": "InvestigatorLink", "label": f"{link['relation']} ({by})",
                "first": link["created_at"].date().isoformat(), "last": None,
                "amount": None,
                "url": f"/cases/{case}/entities/{link['entity_id']}#manual-links"}


@router.get("/cases/{case}/network", include_in_schema=False)
def network_page(request: Request, case: str, web: Current, ids: str = "") -> Response:
    seed = [i for i in ids.split(",") if i]
    if not seed:  # start from the case's suspects and what the strongest findings rest on
        suspects = [e for e, role in web.ws.entities.subject_roles(case).items()
                    if role == SubjectRole.SUSPECT.value]
        seed = sorted(suspects)[:MAX_SUSPECTS]
        for f in web.ws.findings.list(case, shared=True)[:3]:
            seed += [e for e in f.evidence.entity_ids[:3] if e not in seed]
    return request.app.state.render(request, web, "network.html", seed=",".join(seed[:SEEDS]),
                                    i18n=json.dumps(ui_strings(web.lang), ensure_ascii=False))


@router.get("/api/cases/{case}/graph", tags=["network"], responses=errors(*CASE))
def graph_api(case: str, web: Current,
              ids: Annotated[str, Query(description="comma-separated entity ids (200 at most "
                                                    "are used)")]) -> GraphOut:
    """The given entities and their direct neighbours."""
    wanted = [i for i in ids.split(",") if i][:200]
    return GraphOut.model_validate(_graph(web, case, wanted).to_json())


@router.get("/api/cases/{case}/neighbours/{entity_id}", tags=["network"],
            responses=errors(*CASE))
def neighbours_api(case: str, entity_id: str, web: Current) -> GraphOut:
    """One entity's neighbours and the links to them."""
    graph = _graph(web, case, [entity_id])
    if not graph.nodes:
        raise HTTPException(404, f"no entity {entity_id!r} in this case")
    return GraphOut.model_validate(graph.to_json())


@router.get("/api/cases/{case}/path", tags=["network"],
            responses=errors(*CASE) | {404: {"description": "No such case, or no path "
                                              "within reach.", "model": Problem}})
def path_api(case: str, web: Current, start: Annotated[str, Query(alias="from")],
             to: str, max_hops: Annotated[int, Query(ge=1, le=8)] = 6) -> PathOut:
    """A shortest path between two entities, over links of every kind."""
    if start == to:  # the search meets nothing new: the path is the entity itself
        graph = restrict(_graph(web, case, [start]), [start])
        if not graph.nodes:
            raise HTTPException(404, f"no entity {start!r} in this case")
        return PathOut.model_validate(graph.to_json(path=[start]))
    found = shortest_path(start, to, lambda frontier: _links(web, case, frontier),
                          max_hops=max_hops)
    if found is None:
        raise HTTPException(404, "no path within reach")
    path, seen = found
    records = {r for a, b in zip(path[:-1], path[1:], strict=True) for r in seen[a][b]}
    roles = web.ws.entities.subject_roles(case)
    graph = build(web.ws.entities.by_id(case, path + sorted(records)), roles, entity_url(case),
                  labels=labels(web.lang))
    _investigator_links(web, case, graph, roles)
    return PathOut.model_validate(restrict(graph, path).to_json(path=path))


def _links(web: Web, case: str, ids: list[str]) -> Links:
    """Who the entities are linked to, investigators' links included: what a path search
    asks at each level (the records' values are read for the path found only)."""
    found = web.ws.entities.links(case, ids)
    for link in web.ws.notes.links(case, ids):
        a, b = link["entity_id"], link["other_id"]
        found.setdefault(a, {}).setdefault(b, set())
        found.setdefault(b, {}).setdefault(a, set())
    return found


@router.get("/api/cases/{case}/pivots/{entity_id}", tags=["network"], responses=errors(*CASE))
def pivots_api(case: str, entity_id: str, web: Current) -> GraphOut:
    """Entities sharing a phone, IBAN, e-mail or identifier with this one."""
    me = web.ws.entities.by_id(case, [entity_id])
    if not me:
        raise HTTPException(404, f"no entity {entity_id!r} in this case")
    shared = web.ws.entities.shared_identifiers(case, entity_id)
    graph = build(me + [p for p, _, _ in shared], web.ws.entities.subject_roles(case),
                  entity_url(case), labels=labels(web.lang))
    gettext = translations(web.lang).gettext
    anchor = me[0].id
    for proxy, kind, value in shared:
        key = f"shared:{anchor}:{proxy.id}:{kind}:{value}"
        graph.edges[key] = {"id": key, "source": anchor, "target": proxy.id,
                            "schema": "SharedIdentifier",
                            "label": f"{gettext(SHARED.get(kind, kind))} {value}",
                            "first": None, "last": None, "amount": None, "url": None}
    return GraphOut.model_validate(graph.to_json())


class SavedView(BaseModel):
    """A view of the explorer to save: a name and the state to restore."""

    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    state: dict[str, Any]


class ViewSummary(BaseModel):
    id: str
    name: str
    created_by: str
    created_at: Timestamp


class ViewOut(BaseModel):
    id: str
    name: str
    state: dict[str, Any]


class ViewId(BaseModel):
    id: str


@router.get("/api/cases/{case}/views", tags=["network"], responses=errors(*CASE))
def views_api(case: str, web: Current) -> list[ViewSummary]:
    """Saved network views of the case, newest first."""
    return [ViewSummary.model_validate(v) for v in web.ws.saved_views.list(case, "network")]


@router.post("/api/cases/{case}/views", tags=["network"], responses=errors(*BODY))
def save_view_api(case: str, body: SavedView, web: Current) -> ViewId:
    """Save the current view (node ids, positions, filters) under a name."""
    return ViewId(id=web.ws.saved_views.save(case, "network", body.name.strip(), body.state))


@router.get("/api/cases/{case}/views/{view_id}", tags=["network"], responses=errors(*CASE))
def view_api(case: str, view_id: str, web: Current) -> ViewOut:
    """A saved view with its state."""
    view = web.ws.saved_views.get(case, view_id)
    return ViewOut(id=view["id"], name=view["name"], state=view["state"])


class Placed(BaseModel):
    """An entity of the chart (its id as the page has it) and where the analyst put it."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=200)
    x: Annotated[float, Field(allow_inf_nan=False)]
    y: Annotated[float, Field(allow_inf_nan=False)]


class ChartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nodes: list[Placed] = Field(min_length=1, max_length=MAX_CHART)


@router.post("/api/cases/{case}/network/anx", tags=["network"], responses={
    200: {"description": "the chart", "content": {"application/xml": {}}}, **errors(*BODY)})
def chart_anx(case: str, body: ChartIn, web: Current) -> Response:
    """The network as the analyst laid it out, as an i2 Analyst's Notebook chart (ANX): the
    entities placed, the links among them, each item where it was and carrying its handling
    code. An export: audited, with the entities it holds."""
    web.ws.cases.check(case, Op.EXPORT)  # a refusal leaves nothing behind
    folder = Path(tempfile.mkdtemp(prefix="veriga-chart-"))
    try:
        out = folder / "network.anx"
        web.ws.exports.write(case, "anx", out, layout={n.id: (n.x, n.y) for n in body.nodes})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(out, filename="network.anx", media_type="application/xml",
                        background=BackgroundTask(shutil.rmtree, folder, True))


VIEW = View("network", "Network", router, order=40, key="n")
