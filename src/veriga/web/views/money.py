"""Money flows: a Sankey of the case's money with drill-down to the transactions behind each
flow, traces from an account, the proceeds, and account profiles. The drawing is the
TypeScript module static/dist/money.js (ECharts); the flows come from
:mod:`veriga.chain.flows`, every read through the Workspace (which audits it)."""

from __future__ import annotations

import json
import re
from dataclasses import astuple, dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from veriga import finance
from veriga.chain import flows
from veriga.engine import Engine
from veriga.finance.profile import account_profile
from veriga.findings import N_
from veriga.model.ids import account_id
from veriga.model.normalize import country_of
from veriga.web.api import CASE, errors
from veriga.web.i18n import locator, translations
from veriga.web.pseudonyms import stored_form
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.workspace import Ledger, cache
from veriga.workspace.cache import Codec, json_codec

router = APIRouter()
Current = Annotated[Web, Depends(current)]
ACCOUNT = re.compile(r"[A-Za-z0-9~]{4,42}")
MAX_ACCOUNTS = 10

#: Strings the TypeScript module shows, translated for the page (msgids).
UI = (
    N_('Overview'), N_('Trace from an account'), N_('Proceeds'), N_('View'), N_('Account (IBAN)'),
    N_('Direction'), N_('forward'), N_('backward'), N_('both'), N_('Hops'), N_('From'), N_('To'),
    N_('Largest flows'), N_('Group by'), N_('holder'), N_('account'), N_('Only flagged accounts'),
    N_('Show'), N_('Loading…'), N_('No money flows'), N_('Transactions'), N_('Date'), N_('Amount'),
    N_('EUR'), N_('Part of the flow'), N_('Reference'), N_('Payer'), N_('Payee'),
    N_('Counterparty'), N_('Description'), N_('Method'), N_('Source file'), N_('Line'),
    N_('Estimated proceeds (the proceeds finding)'), N_('All flows drawn'),
    N_('money passing several accounts is counted at each of them'),
    N_('Previous'), N_('Next'), N_('Close'), N_('Trace from here'), N_('Open page'), N_('Network'),
    N_('Account profile'), N_('Credits'), N_('Debits'), N_('Cash in'), N_('Cash out'),
    N_('Cash share'), N_('Months'), N_('Month'), N_('Balance'), N_('Top counterparties'),
    N_('Received'), N_('Paid'), N_('Flagged by'), N_('abroad'), N_('Flows as a table'),
    N_('Source'), N_('Target'), N_('Count'), N_('First'), N_('Last'), N_('Total'),
    N_('Between accounts of one holder (not drawn)'), N_('Without an EUR amount (not drawn)'),
    N_('Money coming back'), N_('The amounts are the traced money each transaction carried.'),
    N_('No proceeds estimate yet: run the financial analyses (veriga analyze).'),
    N_('rows %(first)s–%(last)s of %(total)s'), N_('Statements in the case'),
    N_("Accounts in the case's country are not marked; others are marked abroad."),
    *flows.METHOD_OUT.values(), *flows.METHOD_IN.values(),
    *flows.SOURCE_LABELS.values(), *flows.BUCKET_LABELS.values(), N_('Cash'),
    N_('transfer'), N_('p2p'), N_('card'), N_('cash'), N_('fee'), N_('other'), N_('victim'),
    N_('suspect'), N_('witness'),
)

Mode = flows.Mode
Direction = flows.Direction
By = Literal["holder", "account"]


# -- response models ----------------------------------------------------------------------

class MoneyNode(BaseModel):
    id: str
    label: str
    kind: str  # holder | account | method | source | bucket | start
    accounts: list[str]
    countries: list[str]
    abroad: bool  # an account outside the case's main country
    held: bool  # the statements of (one of) its accounts are in the case
    flagged: list[str]  # kinds of the flagged findings resting on its transactions
    entity_id: str | None
    url: str | None  # the entity page
    network_url: str | None
    role: str | None  # victim | suspect | witness | other
    depth: int | None  # the column (a trace's hop); None: laid out by the diagram
    returning: bool  # a copy of a node receiving money that comes back (keeps it acyclic)


