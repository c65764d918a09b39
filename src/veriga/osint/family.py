"""The online investigation as an analysis family: over every ``Advertisement`` of the case,
however it came in (crawled, from a WARC, imported as FtM), the operations behind groups of
ads and where they meet the people, companies, phones and accounts of the rest of the case.

The family runs the detectors listed in :data:`STEPS`, each a function of the case's ads
(:class:`veriga.osint.detect.AdCase`, read and grouped once for all of them) and of the
parameters. Adding a detector from another module is one more :class:`Step` in the list
(and a section in :class:`Params` if it takes parameters).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from veriga import analysis
from veriga.analysis.params import dataclass_params
from veriga.errors import VerigaError
from veriga.findings import N_, Finding
from veriga.osint.detect import (
    LINK_DETECTORS,
    OPERATION_DETECTORS,
    PREFIX,
    AdCase,
    LinkParams,
    ReportParams,
    Step,
    operations,
    shared_identifiers,
)
from veriga.osint.operations import GroupingParams, Operation
from veriga.osint.quality import agreement
from veriga.osint.screen.findings import DETECTORS as SCREEN_DETECTORS
from veriga.osint.screen.findings import ScreenSettings, screening, screening_score


@dataclass(frozen=True)
class Params:
    """The family's parameters, a section each (``osint: {grouping: {threshold: 0.6}}``)."""

    grouping: GroupingParams = field(default_factory=GroupingParams)
    report: ReportParams = field(default_factory=ReportParams)
    links: LinkParams = field(default_factory=LinkParams)
    screen: ScreenSettings = field(default_factory=ScreenSettings)

    def override(self, data: Mapping[str, Any], where: str) -> Params:
        """These parameters with ``data``'s values (section -> name -> value); an unknown
        section or name is an error naming ``where``."""
        sections = {f.name: f for f in dataclasses.fields(self)}
        out = self
        for section, values in data.items():
            if section not in sections:
                raise VerigaError(f"{where}: unknown section {section!r} "
                                  f"(known: {', '.join(sections)})")
            if not isinstance(values, Mapping):
                raise VerigaError(f"{where}: {section}: expected a mapping of name: value")
            current = getattr(out, section)
            known = {f.name for f in dataclasses.fields(current)}
            for name in values:
                if name not in known:
                    raise VerigaError(f"{where}: {section} has no setting {name!r} "
                                      f"(known: {', '.join(sorted(known))})")
            try:
                typed = {k: type(getattr(current, k))(v) for k, v in values.items()}
            except (TypeError, ValueError) as exc:
                raise VerigaError(f"{where}: {section}: {exc}") from exc
            out = dataclasses.replace(out, **{section: dataclasses.replace(current, **typed)})
        return out


#: The detectors the family runs, in order.
STEPS: list[Step] = [
    Step(OPERATION_DETECTORS, lambda case, p: operations(case, p.report)),
    Step(LINK_DETECTORS, lambda case, p: shared_identifiers(case, p.report, p.links)),
    Step(SCREEN_DETECTORS, lambda case, p: screening(case, p.screen, p.report.min_ads)),
]


@dataclass
class Detail:
    """What a run leaves for its evaluation: every ad's operation, and the operations."""

    labels: dict[str, str]  # ad id -> operation id (an ad on its own: its own operation)
    operations: list[Operation]


