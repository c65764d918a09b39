"""Quality of the screening against a simulated world's answer key: an operation's ads are
positive, decoys' and lawful advertisers' ads negative. Counted per ad (the ad's own score)
and per advertiser (an ad counts as flagged when the ads sharing its phone are)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veriga.osint.screen.library import Library
from veriga.osint.screen.rules import AdFacts
from veriga.osint.screen.scoring import (
    GroupScreening,
    Screening,
    ScreenParams,
    advertisers,
    screen_ads,
)


@dataclass(frozen=True)
class Counts:
    """Flagged ads against the answer key."""

    positives: int
    negatives: int
    true_positives: int
    false_positives: int

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else (0.0 if self.positives else 1.0)


@dataclass
class Evaluation:
    """Per ad and per advertiser, overall and per domain; false positives by kind."""

    ads: Counts
    by_advertiser: Counts
    per_domain: dict[str, Counts] = field(default_factory=dict)
    false_positive_kinds: dict[str, int] = field(default_factory=dict)


def _counts(truth: Mapping[str, bool], flagged: set[str]) -> Counts:
    pos = sum(truth.values())
    tp = sum(1 for ad, positive in truth.items() if positive and ad in flagged)
    fp = sum(1 for ad, positive in truth.items() if not positive and ad in flagged)
    return Counts(pos, len(truth) - pos, tp, fp)


def evaluate(truth_ads: Sequence[Mapping[str, Any]], facts: Sequence[AdFacts],
             screenings: Sequence[Screening], groups: Sequence[GroupScreening]
             ) -> Evaluation:
    """Compare screenings with the answer key's ads (``entity_id``, ``kind``)."""
    kind = {a["entity_id"]: a["kind"] for a in truth_ads}
    truth = {ad.id: kind[ad.id] == "operation" for ad in facts if ad.id and ad.id in kind}
    flagged = {s.ad_id for s in screenings if s.flagged and s.ad_id}
    by_group = {a for g in groups if g.flagged for a in g.ad_ids}
    domain = {ad.id: ad.domain or "unknown" for ad in facts if ad.id}
    per_domain = {d: _counts({a: p for a, p in truth.items() if domain[a] == d}, flagged)
                  for d in sorted(set(domain.values()))}
    fp = Counter(kind[a] for a in truth if not truth[a] and a in flagged)
    return Evaluation(_counts(truth, flagged), _counts(truth, by_group), per_domain, dict(fp))


def evaluate_world(world: Path, library: Library | None = None,
                   params: ScreenParams | None = None) -> Evaluation:
    """Screen a simulated world's ads (its FtM export) and score them against its key."""
    with (world / "ads" / "ads.ftm.jsonl").open(encoding="utf-8") as fh:
        entities = [json.loads(line) for line in fh if line.strip()]
    key = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    facts, screenings = screen_ads(entities, library, params)
    groups = advertisers(facts, screenings, params)
    return evaluate(key["ads"], facts, screenings, groups)
