"""The chain view: the case in stages, recruitment → transport → exploitation → proceeds,
drawn as a diagram (static/dist/chain.js, laid out with dagre) above the stage lists. Records
a person merged are one node; unreviewed proposed matches are dashed "possibly the same"
links (or a note on a node whose counterpart is not drawn)."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from veriga import finance
from veriga.chain.diagram import chain_graph, to_json
from veriga.chain.stages import chain
from veriga.findings import N_
from veriga.web.api import CASE, errors
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.entities import entity_url
from veriga.workspace.cache import AS_JSON

router = APIRouter()
Current = Annotated[Web, Depends(current)]
log = logging.getLogger(__name__)
SCHEMATA = ["Employment", "Trip", "Advertisement", "Payment"]
# the entities the chain diagram is drawn from
GRAPH_SCHEMATA = ["Person", "Company", "Organization", "LegalEntity", "BankAccount", "Payment",
                  "Ownership", "Directorship", "Employment", "Trip", "Advertisement", "Address"]
# UI strings of chain.js (msgids; translated into data-i18n)
UI = (
    N_('Fit to the window'), N_('Chain diagram'), N_('recruitment'), N_('transport'),
    N_('exploitation'), N_('proceeds'), N_('Recruiter'), N_('Job ads'), N_('Recruitment agency'),
    N_('Account receiving fees'), N_('Victim'), N_('Organiser of trips'), N_('Route'), N_('Ads'),
    N_('Employer'), N_("Employer's account"), N_('Account receiving earnings'), N_('Controller'),
    N_('Flat (rent)'), N_('Front company'), N_('Director'), N_("Controller's account"),
    N_('Money mule'), N_('Mule account'), N_('Account abroad'), N_('Cash'),
    N_('Account passing proceeds on'), N_('Open entity page'), N_('Network'), N_('Timeline'),
    N_('Money flows'), N_('Money through %(account)s'), N_('Path to the proceeds'),
    N_('Clear path'), N_('Findings'), N_('Records'), N_('Operation'),
    N_('All operations (%(n)s entities)'), N_('%(name)s and %(n)s more'),
    N_('%(n)s records merged by a person'), N_('possibly the same'),
    N_("%(holder)s's account %(account)s"),
    N_('possibly the same (a proposed match, not yet reviewed)'),
    N_('Possibly the same as'), N_('not drawn'), N_('possibly the same as records not drawn'),
    N_('match probability %(p)s'), N_('flagged by a finding'),
    N_('Select a node to see its details.'),
    N_('%(nodes)s entities and %(edges)s links in the chain.'),
    N_("No chain could be drawn from this case's findings yet."), N_('Loading…'),
    N_('Error: %(message)s'), N_('No path to the proceeds from here.'), N_('holds'),
    N_('holder named on statements'), N_('paid'), N_('sent abroad'), N_('rent'),
    N_('recruitment fee'), N_('booked'), N_('travelled'), N_('employed by'), N_('directs'),
    N_('owns'), N_('cash'), N_('posted (same phone)'), N_("holds the ads' phone"),
    N_("uses the ads' e-mail"), N_('account named in the ads'), N_("called the ads' phone"),
    N_('shares an identifier with the ads'),
)


class PossiblySame(BaseModel):
    """A proposed match between a node and records not drawn in the chain."""

    finding: str = Field(description="id of the proposal (a match.* finding)")
    score: float = Field(description="its match probability")
    names: list[str] = Field(description="names of the records not drawn (5 at most)")
    count: int = Field(description="how many records not drawn")


class ChainNode(BaseModel):
    id: str
    label: str
    sub: str = ""
    schema_: str = Field(alias="schema")
    role: str
    stage: str
    ids: list[str] = Field(description="the entity ids this node stands for (50 at most)")
    url: str | None = None
    iban: str | None = None
    country: str | None = None
    count: int = 1
    merged: list[str] = Field(default_factory=list,
                              description="records a person merged into this entity (50 at most)")
    subject_role: str | None = None
    flagged: bool = False
    score: float = 0.0
    findings: list[str] = Field(default_factory=list, description="finding ids")
    possibly: list[PossiblySame] = Field(
        default_factory=list,
        description="unreviewed proposed matches with records not drawn (10 at most)")

    model_config = {"populate_by_name": True}


class ChainEdge(BaseModel):
    id: str
    source: str
    target: str
    label: str
    kind: str
    records: list[str] = Field(default_factory=list, description="ids of the records behind it")
    count: int = 1
    amount: float | None = None
    probability: float | None = Field(
        None, description="kind 'same' (possibly the same, an unreviewed proposed match): "
                          "its match probability")
    findings: list[str] = Field(default_factory=list)


class ChainFinding(BaseModel):
    id: str
    kind: str
    title: str
    score: float


class ChainGraphOut(BaseModel):
    stages: list[str]
    nodes: list[ChainNode]
    edges: list[ChainEdge]
    findings: list[ChainFinding]
    sinks: list[str] = Field(description="nodes where the proceeds end (accounts abroad, cash)")


def _stages(web: Web, case: str) -> list[dict[str, Any]]:
    """The stages as the page and API show them, made once per change of the case's data,
    findings and the reader's view (and language)."""
    return web.ws.entities.derived(case, "chain-stages", SCHEMATA,
                                   lambda: _stages_now(web, case), version=web.lang,
                                   findings=True, codec=AS_JSON)


