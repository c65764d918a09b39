"""Pay below the minimum wage on hand-made payslips of known truth: what is owed follows the
hours a slip pays for, the share of full time and the part of the month the worker was
employed, so that a part-timer or a worker who started mid-month paid the minimum for their
time is not flagged, and a full-timer or a worker doing 280 hours a month paid less is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from labourcase import company, proxy

from veriga import analysis
from veriga.engine import get_engine
from veriga.labour.case import Pay
from veriga.labour.family import FAMILY
from veriga.labour.wages import employed_share, normal_hours, owed

#: Latvia's statutory minimum in 2026 (data/minimum_wages.yml): 780 EUR a month; March 2026
#: has 22 weekdays, 176 normal hours
MARCH = "2026-03"


def _slip(eid: str, firm: str, worker: str, gross: str, *, hours: str | None = None,
          working_time: str | None = None, net: str | None = None) -> Any:
    props: dict[str, Any] = {"payer": firm, "beneficiary": worker, "currency": "EUR",
                             "amount": net or str(Decimal(gross) * Decimal("0.77")),
                             "grossAmount": gross, "date": f"{MARCH}-25", "purpose": MARCH}
    if hours is not None:
        props["hoursWorked"] = hours
    if working_time is not None:
        props["workingTime"] = working_time
    return proxy("Payslip", eid, **props)


def _flagged(ents: list[Any]) -> set[str]:
    engine = get_engine("duckdb")
    try:
        params = FAMILY.params().override({"workers": {"min_months": 1}}, "test")
        run = FAMILY.run(analysis.Inputs("t", engine, lambda s: ents), params)
    finally:
        engine.close()
    return {k.value for f in run.findings if f.kind == "labour.below_min_wage"
            and f.score >= run.flag_score for k in f.evidence.keys if k.type == "registration"}


def _firm(key: str, reg: str, country: str = "LV") -> Any:
    return company(key, reg, country, f"{key.title()} Firm")


def test_pay_is_compared_with_the_minimum_for_the_time_worked() -> None:
    ents = [_firm("part", "40010000001"), _firm("fte", "40010000002"),
            _firm("full", "40010000003"), _firm("long", "40010000004"),
            _firm("fair", "40010000005")]
    for w in ("p", "f", "u", "l", "r"):
        ents.append(proxy("Person", w, name=f"Worker {w.upper()}orov"))
    ents += [
        _slip("s-p", "part", "p", "390.00", hours="88"),  # half of 176 hours at the minimum
        _slip("s-f", "fte", "f", "400.00", working_time="0.5"),  # half time, above half
        _slip("s-u", "full", "u", "600.00", hours="176"),  # a full month at 600 EUR
        _slip("s-l", "long", "l", "900.00", hours="280"),  # 280 hours: 1,241 EUR owed
        _slip("s-r", "fair", "r", "800.00", hours="176"),  # a full month above the minimum
    ]
    assert _flagged(ents) == {"40010000003", "40010000004"}


def test_a_worker_who_started_mid_month_is_owed_only_that_part() -> None:
    """Two Bulgarian firms post a worker each to Latvia and pay 400 EUR gross for March with
    no hours on the slip: one worker was hired and posted on 17 March (15 of 31 days, 377 EUR
    owed), the other on 1 March (780 EUR owed)."""
    ents = [_firm("site", "40010000009"), _firm("late", "201000001", "BG"),
            _firm("early", "201000002", "BG")]
    for firm, start in (("late", "2026-03-17"), ("early", "2026-03-01")):
        worker = f"w-{firm}"
        ents += [proxy("Person", worker, name=f"Ivan {firm.title()}ov"),
                 proxy("PostingDeclaration", f"a1-{firm}", employer=firm, employee=worker,
                       startDate=start, endDate="2026-06-30", employedSince=start),
                 proxy("UnknownLink", f"post-{firm}", subject=worker, object="site",
                       role="Riga"),
                 _slip(f"s-{firm}", firm, worker, "400.00")]
    assert _flagged(ents) == {"201000002"}


def test_what_a_slip_owes() -> None:
    assert normal_hours(MARCH, 40) == Decimal(176)
    assert normal_hours("2026-02", 40) == Decimal(160)
    assert employed_share(MARCH, [(date(2026, 3, 17), None)]) == Decimal(15) / 31
    assert employed_share(MARCH, []) == 1
    assert employed_share(MARCH, [(date(2025, 1, 1), date(2026, 2, 28))]) == 0

    def pay(**kw: Any) -> Pay:
        return Pay("s", "LV:1", "w", "w", MARCH, Decimal(500), **kw)

    kw = {"week_hours": 40, "gross_share": 0.9, "net_share": 0.7}
    due = owed(pay(gross=Decimal(900), hours=Decimal(264)), "LV", False, [], **kw)
    assert due is not None and due.due == Decimal(1170) and due.paid == 900
    # a posted worker's housing and transport are the employer's costs: taken off the pay
    due = owed(pay(gross=Decimal(900), housing=Decimal(250)), "LV", True, [], **kw)
    assert due is not None and due.paid == 650 and due.due == 780
    # a net alone is compared with its own share; before the deductions for a worker at home
    due = owed(pay(housing=Decimal(100)), "LV", False, [], **kw)
    assert due is not None and due.paid == 600 and due.share == 0.7
    assert owed(pay(gross=Decimal(1)), "FI", False, [], **kw) is None, "no statutory minimum"
