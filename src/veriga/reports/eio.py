"""A European Investigation Order drafted from a money trace that ends abroad.

:func:`draft_eio` follows the money forward from an account of the case (the trace of
:mod:`veriga.finance.trace`), keeps the accounts where it ended in another State, and for each
executing State gathers what Annex A of Directive 2014/41/EU asks for: the measures (bank
account information, Art. 26, and banking operations over the period, Art. 27), the persons
concerned (the start account's holder as the case knows them, the holders abroad as the
payments name them), the facts, the offences with the findings a person confirmed, and the
accounts and payments. :func:`write_docx` and :func:`write_pdf` write it as an editable
document, its headings in the issuing and executing States' languages where Veriga has them
(:data:`LANGUAGE_OF`); what only the issuing authority can state is left marked for it.
Everything is gathered through the workspace (checked and audited).
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from veriga.access.policy import Op
from veriga.errors import VerigaError
from veriga.finance.trace import Hop, trace
from veriga.findings import ReviewState
from veriga.model.normalize import country_of

if TYPE_CHECKING:
    from veriga.workspace import Workspace

#: The language of a State's documents, where Veriga speaks it (else English).
LANGUAGE_OF = {"BG": "bg", "LV": "lv", "EE": "et", "FI": "fi"}
LANGUAGES = ("en", "bg", "lv", "et", "fi")
#: Finding kinds that speak of laundering rather than of exploitation itself.
LAUNDERING = ("R4", "R5", "R6", "R10", "R12", "shape.")
#: Payments listed per executing State (the rest is counted).
MAX_PAYMENTS = 200


@cache
def labels() -> dict[str, dict[str, str]]:
    path = Path(__file__).with_name("eio_labels.yml")
    data: dict[str, dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@dataclass
class Person:
    name: str
    role: str  # "start" | "abroad"
    birth_date: str = ""
    nationality: str = ""
    identifiers: list[str] = field(default_factory=list)


@dataclass
class Account:
    number: str
    holder: str
    traced: Decimal
    first: date
    last: date


@dataclass
class Draft:
    """One EIO: what a trace from ``start`` found in ``executing``."""

    case: str
    issuing: str
    executing: str
    start: str
    start_holder: Person | None
    hops: int
    accounts: list[Account]
    persons: list[Person]
    payments: list[Hop]
    payments_left_out: int
    findings: list[tuple[str, str, str]]  # kind, title, explanation (English)
    offences: list[str]  # label keys
    prepared_by: str
    organisation: str
    prepared_at: datetime

    @property
    def total(self) -> Decimal:
        return sum((a.traced for a in self.accounts), Decimal(0))

    @property
    def first(self) -> date:
        return min(a.first for a in self.accounts)

    @property
    def last(self) -> date:
        return max(a.last for a in self.accounts)

    def languages(self) -> list[str]:
        """The document's languages: the issuing State's, then the executing State's."""
        return list(dict.fromkeys((LANGUAGE_OF.get(self.issuing, "en"),
                                   LANGUAGE_OF.get(self.executing, "en"))))


def draft_eio(ws: Workspace, case: str, account: str, *, executing: str | None = None,
              issuing: str | None = None, hops: int = 4, engine: str = "duckdb"
              ) -> list[Draft]:
    """One draft per State (or only ``executing``) where money traced forward from
    ``account`` ended; an error when it ended in none."""
    ws.cases.check(case, Op.EXPORT)  # the draft leaves the tool: who may export may draft
    account = "".join(account.split()).upper()
    issuing = (issuing or country_of(account) or "").upper()
    if not issuing:
        raise VerigaError(f"the issuing State cannot be read from {account}: give it "
                          "(--issuing-state LV)")
    led = ws.records.ledger(case, engine)
    try:
        result = trace(led.engine, account, "forward", hops)
        owners = dict(led.owners)
        names = _payee_names(led.engine, [h.record_id for h in result.hops if not h.followed])
    finally:
        led.close()
    if not result.hops:
        raise VerigaError(f"no payments from {account} in case {case!r} (is its statement "
                          "imported?)")
    ends: dict[str, list[Hop]] = defaultdict(list)
    for h in result.hops:
        state = (h.country or "").upper()
        if not h.followed and state and state != issuing and h.target != account:
            ends[state].append(h)
    if executing:
        ends = {executing.upper(): ends.get(executing.upper(), [])}
    ends = {s: hs for s, hs in ends.items() if hs}
    if not ends:
        where = f" in {executing.upper()}" if executing else " in another State"
        raise VerigaError(f"the money traced from {account} over {hops} hops ended nowhere"
                          f"{where}: there is no account abroad to ask about")
    start_holder = _start_holder(ws, case, owners.get(account))
    findings = _findings(ws, case, account, {h.target for hs in ends.values() for h in hs})
    user = ws.user
    org = next((o["name"] for o in ws.directory.orgs()
                if user and o["id"] == user.org_id), "")
    drafts = []
    for state, hs in sorted(ends.items()):
        accounts = _accounts(hs, names)
        persons = ([start_holder] if start_holder else []) + [
            Person(a.holder, "abroad") for a in accounts if a.holder]
        kinds = {k for k, _, _ in findings}
        offences = ["offence_thb"] + (["offence_laundering"] if any(
            k.startswith(LAUNDERING) for k in kinds) or hops > 1 else [])
        ordered = sorted(hs, key=lambda h: (h.day, h.target))
        drafts.append(Draft(
            case=case, issuing=issuing, executing=state, start=account,
            start_holder=start_holder, hops=max(h.hop for h in hs), accounts=accounts,
            persons=_unique(persons), payments=ordered[:MAX_PAYMENTS],
            payments_left_out=max(0, len(ordered) - MAX_PAYMENTS), findings=findings,
            offences=offences, prepared_by=(user.display_name or user.username) if user
            else ws.actor, organisation=org, prepared_at=datetime.now(UTC)))
    return drafts


