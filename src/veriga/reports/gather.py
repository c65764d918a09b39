"""Gather what a case report shows, through the Workspace (every read is checked and audited).

The report rests on what a person confirmed: the confirmed findings, the chain built from
them, and the proceeds estimate of :mod:`veriga.finance.proceeds` computed over them. Each
fact carries its source: the file (name, SHA-256, importer) and the line or record in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from veriga import analysis, finance
from veriga.access.handling import Code
from veriga.analysis import STAGES, stage_of
from veriga.chain.stages import Stage, chain
from veriga.finance.ledger import ledger_rows
from veriga.finance.proceeds import LINES, Estimate, estimate
from veriga.findings import Finding, ReviewState
from veriga.model import EntityProxy
from veriga.model.holdings import holdings
from veriga.workspace import Workspace

#: Schemata of the persons and organisations a report lists.
PARTY_SCHEMATA = frozenset({"Person", "Company", "Organization", "LegalEntity"})
#: Transactions shown under each finding; every one is listed in the annex.
INLINE_TRANSACTIONS = 5
#: At most this many transactions in the annex by default (the rest are counted, not listed).
MAX_ANNEX = 500
#: At most this many entities with every fact and its source.
MAX_PARTIES = 200
PROCEEDS_KINDS = frozenset(kind for _, kind, _, _ in LINES)
#: The sections a user may leave out (the summary, the findings, the source files and the
#: method are always there): the chain, the proceeds (re-running the financial analysis),
#: the persons, organisations and accounts, every fact of them with its source, the annex of
#: cited transactions, and an annex of the persons the case marks (victims, suspects...) that
#: no confirmed finding names.
SECTIONS = ("chain", "proceeds", "parties", "facts", "transactions", "others")
DEFAULT_SECTIONS = frozenset({"chain", "proceeds", "parties", "facts", "transactions"})

Gettext = Callable[[str], str]


@dataclass
class SourceFile:
    """A file the case was built from, as the report cites it."""

    id: str
    file_name: str
    sha256: str
    importer: str
    importer_version: str
    imported_by: str
    imported_at: datetime | None
    format: str
    handling: str


@dataclass
class Fact:
    """One value of an entity and every place it was read: (source id, line or record)."""

    prop: str
    label: str
    value: str
    places: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Party:
    """A person, organisation or account involved, with its facts and their sources."""

    id: str
    name: str
    schema: str
    role: str | None = None
    accounts: list[str] = field(default_factory=list)
    holders: list[str] = field(default_factory=list)
    holder_ids: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # numbers: F1, F2...
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Transaction:
    """One booked transaction cited as evidence, with the file and line it came from."""

    record_id: str
    day: date | None
    account: str
    cp_account: str
    cp_name: str
    amount: Decimal | None
    currency: str
    eur: Decimal | None
    ref: str
    source_id: str
    locator: str

    @property
    def counterparty(self) -> str:
        return " · ".join(x for x in (self.cp_account, self.cp_name) if x)


@dataclass
class ReportFinding:
    """A finding as the report shows it, numbered, with its evidence resolved."""

    number: str
    finding: Finding
    stage: str | None
    entities: list[tuple[str, str]]  # (id, name)
    record_ids: list[str]
    source_ids: list[str]
    keys: list[tuple[str, str]]


@dataclass
class Proceeds:
    """The estimate over the confirmed findings, and how it was made."""

    estimate: Estimate
    min_score: float
    used: list[str]  # finding numbers the estimate rests on
    not_reproduced: list[str]  # confirmed findings the current data no longer yields

    @property
    def total(self) -> Decimal:
        return self.estimate.total


@dataclass
class Report:
    """Everything a case report shows; rendered by :mod:`veriga.reports.render`."""

    case: dict[str, Any]
    lang: str
    gettext: Gettext
    prepared_by: str
    organisation: str
    prepared_at: datetime
    purpose: str
    minimised: bool
    findings: list[ReportFinding]
    unreviewed: list[ReportFinding] | None
    dismissed: int
    stages: list[Stage]
    proceeds: Proceeds | None
    parties: list[Party]
    accounts: list[Party]
    transactions: dict[str, Transaction]
    transactions_left_out: int
    sources: dict[str, SourceFile]
    handling: list[str]  # the handling codes of the cited material (H0..H3)
    names: dict[str, str]  # entity id -> name
    sections: frozenset[str] = DEFAULT_SECTIONS
    #: the persons the case marks that no confirmed finding or chain stage names (annex)
    others: list[Party] = field(default_factory=list)
    #: proceeds: accounts of victims left out of the source and application of funds
    victims_left_out: int = 0

    def number(self, section: str) -> str:
        """The number of a main section, counting only those the report holds."""
        shown = ["summary", *(["chain"] if "chain" in self.sections else []), "findings",
                 *(["proceeds"] if "proceeds" in self.sections else []),
                 *(["parties", "accounts"] if "parties" in self.sections else []),
                 *(["facts"] if "facts" in self.sections else []), "sources"]
        return str(shown.index(section) + 1) if section in shown else ""

    def annex(self, name: str) -> str:
        """The letter of an annex, counting only those the report holds."""
        shown = [a for a in ("transactions", "unreviewed", "others")
                 if (self.unreviewed is not None if a == "unreviewed" else a in self.sections)]
        return "ABC"[shown.index(name)] if name in shown else ""

    @property
    def cited_transactions(self) -> list[Transaction]:
        return sorted(self.transactions.values(),
                      key=lambda t: (t.day or date.min, t.account, t.record_id))

    def transactions_of(self, item: ReportFinding, limit: int | None = None
                        ) -> list[Transaction]:
        rows = [self.transactions[i] for i in item.record_ids if i in self.transactions]
        rows.sort(key=lambda t: (t.day or date.min, t.record_id))
        return rows[:limit] if limit is not None else rows


def build_report(ws: Workspace, case: str, gettext: Gettext, lang: str = "en",
                 include_unreviewed: bool = False, max_transactions: int = MAX_ANNEX,
                 sections: Iterable[str] = DEFAULT_SECTIONS) -> Report:
    """Gather a case report for the acting user of ``ws`` (purpose required; audited).

    ``gettext`` translates the report's headings (the caller picks the language);
    ``include_unreviewed`` adds an appendix of findings nobody has reviewed yet, marked
    as not evidence. Dismissed findings are never shown. At most ``max_transactions``
    cited transactions are listed (the count of the others is stated). ``sections`` are
    those of :data:`SECTIONS` the report holds; what is left out is not read either.
    The persons listed are those the confirmed findings and the chain rest on.
    """
    chosen = frozenset(sections)
    unknown = chosen - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown report sections: {', '.join(sorted(unknown))} "
                         f"(choose from {', '.join(SECTIONS)})")
    case_row = ws.cases.get(case)
    every = ws.findings.list(case)
    confirmed = _ordered([f for f in every if f.review.state is ReviewState.CONFIRMED])
    new = _ordered([f for f in every if f.review.state is ReviewState.NEW])
    dismissed = sum(1 for f in every if f.review.state is ReviewState.DISMISSED)
    stages = chain(confirmed, ws.entities.count(case), min_score=0.0)
    stage_of = {f.id: s.name for s in stages for f in s.findings}

    # findings name records; a record merged since is named by its entity
    merged = ws.entities.merged(case)
    items = [_item(f"F{n}", f, stage_of, merged) for n, f in enumerate(confirmed, 1)]
    extra = [_item(f"U{n}", f, {}, merged) for n, f in enumerate(new, 1)] \
        if include_unreviewed else None
    shown = items + (extra or [])

    proceeds, transactions, left_out = _money(
        ws, case, confirmed, shown, items,
        max_transactions if "transactions" in chosen else 0, "proceeds" in chosen)
    roles = ws.entities.subject_roles(case)
    parties, accounts, others, names = _parties(ws, case, shown, items, roles, stages, merged,
                                                chosen)
    victims_left_out = _without_victims(ws, case, proceeds, roles, merged)
    for item in shown:
        item.entities = [(i, names.get(i, i)) for i, _ in item.entities]

    sources = {s["id"]: _source(s) for s in ws.records.sources(case)}
    cited = {i for item in shown for i in item.source_ids}
    cited |= {t.source_id for t in transactions.values()}
    cited |= {s for p in parties + accounts for fact in p.facts for s, _ in fact.places}
    user = ws.user
    org = next((o["name"] for o in ws.directory.orgs() if user and o["id"] == user.org_id), "")
    return Report(
        case=case_row, lang=lang, gettext=gettext,
        prepared_by=(user.display_name or user.username) if user else ws.actor,
        organisation=org, prepared_at=datetime.now(UTC), purpose=ws.purpose or "",
        minimised=bool(user and user.is_ngo), findings=items, unreviewed=extra,
        dismissed=dismissed, stages=stages, proceeds=proceeds, parties=parties,
        accounts=accounts, transactions=transactions, transactions_left_out=left_out,
        sources={i: s for i, s in sources.items() if i in cited},
        handling=_handling(sources[i].handling for i in cited if i in sources),
        names=names, sections=chosen, others=others, victims_left_out=victims_left_out,
    )


def _without_victims(ws: Workspace, case: str, proceeds: Proceeds | None,
                     roles: Mapping[str, str], merged: Mapping[str, str]) -> int:
    """Leave the accounts of victims out of the source and application of funds: what they
    received are their wages, not proceeds retained. Returns how many were left out."""
    victims = {merged.get(i, i) for i, role in roles.items() if role == "victim"}
    if proceeds is None or not proceeds.estimate.holders or not victims:
        return 0
    theirs = {n for h in holdings(ws.entities.list(case, ["BankAccount", "Ownership"]))
              if merged.get(h.owner_id, h.owner_id) in victims for n in h.numbers}
    before = len(proceeds.estimate.holders)
    proceeds.estimate.holders = [h for h in proceeds.estimate.holders
                                 if h.account not in theirs]
    return before - len(proceeds.estimate.holders)


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings as the report numbers them: by stage of the chain, then strongest first."""
    order = {name: n for n, name in enumerate(STAGES)}
    return sorted(findings, key=lambda f: (order.get(stage_of(f.kind) or "", len(order)),
                                           -f.score, f.kind, f.title, f.id))


