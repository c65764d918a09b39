"""Synthetic trafficking worlds with ground truth, written in the formats real data comes in.

``simulate(scenario, size, seed, out)`` writes bank statements (camt.053, MT940, bank CSV),
online ads (static sites + FtM JSON lines), registers (CSV + BODS), A1 declarations, payroll,
call records, travel bookings, police and NGO records, and ``ground_truth.json``. The same
seed gives byte-identical output. See docs/simulate.md.
"""

from __future__ import annotations

from pathlib import Path

from veriga.simulate.generate import Progress, Summary, run
from veriga.simulate.scenarios import SCENARIOS
from veriga.simulate.sizes import SIZES


def simulate(scenario: str, size: str, seed: int, out: Path,
             progress: Progress | None = None) -> Summary:
    """Generate one world into the empty folder ``out``; returns what was written."""
    return run(scenario, size, seed, Path(out), progress)


__all__ = ["SCENARIOS", "SIZES", "Summary", "simulate"]
