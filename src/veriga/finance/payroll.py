"""R13: payroll far below headcount, from posted-worker declarations and payroll records.

Employments (for example A1 declarations imported as FtM ``Employment``) say how many workers
a company employs each month; payroll ``Payment`` entities say how many it paid. Companies
are matched on their registration number, since the two registers are separate files. Only
the months the case's payroll records cover are compared: outside them the payroll is unknown,
not empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from followthemoney import EntityProxy

from veriga.finance.analyze import VERSION
from veriga.finance.detectors import FATF, FINCEN20
from veriga.finance.params import Params
from veriga.findings import N_, Evidence, Finding, Key, Text, pct


def _months(start: str | None, end: str | None) -> list[str]:
    if not start:
        return []
    a = date.fromisoformat(start[:10])
    b = date.fromisoformat(end[:10]) if end else a
    out: list[str] = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month) and len(out) < 240:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def payroll_gap(entities: Iterable[EntityProxy], params: Params | None = None) -> list[Finding]:
    """One finding per company whose payroll lists far fewer people than it employs."""
    q = (params or Params()).r13
    by_id: dict[str, EntityProxy] = {}
    employments: list[EntityProxy] = []
    payments: list[EntityProxy] = []
    for e in entities:
        if e.id is not None:
            by_id[e.id] = e
        if e.schema.is_a("Employment"):
            employments.append(e)
        elif e.schema.is_a("Payment"):
            payments.append(e)

    def company(entity_id: str | None) -> EntityProxy | None:
        return by_id.get(entity_id or "")

    def regno(entity_id: str | None) -> str | None:
        found = company(entity_id)
        return found.first("registrationNumber") if found is not None else None

    posted: dict[tuple[str, str], set[str]] = defaultdict(set)
    refs: dict[str, set[str | None]] = defaultdict(set)
    names: dict[str, str] = {}
    for emp in employments:
        employer = company(emp.first("employer"))
        reg = employer.first("registrationNumber") if employer is not None else None
        worker = emp.first("employee")
        if employer is None or not reg or not worker:
            continue
        names.setdefault(reg, employer.first("name") or reg)
        refs[reg].update([emp.id, employer.id])
        for month in _months(emp.first("startDate"), emp.first("endDate")):
            posted[(reg, month)].add(worker)
    paid: dict[tuple[str, str], set[str]] = defaultdict(set)
    covered: set[str] = set()  # months any company's payroll of the case was paid in
    for pay in payments:
        reg = regno(pay.first("payer"))
        day = pay.first("date")
        payee = pay.first("beneficiary") or pay.id
        if reg and day:
            covered.add(day[:7])
        if reg and day and payee and (reg, day[:7]) in posted:
            paid[(reg, day[:7])].add(payee)
            refs[reg].update([pay.id, pay.first("payer")])
    # A posting declared for months the case holds no payroll of at all (a declaration
    # back-dated by years, or running into the future) says nothing about the payroll.
    first, last = (min(covered), max(covered)) if covered else ("", "")
    gaps: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for (reg, month), workers in posted.items():
        if not first <= month <= last:
            continue
        on_payroll = len(paid.get((reg, month), ()))
        if len(workers) >= 3 and on_payroll <= float(q.max_payroll_share) * len(workers):
            gaps[reg].append((month, on_payroll, len(workers)))
    findings = []
    for reg, months in sorted(gaps.items()):
        months.sort()
        listed = sum(m[1] for m in months)
        employed = sum(m[2] for m in months)
        share = listed / employed
        worst = min(months, key=lambda m: m[1] / m[2])
        text = Text(N_(
            "%(name)s (registration number %(reg)s) employed up to %(most)s posted workers, but "
            "in %(months)s month(s) its payroll listed only %(listed)s of %(employed)s "
            "worker-months (%(share)s; fewest in %(worst)s: %(worst_listed)s of "
            "%(worst_employed)s), below the %(max_share)s this analysis accepts. Workers who are "
            "not on the payroll are paid off the books, or not at all."),
            {"name": names[reg], "reg": reg, "most": max(m[2] for m in months),
             "months": len(months), "listed": listed, "employed": employed, "share": pct(share),
             "worst": worst[0], "worst_listed": worst[1], "worst_employed": worst[2],
             "max_share": pct(q.max_payroll_share)})
        findings.append(Finding(
            kind="R13", score=round(min(0.95, 0.55 + 0.4 * (1 - share)), 2), explanation=str(text),
            message=text,
            evidence=Evidence(entity_ids=sorted(i for i in refs[reg] if i),
                              keys=[Key("registration", reg)]),
            detector="veriga.finance.R13", detector_version=VERSION,
            title=N_("Payroll far below headcount"), citation=f"{FINCEN20}; {FATF}"))
    return findings
