"""Screening quality on simulated worlds against the answer key (slow: simulates): an
operation's ads are positive, decoys' and lawful advertisers' ads negative."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.osint.screen.evaluation import evaluate_world
from veriga.simulate import simulate


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["sexual-exploitation", "labour-exploitation", "mixed"])
def test_small_world_screening_matches_the_answer_key(scenario: str, tmp_path: Path) -> None:
    simulate(scenario, "small", 1, tmp_path / "world")
    found = evaluate_world(tmp_path / "world")
    # measured (seed 1): per ad P/R 0.994/1.000 (sexual), 1.000/0.833 (labour: one quiet job
    # ad of six), 0.994/0.994 (mixed); per advertiser P 0.975-1.000, R 1.000; the one ad
    # wrongly flagged is a lawful salon's third-person profile under its shared phone
    # (docs/osint-screening.md)
    assert found.ads.positives > 0 and found.ads.negatives > 100
    assert found.ads.recall >= 0.8 and found.ads.precision >= 0.9
    assert found.by_advertiser.recall >= 0.9 and found.by_advertiser.precision >= 0.9
    assert found.false_positive_kinds.get("lawful", 0) == 0
    assert found.false_positive_kinds.get("decoy", 0) <= 1
