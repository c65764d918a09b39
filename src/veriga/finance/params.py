"""Thresholds of the financial analyses, with documented defaults.

Every default is a starting point an analyst can change (``veriga analyze --params FILE.yml``
with a mapping ``detector: {name: value}``); the value in force is written into each finding's
explanation so a reader sees what "many" or "most" meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

# Main countries of origin of THB victims identified in the EU (Eurostat, Europol); used for
# "remittances to origin countries" (R9).
ORIGIN_COUNTRIES = ("AL", "BG", "BY", "CN", "MD", "MK", "NG", "PH", "RO", "RS", "TH", "UA",
                    "UZ", "VN", "KG", "TJ")


@dataclass(frozen=True)
class Common:
    pass_window_days: int = 2  # "moved on" means debited within this many days of the credit
    flag_score: float = 0.5  # findings at or above this score are "flagged" (below: "watch")


@dataclass(frozen=True)
class R1:
    max_payment: Decimal = Decimal("300")  # a single client payment is at most this (EUR)
    min_payers: int = 10  # distinct payers in the whole period
    min_per_month: int = 20  # small credits per active month


@dataclass(frozen=True)
class R2:
    min_wages: int = 3  # wage credits from one payer in one month into one account


@dataclass(frozen=True)
class R3:
    min_wage: Decimal = Decimal("300")  # a wage credit is at least this (EUR)
    min_share: Decimal = Decimal("0.5")  # more than this share of the wage goes on
    within_days: int = 2  # passed on within this many days of the wage


@dataclass(frozen=True)
class R4:
    min_deposits: int = 5  # cash deposits into the account in the period
    min_forwarded: Decimal = Decimal("0.7")  # share of deposited cash sent on by transfer


@dataclass(frozen=True)
class R5:
    threshold: Decimal = Decimal("10000")  # cash reporting threshold (EU 2024/1624: 10,000)
    near: Decimal = Decimal("0.8")  # "just below" = at least this share of the threshold
    split_threshold: Decimal = Decimal("5000")  # splitting: cash summing above this...
    split_window_days: int = 15  # ...within this many days either side, each below it...
    split_min_amount: Decimal = Decimal("500")  # ...and each at least this (not pocket money)
    min_count: int = 2  # repeated: at least this many such cash transactions


@dataclass(frozen=True)
class R6:
    # words of ad sites in payment texts
    ad_words: tuple[str, ...] = ("ADS", "ADVERT", "ESCORT", "NIGHTLIST", "ONLYFANS")
    # words of lodging in payment texts
    lodging_words: tuple[str, ...] = ("AIRBNB", "BOOKING.COM", "HOTEL", "HOSTEL", "MOTEL",
                                      "APARTMENTS")
    # words of carriers and tickets in payment texts
    ticket_words: tuple[str, ...] = ("TICKET", "ECOLINES", "FLIXBUS", "LUX EXPRESS", "TALLINK",
                                     "VIKING LINE", "AIRBALTIC", "RYANAIR", "WIZZ")
    min_kinds: int = 2  # at least this many of: ad sites, lodging in several cities, tickets
    min_lodging_cities: int = 2  # lodging paid in at least this many cities


@dataclass(frozen=True)
class R7:
    # words of rent and lodging in payment texts
    rent_words: tuple[str, ...] = ("RENT", "ĪRE", "IRE ", "ÜÜR", "VUOKRA", "HOSTEL", "DORM",
                                   "ACCOMMODATION", "FLAT", "APARTMENT", "BEDS", "НАЕМ", "АРЕНДА")
    min_payees: int = 3  # landlords paid in one month: own home plus at least two more
    # a text naming several beds or persons
    beds_pattern: str = r"[0-9]+ *(BEDS|PERSONS|WORKERS|GULTAS|VOODIT|KOHTA)"


@dataclass(frozen=True)
class R8:
    min_payers: int = 8  # distinct payers paying at most max_payments times...
    max_payments: int = 2  # (a fee paid once, or in two instalments)
    window_days: int = 30  # ...within this many days
    min_amount: Decimal = Decimal("250")  # a fee: more than the price of a single service
    max_amount: Decimal = Decimal("3000")  # a fee: at most this (EUR)


@dataclass(frozen=True)
class R9:
    origin_countries: tuple[str, ...] = ORIGIN_COUNTRIES  # countries of origin (IBAN country codes)
    min_per_month: Decimal = Decimal("1.5")  # transfers to origin countries per active month
    min_recipients: int = 2  # distinct recipients in origin countries


@dataclass(frozen=True)
class R10:
    min_cash_share: Decimal = Decimal("0.5")  # cash share of the account's turnover
    min_cash: Decimal = Decimal("10000")  # EUR of cash in the period


@dataclass(frozen=True)
class R11:
    # words of payment processors and payouts
    processor_words: tuple[str, ...] = ("PROCESSING", "PAYOUT", "ACQUIR", "SETTLEMENT",
                                        "STRIPE", "ADYEN", "PAYPAL", "SUMUP", "ZETTLE",
                                        "WORLDLINE", "NEXI")
    # words of crypto exchanges and prepaid cards
    crypto_words: tuple[str, ...] = ("BINANCE", "COINBASE", "KRAKEN", "BITSTAMP", "CRYPTO",
                                     "BITCOIN", "PAYSAFECARD", "NEOSURF", "PREPAID")
    min_count: int = 5  # such transactions at least


@dataclass(frozen=True)
class R12:
    min_pass_share: Decimal = Decimal("0.7")  # share of inflow debited again within the window
    min_inflow: Decimal = Decimal("3000")  # EUR credited in the period at least
    min_credit_days: int = 5  # days with a credit at least
    # an account that empties itself: nearly all inflow out again within a month, by
    # transfer or cash, with (almost) no spending of its own, as a letterbox company's
    long_window_days: int = 31  # the letterbox pattern: inflow out again within this many days
    long_pass_share: Decimal = Decimal("0.9")  # ...at least this share of it
    max_spend_share: Decimal = Decimal("0.05")  # ...with at most this share spent (card, shops)
    min_top2_share: Decimal = Decimal("0.8")  # ...and fed by one or two payers
    # a conduit, such as a front tier of a subcontracting chain: fed by one or two payers
    # (min_top2_share), paying one or two payees, spending nothing of its own
    # (max_spend_share), and paying out within the long window of a credit (long_pass_share
    # of its outflow); it may keep a margin and the VAT it never remits, so only part of
    # the inflow need go on
    min_payee_share: Decimal = Decimal("0.8")  # outflow to the one or two biggest payees
    min_out_share: Decimal = Decimal("0.5")  # outflow / inflow at least


@dataclass(frozen=True)
class R13:
    max_payroll_share: Decimal = Decimal("0.6")  # payroll headcount / posted workers


@dataclass(frozen=True)
class Shapes:
    """The laundering shapes of the AML simulators (IBM AMLSim, AMLworld): fan-in, fan-out,
    cycle, scatter-gather, gather-scatter, bipartite and stack (docs/finance.md)."""

    window_days: int = 7  # a hop (money received, then passed on) within this many days
    min_amount: Decimal = Decimal("500")  # each transfer of a shape carries at least this (EUR)
    min_carried: Decimal = Decimal("0.8")  # each hop carries at least this share onward
    min_branches: int = 2  # scatter-gather: intermediaries between one payer and one payee
    # the transfers of one shape fall within this many days of its first
    spread_days: int = 21
    # amounts of one side of a shape are alike: within this share of one of them
    amount_tolerance: Decimal = Decimal("0.25")
    # ...and those alike transfers are at least this share of the account's one-off
    # transfers that way in the window (a shop's varied takings are not)
    min_alike_share: Decimal = Decimal("0.8")
    min_fan: int = 5  # fan-in, fan-out: counterparties of the one account at least
    min_side: int = 3  # gather-scatter: payers in and payees out at least
    min_partners: int = 2  # bipartite, stack: accounts on each side at least
    max_cycle_length: int = 8  # accounts in a cycle at most (from three)
    # a standing relationship (payroll, rent, a utility bill, a supplier) is no part of a
    # shape: the same payer paid the same payee at least twice this many days apart or more
    recurring_days: int = 25
    # an account paid by more one-off payers than this in the period (or paying more one-off
    # payees) serves the public (a shop): no hub of a fan, no payee of a bipartite or stack
    max_payers: int = 40


@dataclass(frozen=True)
class Params:
    common: Common = field(default_factory=Common)
    r1: R1 = field(default_factory=R1)
    r2: R2 = field(default_factory=R2)
    r3: R3 = field(default_factory=R3)
    r4: R4 = field(default_factory=R4)
    r5: R5 = field(default_factory=R5)
    r6: R6 = field(default_factory=R6)
    r7: R7 = field(default_factory=R7)
    r8: R8 = field(default_factory=R8)
    r9: R9 = field(default_factory=R9)
    r10: R10 = field(default_factory=R10)
    r11: R11 = field(default_factory=R11)
    r12: R12 = field(default_factory=R12)
    r13: R13 = field(default_factory=R13)
    shapes: Shapes = field(default_factory=Shapes)

    @classmethod
    def load(cls, path: Path | None) -> Params:
        """Defaults, overridden by a YAML file ``{r5: {threshold: 15000}, ...}``."""
        params = cls()
        if path is None:
            return params
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of detector: {{name: value}}")
        return params.override(data, str(path))

    def override(self, data: dict[str, Any], where: str = "params") -> Params:
        changes = {}
        for name, values in data.items():
            if not hasattr(self, name):
                raise ValueError(f"{where}: unknown section {name!r}")
            current = getattr(self, name)
            known = {f.name: f for f in fields(current)}
            typed = {}
            for key, value in (values or {}).items():
                if key not in known:
                    raise ValueError(f"{where}: {name} has no setting {key!r} "
                                     f"(known: {', '.join(known)})")
                old = getattr(current, key)
                typed[key] = (Decimal(str(value)) if isinstance(old, Decimal) else
                              tuple(value) if isinstance(old, tuple) else type(old)(value))
            changes[name] = replace(current, **typed)
        return replace(self, **changes)
