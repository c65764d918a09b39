"""What a payslip should have paid at least: the statutory minimum wage of a country and year
(``data/minimum_wages.yml``, sources in docs/domain.md), for the time the slip pays for.

The monthly minimum is for full-time work in a calendar month. A slip that gives its hours is
owed the minimum's hourly rate for each of them, the month's normal hours being its weekdays
times a fifth of the normal week: a part-timer is owed a part, a month of 280 hours more than
the monthly figure (overtime at the basic rate only, so that nothing lawful is flagged). A
slip without hours is owed the minimum times its share of full time, and times the share of
the month the worker was employed by the firm where the case's posting declarations say when
that began or ended (a worker who started on the 20th is owed a third of a month).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources

import yaml

from veriga.labour.case import Pay, Posting


@cache
def minimum_wages() -> dict[str, dict[int, Decimal] | None]:
    """Country -> year -> the statutory monthly minimum (EUR, gross, full time); None for a
    country without a statutory minimum."""
    text = resources.files("veriga.labour").joinpath("data/minimum_wages.yml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)["wages"]
    return {c: ({int(y): Decimal(str(v)) for y, v in years.items()} if years else None)
            for c, years in data.items()}


def minimum(country: str, year: int) -> Decimal | None:
    """The monthly minimum of ``country`` in ``year`` (None: none known or none statutory)."""
    table = minimum_wages().get(country)
    return table.get(year) if table else None


def normal_hours(month: str, week_hours: float) -> Decimal:
    """The normal full-time hours of a month (``YYYY-MM``): its weekdays times a fifth of the
    normal week (public holidays are not taken off, which only lowers what is owed)."""
    year, mon = int(month[:4]), int(month[5:7])
    days = calendar.monthrange(year, mon)[1]
    weekdays = sum(1 for d in range(1, days + 1) if date(year, mon, d).weekday() < 5)
    return Decimal(weekdays) * Decimal(str(week_hours)) / 5


def employed_share(month: str, spans: Sequence[tuple[date | None, date | None]]) -> Decimal:
    """The share of ``month`` within one of ``spans`` (from, to; None: open), 1 without spans:
    the part of the month a worker was employed by the firm."""
    if not spans:
        return Decimal(1)
    year, mon = int(month[:4]), int(month[5:7])
    first = date(year, mon, 1)
    last = date(year, mon, calendar.monthrange(year, mon)[1])
    covered: set[date] = set()
    for start, end in spans:
        lo, hi = max(first, start or first), min(last, end or last)
        covered.update(lo + timedelta(days=i) for i in range((hi - lo).days + 1))
    return Decimal(len(covered)) / Decimal((last - first).days + 1)


@dataclass(frozen=True)
class Due:
    """What a slip paid (``paid``) against what it had to pay at least (``due``)."""

    paid: Decimal
    due: Decimal
    monthly: Decimal  # the full-time monthly minimum
    share: float  # the share of ``due`` below which the slip is flagged
    time: Decimal  # the share of a full-time month the slip pays for
    hours: Decimal | None


def owed(pay: Pay, country: str, posted: bool, spans: Sequence[tuple[date | None, date | None]],
         *, week_hours: float, gross_share: float, net_share: float) -> Due | None:
    """The slip's pay against the minimum of ``country`` for its time (None where no statutory
    minimum is known). A posted worker's pay is counted after the housing and transport
    deductions (the posting's costs are the employer's: Directive 96/71/EC Art. 3(7)); a
    gross is compared with ``gross_share`` of what is due, a net alone with ``net_share``
    (tax and contributions are still to come off a gross)."""
    monthly = minimum(country, int(pay.month[:4]))
    if monthly is None:
        return None
    if pay.hours is not None and pay.hours > 0:
        time = pay.hours / normal_hours(pay.month, week_hours)
    else:
        fte = pay.working_time if pay.working_time and pay.working_time > 0 else Decimal(1)
        time = min(Decimal(1), fte) * employed_share(pay.month, spans)
    taken = pay.housing + pay.transport
    if pay.gross is not None:
        paid, share = (pay.gross - taken if posted else pay.gross), gross_share
    else:
        paid, share = (pay.net if posted else pay.net + taken), net_share
    return Due(paid, monthly * time, monthly, share, time, pay.hours)


def spans_of(postings: Sequence[Posting], firm: str, worker: str
             ) -> list[tuple[date | None, date | None]]:
    """When ``worker`` was employed by ``firm`` as its posting declarations say: from the
    hiring date (else the posting's start) to the posting's end."""
    return [(min(d for d in (x.employed_since, x.start) if d) if x.employed_since or x.start
             else None, x.end) for x in postings if x.sender == firm and x.worker == worker]