def _item(number: str, f: Finding, stage_of: dict[str, str],
          merged: Mapping[str, str]) -> ReportFinding:
    ev = f.evidence
    return ReportFinding(number=number, finding=f, stage=stage_of.get(f.id),
                         entities=[(i, i) for i in dict.fromkeys(
                             merged.get(e, e) for e in ev.entity_ids)],
                         record_ids=list(dict.fromkeys(ev.record_ids)),
                         source_ids=sorted(set(ev.source_ids)),
                         keys=[(k.type, k.value) for k in ev.keys if k.type != "transaction"])


def _source(row: dict[str, Any]) -> SourceFile:
    return SourceFile(id=row["id"], file_name=row["file_name"], sha256=row["sha256"],
                      importer=row["importer"], importer_version=row["importer_version"],
                      imported_by=row["imported_by"], imported_at=row["imported_at"],
                      format=row["format"], handling=row.get("handling") or "H0")


def _handling(codes: Iterable[str]) -> list[str]:
    found = {Code(c) for c in codes if c in Code.__members__}
    if len(found) > 1:
        found.discard(Code.H0)
    return sorted(c.value for c in found) or [Code.H0.value]


# -- money: the cited transactions and the proceeds estimate -------------------------------

#: What the report shows of each transaction it cites.
CITED = ("source_id", "locator", "account", "day", "amount", "currency", "eur", "cp_account",
         "cp_name", "ref")