def _payee_names(engine: Any, record_ids: list[str]) -> dict[str, str]:
    """The payee's name as each payment wrote it (record id -> name)."""
    if not record_ids:
        return {}
    listed = ", ".join("'" + r.replace("'", "''") + "'" for r in sorted(set(record_ids)))
    table = engine.query("SELECT record_id, cp_name FROM ledger "
                         f"WHERE record_id IN ({listed}) AND cp_name IS NOT NULL")
    return {r["record_id"]: r["cp_name"] for r in table.to_pylist()}


def _accounts(hops: list[Hop], names: dict[str, str]) -> list[Account]:
    by: dict[str, list[Hop]] = defaultdict(list)
    for h in hops:
        by[h.target].append(h)
    out = []
    for number, hs in by.items():
        named = [names[h.record_id] for h in hs if h.record_id in names]
        holder = max(set(named), key=named.count) if named else ""
        out.append(Account(number, holder, sum((h.attributed for h in hs), Decimal(0)),
                           min(h.day for h in hs), max(h.day for h in hs)))
    return sorted(out, key=lambda a: (-a.traced, a.number))


def _start_holder(ws: Workspace, case: str, entity_id: str | None) -> Person | None:
    if not entity_id:
        return None
    try:
        [proxy] = ws.entities.by_id(case, [entity_id])
    except (ValueError, VerigaError):
        return None
    ids = [f"{p}: {v}" for p in ("idNumber", "passportNumber", "taxNumber",
                                 "registrationNumber") for v in proxy.get(p, quiet=True)]
    return Person(proxy.caption, "start", ", ".join(proxy.get("birthDate", quiet=True)),
                  ", ".join(c.upper() for c in proxy.get("nationality", quiet=True)
                            + proxy.get("citizenship", quiet=True)), ids)


def _findings(ws: Workspace, case: str, start: str, ends: set[str]
              ) -> list[tuple[str, str, str]]:
    """Confirmed findings that rest on the start account or an account abroad."""
    wanted = {start} | ends
    out = []
    for f in ws.findings.list(case):
        if f.review.state is not ReviewState.CONFIRMED:
            continue
        if wanted & {k.value for k in f.evidence.keys if k.type == "iban"}:
            out.append((f.kind, f.title, f.explanation))
    return out


def _unique(persons: list[Person]) -> list[Person]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in persons:
        if (p.name, p.role) not in seen:
            seen.add((p.name, p.role))
            out.append(p)
    return out


# -- writing -----------------------------------------------------------------------------------


def label(key: str, langs: list[str], **values: Any) -> str:
    """A heading in each of ``langs``, joined by `` / ``."""
    texts = []
    for lang in langs:
        text = labels()[key].get(lang) or labels()[key]["en"]
        texts.append(text % values if values else text)
    return " / ".join(dict.fromkeys(texts))


def _eur(value: Decimal) -> str:
    return f"{value:,.2f}"


def _facts(d: Draft, langs: list[str]) -> str:
    parts = []
    for lang in langs:
        holder = labels()["held_by"][lang] % {"name": d.start_holder.name} \
            if d.start_holder else ""
        parts.append(labels()["facts_text"][lang] % {
            "first": d.first.isoformat(), "last": d.last.isoformat(), "total": _eur(d.total),
            "start": d.start, "holder": holder, "hops": d.hops, "n": len(d.accounts)})
    return "\n\n".join(dict.fromkeys(parts))