class MoneyLink(BaseModel):
    source: str
    target: str
    value: float  # EUR (traced EUR in a trace)
    count: int  # transactions
    first: date | None
    last: date | None


class MoneyFlows(BaseModel):
    """A Sankey of money flows: nodes and links (each link: the sum of its transactions)."""

    mode: Mode
    home: str | None  # the case's main country
    total: float  # every link summed: money passing several accounts counts at each
    internal: float  # moved between accounts of one holder: not drawn
    without_eur: int  # transactions without an EUR amount: not drawn
    traced: bool
    note: str | None
    nodes: list[MoneyNode]
    links: list[MoneyLink]
    #: proceeds: what the case's proceeds estimate (its finding) counts in these dates
    estimate: float | None = None


class MoneyTransaction(BaseModel):
    record_id: str
    date: date
    amount: float  # as booked, signed as on the account's statement
    currency: str | None
    eur: float | None
    value: float  # its part of the flow
    reference: str | None
    account: str  # the statement it is on
    payer: str | None
    payee: str | None
    counterparty: str | None  # the name on the statement (hidden from NGO users)
    description: str | None  # (hidden from NGO users)
    method: str
    source_id: str
    source_file: str | None
    line: str | None


class MoneyTransactions(BaseModel):
    total: int  # transactions behind the flow
    value: float  # their sum: the flow's value
    offset: int
    limit: int
    rows: list[MoneyTransaction]


class MoneyMonth(BaseModel):
    month: str
    credits: float
    debits: float
    cash: float
    balance: float


class MoneyCounterparty(BaseModel):
    name: str | None
    account: str | None
    country: str | None
    received: float
    paid: float
    count: int


class MoneyProfile(BaseModel):
    account: str
    label: str
    entity_id: str | None
    url: str | None
    flagged: list[str]
    country: str | None
    abroad: bool
    transactions: int
    first: str | None
    last: str | None
    credits: float
    debits: float
    cash_in: float
    cash_out: float
    cash_share: float
    own_transfers: int
    currencies: dict[str, int]
    months: list[MoneyMonth]
    counterparties: list[MoneyCounterparty]


# -- reading the case -----------------------------------------------------------------------

@dataclass
class Params:
    mode: Mode
    account: str
    direction: Direction
    hops: int
    start: date | None
    end: date | None
    top: int
    by: By
    flagged: bool

    def accounts(self) -> list[str]:
        found = [a.strip().replace(" ", "").upper() for a in self.account.split(",")
                 if a.strip()]
        if not found:
            raise HTTPException(422, "a trace needs an account (IBAN)")
        if len(found) > MAX_ACCOUNTS or not all(ACCOUNT.fullmatch(a) for a in found):
            raise HTTPException(422, f"give up to {MAX_ACCOUNTS} account numbers (IBANs), "
                                     "separated by commas")
        return found


def params(
    mode: Mode = "overview",
    account: Annotated[str, Query(max_length=500, description="IBANs, comma-separated "
                                  "(trace)")] = "",
    direction: Direction = "forward",
    hops: Annotated[int, Query(ge=1, le=6)] = 3,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    top: Annotated[int, Query(ge=1, le=200, description="the largest flows drawn")] = 30,
    by: By = "holder",
    flagged: Annotated[bool, Query(description="overview: only flows of flagged "
                                   "accounts")] = False,
) -> Params:
    if start and end and start > end:
        raise HTTPException(422, "'from' is after 'to'")
    return Params(mode, account, direction, hops, start, end, top, by, flagged)


Flow = Annotated[Params, Depends(params)]


@dataclass(frozen=True)
class _Facts:
    """What every money view asks of the case's ledger and findings, kept with them."""

    held: frozenset[str]  # accounts whose statements are in the case
    most: str | None  # the country of most of them
    flagged: dict[str, list[str]]  # :func:`flows.flagged_accounts` (never to be changed)
    names: dict[str, str]  # account -> the name other statements give its holder


