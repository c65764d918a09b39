"""Simulated worlds imported and analysed once, shared by the finance tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from worldhelpers import World, build_world


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A small mixed world (both operations, all decoys), analysed on DuckDB."""
    world = build_world(tmp_path_factory.mktemp("finance-small"), "mixed", "small", 7)
    yield world
    world.ws.close()
