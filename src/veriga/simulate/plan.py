"""What the writers will write besides statements: ads, calls and the smaller record files.

Operations and decoys are few, so their ads and records are planned up front; background
ads, calls and transactions are generated while streaming and never collected here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from veriga.simulate.bookings import MonthBook
from veriga.simulate.ground_truth import GroundTruth
from veriga.simulate.sizes import Size
from veriga.simulate.world import World


@dataclass(slots=True)
class AdPlan:
    when: datetime
    site: str
    category: str
    lang: str
    city: str
    country: str
    phone: str  # E.164
    contact: str
    title: str
    body: str
    price: int
    photos: tuple[str, ...]
    op: str | None
    kind: str  # operation | decoy | lawful
    advertiser: str | None = None  # person or company id
    age: int | None = None
    nationality: str | None = None


@dataclass
class Plan:
    ads: list[AdPlan] = field(default_factory=list)
    bookings: list[dict[str, Any]] = field(default_factory=list)
    a1: list[dict[str, Any]] = field(default_factory=list)
    payroll: list[dict[str, Any]] = field(default_factory=list)
    police: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by country
    ngo: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)  # written month by month


@dataclass
class Ctx:
    """Everything a scenario needs to populate the world and plan its records."""

    world: World
    gt: GroundTruth
    plan: Plan
    size: Size
    seed: int
    rng: random.Random

    def month_rng(self, key: str, month: int) -> random.Random:
        return random.Random(f"{self.seed}:{key}:{month}")


@dataclass
class MonthOut:
    """One month's output of a scenario: bookings of statement accounts, and calls."""

    book: MonthBook
    calls: list[tuple[str, str, datetime, int, str]] = field(default_factory=list)


def days_in(start: date, end: date, first: date, last: date) -> tuple[date, date] | None:
    lo, hi = max(start, first), min(end, last)
    return (lo, hi) if lo <= hi else None
