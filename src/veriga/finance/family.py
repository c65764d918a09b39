"""Finance as an analysis family: red flags R1-R13, laundering shapes and the proceeds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from veriga import analysis
from veriga.analysis.params import dataclass_params
from veriga.errors import VerigaError
from veriga.finance import DETECTOR_PREFIX, SCHEMATA, CaseRun, run_case
from veriga.finance.detectors import DETECTORS, FATF, FINCEN20, OSCE, describe
from veriga.finance.params import Params
from veriga.finance.quality import evaluate
from veriga.findings import N_

PAYROLL = describe("R13", N_("Payroll far below headcount"), "employer", f"{FINCEN20}; {FATF}",
                   ("r13",))
PROCEEDS = describe("proceeds", N_("Proceeds estimate for the case"), "proceeds_account",
                    f"{FATF}; {OSCE}", ("common",))


class Finance(analysis.Family):
    """Follow the money over the case's bank records (the ledger of
    :mod:`veriga.finance.ledger`) and its employment and payroll records."""

    name = "finance"
    title = N_("Financial investigation")
    prefix = DETECTOR_PREFIX
    schemata = SCHEMATA
    record_kinds = ("transaction",)
    detectors = (*(d.about for d in DETECTORS), PAYROLL, PROCEEDS)

    def params(self, data: Mapping[str, Any] | None = None, where: str = "params") -> Params:
        try:
            return Params().override(dict(data or {}), where)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise VerigaError(str(exc)) from exc

    def describe_params(self) -> list[analysis.Param]:
        return dataclass_params(Params())

    def run(self, inputs: analysis.Inputs, params: Params | None,
            progress: analysis.Progress | None = None) -> analysis.Run:
        params = params or Params()
        run = run_case(inputs.engine, inputs.entities(SCHEMATA), params, progress)
        flag = params.common.flag_score
        notes = []
        if run.estimate.lines:
            notes.append(f"Proceeds seen in the bank data: {Decimal(run.estimate.total):,.2f} "
                         "EUR (`veriga finance proceeds` shows how).")
        if run.result.skipped:
            notes.append(f"Not run on {getattr(inputs.engine, 'name', 'this engine')}: "
                         f"{', '.join(run.result.skipped)} (run them on DuckDB).")
        kinds = Counter(f.kind for f in run.findings if f.score >= flag and f.kind != "proceeds")
        if not kinds:
            notes.append("No red flag at or above the flag score.")
        return analysis.Run(self.name, run.findings, flag, notes, run)

    def evaluate(self, run: analysis.Run, truth: Mapping[str, Any]) -> list[analysis.Score]:
        detail: CaseRun = run.detail
        return evaluate(detail.result, truth, run.flag_score, run.findings)


FAMILY = Finance()