def sections(d: Draft) -> list[tuple[str, list[Any]]]:
    """The document as (heading, blocks): a block is a paragraph (str) or a table
    (list of rows, the first its header)."""
    langs = d.languages()
    persons: list[Any] = [[label("name", langs), label("role", langs),
                           label("birth_date", langs), label("nationality", langs),
                           label("identifiers", langs)]]
    for p in d.persons:
        persons.append([p.name, label("role_start" if p.role == "start" else "role_abroad",
                                      langs), p.birth_date, p.nationality,
                        ", ".join(p.identifiers)])
    accounts: list[Any] = [[label("account", langs), label("holder", langs),
                            label("traced", langs), label("period", langs)]]
    for a in d.accounts:
        accounts.append([a.number, a.holder, _eur(a.traced),
                         f"{a.first.isoformat()} – {a.last.isoformat()}"])
    payments: list[Any] = [[label("date", langs), label("from", langs),
                            label("account", langs), label("amount", langs),
                            label("reference", langs)]]
    for h in d.payments:
        payments.append([h.day.isoformat(), h.source, h.target, _eur(h.attributed),
                         h.ref or ""])
    found: list[Any] = [f"{kind}: {title}. {text}" for kind, title, text in d.findings]
    return [
        (label("section_a", langs), [
            f"{label('issuing_state', langs)}: {d.issuing}",
            f"{label('executing_state', langs)}: {d.executing}"]),
        (label("section_c", langs), [label("measure_accounts", langs),
                                     label("measure_operations", langs)
                                     + f": {d.first.isoformat()} – {d.last.isoformat()}"]),
        (label("section_e", langs), [persons]),
        (label("section_g", langs), [
            label("facts", langs), _facts(d, langs), label("offences", langs),
            *[label(k, langs) for k in d.offences], label("statutory", langs),
            *([label("findings", langs), *found] if found else [])]),
        (label("section_h", langs), [
            label("accounts_why", langs), accounts, label("payments", langs), payments,
            *([f"+ {d.payments_left_out}"] if d.payments_left_out else [])]),
        (label("section_k", langs), [
            f"{label('prepared_by', langs)}: {d.prepared_by}, {d.organisation}, "
            f"{d.prepared_at.date().isoformat()}", label("to_complete", langs)]),
    ]


@dataclass(frozen=True)
class Document:
    """A drafted request as the writers take it: title key, languages, sections."""

    title: str  # a label key
    note: str  # a label key
    langs: list[str]
    sections: list[tuple[str, list[Any]]]
    author: str


def document(d: Draft) -> Document:
    return Document("title", "draft_note", d.languages(), sections(d), d.prepared_by)


def write_docx(doc: Document, path: Path) -> None:
    """The draft as a Word document the issuing authority edits and signs."""
    from docx import Document as Docx  # imported here: only drafting needs it

    out = Docx()
    out.add_heading(label(doc.title, doc.langs), level=0)
    out.add_paragraph().add_run(label(doc.note, doc.langs)).italic = True
    for heading, blocks in doc.sections:
        out.add_heading(heading, level=1)
        for block in blocks:
            if isinstance(block, str):
                for para in block.split("\n\n"):
                    out.add_paragraph(para)
                continue
            table = out.add_table(rows=len(block), cols=len(block[0]))
            table.style = "Table Grid"
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = str(value)
    out.core_properties.title = label(doc.title, doc.langs)
    out.core_properties.author = doc.author
    out.save(str(path))


def render_html(doc: Document) -> str:
    out = ['<!doctype html><html><head><meta charset="utf-8"><style>',
           "body{font-family:sans-serif;font-size:10pt}table{border-collapse:collapse;"
           "width:100%;margin:6pt 0}td,th{border:1px solid #999;padding:3pt;text-align:left;"
           "vertical-align:top;font-size:9pt}h1{font-size:16pt}h2{font-size:12pt;"
           "margin-top:14pt}.note{font-style:italic}</style></head><body>",
           f"<h1>{html.escape(label(doc.title, doc.langs))}</h1>",
           f"<p class=note>{html.escape(label(doc.note, doc.langs))}</p>"]
    for heading, blocks in doc.sections:
        out.append(f"<h2>{html.escape(heading)}</h2>")
        for block in blocks:
            if isinstance(block, str):
                out.extend(f"<p>{html.escape(p)}</p>" for p in block.split("\n\n"))
                continue
            out.append("<table>")
            for r, row in enumerate(block):
                tag = "th" if r == 0 else "td"
                out.append("<tr>" + "".join(f"<{tag}>{html.escape(str(v))}</{tag}>"
                                            for v in row) + "</tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "".join(out)


def write_pdf(doc: Document, path: Path) -> None:
    from weasyprint import HTML

    from veriga.reports.render import _no_fetch

    HTML(string=render_html(doc), url_fetcher=_no_fetch).write_pdf(str(path))


def write(doc: Document, path: Path) -> None:
    """``.docx`` (to edit) or ``.pdf``, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        write_docx(doc, path)
    elif suffix == ".pdf":
        write_pdf(doc, path)
    else:
        raise VerigaError(f"{path.name}: write the draft as .docx (to edit) or .pdf")


def save(ws: Workspace, d: Draft, path: Path) -> None:
    """Write the draft (``.docx`` or ``.pdf``, by the file's suffix) and audit it."""
    write(document(d), path)
    case_id = ws.cases.get(d.case)["id"]
    with ws.store.begin() as conn:
        ws.write_audit(conn, "request.eio", case_id, target=path.name,
                       executing_state=d.executing, start=d.start,
                       accounts=[a.number for a in d.accounts], persons=len(d.persons))
