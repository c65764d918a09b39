"""The labour family's parameters: one section per indicator, each default documented."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from veriga.errors import VerigaError


@dataclass(frozen=True)
class ChainParams:
    max_depth: int = 6  # tiers followed above an employer of workers
    min_value: Decimal = Decimal(10000)  # EUR passed down a chain before it is reported
    min_share_down: float = 0.8  # a tier passing at least this share down keeps a thin margin
    min_leave_share: float = 0.3  # share of the employer's inflow leaving by cash, abroad or
    # to a controller that marks the chain


@dataclass(frozen=True)
class PostingParams:
    min_workers: int = 3  # posted workers of a sending firm before it is assessed
    staff_share: float = 0.9  # posted workers / staff at home at or above which the firm
    # has no real staff in the sending state
    home_turnover_share: float = 0.25  # invoiced at home / all invoiced below which the
    # turnover is made abroad
    hired_before_days: int = 30  # hired fewer days than this before the posting starts
    limit_months: int = 12  # Directive (EU) 2018/957: host terms apply after 12 months
    extended_months: int = 18  # ... or 18 with a notification
    min_criteria: int = 2  # criteria of Art. 4 failed before a firm is flagged


@dataclass(frozen=True)
class FirmParams:
    min_firms_at_address: int = 2  # firms registered at one address
    min_firms_per_director: int = 3  # firms under one director
    short_lived_days: int = 540  # a firm dissolved within this many days is short-lived
    successor_days: int = 120  # a successor founded within this many days of the
    # predecessor's dissolution (before or after)
    large_flow: Decimal = Decimal(10000)  # EUR received by a firm with no employees: a floor
    # against small sums only (what marks the firm is that its filings show no staff and no
    # turnover for the money, and that the money left it); at 50,000 the simulated
    # letterboxes that received 17,000-47,000 EUR in a quarter were missed
    max_wage_share: float = 0.3  # wages paid below this share of what it received: no
    # employees of its own (pay into an account that takes several workers' wages counts
    # for nothing)
    min_gone_share: float = 0.3  # ... and at least this share of it left by cash, abroad or
    # to a controller (where the case has its bank records)
    new_firm_days: int = 180  # a firm this young when it won a large subcontract
    large_contract: Decimal = Decimal(20000)  # EUR: a large subcontract


@dataclass(frozen=True)
class WorkerParams:
    min_fee_payers: int = 3  # workers of one employer among the payers of a fee account
    min_wage_workers: int = 2  # workers of one employer whose wages reach one controller
    max_deduction_share: float = 0.25  # housing and transport deductions above this share
    # of the pay before deductions (ILO C95 Art. 8: only as national law allows)
    net_share: float = 0.7  # where a payslip gives no gross, net pay below this share of
    # the minimum owed (a posted worker's after the housing and transport deductions): a
    # net is after the employee's tax and contributions, which leave a full-time worker on
    # the minimum about 73-91 % of it in the Baltic states, Poland and Bulgaria (2025-2026);
    # lower it for workers taxed where contributions are higher (Romania: about 59 %)
    gross_share: float = 0.9  # gross pay (a posted worker's after the housing and
    # transport deductions) below this share of the minimum owed for the time worked: a
    # margin for rounding, overtime supplements paid in another month and holidays the
    # month's normal hours leave in
    week_hours: float = 40  # the normal full-time week the monthly minimum pays for (EE,
    # LV, LT, PL, BG, RO: 40 hours); a month's normal hours are its weekdays times a fifth
    min_months: int = 2  # worker-months below the minimum before a firm is flagged
    min_unregistered: int = 1  # workers seen in the host but on no payroll


@dataclass(frozen=True)
class Params:
    """The family's parameters, a section each (``labour: {chain: {min_value: 5000}}``)."""

    chain: ChainParams = field(default_factory=ChainParams)
    posting: PostingParams = field(default_factory=PostingParams)
    firms: FirmParams = field(default_factory=FirmParams)
    workers: WorkerParams = field(default_factory=WorkerParams)

    def override(self, data: Mapping[str, Any], where: str) -> Params:
        """These parameters with ``data``'s values; an unknown name is an error naming
        ``where``."""
        out = self
        sections = {f.name for f in dataclasses.fields(self)}
        for section, values in data.items():
            if section not in sections:
                raise VerigaError(f"{where}: unknown section {section!r} "
                                  f"(known: {', '.join(sorted(sections))})")
            if not isinstance(values, Mapping):
                raise VerigaError(f"{where}: {section}: expected a mapping of name: value")
            current = getattr(out, section)
            known = {f.name: f for f in dataclasses.fields(current)}
            unknown = sorted(set(values) - set(known))
            if unknown:
                raise VerigaError(f"{where}: {section} has no setting {unknown[0]!r} "
                                  f"(known: {', '.join(sorted(known))})")
            try:
                typed = {k: type(getattr(current, k))(str(v) if isinstance(
                    getattr(current, k), Decimal) else v) for k, v in values.items()}
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise VerigaError(f"{where}: {section}: {exc}") from exc
            out = dataclasses.replace(out, **{section: dataclasses.replace(current, **typed)})
        return out