def _facts(web: Web, case: str, engine: Engine) -> _Facts:
    """The ledger's :class:`_Facts`, made once per change of the case's data, findings and
    the reader's view (one audited read for the three)."""
    return web.ws.records.kept(case, "money-facts", lambda: _Facts(
        frozenset(flows.held_accounts(engine)), flows.home_country(engine),
        flows.flagged_accounts(engine, web.ws.findings.list(case, shared=True)),
        dict(finance.ledger_names(engine))))


def _home(web: Web, case: str, facts: _Facts) -> str | None:
    """The country of the organisation owning the case if some of its statements are from
    there, else the country of most of its statements."""
    owner = web.ws.cases.get(case).get("owner_org_id")
    country = next((str(o["country"]).upper() for o in web.ws.directory.orgs()
                    if o.get("id") == owner and o.get("country")), None)
    return country if country in {country_of(a) for a in facts.held} else facts.most


def _sankey_from(data: dict[str, Any]) -> tuple[flows.Sankey, str | None, flows.Context]:
    sankey, ctx = flows.from_json(data["flows"])
    return sankey, data["note"], ctx


#: a view's flows kept in the store, for every server process (a large case's overview
#: took a worker that had not made it 1 s alone and 10 s under load)
SANKEY_JSON: Codec[tuple[flows.Sankey, str | None, flows.Context]] = json_codec(
    lambda v: {"flows": flows.to_json(v[0], v[2]), "note": v[1]}, _sankey_from)


def _sankey(web: Web, case: str, p: Params, data: Ledger) -> tuple[flows.Sankey, str | None]:
    """The Sankey ``p`` asks for, made once per change of the case's data, findings and the
    reader's view, and kept: a drill-down asks the same flows again."""
    sankey, note, ctx = web.ws.records.kept(case, "money-sankey", lambda: _make_sankey(
        web, case, p, data), version=astuple(p), codec=SANKEY_JSON, later=True)
    # the tables a kept overview's moves name, made once with it (a large case's holders
    # of 100,000 accounts took a tenth of a second per request)
    flows.register_context(data.engine, ctx, cache.made_from(
        ctx, ("money context",), lambda: flows.context_tables(ctx)))
    return sankey, note


def _make_sankey(web: Web, case: str, p: Params, data: Ledger
                 ) -> tuple[flows.Sankey, str | None, flows.Context]:
    engine = data.engine
    findings = web.ws.findings.list(case, shared=True)
    facts = _facts(web, case, engine)
    ctx = flows.Context(data.owners, facts.flagged, _home(web, case, facts),
                        by_holder=p.by == "holder")
    note = None
    if p.mode == "trace":
        accounts = p.accounts()
        held = facts.held
        if not any(a in held for a in accounts):
            raise HTTPException(404, "no statements of this account in the case")
        sankey = flows.around(engine, ctx, accounts, p.direction, p.hops, p.start, p.end,
                              p.top, held, data.rows_of)
    elif p.mode == "proceeds":
        sankey = flows.proceeds(engine, ctx, findings, p.start, p.end, p.top)
        if not sankey.links:
            note = "No proceeds estimate yet: run the financial analyses (veriga analyze)."
    else:
        sankey = flows.overview(engine, ctx, p.start, p.end, p.top, p.flagged)
    return sankey, note, ctx


