"""Proceeds estimate, per case and per account holder, with the method and transactions shown.

Three methods (docs/domain.md#proceeds, for confiscation):

- **client volume × price**: client payments seen in the accounts (R1 small payments, R11
  processor settlements of card takings, R4 cash deposited) — the number of payments times
  their median price, and the sums;
- **wages withheld**: wages paid into a controller's account (R2), the part of wages handed
  on at once (R3) and recruitment fees (R8);
- **source and application of funds**: for each account the flagged money ends up in, what
  came in from flagged flows and from identifiable lawful income, and where it went.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from veriga.finance.analyze import VERSION, Result
from veriga.finance.detectors import FATF, OSCE
from veriga.findings import N_, Evidence, Finding, Key, Text, eur, joined, nested
from veriga.model.ids import account_id

ZERO = Decimal(0)
CENT = Decimal("0.01")
VOLUME, WAGES = N_("client volume × price"), N_("wages withheld")
# (method, detector, credits +1 or debits -1 of its transactions, what the line is)
LINES = (
    (VOLUME, "R1", +1, N_("client payments into collecting accounts (R1)")),
    (VOLUME, "R11", +1, N_("card takings settled by payment processors (R11)")),
    (VOLUME, "R4", +1, N_("cash deposited by funnel accounts (R4)")),
    (WAGES, "R2", +1, N_("wages paid into a controller's account (R2)")),
    (WAGES, "R8", +1, N_("recruitment fees (R8)")),
    (WAGES, "R3", -1, N_("wages handed on to a third party within days (R3)")),
)


@dataclass
class Line:
    """One figure of the estimate and the transactions it sums."""

    method: str
    label: str
    amount: Decimal
    count: int
    record_ids: list[str] = field(default_factory=list)
    detail: str = ""
    detail_text: Text | None = None  # ``detail``, translatable


@dataclass
class Holder:
    """Source and application of funds of one account the flagged money reaches."""

    account: str
    holder: str | None
    flagged_in: Decimal = ZERO
    passed_on: Decimal = ZERO  # to other flagged accounts
    record_ids: list[str] = field(default_factory=list)

    @property
    def retained(self) -> Decimal:
        return self.flagged_in - self.passed_on


@dataclass
class Estimate:
    lines: list[Line] = field(default_factory=list)
    holders: list[Holder] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def _sum(rows: list[dict], sign: int) -> tuple[Decimal, list[dict]]:
    picked = [r for r in rows if r["eur"] is not None and (r["eur"] > 0) == (sign > 0)]
    return sum((abs(Decimal(r["eur"])) for r in picked), ZERO), picked


def estimate(result: Result, holders: dict[str, str] | None = None,
             min_score: float = 0.5) -> Estimate:
    """The estimate from one analysis run's findings scoring at least ``min_score``."""
    holders = holders or {}
    est = Estimate()
    strong: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        if f.score >= min_score:
            strong[f.kind].append(f)

    def rows_of(kind: str) -> list[dict]:
        out: dict[str, dict] = {}
        for f in strong.get(kind, []):
            for row in result.group_of[f.id].rows:
                out[row["record_id"]] = row
        return list(out.values())

    for method, kind, sign, label in LINES:
        total, rows = _sum(rows_of(kind), sign)
        if not rows:
            continue
        detail = None
        if kind == "R1":
            price = Decimal(median(abs(Decimal(r["eur"])) for r in rows)).quantize(CENT)
            detail = Text(N_("%(n)s payments × median price %(price)s = %(product)s; summed "
                             "exactly: %(total)s"),
                          {"n": len(rows), "price": eur(price), "product": eur(price * len(rows)),
                           "total": eur(total)})
        est.lines.append(Line(method, label, total, len(rows), [r["record_id"] for r in rows],
                              str(detail) if detail else "", detail))
    est.holders = _application(result, strong, holders)
    return est