class OnlineInvestigation(analysis.Family):
    """Operations behind the case's ads, and where they meet the rest of the case."""

    name = "osint"
    title = N_("Online investigation")
    prefix = PREFIX
    schemata = ("Advertisement", "Person", "Company", "Organization", "LegalEntity",
                "BankAccount", "Ownership", "Address")
    record_kinds = ("call",)

    detectors = tuple(d for step in STEPS for d in step.detectors)

    def params(self, data: Mapping[str, Any] | None = None, where: str = "params") -> Params:
        return Params().override(dict(data or {}), where)

    def describe_params(self) -> list[analysis.Param]:
        return dataclass_params(Params())

    def run(self, inputs: analysis.Inputs, params: Params | None,
            progress: analysis.Progress | None = None) -> analysis.Run:
        params = params or Params()
        case = AdCase(inputs, params.grouping, progress)
        findings = []
        if case.entities:
            for step in STEPS:
                findings += step.run(case, params)
        grouping = case.grouping if case.entities else None
        kinds = Counter(f.kind for f in findings)
        notes = [f"{len(case.entities)} ads, "
                 f"{kinds['operation.sex'] + kinds['operation.job']} operation(s) of "
                 f"{params.report.min_ads}+ ads, "
                 f"{kinds['shared_identifier.sex'] + kinds['shared_identifier.job']} "
                 "meeting people or accounts of the case."]
        if grouping is not None and grouping.hubs:
            notes.append("Not used as links (on many ads of unrelated text): " + ", ".join(
                f"{k} {v} ({n} ads)" for k, v, n in grouping.hubs[:5]) + ".")
        detail = Detail(dict(grouping.labels) if grouping else {},
                        list(grouping.operations) if grouping else [])
        return analysis.Run(self.name, findings, 0.5, notes, detail)

    def evaluate(self, run: analysis.Run, truth: Mapping[str, Any]) -> list[analysis.Score]:
        """Operations against the answer key's (``ads`` rows with their ``operation``): an
        operation of the key is found when a flagged operation finding holds most of its
        ads; a flagged operation finding is correct when most of its ads are one operation
        of the key. The adjusted Rand index of the whole grouping is a further count."""
        detail: Detail = run.detail
        rows = truth.get("ads", [])
        truth_of = {a["entity_id"]: a["operation"] or f"{a['kind']}:{a['phone']}" for a in rows}
        operation_of = {a["entity_id"]: a["operation"] for a in rows}
        members: dict[str, set[str]] = defaultdict(set)
        for ad, op in operation_of.items():
            if op:
                members[op].add(ad)
        flagged = [f for f in run.findings
                   if f.kind.startswith("operation.") and f.score >= run.flag_score]
        # every ad of a finding's operation (its evidence cites the first ones only)
        ads_of = {op.id: set(op.ad_ids) for op in detail.operations}
        grouped = [ads_of.get(str((f.details or {}).get("group")), set(f.evidence.entity_ids))
                   for f in flagged]
        correct = 0
        for ads in grouped:
            top, n = Counter(operation_of.get(a) for a in ads).most_common(1)[0]
            correct += bool(top) and n * 2 > len(ads)
        found = sum(any(len(ads & mine) * 2 > len(ads) for mine in grouped)
                    for ads in members.values())
        ari = agreement(truth_of, detail.labels).ari if detail.labels else 0.0
        scores = [analysis.Score("operation", len(members), found, len(flagged), correct,
                                 {"ARI %": round(100 * ari), **_route_accuracy(
                                     run.findings, members, ads_of, truth)})]
        # shared identifiers: the operations whose ads' phone a person of the key holds, found
        # when a flagged link finding holds most of their ads and names a record of that
        # person; a flagged link finding is correct when it names a record of a person of
        # the operation its ads are
        identity = {r["entity_id"]: r["identity"] for r in truth.get("records", [])}
        person_op = {p["id"]: p.get("operation") for p in truth.get("people", [])}
        holder = {p["phone"]: p["id"] for p in truth.get("people", []) if p.get("phone")}
        held = {op: {holder[a["phone"]] for a in rows if a["operation"] == op
                     and a["phone"] in holder} for op in members}
        held = {op: people for op, people in held.items() if people}
        links = [f for f in run.findings
                 if f.kind.startswith("shared_identifier.") and f.score >= run.flag_score]
        found = sum(any(len(members[op] & ads_of.get(str((f.details or {}).get("group")),
                                                      set(f.evidence.entity_ids)))
                            * 2 > len(members[op])
                            and people & {identity.get(e) for e in f.evidence.entity_ids}
                            for f in links) for op, people in held.items())
        correct = 0
        for f in links:
            ops = Counter(operation_of.get(a) for a in f.evidence.entity_ids
                          if a in operation_of)
            top = ops.most_common(1)[0][0] if ops else None
            correct += bool(top) and any(person_op.get(identity.get(e)) == top
                                         for e in f.evidence.entity_ids)
        scores.append(analysis.Score("shared_identifier", len(held), found, len(links),
                                     correct))
        scores.append(screening_score(run.findings, truth, run.flag_score))
        return scores


def _route_accuracy(findings: list[Finding], members: Mapping[str, set[str]],
                    ads_of: Mapping[str, set[str]], truth: Mapping[str, Any]
                    ) -> dict[str, int]:
    """Cities of the operations' routes against the answer key's: for each operation of the
    key whose ads sell sex, the operation finding holding most of its ads (flagged or not);
    the cities where the key's victims of that operation were exploited against the cities
    of the finding's route, as recall and precision over all operations (percent)."""
    actors = {op["id"]: set(op.get("actors", [])) for op in truth.get("operations", [])}
    routes = truth.get("routes", {})
    true_n = found_n = both = 0
    for op, ads in members.items():
        best = max((f for f in findings if f.kind.startswith("operation.")),
                   key=lambda f: len(ads & ads_of.get(str((f.details or {}).get("group")),
                                                      set())), default=None)
        if best is None or best.kind != "operation.sex":
            continue  # job ads are posted where the recruiter is, not where the workers go
        wanted = {stop["city"] for person in actors.get(op, ()) for stop in
                  routes.get(person, []) if stop.get("stage") == "exploitation"}
        if not wanted:
            continue
        seen = {stop["city"] for stop in (best.details or {}).get("route", [])}
        true_n += len(wanted)
        found_n += len(seen)
        both += len(wanted & seen)
    if not true_n:
        return {}
    return {"route city recall %": round(100 * both / true_n),
            "route city precision %": round(100 * both / found_n) if found_n else 0}


FAMILY = OnlineInvestigation()