def _out(web: Web, case: str, sankey: flows.Sankey, engine: Engine, p: Params,
         note: str | None) -> MoneyFlows:
    """The Sankey with names as the user may see them: entity captions (pseudonyms for an
    NGO), else, except for NGO users, the name other statements give the account."""
    ids = {n.entity_id for n in sankey.nodes if n.entity_id}
    ids |= {account_id(n.accounts[0]) for n in sankey.nodes if n.kind == "account"}
    found = {e.id: e for e in web.ws.entities.by_id(case, sorted(ids))} if ids else {}
    roles = web.ws.entities.subject_roles(case)
    named = {} if web.user.is_ngo else _facts(web, case, engine).names
    start_label = ", ".join(p.accounts()) if p.mode == "trace" else "start"
    nodes = []
    for n in sankey.nodes:
        label, entity = n.label, None
        if n.kind == "holder" and n.entity_id:
            entity = found.get(n.entity_id)
            label = entity.caption if entity is not None else (n.accounts or [label])[0]
        elif n.kind == "account" and n.accounts:
            entity = found.get(account_id(n.accounts[0]))
            name = named.get(n.accounts[0])
            label = f"{name.title()} · {n.accounts[0]}" if name else n.accounts[0]
        elif n.kind == "start":
            entity = found.get(n.entity_id or "")
            label = f"{entity.caption} · {start_label}" if entity is not None else start_label
        eid = entity.id if entity is not None else None
        nodes.append(MoneyNode(
            id=n.id, label=label, kind=n.kind, accounts=n.accounts, countries=n.countries,
            abroad=n.abroad, held=n.held, flagged=n.flagged, entity_id=eid,
            url=f"/cases/{case}/entities/{eid}" if eid else None,
            network_url=f"/cases/{case}/network?ids={eid}" if eid else None,
            role=roles.get(eid) if eid else None, depth=n.depth, returning=n.returning))
    links = [MoneyLink(source=k.source, target=k.target, value=float(k.value), count=k.count,
                       first=k.first, last=k.last) for k in sankey.links]
    return MoneyFlows(mode=sankey.mode, home=sankey.home, total=float(sankey.total),
                      internal=float(sankey.internal), without_eur=sankey.without_eur,
                      estimate=None if sankey.estimate is None else float(sankey.estimate),
                      traced=sankey.traced, note=note, nodes=nodes, links=links)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# -- pages and API ----------------------------------------------------------------------------

@router.get("/cases/{case}/money", include_in_schema=False)
def money_page(request: Request, case: str, web: Current, mode: Mode = "overview",
               account: Annotated[str, Query(max_length=500)] = "",
               flagged: Literal["true", "false", ""] = "") -> Response:
    """The overview opens on the accounts findings flag and their counterparties when the
    case has such findings (the whole case one click away); ``flagged`` chooses."""
    web.ws.entities.subject_roles(case)  # a purpose is stated for the case (else: the open page)
    trans = translations(web.lang)
    labels = {key: trans.gettext(key) for key in UI}
    only_flagged = flagged == "true" or (
        flagged == "" and mode == "overview"
        and flows.any_flagged(web.ws.findings.list(case, shared=True)))
    return request.app.state.render(request, web, "money.html", mode=mode, account=account,
                                    flagged=only_flagged,
                                    i18n=json.dumps(labels, ensure_ascii=False))


@router.get("/api/cases/{case}/money", tags=["money"], responses=errors(*CASE))
def money_api(case: str, web: Current, p: Flow) -> MoneyFlows:
    """The money flows of the case as a Sankey: ``mode=overview`` (every movement, per
    holder or account), ``trace`` (from/into ``account``, by hop) or ``proceeds``
    (source and application of the estimated proceeds)."""
    with web.ws.records.ledger(case) as data:
        sankey, note = _sankey(web, case, p, data)
        return _out(web, case, sankey, data.engine, p, note)


