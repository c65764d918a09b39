"""Operations found in simulated worlds agree with the answer key (slow: simulates)."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.osint.ad_records import ads_from_entities
from veriga.osint.operations import group_ads
from veriga.osint.quality import agreement, simulated_world
from veriga.simulate import simulate


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["sexual-exploitation", "mixed"])
def test_small_world_operations_match_the_answer_key(scenario: str, tmp_path: Path) -> None:
    simulate(scenario, "small", 1, tmp_path / "world")
    entities, truth = simulated_world(tmp_path / "world")
    grouping = group_ads(ads_from_entities(entities))
    score = agreement(truth, grouping.labels)
    # measured: ARI 1.000, precision 1.000, recall 1.000 (seed 1)
    assert score.items == len(truth)
    assert score.ari >= 0.97 and score.precision >= 0.97 and score.recall >= 0.97
    biggest = grouping.operations[0]
    assert {truth[a] for a in biggest.ad_ids} == {"OP-SEX-001"}
    assert len(biggest.route) >= 3 and biggest.templates and biggest.templates[0].slots
