"""The interface of an analysis family and of the detectors it describes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from followthemoney.proxy import EntityProxy

from veriga.engine import Engine
from veriga.errors import VerigaError
from veriga.findings import Finding

#: The trafficking chain, in order (see docs/domain.md).
STAGES = ("recruitment", "transport", "exploitation", "proceeds")

#: The role an entity plays in the chain -> the stage it belongs to. A detector names the
#: role it gives what it flags; its stage is that role's (one table, read by every view).
ROLE_STAGE: dict[str, str] = {
    "recruiter": "recruitment", "job_ads": "recruitment", "agency": "recruitment",
    "fee_account": "recruitment", "victim": "recruitment",
    "organiser": "transport", "route": "transport", "logistics_account": "transport",
    "sex_ads": "exploitation", "employer": "exploitation", "employer_account": "exploitation",
    "earnings": "exploitation", "controller": "exploitation", "flat": "exploitation",
    "front": "exploitation", "director": "exploitation", "controller_account": "exploitation",
    "mule": "proceeds", "mule_account": "proceeds", "abroad": "proceeds", "cash": "proceeds",
    "proceeds_account": "proceeds",
}

#: ``progress(step, done, total)``: what a family reports while it runs.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Detector:
    """What one detector is, for readers and for the views that place its findings.

    ``kind`` is the Finding kind it yields; ``role`` the chain role of the entity a finding
    is about (its subject; None for findings about no one stage, such as a proposed match of
    records), ``counterpart`` the role it gives the other entities in its
    evidence, if any; ``params`` the parameter sections it reads; ``docs`` where its method
    is written down (a path in the repository, with an anchor).
    """

    kind: str
    title: str  # a msgid: shown translated
    role: str | None  # None: its findings are not about one stage (a proposed match)
    citation: str
    docs: str
    params: tuple[str, ...] = ()
    counterpart: str | None = None
    #: what confirming one of its findings does besides recording the review: "merge" (a
    #: proposed match: its records become one entity, see ``ws.entities.merge``)
    on_confirm: str | None = None

    def __post_init__(self) -> None:
        if self.on_confirm not in (None, "merge"):
            raise ValueError(f"detector {self.kind}: unknown on_confirm {self.on_confirm!r}")
        for role in (self.role, self.counterpart):
            if role is not None and role not in ROLE_STAGE:
                raise ValueError(f"detector {self.kind}: unknown chain role {role!r}")

    @property
    def stage(self) -> str | None:
        return ROLE_STAGE[self.role] if self.role is not None else None


@dataclass(frozen=True)
class Param:
    """One parameter of a family with its default, as documented."""

    name: str  # "section.setting"
    default: Any
    doc: str = ""


@dataclass
class Inputs:
    """What a family reads: the case's bulk records as one view per record kind on
    ``engine``, and its entities of some schemata (as the acting user may see them)."""

    case: str
    engine: Engine
    entities: Callable[[Sequence[str]], Iterable[EntityProxy]]
    engine_name: str = "duckdb"


@dataclass
class Run:
    """What one family's run yields: its findings, lines for a terminal summary, and the
    family's own detail (what its :meth:`Family.evaluate` needs)."""

    family: str
    findings: list[Finding] = field(default_factory=list)
    flag_score: float = 0.5  # findings at or above it are flagged, below: to watch
    notes: list[str] = field(default_factory=list)
    detail: Any = None


@dataclass
class Score:
    """Quality of one detector against a simulated world's answer key."""

    detector: str
    truth: int  # items in the answer key for this detector
    found: int  # of which flagged
    flagged: int  # items flagged
    correct: int  # of which right (for finance: criminal)
    extra: dict[str, int] = field(default_factory=dict)  # family-specific counts

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.flagged if self.flagged else (0.0 if self.truth else 1.0)


class Family(ABC):
    """One analysis family. Subclasses set the class attributes and implement :meth:`run`."""

    name: ClassVar[str]  # the entry-point name, e.g. "finance"
    title: ClassVar[str]  # a msgid
    prefix: ClassVar[str]  # every finding's ``detector`` starts with it: "veriga.finance."
    schemata: ClassVar[tuple[str, ...]]  # the entity schemata it reads
    record_kinds: ClassVar[tuple[str, ...]]  # the bulk record kinds it reads
    detectors: ClassVar[tuple[Detector, ...]]
    engines: ClassVar[tuple[str, ...]] = ("duckdb", "spark")

    def params(self, data: Mapping[str, Any] | None = None, where: str = "params") -> Any:
        """The family's parameters: defaults, overridden by ``data`` (a family's section of
        a YAML file); unknown names are an error naming ``where``."""
        if data:
            raise VerigaError(f"{where}: family {self.name!r} takes no parameters")
        return None

    def describe_params(self) -> list[Param]:
        """Every parameter with its default and what it means."""
        return []

    @abstractmethod
    def run(self, inputs: Inputs, params: Any, progress: Progress | None = None) -> Run:
        """Analyse one case; a re-run must yield the same findings for the same data."""

    def evaluate(self, run: Run, truth: Mapping[str, Any]) -> list[Score] | None:
        """Per-detector recall and precision against a simulated world's answer key
        (``ground_truth.json``), or None if the family cannot be scored that way."""
        return None


def family_params(chosen: Sequence[Family], path: Path | None) -> dict[str, Any]:
    """Each chosen family's parameters from one YAML file with a section per family
    (``finance: {r5: {threshold: 15000}}``); defaults for families it does not name."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise VerigaError(f"{path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise VerigaError(f"{path}: expected a mapping of family: {{section: {{name: "
                              "value}}}}")
        from veriga.analysis.registry import families

        known = families()
        unknown = sorted(set(loaded) - set(known))
        if unknown:
            raise VerigaError(f"{path}: no analysis family {', '.join(map(repr, unknown))} "
                              f"(families: {', '.join(known)}); sections are per family, "
                              "e.g. finance: {r5: {threshold: 15000}}")
        data = loaded
    out = {}
    for fam in chosen:
        section = data.get(fam.name)
        if section is not None and not isinstance(section, dict):
            raise VerigaError(f"{path}: {fam.name}: expected a mapping")
        out[fam.name] = fam.params(section, f"{path}: {fam.name}" if path else "params")
    return out


def score_table(family: str, scores: Sequence[Score]) -> str:
    """A Markdown table of one family's scores (with its own counts as further columns)."""
    extra = list(dict.fromkeys(k for s in scores for k in s.extra))
    head = ["family", "detector", "key items", "found", "recall", "flagged", "correct",
            "precision", *extra]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for s in scores:
        cells = [family, s.detector, str(s.truth), str(s.found), f"{s.recall:.2f}",
                 str(s.flagged), str(s.correct), f"{s.precision:.2f}",
                 *(str(s.extra.get(k, "")) for k in extra)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
