"""Agreement of a grouping with an answer key: adjusted Rand index and pairwise precision
and recall (pairs of items put together)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class Agreement:
    """How a predicted grouping agrees with the true one over the items both label."""

    items: int
    ari: float
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def agreement(truth: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> Agreement:
    """ARI (Hubert and Arabie) and pairwise precision/recall of ``predicted`` against
    ``truth``, both mapping item -> group, over the items in both."""
    items = sorted(truth.keys() & predicted.keys())
    both = Counter((truth[i], predicted[i]) for i in items)
    rows = Counter(truth[i] for i in items)
    cols = Counter(predicted[i] for i in items)
    together = sum(_pairs(n) for n in both.values())
    true_pairs = sum(_pairs(n) for n in rows.values())
    found_pairs = sum(_pairs(n) for n in cols.values())
    total = _pairs(len(items))
    expected = true_pairs * found_pairs / total if total else 0.0
    best = (true_pairs + found_pairs) / 2
    ari = 1.0 if best == expected else (together - expected) / (best - expected)
    precision = together / found_pairs if found_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    return Agreement(len(items), ari, precision, recall)


def simulated_world(world: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """A simulated world's ads as FtM dicts and its answer key, entity id -> advertiser: the
    operation's id for an operation's ads, and for lawful ads and decoys their own
    advertiser (the kind and the phone they advertise)."""
    with (world / "ads" / "ads.ftm.jsonl").open(encoding="utf-8") as fh:
        entities = [json.loads(line) for line in fh if line.strip()]
    key = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    truth = {a["entity_id"]: a["operation"] or f"{a['kind']}:{a['phone']}" for a in key["ads"]}
    return entities, truth
