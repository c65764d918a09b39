"""A proposal for a joint investigation team, drafted from the case for one other State.

:func:`draft_jit` gathers, through the workspace, what ties the case to ``state``: its people
and companies whose nationality, citizenship, country or address is that State (victims are
counted, never named), the accounts of the case's ledger held there (IBAN country) with what
moved through them, and the findings a person confirmed that rest on either. The proposal
follows the order of the EU model agreement for setting up a JIT (parties, purpose, period,
the investigation, legal qualification and basis, operational action plan), in the two
States' languages where Veriga has them, written with :mod:`veriga.reports.eio`'s writers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veriga.access.policy import Op
from veriga.errors import VerigaError
from veriga.findings import ReviewState
from veriga.model.normalize import country_of
from veriga.reports.eio import LANGUAGE_OF, LAUNDERING, Document, label, write

if TYPE_CHECKING:
    from veriga.workspace import Workspace

PARTIES = ("Person", "Company", "Organization", "LegalEntity")
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "mainCountry")


@dataclass
class Tied:
    name: str
    schema: str
    role: str  # subject role, or ""
    tie: str  # how it is tied to the State (property: value)
    birth_date: str = ""


@dataclass
class Proposal:
    case: str
    own: str  # the proposing State
    other: str
    own_org: str
    persons: list[Tied]
    victims: int
    accounts: list[tuple[str, Decimal, Decimal, int]]  # account, in, out, movements
    findings: list[tuple[str, str, str]]
    offences: list[str]
    prepared_by: str
    prepared_at: datetime

    def languages(self) -> list[str]:
        return list(dict.fromkeys((LANGUAGE_OF.get(self.own, "en"),
                                   LANGUAGE_OF.get(self.other, "en"))))


def draft_jit(ws: Workspace, case: str, state: str, own: str | None = None,
              engine: str = "duckdb") -> Proposal:
    """What ties ``case`` to ``state`` (ISO code), as a JIT proposal; an error when
    nothing does."""
    ws.cases.check(case, Op.EXPORT)  # the proposal leaves the tool
    state = state.strip().upper()
    user = ws.user
    orgs = {o["id"]: o for o in ws.directory.orgs()}
    org = orgs.get(user.org_id) if user else None
    own = (own or (org or {}).get("country") or "").upper()
    if len(state) != 2 or not state.isalpha() or state == own:
        raise VerigaError(f"the other State is a two-letter code other than yours ({own})")
    roles = ws.entities.subject_roles(case)
    persons: list[Tied] = []
    victims = 0
    victim_names: set[str] = set()
    for proxy in ws.entities.list(case, list(PARTIES)):
        role = roles.get(proxy.id or "", "")
        if role == "victim":
            victim_names |= {n.casefold() for n in proxy.get("name", quiet=True)}
        tie = _tie(proxy, state)
        if tie is None:
            continue
        if role == "victim":
            victims += 1
            continue
        persons.append(Tied(proxy.caption, proxy.schema.name, role, tie,
                            ", ".join(proxy.get("birthDate", quiet=True))))
    every = [f for f in ws.findings.list(case) if f.review.state is not ReviewState.DISMISSED]
    flagged = {k.value for f in every for k in f.evidence.keys if k.type == "iban"}
    accounts, named = _accounts(ws, case, state, engine, flagged)
    wanted = {a for a, *_ in accounts}
    seen = {t.name for t in persons}
    for number, name in sorted(named.items()):
        if name.casefold() in victim_names:  # a victim named on a payment: counted only
            victims += 1
            continue
        if name not in seen:
            seen.add(name)
            persons.append(Tied(name, "LegalEntity", "", f"account: {number}"))
    findings = [(f.kind, f.title, f.explanation) for f in every
                if f.review.state is ReviewState.CONFIRMED
                and wanted & {k.value for k in f.evidence.keys if k.type == "iban"}]
    if not persons and not accounts and not victims:
        raise VerigaError(f"nothing in case {case!r} is tied to {state}: no person or company "
                          "of that State and no account held there")
    offences = ["offence_thb"] + (["offence_laundering"] if accounts or any(
        k.startswith(LAUNDERING) for k, _, _ in findings) else [])
    persons.sort(key=lambda p: (p.role != "suspect", p.schema != "Person", p.name))
    return Proposal(case, own, state, (org or {}).get("name", ""), persons, victims, accounts,
                    findings, offences, (user.display_name or user.username) if user
                    else ws.actor, datetime.now(UTC))


def _tie(proxy: Any, state: str) -> str | None:
    for prop in COUNTRY_PROPS:
        for value in proxy.get(prop, quiet=True):
            if value.upper() == state:
                return f"{prop}: {state}"
    for value in proxy.get("iban", quiet=True):
        if country_of(value) == state:
            return f"iban: {value}"
    return None


def _accounts(ws: Workspace, case: str, state: str, engine: str, flagged: set[str]
              ) -> tuple[list[tuple[str, Decimal, Decimal, int]], dict[str, str]]:
    """Accounts held in ``state`` that a finding names or that moved money with an account
    a finding names (all of them when no finding names any), with what moved; and the
    holder of each as the case or the payments name it."""
    led = ws.records.ledger(case, engine)
    try:
        table = led.engine.query(
            "SELECT account, cp_account, cp_name, eur FROM ledger WHERE eur IS NOT NULL AND "
            f"(upper(substr(account, 1, 2)) = '{state}' "
            f"OR upper(substr(cp_account, 1, 2)) = '{state}')")
        owners = dict(led.owners)
    finally:
        led.close()
    flows: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    names: dict[str, str] = {}
    for row in table.to_pylist():
        eur = Decimal(row["eur"])
        pair = {row["account"], row["cp_account"]}
        if flagged and not pair & flagged:
            continue  # lawful background, as far as the findings tell
        for number, inflow in ((row["account"], eur > 0), (row["cp_account"], eur < 0)):
            if number and country_of(number) == state:
                f = flows[number]
                f[0 if inflow else 1] += abs(eur)
                f[2] += 1
        if row["cp_account"] and country_of(row["cp_account"]) == state and row["cp_name"]:
            names.setdefault(row["cp_account"], row["cp_name"])
    for number in flows:
        if number in owners:
            names[number] = _caption(ws, case, owners[number]) or names.get(number, "")
    accounts = sorted(((a, f[0], f[1], int(f[2])) for a, f in flows.items()),
                      key=lambda x: -(x[1] + x[2]))
    return accounts, {a: n for a, n in names.items() if n and a in flows}


def _caption(ws: Workspace, case: str, entity_id: str) -> str:
    try:
        return str(ws.entities.by_id(case, [entity_id])[0].caption)
    except (IndexError, VerigaError):
        return ""


def document(p: Proposal) -> Document:
    langs = p.languages()
    people: list[Any] = [[label("name", langs), label("role", langs), label("birth_date", langs),
                          label("jit_tie", langs)]]
    for t in p.persons:
        people.append([t.name, t.role or t.schema, t.birth_date, t.tie])
    money: list[Any] = [[label("account", langs), "IN (EUR)", "OUT (EUR)", "#"]]
    for number, inflow, outflow, moves in p.accounts:
        money.append([number, f"{inflow:,.2f}", f"{outflow:,.2f}", str(moves)])
    found = [f"{kind}: {title}. {text}" for kind, title, text in p.findings]
    case_blocks: list[Any] = [label("jit_persons", langs), people if p.persons else "—",
                              label("jit_victims", langs, n=p.victims)]
    if p.accounts:
        case_blocks += [label("jit_accounts", langs), money]
    if found:
        case_blocks += [label("findings", langs), *found]
    sections: list[tuple[str, list[Any]]] = [
        (label("jit_parties", langs), [f"{p.own}: {p.own_org}", f"{p.other}: "
                                       + label("to_complete", langs)]),
        (label("jit_purpose", langs), [label("jit_purpose_text", langs)]),
        (label("jit_period", langs), [label("jit_period_text", langs)]),
        (label("jit_case", langs), case_blocks),
        (label("jit_legal", langs), [*[label(k, langs) for k in p.offences],
                                     label("statutory", langs), label("jit_basis", langs)]),
        (label("jit_plan", langs), [label("jit_plan_text", langs)]),
        (label("section_k", langs), [f"{label('prepared_by', langs)}: {p.prepared_by}, "
                                     f"{p.own_org}, {p.prepared_at.date().isoformat()}"]),
    ]
    return Document("jit_title", "draft_note", langs, sections, p.prepared_by)


def save(ws: Workspace, p: Proposal, path: Path) -> None:
    """Write the proposal (``.docx`` or ``.pdf``) and audit it."""
    write(document(p), path)
    case_id = ws.cases.get(p.case)["id"]
    with ws.store.begin() as conn:
        ws.write_audit(conn, "request.jit", case_id, target=path.name, state=p.other,
                       persons=len(p.persons), accounts=len(p.accounts), victims=p.victims)
