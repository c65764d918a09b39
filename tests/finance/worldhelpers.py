"""Build an analysed simulated world (shared by the finance tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from veriga.config import Settings
from veriga.finance import CaseRun
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.workspace import Workspace


@dataclass
class World:
    ws: Workspace
    case: str
    path: Path
    run: CaseRun

    @property
    def truth(self) -> Path:
        return self.path / "ground_truth.json"


def build_world(root: Path, scenario: str, size: str, seed: int) -> World:
    """Simulate, import the bank statements and labour records, analyse."""
    path = root / "world"
    simulate(scenario, size, seed, path)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    ws.cases.create("w")
    folders = [p for p in (path / "bank", path / "labour") if p.exists()]
    requests, _ = expand(folders, ImportRequest(path=Path(".")))
    ws.records.import_files("w", requests)
    return World(ws, "w", path, ws.analyses.run("w", ["finance"])["finance"].detail)
