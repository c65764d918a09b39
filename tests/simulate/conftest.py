"""One generated world per scenario at `small`, shared by the tests of this package."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.simulate import simulate


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {}


@pytest.fixture(scope="session", params=["sexual-exploitation", "labour-exploitation", "mixed"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          worlds: dict[str, Path]) -> Path:
    scenario = request.param
    if scenario not in worlds:
        out = tmp_path_factory.mktemp(scenario) / "world"
        simulate(scenario, "small", 7, out)
        worlds[scenario] = out
    return worlds[scenario]
