"""Search across a case's entities, and the entity page: every value with its source."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from veriga.access.policy import Op
from veriga.chain.graph import build
from veriga.model import model
from veriga.web.api import CASE, Node, Timestamp, errors
from veriga.web.i18n import labels, translations
from veriga.web.pseudonyms import stored_form
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.web.views.resolve import may, merged_records
from veriga.workspace.records import AMOUNT_BANDS

router = APIRouter()
Current = Annotated[Web, Depends(current)]


def entity_url(case: str) -> Any:
    return lambda entity_id: f"/cases/{case}/entities/{entity_id}"


def _brief(proxy: Any, case: str) -> dict[str, Any]:
    return {"id": proxy.id, "schema": proxy.schema.name, "caption": proxy.caption,
            "url": f"/cases/{case}/entities/{proxy.id}"}


#: what a search result shows beside its name, to tell look-alikes apart
RESULT_PROPS = ("birthDate", "incorporationDate", "nationality", "country", "jurisdiction",
                "iban", "registrationNumber", "phone")
#: where a result's countries are (a facet of the search)
COUNTRY_PROPS = ("nationality", "country", "jurisdiction")
#: when a result was born or founded (a facet of the search, by year)
DATE_PROPS = ("birthDate", "incorporationDate")
#: the property types a search matches (``Store.search``)
MATCHED_TYPES = ("name", "phone", "iban", "email", "identifier")


def _result(proxy: Any, case: str, needle: str, roles: dict[str, str],
            files: dict[str, list[str]]) -> dict[str, Any]:
    """A search result: its name and type, then what tells it apart from look-alikes (its
    dates, countries and numbers, its role in the case, the files it is in) and the value
    the query matched."""
    out = _brief(proxy, case)
    out["facts"] = [(prop, value) for prop in RESULT_PROPS
                    if prop in proxy.schema.properties
                    for value in proxy.get(prop, quiet=True)[:2]]
    out["countries"] = sorted({v for prop in COUNTRY_PROPS if prop in proxy.schema.properties
                               for v in proxy.get(prop, quiet=True)})
    out["years"] = sorted({v[:4] for prop in DATE_PROPS if prop in proxy.schema.properties
                           for v in proxy.get(prop, quiet=True) if v[:4].isdigit()})
    out["role"] = roles.get(proxy.id or "")
    out["files"] = files.get(proxy.id or "", [])
    out["matched"] = next(((prop.name, value) for prop, value in proxy.itervalues()
                           if prop.type.name in MATCHED_TYPES and needle in value.casefold()
                           and prop.name != "name"), None)
    return out


@router.get("/cases/{case}/entities", include_in_schema=False)
def search_page(request: Request, case: str, web: Current, q: str = "",
                schema: str = "", role: str = "", country: str = "",
                year: str = "") -> Response:
    query = stored_form(q, web.lang)  # a translated pseudonym
    found = web.ws.entities.search(case, query, [schema] if schema else ()) if q else []
    results: list[dict[str, Any]] = []
    if found:
        roles = web.ws.entities.subject_roles(case)
        files = web.ws.entities.source_files(case, [p.id for p in found if p.id])
        needle = query.strip().casefold()
        results = [_result(p, case, needle, roles, files) for p in found]
    kinds: dict[str, int] = {}
    by_role: dict[str, int] = {}
    by_country: dict[str, int] = {}
    by_year: dict[str, int] = {}
    for r in results:
        kinds[r["schema"]] = kinds.get(r["schema"], 0) + 1
        if r.get("role"):
            by_role[r["role"]] = by_role.get(r["role"], 0) + 1
        for c in r["countries"]:
            by_country[c] = by_country.get(c, 0) + 1
        for y in r["years"]:
            by_year[y] = by_year.get(y, 0) + 1
    if year:
        results = [r for r in results if year in r["years"]]
    if role:
        results = [r for r in results if r.get("role") == role]
    if country:
        results = [r for r in results if country in r["countries"]]
    return request.app.state.render(request, web, "entities.html", q=q, schema=schema,
                                    role=role, found=results, kinds=sorted(kinds.items()),
                                    roles=sorted(by_role.items()), country=country,
                                    countries=sorted(by_country.items()),
                                    year=year, years=sorted(by_year.items()),
                                    saved=web.ws.saved_views.list(case, SEARCHES))


@router.get("/cases/{case}/payment-hits", include_in_schema=False)
def payment_hits(request: Request, case: str, web: Current, q: str = "",
                 year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
                 band: Annotated[str, Query(max_length=40)] = "") -> Response:
    """The payments whose text mentions the words: a part of the search page, loaded after
    its results (the case's ledger may take a moment to prepare after an import), with
    facets by year and amount that narrow it."""
    query = stored_form(q, web.lang)
    if band and band not in dict(AMOUNT_BANDS):
        raise HTTPException(422, f"unknown amount band {band!r}")
    paid, payments, facets = web.ws.records.search_payments(case, query, year=year,
                                                            band=band or None)
    return request.app.state.render(request, web, "_payment_hits.html", paid=paid,
                                    payments=payments, facets=facets, q=q, year=year,
                                    band=band)


#: The kind of saved view a saved search is (its state: the words, kind and role).
SEARCHES = "search"


@router.post("/cases/{case}/searches", include_in_schema=False)
def save_search(case: str, web: Current, name: Annotated[str, Form(min_length=1,
                                                                    max_length=200)],
                q: Annotated[str, Form(max_length=500)],
                schema: Annotated[str, Form(max_length=64)] = "",
                role: Annotated[str, Form(max_length=32)] = "") -> Response:
    """Save the search under a name: it is listed on the search page for the whole team
    (deleted, like any saved view, from the activity page)."""
    web.ws.saved_views.save(case, SEARCHES, name.strip(),
                            {"q": q, "schema": schema, "role": role})
    params = urlencode({"q": q, "schema": schema, "role": role})
    return RedirectResponse(f"/cases/{case}/entities?{params}", status_code=303)


@router.get("/cases/{case}/searches/{view_id}", include_in_schema=False)
def open_search(case: str, view_id: str, web: Current) -> Response:
    """Run a saved search again."""
    state = web.ws.saved_views.get(case, view_id)["state"] or {}
    params = {k: str(state.get(k) or "") for k in ("q", "schema", "role")}
    return RedirectResponse(f"/cases/{case}/entities?{urlencode(params)}", status_code=303)


class EntityBrief(BaseModel):
    """An entity in a list: enough to show and link it."""

    id: str
    schema_: str = Field(alias="schema")
    caption: str
    url: str  # its page


class EntityHead(BaseModel):
    id: str
    schema_: str = Field(alias="schema")
    caption: str
    role: str | None  # victim | suspect | witness | other, if one was set


class EntityValue(BaseModel):
    """One value of the entity with where it came from."""

    prop: str
    value: str
    original: str | None  # as it was in the file, where normalising changed it
    file: str | None
    locator: str | None  # line, row, sheet/cell or JSON path in the file
    importer: str  # name and version
    sha256: str | None  # of the file
    at: Timestamp | None  # when it was imported


class EntityLink(BaseModel):
    """A link from or to the entity, with the entity at its other end."""

    label: str
    schema_: str = Field(alias="schema")
    other: Node
    direction: Literal["out", "in"]
    first: str | None
    last: str | None
    edge_url: str | None
    amount: float | None = None  # a payment's or a contract's total, where it has one


class FindingBrief(BaseModel):
    id: str
    kind: str
    title: str
    score: float
    state: str  # new | confirmed | dismissed


class EntityDetail(BaseModel):
    """An entity with every value and its source, its links and the findings on it."""

    entity: EntityHead
    values: list[EntityValue]
    links: list[EntityLink]
    findings: list[FindingBrief]


def _schema_name(schema: str) -> list[str]:
    if schema and schema not in model.schemata:
        raise HTTPException(422, f"no entity type {schema!r}")
    return [schema] if schema else []


@router.get("/api/cases/{case}/search", tags=["entities"], responses=errors(*CASE))
def search_api(case: str, web: Current,
               q: Annotated[str, Query(min_length=2, max_length=200)],
               schema: Annotated[str, Query(description="an FtM schema, e.g. Person")] = ""
               ) -> list[EntityBrief]:
    """Entities whose name, phone, IBAN, e-mail or identifier contains ``q``."""
    return [EntityBrief.model_validate(_brief(p, case))
            for p in web.ws.entities.search(case, stored_form(q, web.lang),
                                            _schema_name(schema))]


def entity_data(web: Web, case: str, entity_id: str) -> dict[str, Any]:
    page = web.ws.entities.page(case, entity_id)
    view, roles = page.view, page.around.roles
    proxy = view.entity
    graph = build(page.around.entities, roles, entity_url(case), labels=labels(web.lang))
    gettext = translations(web.lang).gettext
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
                          "edge_url": edge.get("url"), "amount": edge.get("amount")})
    if proxy.schema.is_a("BankAccount"):  # payments join the holders: the account's own too
        links += _account_payments(proxy.id or "", page.around.entities, graph)
    findings = page.findings
    values = [{"prop": s["prop"], "value": s["value"], "original": s.get("original_value"),
               "file": s.get("file_name"), "locator": s.get("locator"),
               "importer": f"{s.get('importer')} {s.get('importer_version')}",
               "sha256": s.get("sha256"), "at": s.get("imported_at"),
               "record": s.get("entity_id")}
              for s in view.statements]
    return {"entity": {"id": proxy.id, "schema": proxy.schema.name, "caption": proxy.caption,
                       "role": roles.get(proxy.id or "")},
            "values": values, "links": sorted(links, key=_link_order),
            "findings": [{"id": f.id, "kind": f.kind, "title": f.heading(gettext, web.lang),
                          "score": f.score,
                          "state": f.review.state.value} for f in findings]}


def _account_payments(account: str, around: list[Any], graph: Any) -> list[dict[str, Any]]:
    """The payments from and to an account, each as a link to the account at its other end
    (the graph draws a payment between the holders)."""
    out = []
    by_entity = {e["url"].rsplit("/", 1)[1]: e for e in graph.edges.values() if e["url"]}
    for pay in around:
        if not pay.schema.is_a("Payment"):
            continue
        payers, payees = pay.get("payerAccount"), pay.get("beneficiaryAccount")
        if account in payers:
            direction, others = "out", payees
        elif account in payees:
            direction, others = "in", payers
        else:
            continue
        edge = by_entity.get(pay.id)
        for other in others:
            node = graph.nodes.get(other)
            if node is None or other == account:
                continue
            out.append({"label": edge["label"] if edge else pay.schema.label,
                        "schema": "Payment", "other": node, "direction": direction,
                        "first": edge["first"] if edge else None,
                        "last": edge["last"] if edge else None,
                        "edge_url": edge["url"] if edge else None,
                        "amount": edge["amount"] if edge else None})
    return out


def _link_order(link: dict[str, Any]) -> tuple[Any, ...]:
    """Links by type, the largest amount first (a number, not its text), then the earliest,
    then by the other end's name."""
    amount = link.get("amount")
    return (link["schema"], -(amount or 0.0), link["first"] or "9999",
            str(link["other"].get("label", "")).casefold())


#: statement properties that are the store's own bookkeeping, not a value of the entity
HIDDEN_PROPS = {"id"}


def grouped_values(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per property and value, in the order first stated, with every statement
    of it (file, place, importer) as its sources; the bookkeeping properties left out."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for v in values:
        if v["prop"] in HIDDEN_PROPS:
            continue
        row = rows.setdefault((v["prop"], v["value"]), {
            "prop": v["prop"], "value": v["value"], "originals": [], "sources": []})
        if v["original"] and v["original"] not in row["originals"]:
            row["originals"].append(v["original"])
        row["sources"].append(v)
    return list(rows.values())


@router.get("/cases/{case}/entities/{entity_id}", include_in_schema=False)
def entity_page(request: Request, case: str, entity_id: str, web: Current) -> Response:
    data = entity_data(web, case, entity_id)
    files = sorted({v["file"] for v in data["values"] if v["file"]})
    accounts = [v["value"] for v in data["values"]
                if v["prop"] in ("iban", "accountNumber")] if data["entity"]["schema"] in (
                    "BankAccount",) else []
    return request.app.state.render(request, web, "entity.html", **data,
                                    grouped=grouped_values(data["values"]), files=files,
                                    accounts=list(dict.fromkeys(accounts)),
                                    **merged_records(web, case, entity_id, data["values"]),
                                    parted=[p for p in request.query_params.get(
                                        "parted", "").split(",") if p],
                                    reopened=request.query_params.get("reopened", "0") != "0",
                                    enriched=request.query_params.get("enriched", "")
                                    .isdigit(),
                                    **_annotations(web, case, data["entity"]["id"]))


def _annotations(web: Web, case: str, entity_id: str) -> dict[str, Any]:
    """The entity's notes, tags and assignee, and whether the reader may add to them."""
    links = web.ws.notes.links(case, [entity_id])
    others = {r["other_id"] if r["entity_id"] == entity_id else r["entity_id"] for r in links}
    names = {e.id: e.caption for e in web.ws.entities.by_id(case, sorted(others))} \
        if others else {}
    for link in links:
        link["other"] = link["other_id"] if link["entity_id"] == entity_id else \
            link["entity_id"]
        link["other_label"] = names.get(link["other"], link["other"][:10])
    return {"annotations": web.ws.notes.of(case, "entity", entity_id), "manual_links": links,
            "members": web.ws.notes.members(case),
            "may_annotate": may(web.ws, case, Op.ENTITY_WRITE),
            "may_enrich": web.ws.enrich.available(case)}


@router.get("/api/cases/{case}/entities/{entity_id}", tags=["entities"],
            responses=errors(*CASE))
def entity_api(case: str, entity_id: str, web: Current) -> EntityDetail:
    """An entity: every value with its source file, line, importer and hash; its links and
    the findings that rest on it."""
    return EntityDetail.model_validate(entity_data(web, case, entity_id))


VIEW = View("entities", "Search", router, order=30, key="s")
