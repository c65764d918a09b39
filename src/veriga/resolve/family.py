"""Entity resolution as an analysis family: records of one person or company proposed as one,
with reasons, for a person to confirm (which merges them) or dismiss.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pyarrow as pa

from veriga import analysis
from veriga.analysis.params import dataclass_params
from veriga.errors import VerigaError
from veriga.findings import N_
from veriga.resolve.context import LINK_SCHEMATA
from veriga.resolve.link import LinkSettings, link
from veriga.resolve.proposals import KINDS, TITLES, proposals
from veriga.resolve.records import build_records

CITATION = "Fellegi & Sunter (1969) A Theory for Record Linkage; Splink"


@dataclass(frozen=True)
class Params:
    link: LinkSettings = field(default_factory=LinkSettings)


#: The columns of :meth:`Detail.pair_rows` (``veriga resolve --out``).
PAIR_COLUMNS = ("left_id", "right_id", "match_probability", "cluster_id")


@dataclass
class Detail:
    """What a run leaves for its evaluation: the records and how they were linked."""

    record_ids: list[str]
    clusters: dict[str, str]  # record id -> cluster id
    problems: int
    pairs: pa.Table  # the scored pairs of ``veriga.resolve.link.Linked``
    records: pa.Table  # the resolution records (``veriga.resolve.records.SCHEMA``)

    def pair_rows(self) -> list[dict[str, Any]]:
        """The scored pairs as others evaluate them (:data:`PAIR_COLUMNS`): left and right
        record id, match probability, and the cluster id when both records ended in one
        cluster (else empty); ordered by left and right id."""
        columns = self.pairs.select(["left_id", "right_id", "match_probability"]).to_pydict()
        rows = []
        for left, right, probability in zip(columns["left_id"], columns["right_id"],
                                            columns["match_probability"], strict=True):
            cluster = self.clusters.get(left)
            rows.append({"left_id": left, "right_id": right,
                         "match_probability": float(probability),
                         "cluster_id": cluster if cluster == self.clusters.get(right) else ""})
        return sorted(rows, key=lambda r: (r["left_id"], r["right_id"]))

    def per_kind(self) -> dict[str, tuple[int, int]]:
        """Records and scored pairs per kind of record (``person``, ``company``)."""
        records = Counter(self.records.column("kind").to_pylist())
        pairs = Counter(self.pairs.column("kind").to_pylist()) if self.pairs.num_rows else {}
        return {k: (records.get(k, 0), pairs.get(k, 0)) for k in sorted({*records, *pairs})}


class Resolution(analysis.Family):
    name = "resolve"
    title = N_("Entity resolution")
    prefix = "veriga.resolve."
    schemata = tuple(dict.fromkeys(("Person", "Company", "Organization", "LegalEntity",
                                    "BankAccount", "Ownership", "Address", *LINK_SCHEMATA)))
    record_kinds = ()
    detectors = tuple(
        analysis.Detector(kind, TITLES[k], None, CITATION,
                          "docs/resolve.md#" + kind.replace(".", "-"), ("link",),
                          on_confirm="merge")
        for k, kind in KINDS.items())

    def params(self, data: Mapping[str, Any] | None = None, where: str = "params") -> Params:
        out = Params()
        for section, values in (data or {}).items():
            if section != "link" or not isinstance(values, Mapping):
                raise VerigaError(f"{where}: unknown section {section!r} (known: link)")
            known = {f.name: f for f in fields(LinkSettings)}
            for key in values:
                if key not in known:
                    raise VerigaError(f"{where}: link has no setting {key!r} "
                                      f"(known: {', '.join(known)})")
            typed = {k: type(getattr(out.link, k))(v) for k, v in values.items()}
            out = replace(out, link=replace(out.link, **typed))
        return out

    def describe_params(self) -> list[analysis.Param]:
        return dataclass_params(Params())

    def run(self, inputs: analysis.Inputs, params: Params | None,
            progress: analysis.Progress | None = None) -> analysis.Run:
        params = params or Params()
        records = build_records(inputs.entities(self.schemata))
        linked = link(records, inputs.engine_name, params.link, progress)
        found = proposals(records, linked.pairs, linked.clusters, params.link.threshold)
        clusters = dict(zip(linked.clusters.column("record_id").to_pylist(),
                            linked.clusters.column("cluster_id").to_pylist(), strict=True))
        problems = sum(len(p or ()) for p in records.column("problems").to_pylist())
        notes = [f"{records.num_rows} records of people and companies, {len(found)} proposed "
                 f"matches; {problems} values could not be used (see the records' problems)."]
        detail = Detail(records.column("record_id").to_pylist(), clusters, problems,
                        linked.pairs, records)
        return analysis.Run(self.name, found, params.link.pair_threshold, notes, detail)

    def evaluate(self, run: analysis.Run, truth: Mapping[str, Any]) -> list[analysis.Score]:
        """Pairwise precision and recall (and B-cubed, as further counts) of the clusters
        against the answer key's identities, per kind of record."""
        detail: Detail = run.detail
        identity: dict[str, str] = {}
        kind_of: dict[str, str] = {}
        for record in truth.get("records", []):
            if record.get("entity_id") in detail.clusters:
                identity[record["entity_id"]] = record["identity"]
                kind_of[record["entity_id"]] = record["kind"]
        scores = []
        for kind in sorted(set(kind_of.values())):
            ids = sorted(i for i, k in kind_of.items() if k == kind)
            found = _pairs({i: detail.clusters[i] for i in ids})
            true = _pairs({i: identity[i] for i in ids})
            precision, recall = _bcubed(ids, detail.clusters, identity)
            scores.append(analysis.Score(
                KINDS.get(kind, kind), len(true), len(found & true), len(found),
                len(found & true), {"records": len(ids),
                                    "B3 precision %": round(100 * precision),
                                    "B3 recall %": round(100 * recall)}))
        return scores


def _pairs(group_of: Mapping[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record, group in group_of.items():
        groups[group].append(record)
    return {(a, b) for members in groups.values() for i, a in enumerate(sorted(members))
            for b in sorted(members)[i + 1:]}


def _bcubed(ids: list[str], cluster: Mapping[str, str], identity: Mapping[str, str]
            ) -> tuple[float, float]:
    """B-cubed precision and recall: per record, the share of its cluster that is truly it,
    and the share of its true records that are in its cluster, averaged."""
    if not ids:
        return 1.0, 1.0
    by_cluster: dict[str, set[str]] = defaultdict(set)
    by_identity: dict[str, set[str]] = defaultdict(set)
    for i in ids:
        by_cluster[cluster[i]].add(i)
        by_identity[identity[i]].add(i)
    precision = recall = 0.0
    for i in ids:
        both = len(by_cluster[cluster[i]] & by_identity[identity[i]])
        precision += both / len(by_cluster[cluster[i]])
        recall += both / len(by_identity[identity[i]])
    return precision / len(ids), recall / len(ids)


FAMILY = Resolution()