def _money(ws: Workspace, case: str, confirmed: Sequence[Finding],
           shown: Sequence[ReportFinding], items: Sequence[ReportFinding], limit: int,
           with_proceeds: bool = True) -> tuple[Proceeds | None, dict[str, Transaction], int]:
    """Re-run the finance family in memory (nothing is stored) to compute the estimate
    of :func:`veriga.finance.proceeds.estimate` over the confirmed findings (unless the
    report leaves the proceeds out), and read the cited transactions with their file and
    line: those shown under each finding, and up to ``limit`` more for the annex."""
    inline = list(dict.fromkeys(i for item in shown
                                for i in item.record_ids[:INLINE_TRANSACTIONS]))
    every = list(dict.fromkeys(inline + [i for item in shown for i in item.record_ids]))
    number = {item.finding.id: item.number for item in items}
    money = [f for f in confirmed if f.kind in PROCEEDS_KINDS] if with_proceeds else []
    if not every and not money:
        return None, {}, 0
    left_out = max(0, len(every) - max(limit, len(inline)))
    wanted = every[:max(limit, len(inline))]
    if not money and not with_proceeds:
        return None, _read(ws, case, wanted), left_out
    family = analysis.family("finance")
    params = family.params()
    run = ws.analyses.run(case, [family.name], params={family.name: params},
                          save=False)[family.name].detail
    reproduced = {f.id for f in run.result.findings}
    used = [f for f in run.result.findings if f.id in number]
    est = estimate(finance.Result(findings=used, group_of=run.result.group_of,
                                  records=run.result.records),
                   run.holders, params.common.flag_score)
    proceeds = Proceeds(
        estimate=est, min_score=params.common.flag_score,
        used=[number[f.id] for f in used if f.kind in PROCEEDS_KINDS
              and f.score >= params.common.flag_score],
        not_reproduced=[number[f.id] for f in money if f.id not in reproduced])
    transactions = _read(ws, case, wanted)
    if ws.user is not None and ws.user.is_ngo:  # names in bank records are not minimised
        for h in proceeds.estimate.holders:
            h.holder = None
    return proceeds, transactions, left_out


def _read(ws: Workspace, case: str, ids: Sequence[str]) -> dict[str, Transaction]:
    """The transactions ``ids`` with their file and line (an NGO reader without the names
    bank records give)."""
    if not ids:
        return {}
    eng = ws.records.engine(case)
    try:
        finance.prepare(eng, lazy=True)
        transactions = _lookup(eng, ids)
    finally:
        eng.close()
    if ws.user is not None and ws.user.is_ngo:  # names in bank records are not minimised
        for t in transactions.values():
            t.cp_name = ""
    return transactions


