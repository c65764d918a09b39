"""The JSON API against its own OpenAPI schema, with schemathesis (property-based).

Every operation the schema lists (new endpoints are picked up by themselves) is called in-process
(ASGI) as the investigator ``liga`` with the purpose stated for case ``amber``, with inputs
generated from the schema: valid and invalid ones. Path and query parameters that name things
(``case``, ``entity_id``, ``finding_id``, ``view_id``, ``ids``, ``from``, ``to``, ``kind``…) are
most of the time replaced by real values of the test world, so that the calls get past 404 to
the code that does the work. Checks: no server error, the status code is one the operation
declares, the content type is the declared one, the body conforms to the declared schema.

The world is a private copy of the ``site`` fixture's store and Parquet files: reviews and
saved views written here do not change what the other web tests see.

Bounded: schemathesis' coverage phase (boundary values, missing and wrong-typed parameters,
unexpected methods), at most COVERAGE_CAP cases per operation, then MAX_EXAMPLES generated
cases per operation, with a fixed seed (``derandomize``). Run it alone with
``python -m pytest tests/web/test_api_schema.py -s`` to see the status codes per operation.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from webhelpers import Site, log_in, open_case

from veriga.chain.graph import adjacency, build
from veriga.config import Settings
from veriga.training.content import programme
from veriga.web import create_app

pytestmark = pytest.mark.slow

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")
MAX_EXAMPLES = 25  # per operation, after the coverage phase
COVERAGE_CAP = 40  # coverage-phase cases per operation


@dataclass
class ApiWorld:
    """The app over a copy of the test world, a logged-in session and real values to ask for."""

    app: FastAPI
    cookies: dict[str, str]
    csrf: str


def _copy_settings(site: Site, root: Path) -> Settings:
    url = site.settings.database_url
    assert url.startswith("sqlite:///"), "the web tests run on SQLite"
    shutil.copytree(site.settings.home, root / "home")
    with sqlite3.connect(url.removeprefix("sqlite:///")) as source, \
            sqlite3.connect(root / "v.db") as copy:
        source.backup(copy)  # with what is still in the write-ahead log
    return Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")


@pytest.fixture(scope="module")
def api_world(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiWorld]:
    settings_ = _copy_settings(site, tmp_path_factory.mktemp("api"))
    app = create_app(settings_)
    entities = list(site.ws.entities.list(site.case))
    findings = site.ws.findings.list(site.case)
    with TestClient(app, base_url="https://testserver") as client:
        log_in(client, "liga")
        csrf = open_case(client, site.case, "API schema test")
        cookies = {k: v for k, v in client.cookies.items()}
        saved = client.post(f"/api/cases/{site.case}/views", headers={"X-CSRF-Token": csrf},
                            json={"name": "schema test", "state": {"version": 1, "nodes": []}})
        assert saved.status_code == 200, saved.text
    ids = sorted(e.id for e in entities if not e.schema.edge)
    links = adjacency(build(entities))
    hub = max(sorted(links), key=lambda n: len(links[n]))  # paths from it exist
    near = sorted(set().union(*(links[n] for n in links[hub])) | links[hub] - {hub})
    names = sorted({w for e in entities for w in e.caption.split() if len(w) >= 3})
    ledger = site.ws.records.ledger(site.case).engine
    ibans = ledger.query("SELECT DISTINCT account FROM ledger ORDER BY account LIMIT 20"
                         ).column("account").to_pylist()
    ledger.close()
    lesson = next(programme().lessons())
    real = {
        "case": [site.case],
        "entity_id": [hub, site.victim, site.suspect, *near[:10], *ids[:30]],
        "finding_id": [f.id for f in findings[:40]],
        "view_id": [saved.json()["id"]],
        "ids": [hub, f"{site.victim},{site.suspect}", ",".join(near[:5])],
        "iban": ibans, "account": ibans,
        "kind": sorted({f.kind for f in findings}),
        "state": ["new", "confirmed", "dismissed"],
        "q": names[:20] or ["Ozol"],
        # a lesson of the programme and its questions (the choices are generated)
        "lesson_id": [lesson.id], "question_id": [q.id for q in lesson.text("en").quiz],
    }
    REAL.clear()
    REAL.update(real)
    REAL_FOR.clear()
    REAL_FOR[PATH] = {"from": [hub, site.victim], "to": [*near[:10], hub, site.suspect]}
    yield ApiWorld(app, cookies, csrf)
    REAL.clear()
    REAL_FOR.clear()


def _schema() -> Any:
    """The schema of the application, read once at collection from an app over an empty
    in-memory store (the operations do not depend on the data); the calls go to the app of
    ``api_world``."""
    skeleton = create_app(Settings(home=Path(tempfile.gettempdir()) / "veriga-api-schema",
                                   database_url="sqlite://"))
    return schemathesis.openapi.from_asgi("/api/openapi.json", skeleton)


STATUSES: defaultdict[str, Counter[int]] = defaultdict(Counter)  # by operation, for the report
COVERED: Counter[str] = Counter()
SECONDS: defaultdict[str, float] = defaultdict(float)
# Real values by parameter name (and for one operation's own parameters), filled by the
# api_world fixture before the first draw.
REAL: dict[str, list[str]] = {}
REAL_FOR: dict[str, dict[str, list[str]]] = {}
PATH = "/api/cases/{case}/path"  # its from and to are entity ids (elsewhere they are dates)
schema = _schema()


def _real(path: str, key: str) -> list[str]:
    return REAL_FOR.get(path, {}).get(key) or REAL.get(key) or []


def _realistic(path: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Three in four values of parameters the test has real values for are replaced by one
    of them; which ones, and by which, follows from the generated value (so that Hypothesis
    replays a failing case the same way)."""
    out = dict(params or {})
    for key, value in out.items():
        real, pick = _real(path, key), zlib.crc32(repr(value).encode())
        if real and pick % 4:
            out[key] = real[pick // 4 % len(real)]
    return out


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    return _realistic(context.operation.path, path_parameters)


@schema.hook
def map_query(context: Any, query: dict[str, Any]) -> dict[str, Any]:
    return _realistic(context.operation.path, query)


def _coverage(case: Any) -> bool:
    """The coverage phase (boundary values of each parameter in turn, before the fuzzing)
    does not go through the hooks: there, every path and query parameter that is not the one
    under test gets the first real value. Operations with many parameters get hundreds of
    such cases: the first COVERAGE_CAP are sent. False for a case left out."""
    meta = case.meta
    if meta is None or meta.phase.name.value != "coverage":
        return True
    COVERED[case.operation.label] += 1
    if COVERED[case.operation.label] > COVERAGE_CAP:
        return False
    tested = getattr(meta.phase.data, "parameter", None)
    for params in (case.path_parameters, case.query):
        for key in list(params or {}):
            if key != tested and _real(case.operation.path, key):
                params[key] = _real(case.operation.path, key)[0]
    return True


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, api_world: ApiWorld) -> None:
    """One test per operation of the schema; a failure prints what was wrong and a curl
    command that reproduces it (against http://testserver: run it with a TestClient)."""
    if _coverage(case):
        _call(case, api_world)


