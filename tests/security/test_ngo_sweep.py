"""The NGO sweep: an NGO user reads every page and API operation of a case holding a whole
simulated world, and no response holds a name, phone, account or id of a victim or suspect
of the world's answer key.

The world is medium by default (``VERIGA_SWEEP_SIZE`` chooses another); its victims and
suspects are marked as an investigator would (:func:`veriga.demo.mark_subjects`).
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, log_in, open_case

from veriga.access.scrub import _trie_pattern
from veriga.config import Settings
from veriga.demo import mark_subjects
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.web import create_app
from veriga.workspace import Workspace

pytestmark = pytest.mark.slow

SIZE = os.environ.get("VERIGA_SWEEP_SIZE", "medium")
PROTECTED_ROLES = {"victim", "controller", "recruiter", "transporter", "money_mule"}
CASE = "sweep"
OTHER = "sweep-police"


class World:
    def __init__(self, settings: Settings, truth: dict[str, Any], ids: set[str]) -> None:
        self.settings = settings
        self.truth = truth
        self.values = protected_values(truth) | ids
        self.pattern = re.compile(_trie_pattern(sorted({v.lower() for v in self.values},
                                                       key=len, reverse=True)), re.IGNORECASE)

    def leaks(self, text: str) -> set[str]:
        """Protected values in ``text`` as a reader would read it (HTML entities and JSON
        escapes decoded)."""
        readable = html.unescape(text)
        readable = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), readable)
        return {m.group(0) for m in self.pattern.finditer(readable)}


def protected_values(truth: dict[str, Any]) -> set[str]:
    """Every name (as written in each record too), phone and account of the answer key's
    victims and suspects."""
    people = [p for p in truth["people"] if p["role"] in PROTECTED_ROLES]
    ids = {p["id"] for p in people}
    values: set[str] = set()
    for p in people:
        values |= {p["name"], p["name_latin"], p.get("phone") or ""}
        values |= {r["written"] for r in p.get("records", []) if r.get("written")}
        values |= set(p.get("accounts", []))
    values |= {a["iban"] for a in truth["accounts"] if a["holder"] in ids}
    return {v for v in values if len(v) >= 5}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("sweep")
    folder = root / "world"
    simulate("mixed", SIZE, 1, folder)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up the sweep", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Safe House", "ngo", "EE")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"], "Līga", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD)
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create(CASE)
    requests, _ = expand([folder], ImportRequest(path=Path(".")))
    liga.records.import_files(CASE, requests)
    liga.analyses.run(CASE)
    assert mark_subjects(liga, CASE, folder) > 0
    liga.cases.share(CASE, "Safe House")
    # a second case holding the police files, for the cross-reference page
    liga.cases.create(OTHER)
    police, _ = expand([folder / "police"], ImportRequest(path=Path(".")))
    liga.records.import_files(OTHER, police)
    mark_subjects(liga, OTHER, folder)
    liga.cases.share(OTHER, "Safe House")
    ids = set(liga.entities.subject_roles(CASE))
    victim = next(e for e, r in liga.entities.subject_roles(CASE).items() if r == "victim")
    phone = liga.entities.get(CASE, victim).entity.first("phone") or "+37120000001"
    # a view an investigator saved with a victim's real id and phone in it
    liga.saved_views.save(CASE, "network", "contacts", {"ids": [victim], "note": phone})
    # the team's notes, a tag and a link from a witness, each naming her
    name = liga.entities.get(CASE, victim).entity.first("name") or "Anna Ozola"
    suspect = next(e for e, r in liga.entities.subject_roles(CASE).items() if r != "victim")
    liga.notes.add(CASE, "entity", victim, "note", f"{name} called from {phone}")
    liga.notes.add(CASE, "entity", victim, "tag", name[:40])
    liga.notes.add_link(CASE, suspect, victim, f"drove {name}"[:80], f"what {name} said")
    finding = liga.findings.list(CASE)[0]
    liga.notes.add(CASE, "finding", finding.id, "note", f"ask {name} about this")
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    yield World(settings, truth, ids)
    admin.close()


def _get(client: TestClient, url: str, seen: dict[str, str], **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code < 500, (url, response.status_code, response.text[:300])
    if response.headers.get("content-type", "").startswith("application/pdf"):
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() or "" for p in
                         PdfReader(io.BytesIO(response.content)).pages)
    else:
        text = response.text
    seen[f"{url} {params}"] = text
    return response


def test_an_ngo_user_sees_no_protected_value_anywhere(world: World) -> None:
    seen: dict[str, str] = {}
    api = f"/api/cases/{CASE}"
    with TestClient(create_app(world.settings), base_url="https://testserver") as ngo:
        log_in(ngo, "ilze")
        token = open_case(ngo, CASE, "support for victims in this case")
        # every operation the OpenAPI schema lists, and every page
        spec = ngo.get("/api/openapi.json").json()
        listed = {path for path, ops in spec["paths"].items() if "get" in ops}
        for url in ("/", "/cases", f"/cases/{CASE}", f"/cases/{CASE}/chain",
                    f"/cases/{CASE}/entities", f"/cases/{CASE}/network",
                    f"/cases/{CASE}/timeline", f"/cases/{CASE}/map", f"/cases/{CASE}/money",
                    f"/cases/{CASE}/findings", f"/cases/{CASE}/report",
                    f"/cases/{CASE}/report.html", f"/cases/{CASE}/report.pdf",
                    f"/cases/{CASE}/files", f"/cases/{CASE}/export", "/api/cases",
                    "/training/cohorts", "/training/tests", "/verify",
                    f"{api}/summary", f"{api}/chain",
                    f"{api}/timeline", f"{api}/map", f"{api}/findings", f"{api}/views",
                    f"{api}/chain/graph", f"/cases/{CASE}/activity", f"{api}/activity",
                    f"{api}/tags"):
            _get(ngo, url, seen)
        _get(ngo, f"/cases/{CASE}/xref", seen, **{"with": OTHER, "min_probability": 0.5})
        # the report built in the background, as in the browser: its page and its files
        started = ngo.post(f"/cases/{CASE}/report/jobs", data={"csrf": token},
                           follow_redirects=False)
        assert started.status_code == 303, started.text[:300]
        job = started.headers["location"].split("job=")[1]
        for _ in range(600):
            page = _get(ngo, f"/cases/{CASE}/report", seen, job=job).text
            if 'data-testid="report-building"' not in page:
                break
            time.sleep(0.5)
        assert 'data-testid="report-ready"' in page
        for name in ("fragment.html", "report.html", "report.pdf"):
            _get(ngo, f"/cases/{CASE}/report/jobs/{job}/{name}", seen)
        _get(ngo, "/training/exercises", seen)  # the case simulations an NGO member may start
        # the ads, and ad pages (the extraction; a captured page is withheld from them)
        listed_ads = _get(ngo, f"/cases/{CASE}/ads", seen).text
        for ad_id in list(dict.fromkeys(re.findall(
                rf'href="/cases/{CASE}/ads/([^"#/?]+)"', listed_ads)))[:25]:
            _get(ngo, f"/cases/{CASE}/ads/{ad_id}", seen)
        # searches for the real names, phones and accounts: nothing, and no echo of them
        people = [p for p in world.truth["people"] if p["role"] == "victim"][:5]
        for person in people:
            for q in (person["name_latin"], person["name_latin"].split()[-1],
                      person.get("phone") or "", *(person.get("accounts") or [])[:1]):
                if q:
                    assert _get(ngo, f"{api}/search", seen, q=q).json() == []
                    _get(ngo, f"/cases/{CASE}/entities", seen, q=q)
        # every pseudonymised person and a sample of everyone else, with their surroundings
        found = _get(ngo, f"{api}/search", seen, q="Victim").json() + \
            _get(ngo, f"{api}/search", seen, q="Suspect").json()
        assert found, "the NGO finds protected people by their pseudonym"
        chain = _get(ngo, f"{api}/chain/graph", seen).json()
        nodes = [n.get("entity_id") or n.get("id") for n in chain.get("nodes", [])]
        ids = [e["id"] for e in found][:60] + [n for n in nodes if n][:40]
        _get(ngo, f"{api}/graph", seen, ids=",".join(ids))
        for entity_id in ids:
            for url in (f"/cases/{CASE}/entities/{entity_id}", f"{api}/entities/{entity_id}",
                        f"{api}/neighbours/{entity_id}", f"{api}/pivots/{entity_id}",
                        f"{api}/entities/{entity_id}/notes", f"{api}/entities/{entity_id}/links"):
                _get(ngo, url, seen)
        _get(ngo, f"{api}/timeline", seen, ids=",".join(ids[:5]))
        _get(ngo, f"{api}/path", seen, **{"from": ids[0], "to": ids[-1]})
        _get(ngo, f"{api}/map", seen, ids=",".join(ids[:5]))
        # money: the flows, each account's profile, transactions behind links
        flows = _get(ngo, f"{api}/money", seen, by="holder", top=200).json()
        for node in flows["nodes"][:12]:
            for account in node["accounts"][:1]:
                _get(ngo, f"{api}/money/account/{account}", seen)
        for link in flows["links"][:8]:
            _get(ngo, f"{api}/money/transactions", seen, by="holder", top=200,
                 from_node=link["source"], to_node=link["target"])
        # saved views, and a view with a real id in it saved by the NGO user itself
        for view in _get(ngo, f"{api}/views", seen).json():
            _get(ngo, f"{api}/views/{view['id']}", seen)
        # what the reader typed in an error comes back withheld, never as a pseudonym
        victim = next(e for e in sorted(world.values) if re.fullmatch(r"[0-9a-f]{40}", e))
        _get(ngo, f"{api}/entities/{victim}", seen)
    assert {p.split(" ")[0] for p in seen} >= {f"{api}/entities/{ids[0]}", f"{api}/money"}
    assert len(listed) > 10
    leaks = {url: sorted(world.leaks(text))[:5] for url, text in seen.items()
             if world.leaks(text)}
    assert not leaks, f"{len(leaks)} responses hold protected values: " + \
        "; ".join(f"{u}: {v}" for u, v in list(leaks.items())[:10])
