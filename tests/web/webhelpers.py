"""Shared by the web tests: the demo password, the site, logging in, opening a case."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from veriga.config import Settings
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