def _stages_now(web: Web, case: str) -> list[dict[str, Any]]:
    stages = chain(web.ws.findings.list(case, shared=True), web.ws.entities.count(case))
    ids = sorted({i for s in stages for i in s.entity_ids[:12]})
    gettext = translations(web.lang).gettext  # titles and explanations in the user's language
    proxies = web.ws.entities.by_id(case, ids) if ids else []
    holders = _account_names(web, case) if any(
        p.schema.is_a("BankAccount") for p in proxies) else {}
    names = {}
    for p in proxies:  # an account is named with its holder: "Ivan Petrov's account LV…"
        number = p.first("iban") or p.first("accountNumber") if p.schema.is_a("BankAccount") \
            else None
        holder = holders.get(number) if number else None
        names[p.id] = gettext("%(holder)s's account %(account)s") % {
            "holder": holder, "account": number} if holder else p.caption
    return [{"name": s.name, "records": dict(s.records),
             "findings": [{"id": f.id, "kind": f.kind, "title": f.heading(gettext, web.lang),
                           "score": f.score, "explanation": f.text(gettext, web.lang)}
                          for f in s.findings],
             "entities": [{"id": i, "label": names.get(i, i),
                           "url": f"/cases/{case}/entities/{i}"}
                          for i in s.entity_ids[:12] if i in names]}
            for s in stages]


def _account_names(web: Web, case: str) -> dict[str, str]:
    """IBAN -> holder name as other statements give it (none when the case has no ledger)."""
    try:
        engine = web.ws.records.ledger(case, lazy=True).engine
    except Exception:  # noqa: BLE001 — a case without bank data has no ledger
        log.debug("chain: no ledger for the case", exc_info=True)
        return {}
    try:
        return dict(finance.ledger_names(engine))
    except Exception:  # noqa: BLE001
        log.debug("chain: ledger names unavailable", exc_info=True)
        return {}
    finally:
        engine.close()


def _graph(web: Web, case: str) -> dict[str, Any]:
    """The chain diagram's graph, made once per change of the case's data, findings and the
    reader's view (and language)."""
    return web.ws.entities.derived(case, "chain-graph", GRAPH_SCHEMATA,
                                   lambda: _graph_now(web, case), version=web.lang,
                                   findings=True, codec=AS_JSON)


def _graph_now(web: Web, case: str) -> dict[str, Any]:
    findings = web.ws.findings.list(case)
    graph = chain_graph(web.ws.entities.list(case, GRAPH_SCHEMATA), findings,
                        web.ws.entities.subject_roles(case),
                        account_names=_account_names(web, case),
                        merged=web.ws.entities.merged(case))
    out = to_json(graph, entity_url(case))
    gettext = translations(web.lang).gettext  # finding titles in the user's language
    titles = {f.id: f.heading(gettext, web.lang) for f in findings}
    for item in out["findings"]:
        item["title"] = titles.get(item["id"], item["title"])
    for node in out["nodes"]:  # the one node that is not an entity: its name is a word
        if node["id"] == "cash":
            node["label"] = gettext(node["label"])
    return out


@router.get("/cases/{case}/chain", include_in_schema=False)
def chain_page(request: Request, case: str, web: Current) -> Response:
    trans = translations(web.lang)
    labels = {key: trans.gettext(key) for key in UI}
    return request.app.state.render(request, web, "chain.html", stages=_stages(web, case),
                                    i18n=json.dumps(labels, ensure_ascii=False))


class StageFinding(BaseModel):
    id: str
    kind: str
    title: str
    score: float
    explanation: str


class StageEntity(BaseModel):
    id: str
    label: str
    url: str


class StageOut(BaseModel):
    name: str
    records: dict[str, int]
    findings: list[StageFinding]
    entities: list[StageEntity]


@router.get("/api/cases/{case}/chain", tags=["chain"], responses=errors(*CASE))
def chain_api(case: str, web: Current) -> list[StageOut]:
    """The stages of the chain with their findings, records and the entities involved."""
    return [StageOut.model_validate(s) for s in _stages(web, case)]


@router.get("/api/cases/{case}/chain/graph", tags=["chain"], responses=errors(*CASE))
def chain_graph_api(case: str, web: Current) -> ChainGraphOut:
    """The chain as a graph: the key entities of each stage (recruiters and their ads,
    victims, trips, employers, flats, the accounts taking the earnings, the controllers'
    accounts and where the proceeds end) and the links between them, each tied to the
    findings and records it rests on. Links of kind 'same' are unreviewed proposed matches
    (possibly the same person or company), not links of the chain."""
    return ChainGraphOut.model_validate(_graph(web, case))


def _prepare(web: Web, case: str) -> None:
    """The stages and the diagram, made ahead for the reader (:mod:`veriga.web.prepared`)."""
    _stages(web, case)
    _graph(web, case)


VIEW = View("chain", "Chain", router, order=20, key="c", prepare=_prepare)