def _call(case: Any, api_world: ApiWorld) -> None:
    """Sends the case as ``liga``, checks the response, counts its status code."""
    checks = [getattr(schemathesis.checks, name) for name in CHECKS]
    start = time.perf_counter()
    # a correctness check, not a speed one (speed is in `make bench`): the PDF report is built
    # within the request, which on a busy machine takes well over a minute
    response = case.call_and_validate(app=api_world.app, cookies=api_world.cookies,
                                      timeout=300, headers={"X-CSRF-Token": api_world.csrf},
                                      checks=checks)
    STATUSES[case.operation.label][response.status_code] += 1
    SECONDS[case.operation.label] += time.perf_counter() - start


@pytest.fixture(scope="module")
def statuses(api_world: ApiWorld) -> dict[str, Counter[int]]:
    """The status codes per operation. In the file's order test_api_conforms_to_its_schema
    has counted them; run without it (``pytest tests/web/test_api_schema.py::test_most_...``
    or ``-k most_calls``), the operations it did not call are called here: MAX_EXAMPLES
    generated cases each, through the same hooks and checks (without the coverage phase)."""
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in STATUSES:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            _call(case, api_world)

        call()
        assert STATUSES[operation.label], f"no call of {operation.label}"
    return STATUSES


def test_every_operation_needs_a_session(api_world: ApiWorld) -> None:
    """Without a session cookie every operation of the schema answers 401 (JSON), before it
    validates anything."""
    app = api_world.app
    paths = app.openapi()["paths"]
    assert len(paths) >= 10
    wrong = []
    with TestClient(app, base_url="https://testserver") as client:
        for path, operations in paths.items():
            url = re.sub(r"\{(\w+)\}", lambda m: "amber" if m[1] == "case" else "x", path)
            for method in operations:
                response = client.request(method, url, json={}, follow_redirects=False)
                if response.status_code != 401 or response.json() != {"detail": "log in first"}:
                    wrong.append(f"{method.upper()} {path}: {response.status_code}")
    assert not wrong, wrong


def _reachable(path: str, operation: dict[str, Any]) -> bool:
    """Whether the test has real values for every path and required query parameter."""
    return all(_real(path, p["name"]) for p in operation.get("parameters", [])
               if p["in"] == "path" or p.get("required"))


def test_most_calls_reached_the_data(statuses: dict[str, Counter[int]]) -> None:
    """The real values made a good share of the valid calls of each operation get past 404
    to the code that does the work (a check on this file's hooks: the schema alone would
    mostly produce 404s). Operations with parameters the test has no real values for are
    left out."""
    for label, counted in sorted(statuses.items()):
        print(f"{label}: {SECONDS[label]:.1f} s, {dict(sorted(counted.items()))}")
    low = {}
    checked = 0
    for path, operations in schema.raw_schema["paths"].items():
        for method, operation in operations.items():
            counted = statuses.get(f"{method.upper()} {path}")
            assert counted, f"{method.upper()} {path} was not called"
            valid = {code: n for code, n in counted.items()
                     if code not in (400, 405, 422)}  # requests the app took as valid
            if valid and _reachable(path, operation):
                checked += 1
                share = sum(n for code, n in valid.items() if code < 300) / sum(valid.values())
                if share < 0.3:
                    low[f"{method.upper()} {path}"] = round(share, 2)
    assert checked >= 10, f"only {checked} operations had valid calls with real values"
    assert not low, f"operations whose calls mostly failed before doing any work: {low}"
