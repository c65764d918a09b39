"""One generated world per scenario at `small`, shared by the tests of this package."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.simulate import SCENARIOS, simulate


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {}


def _small(scenario: str, tmp_path_factory: pytest.TempPathFactory,
           worlds: dict[str, Path]) -> Path:
    if scenario not in worlds:
        out = tmp_path_factory.mktemp(scenario) / "world"
        simulate(scenario, "small", 7, out)
        worlds[scenario] = out
    return worlds[scenario]


@pytest.fixture(scope="session", params=["sexual-exploitation", "labour-exploitation", "mixed"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          worlds: dict[str, Path]) -> Path:
    return _small(request.param, tmp_path_factory, worlds)


@pytest.fixture(scope="session")
def all_worlds(tmp_path_factory: pytest.TempPathFactory,
               worlds: dict[str, Path]) -> dict[str, Path]:
    """The small world of every scenario."""
    return {s: _small(s, tmp_path_factory, worlds) for s in SCENARIOS}


@pytest.fixture(scope="session")
def example_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world docs/simulate.md quotes from: mixed, small, seed 1 (groups from Bulgaria)."""
    out = tmp_path_factory.mktemp("example") / "world"
    simulate("mixed", "small", 1, out)
    return out
