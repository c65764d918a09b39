"""Hit/no-hit against a simulated world's answer key: the world split between two parties,
the hits of one against the other's filter are (nearly) all right and find most of the
people and companies both hold."""

from __future__ import annotations

import pytest
from benchmarks.bench_hits import quality_child


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "seed"), [("mixed", 2), ("sexual-exploitation", 1)])
def test_hits_are_right_and_find_most_of_what_both_hold(scenario: str, seed: int) -> None:
    got = quality_child(scenario, "tiny", seed)
    assert got["records_held_by_both"] > 0
    assert got["all_precision"] >= 0.9
    assert got["all_recall"] >= 0.8
