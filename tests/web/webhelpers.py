"""Shared by the web tests: the demo password, the site, logging in, opening a case."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from veriga.config import Settings
from veriga.findings import ReviewState
from veriga.workspace import Workspace

PASSWORD = "correct horse battery"


@dataclass
class Site:
    settings: Settings
    ws: Workspace
    case: str
    victim: str
    suspect: str
    dpo: Workspace  # reads the audit log of the police's cases
    world: Path | None = None  # the simulated world the case was imported from


def confirm_true_matches(ws: Workspace, case: str, truth: dict[str, Any]) -> int:
    """Confirm (and so merge) every proposed match whose records are one identity in the
    world's answer key, as an investigator checking them would; the rest stay unreviewed."""
    identity = {r["entity_id"]: r["identity"] for r in truth["records"] if r.get("entity_id")}
    done = 0
    for f in ws.findings.list(case):
        if f.kind.startswith("match.") and f.review.state is ReviewState.NEW:
            ids = {identity.get(i) for i in f.evidence.entity_ids}
            if len(ids) == 1 and None not in ids:
                ws.findings.review(case, f.id, ReviewState.CONFIRMED, "one person: checked")
                done += 1
    return done


def log_in(client: TestClient, username: str = "liga") -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    done = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf": token, "next": "/cases"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text


def open_case(client: TestClient, case: str, purpose: str = "reviewing findings") -> str:
    """States the purpose; returns the CSRF token of the session."""
    page = client.get(f"/cases/{case}/open")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    done = client.post(f"/cases/{case}/open", data={"purpose": purpose, "csrf": token},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return token


def copy_of(site: Site, root: Path) -> Settings:
    """A copy of the site's workspace under ``root`` (home and database, with what is still
    in the write-ahead log), for tests that change the world (the others see it unchanged)."""
    shutil.copytree(site.settings.home, root / "home")
    with sqlite3.connect(site.settings.database_url.removeprefix("sqlite:///")) as src, \
            sqlite3.connect(root / "v.db") as dst:
        src.backup(dst)
    return Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