@router.get("/api/cases/{case}/money/transactions", tags=["money"], responses=errors(*CASE))
def transactions_api(
    case: str, web: Current, p: Flow,
    from_node: Annotated[str, Query(min_length=1, max_length=300)],
    to_node: Annotated[str, Query(min_length=1, max_length=300)],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> MoneyTransactions:
    """The transactions behind one flow (the link ``from_node`` → ``to_node`` of the Sankey
    asked for with the same parameters), by date; their values sum to the flow's."""
    # a restricted reader's nodes may be named by pseudonyms, shown in her language
    from_node, to_node = stored_form(from_node, web.lang), stored_form(to_node, web.lang)
    with web.ws.records.ledger(case) as data:
        sankey, _ = _sankey(web, case, p, data)
        # a link's transactions read once while its flows are kept: its pages are slices
        found = cache.made_from(sankey, ("money link", from_node, to_node),
                                lambda: flows.link_rows(data.engine, sankey, from_node, to_node))
        if found is None:
            raise HTTPException(404, "no such flow in this view")
        page = flows.page_of(found, offset, limit, data.engine)
    named = sorted({r.source_id for r in page.rows if r.source_id})
    files = {s["id"]: s["file_name"]
             for s in web.ws.records.sources(case, named, ["file_name"])} if named else {}
    hide = web.user.is_ngo
    rows = [MoneyTransaction(
        record_id=r.record_id, date=r.day, amount=float(r.amount), currency=r.currency,
        eur=_f(r.eur), value=float(r.value), reference=r.ref, account=r.account,
        payer=r.payer, payee=r.payee, counterparty=None if hide else r.counterparty,
        description=None if hide else r.description, method=r.method, source_id=r.source_id,
        source_file=files.get(r.source_id),
        line=locator(web.lang, r.locator) if r.locator else None) for r in page.rows]
    return MoneyTransactions(total=page.total, value=float(page.value), offset=offset,
                             limit=limit, rows=rows)


@router.get("/api/cases/{case}/money/account/{iban}", tags=["money"], responses=errors(*CASE))
def account_api(case: str, iban: str, web: Current) -> MoneyProfile:
    """One account at a glance: totals, monthly credits, debits, cash and balance, top
    counterparties, and the findings resting on its transactions."""
    number = iban.strip().replace(" ", "").upper()
    if web.user.is_ngo and " " in iban.strip():  # as a restricted reader sees it (minimised)
        number = stored_form(iban.strip(), web.lang)  # (its pseudonym shown in her language)
    elif not ACCOUNT.fullmatch(number):
        raise HTTPException(422, "not an account number (IBAN)")
    with web.ws.records.ledger(case) as data:
        prof = account_profile(data.engine, number, rows=data.rows_of([number])
                               if data.rows_of is not None else None)
        if not prof.transactions:
            raise HTTPException(404, "no statements of this account in the case")
        facts = _facts(web, case, data.engine)
        flagged = facts.flagged.get(number, [])
        home = _home(web, case, facts)
        owner = data.owners.get(number)
    ids = [i for i in (owner, account_id(number)) if i]
    found = {e.id: e for e in web.ws.entities.by_id(case, ids)}
    entity = found.get(owner or "") or found.get(account_id(number))
    hide = web.user.is_ngo
    country = country_of(number)
    return MoneyProfile(
        account=number, label=entity.caption if entity is not None else number,
        entity_id=entity.id if entity is not None else None,
        url=f"/cases/{case}/entities/{entity.id}" if entity is not None else None,
        flagged=flagged, country=country, abroad=bool(home and country and country != home),
        transactions=prof.transactions, first=prof.first, last=prof.last,
        credits=float(prof.credits), debits=float(prof.debits), cash_in=float(prof.cash_in),
        cash_out=float(prof.cash_out), cash_share=round(prof.cash_share, 4),
        own_transfers=prof.own_transfers, currencies=prof.currencies,
        months=[MoneyMonth(month=m.month, credits=float(m.credits), debits=float(m.debits),
                           cash=float(m.cash), balance=float(m.balance)) for m in prof.months],
        counterparties=[MoneyCounterparty(
            name=None if hide else c.name, account=c.account, country=c.country,
            received=float(c.received), paid=float(c.paid), count=c.count)
            for c in prof.counterparties])


def _prepare(web: Web, case: str) -> None:
    """The overviews the page opens on (the flagged accounts, the whole case) and the
    proceeds, made ahead for the reader (:mod:`veriga.web.prepared`)."""
    wanted = [params("overview", flagged=False), params("proceeds")]
    if flows.any_flagged(web.ws.findings.list(case, shared=True)):
        wanted.insert(0, params("overview", flagged=True))
    with web.ws.records.ledger(case) as data:
        for p in wanted:
            _sankey(web, case, p, data)


VIEW = View("money", "Money flows", router, order=70, key="y", prepare=_prepare)
