"""The case laid out as the trafficking chain: recruitment → transport → exploitation →
proceeds, from the findings (each in the stage its detector names) and the kinds of entities
the case holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from veriga.analysis import STAGES, stage_of
from veriga.findings import Finding
from veriga.model import core_schema, model

# which stage the records of each schema document
SCHEMA_STAGE = {"Employment": "recruitment", "Trip": "transport",
                "Advertisement": "exploitation", "Payment": "proceeds"}


@dataclass
class Stage:
    name: str
    findings: list[Finding] = field(default_factory=list)
    records: Counter[str] = field(default_factory=Counter)  # schema -> count
    entity_ids: list[str] = field(default_factory=list)  # the accounts and people involved


def chain(findings: Iterable[Finding], counts: Mapping[str, int],
          min_score: float = 0.5) -> list[Stage]:
    """The four stages with the findings (score ≥ min_score) and records of each, from how
    many entities of each schema the case holds (``counts``, counted in SQL)."""
    stages = {name: Stage(name) for name in STAGES}
    involved: dict[str, dict[str, None]] = {name: {} for name in STAGES}  # in order, once
    for f in findings:
        stage = stage_of(f.kind)  # as its detector describes itself
        if stage and f.score >= min_score and f.review.state.value != "dismissed":
            stages[stage].findings.append(f)
            involved[stage].update(dict.fromkeys(f.evidence.entity_ids))
    for name, ids in involved.items():
        stages[name].entity_ids = list(ids)
    for schema, n in counts.items():
        known = model.get(schema)
        name = schema if schema in SCHEMA_STAGE or known is None else \
            core_schema(known).name  # a Payslip counts as a Payment
        documented = SCHEMA_STAGE.get(name)
        if documented and n:
            stages[documented].records[name] += n
    for each in stages.values():
        each.findings.sort(key=lambda f: (-f.score, f.kind))
    return [stages[name] for name in STAGES]