def _lookup(eng: Any, ids: Sequence[str]) -> dict[str, Transaction]:
    out = {}
    for r in ledger_rows(eng, ids, CITED).values():
        out[r["record_id"]] = Transaction(
            record_id=r["record_id"], day=r["day"], account=r["account"] or "",
            cp_account=r["cp_account"] or "", cp_name=r["cp_name"] or "",
            amount=r["amount"], currency=r["currency"] or "",
            eur=r["eur"], ref=r["ref"] or "", source_id=r["source_id"],
            locator=r["locator"] or "")
    return out


# -- parties: persons, organisations and accounts, with their facts ------------------------

def _parties(ws: Workspace, case: str, shown: Sequence[ReportFinding],
             items: Sequence[ReportFinding], roles: dict[str, str], stages: Sequence[Stage],
             merged: Mapping[str, str], sections: frozenset[str] = DEFAULT_SECTIONS
             ) -> tuple[list[Party], list[Party], list[Party], dict[str, str]]:
    """The persons, organisations and accounts the findings shown and the chain rest on
    (with their facts when the report holds them); the persons the case marks besides them
    (for their annex, when chosen); every name by entity id."""
    in_findings: dict[str, list[str]] = {}
    for item in items:
        for entity_id, _ in item.entities:
            in_findings.setdefault(entity_id, []).append(item.number)
    evidence_ids = {i for item in shown for i, _ in item.entities}
    evidence_ids |= {merged.get(i, i) for s in stages for i in s.entity_ids}
    marked = {merged.get(i, i) for i in roles} - evidence_ids - set(in_findings)
    wanted = evidence_ids | set(in_findings) | (marked if "others" in sections else set())
    found = {p.id or "": p for p in ws.entities.by_id(case, sorted(wanted))} if wanted else {}
    owners: dict[str, list[str]] = {}  # account id -> owner ids
    held: dict[str, list[str]] = {}  # owner id -> account ids
    accounts_found = [p for p in found.values() if p.schema.is_a("BankAccount")]
    if accounts_found:
        for holding in holdings([*accounts_found, *ws.entities.list(case, ["Ownership"])]):
            owners.setdefault(holding.account_id, []).append(holding.owner_id)
            held.setdefault(holding.owner_id, []).append(holding.account_id)
    more = {o for os in owners.values() for o in os} - set(found)
    if more:
        found.update((p.id or "", p) for p in ws.entities.by_id(case, sorted(more)))
    names = {i: _name(p) for i, p in found.items()}

    parties: list[Party] = []
    accounts: list[Party] = []
    others: list[Party] = []
    for entity_id, proxy in found.items():
        party = Party(id=entity_id, name=names[entity_id], schema=proxy.schema.name,
                      role=roles.get(entity_id), findings=in_findings.get(entity_id, []))
        if proxy.schema.is_a("BankAccount"):
            party.holder_ids = owners.get(entity_id, [])
            party.holders = [names.get(o, o) for o in party.holder_ids]
            accounts.append(party)
        elif proxy.schema.name in PARTY_SCHEMATA or party.role:
            party.accounts = [names.get(a, a) for a in held.get(entity_id, [])]
            for a in held.get(entity_id, []):
                party.findings += [n for n in in_findings.get(a, []) if n not in party.findings]
            (others if entity_id in marked else parties).append(party)
    parties.sort(key=lambda p: (p.role is None, p.role or "", -len(p.findings), p.name))
    accounts.sort(key=lambda p: (-len(p.findings), p.name))
    others.sort(key=lambda p: (p.role or "", p.name))
    if "facts" in sections:
        for party in (parties + accounts)[:MAX_PARTIES]:
            party.facts = _facts(ws, case, party.id)
    return parties, accounts, others, names


def _name(proxy: EntityProxy) -> str:
    for prop in ("name", "iban", "accountNumber", "title"):
        if prop in proxy.schema.properties and proxy.first(prop):
            return str(proxy.first(prop))
    return str(proxy.caption or proxy.id)


def _facts(ws: Workspace, case: str, entity_id: str) -> list[Fact]:
    """The entity's values, each with the files and lines it was read from."""
    view = ws.entities.get(case, entity_id)
    props = view.entity.schema.properties
    facts: dict[tuple[str, str], Fact] = {}
    for row in view.statements:
        if row["prop"] == "id" or row["prop_type"] == "entity":
            continue
        key = (row["prop"], str(row["value"]))
        fact = facts.get(key)
        if fact is None:
            prop = props.get(row["prop"])
            fact = facts[key] = Fact(prop=row["prop"], value=key[1],
                                     label=prop.label if prop else row["prop"])
        place = (row["source_id"], row.get("locator"))
        if place not in fact.places:
            fact.places.append(place)
    return list(facts.values())