def _application(result: Result, strong: dict[str, list[Finding]],
                 holders: dict[str, str]) -> list[Holder]:
    """Per account: flagged money in, passed on to other flagged accounts, retained."""
    ids: set[str] = set()
    for findings in strong.values():
        for f in findings:
            ids.update(f.evidence.record_ids)
    rows = [result.records[i] for i in ids if i in result.records]
    flagged_accounts = {r["account"] for r in rows}
    by_account: dict[str, Holder] = {}
    for r in rows:
        if r["eur"] is None:
            continue
        h = by_account.get(r["account"])
        if h is None:
            h = by_account[r["account"]] = Holder(r["account"], holders.get(r["account"]))
        amount = Decimal(r["eur"])
        if amount > 0:
            h.flagged_in += amount
            h.record_ids.append(r["record_id"])
        elif r["cp_account"] in flagged_accounts:
            h.passed_on += -amount
            h.record_ids.append(r["record_id"])
    out = [h for h in by_account.values() if h.retained > 0]
    return sorted(out, key=lambda h: (-h.retained, h.account))


def as_findings(est: Estimate, result: Result, top: int = 10) -> list[Finding]:
    """The estimate as Findings: one for the case, one per account retaining most."""
    if not est.lines:
        return []
    by_method: dict[str, Decimal] = defaultdict(Decimal)
    for line in est.lines:
        by_method[line.method] += line.amount
    parts = [nested(Text(N_("%(label)s: %(amount)s in %(n)s transactions (%(detail)s)")
                         if line.detail_text else N_("%(label)s: %(amount)s in %(n)s transactions"),
                         {"label": nested(Text(line.label)), "amount": eur(line.amount),
                          "n": line.count, "detail": nested(line.detail_text)}
                         if line.detail_text else
                         {"label": nested(Text(line.label)), "amount": eur(line.amount),
                          "n": line.count}))
             for line in est.lines]
    methods = [nested(Text("%(method)s %(amount)s", {"method": nested(Text(k)),
                                                       "amount": eur(v)}))
               for k, v in by_method.items()]
    ids = sorted({i for line in est.lines for i in line.record_ids})
    text = Text(N_("Estimated criminal proceeds seen in the bank data: %(total)s (%(methods)s). "
                   "%(parts)s. Cash never banked and payments outside these accounts are not "
                   "included, so this is a lower bound."),
                {"total": eur(est.total), "methods": joined(methods, ", "),
                 "parts": joined(parts, "; ")})
    out = [Finding(
        kind="proceeds", score=0.8, title=N_("Proceeds estimate for the case"),
        explanation=str(text), message=text,
        evidence=_evidence(ids, result), detector="veriga.finance.proceeds",
        detector_version=VERSION, citation=f"{FATF}; {OSCE}")]
    for h in est.holders[:top]:
        who = f"{h.holder} ({h.account})" if h.holder else h.account
        title = Text(N_("Proceeds retained by %(who)s: %(amount)s"),
                     {"who": who, "amount": eur(h.retained)})
        text = Text(N_("Source and application of funds of %(who)s: %(came_in)s came in through "
                       "flagged flows, %(passed)s was passed on to other flagged accounts, "
                       "%(retained)s stayed or was spent from here."),
                    {"who": who, "came_in": eur(h.flagged_in), "passed": eur(h.passed_on),
                     "retained": eur(h.retained)})
        out.append(Finding(
            kind="proceeds", score=0.7, title=str(title), title_message=title,
            explanation=str(text), message=text,
            evidence=_evidence(sorted(h.record_ids), result, extra=[h.account]),
            detector="veriga.finance.proceeds", detector_version=VERSION,
            citation=f"{FATF}; {OSCE}"))
    return out


def _evidence(ids: list[str], result: Result, extra: list[str] | None = None) -> Evidence:
    rows = [result.records[i] for i in ids if i in result.records]
    accounts = sorted({r["account"] for r in rows} | set(extra or ()))
    return Evidence(entity_ids=[account_id(a) for a in accounts],
                    source_ids=sorted({r["source_id"] for r in rows}), record_ids=ids,
                    keys=[Key("iban", a) for a in accounts])
