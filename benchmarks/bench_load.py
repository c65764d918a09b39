"""Load test of the web application (``python -m benchmarks bench_load``): users of every role
at once against PostgreSQL, each doing what their role does, for a set duration.

The mechanism is bench_web's (a simulated world imported into a fresh PostgreSQL schema,
``veriga serve`` with several workers in its own process, users as threads with their own
sessions and think time between clicks), extended to every role:

- investigators, analysts, prosecutors, judges, financial officers, labour inspectors and NGO
  workers log in, open the case with a purpose, and read: the dashboard, search, entity pages,
  findings, the chain, the timeline, the map, money flows, network expansion and the report
  (NGO users see the same pages, minimised; their entity ids and search terms are those an NGO
  reader sees);
- DPOs read the audit of their organisation's case (``veriga audit --case``, ``audit who``) and
  verify its chain with the CLI, as an API token's user (the web application has no audit
  page);
- administrators list cases in the application and users and the audit with the CLI;
- trainers and trainees work on a training case (a small world) the trainer imported.

Each user only does what the access policy allows, so every answer other than the one
expected (200, or 303 after the purpose form, or exit code 0) is an error and the benchmark
fails. Figures per operation: count, errors, p50, p95 and p99 latency; and the throughput.

``VERIGA_LOAD_USERS`` (default 50, spread over every role), ``VERIGA_LOAD_SECONDS`` (default
600; 45 with --quick), ``VERIGA_LOAD_THINK`` (mean seconds between a user's clicks, default 10)
and ``VERIGA_LOAD_WORKERS`` (uvicorn workers, default 4). Results: the table of ``make bench``
and ``benchmarks/out/load/load-<size>.json`` / ``.md``.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.bench_web import PG, _free_port, _q, _wait_for

OUT = Path("benchmarks/out/load")
SCHEMA = "veriga_bench_load"
PASSWORD = "load test password 1"
CASE, TRAINING = "bench-load", "bench-training"
PURPOSE = "load test of the web application"

# organisation name -> (type, country); the case belongs to the police
ORGS = {
    "Load police": ("police", "LV"),
    "Load prosecution": ("prosecution", "LV"),
    "Load court": ("court", "LV"),
    "Load FIU": ("fiu", "EE"),
    "Load labour inspectorate": ("labour_inspectorate", "LV"),
    "Load shelter": ("ngo", "EE"),
    "Load academy": ("training", "LV"),
}
# role -> (organisation, share of the users); every role has at least one user
ROLES: dict[str, tuple[str, int]] = {
    "investigator": ("Load police", 8),
    "analyst": ("Load police", 8),
    "prosecutor": ("Load prosecution", 5),
    "judge": ("Load court", 4),
    "financial_officer": ("Load FIU", 6),
    "labour_inspector": ("Load labour inspectorate", 5),
    "ngo_worker": ("Load shelter", 6),
    "dpo": ("Load police", 2),
    "administrator": ("Load police", 2),
    "trainer": ("Load academy", 2),
    "trainee": ("Load academy", 2),
}
POLICE_MEMBERS = ("investigator", "analyst")  # of the owning organisation: case members
CLI_ROLES = ("dpo", "administrator")  # they use the CLI with an API token


def _url(size: str) -> str:
    return f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{SCHEMA}_{size}"


def _settings(size: str) -> Any:
    from veriga.config import Settings

    return Settings(home=(OUT / f"home-{size}").resolve(), database_url=_url(size))


def _world(size: str) -> Path:
    from veriga.simulate import simulate

    world = OUT / f"world-{size}"
    if not (world / "ground_truth.json").exists():
        simulate("mixed", size, 1, world)
    return world


def _import(ws: Any, case: str, world: Path) -> None:
    from veriga.findings import ReviewState
    from veriga.ingest import ImportRequest, expand

    folders = [world / f for f in ("bank", "police", "labour", "registers", "travel")]
    requests, _ = expand([f for f in folders if f.exists()], ImportRequest(path=Path(".")))
    ws.records.import_files(case, requests)
    ws.analyses.run(case)
    for f in ws.findings.list(case):  # the report shows confirmed findings
        if f.score >= 0.5:
            ws.findings.review(case, f.id, ReviewState.CONFIRMED, "load test setup")


def _username(role: str, n: int) -> str:
    return f"load-{role.replace('_', '-')}-{n}"


def spread(users: int) -> list[str]:
    """The role of each of ``users`` users: every role at least once, the rest by share."""
    roles = list(ROLES)
    if users < len(roles):
        raise ValueError(f"at least {len(roles)} users are needed, one per role")
    weights = {r: ROLES[r][1] for r in roles}
    total = sum(weights.values())
    count = {r: max(1, round(users * w / total)) for r, w in weights.items()}
    while sum(count.values()) > users:  # rounding: take from the largest groups
        count[max(count, key=lambda r: (count[r], r))] -= 1
    while sum(count.values()) < users:
        count[max(roles, key=lambda r: (weights[r] / count[r], r))] += 1
    return [r for r in roles for _ in range(count[r])]


def setup(size: str, users: int) -> dict[str, Any]:
    """The store (once per size): organisations, the case owned by the police and shared with
    every other organisation, a training case; then the accounts the run needs. Returns what
    the users ask for, per point of view."""
    from veriga.access import directory
    from veriga.access.roles import CaseKind
    from veriga.demo import mark_subjects
    from veriga.workspace import Workspace

    OUT.mkdir(parents=True, exist_ok=True)
    marker = OUT / f"ready-{size}"
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        if not marker.exists():
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}_{size}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}_{size}"'))
    engine.dispose()
    settings = _settings(size)
    if not marker.exists():
        if settings.home.exists():
            import shutil

            shutil.rmtree(settings.home)
        admin = Workspace.local(settings, purpose="load test setup", username="load-root")
        for org, (kind, country) in ORGS.items():
            admin.directory.add_org(org, kind, country)
        admin.directory.add_user("load-owner", "Load police", ["investigator"], "Case owner",
                                 PASSWORD)
        admin.directory.add_user("load-teacher", "Load academy", ["trainer"], "Teacher", PASSWORD)
        owner = admin.as_user("load-owner", purpose="load test setup")
        owner.cases.create(CASE, f"Simulated mixed world ({size}) for the load test")
        _import(owner, CASE, _world(size))
        mark_subjects(owner, CASE, _world(size))
        for org in ORGS:
            if org not in ("Load police", "Load academy"):
                owner.cases.share(CASE, org)
        teacher = admin.as_user("load-teacher", purpose="load test setup")
        teacher.cases.create(TRAINING, "Training on a small simulated world",
                            kind=CaseKind.TRAINING)
        _import(teacher, TRAINING, _world("small"))
        admin.close()
        marker.write_text("ok")
    admin = Workspace(settings, purpose="load test setup")
    with admin.store.begin() as conn:
        admin.user = directory.load_user(conn, username="load-root")
    existing = {u["username"] for u in admin.directory.users()}
    accounts: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for role in spread(users):
        seen[role] = seen.get(role, 0) + 1
        name = _username(role, seen[role])
        org = ROLES[role][0]
        if name not in existing:
            admin.directory.add_user(name, org, [role], name, PASSWORD)
            if role in POLICE_MEMBERS:
                admin.as_user("load-owner", PURPOSE).cases.add_member(CASE, name, role)
            elif role in ("trainer", "trainee"):
                admin.as_user("load-teacher", PURPOSE).cases.add_member(TRAINING, name, role)
        account = {"username": name, "role": role}
        if role in CLI_ROLES:
            account["token"] = admin.as_user(name).directory.new_token("load test")
        accounts.append(account)
    owner = admin.as_user("load-owner", "load test setup")
    teacher = admin.as_user("load-teacher", "load test setup")
    views = {
        "case": _view(owner, CASE, _ledger_accounts(owner, CASE)),
        "ngo": _view(admin.as_user(_username("ngo_worker", 1), "load test setup"), CASE,
                     _ledger_accounts(owner, CASE)),
        "training": _view(teacher, TRAINING, _ledger_accounts(teacher, TRAINING)),
    }
    admin.close()
    return {"home": str(settings.home), "accounts": accounts, "views": views}


def _ledger_accounts(ws: Any, case: str) -> set[str]:
    """The accounts with statements in the case's ledger (the others have no profile)."""
    engine = ws.records.engine(case)
    try:
        rows = engine.query('SELECT DISTINCT account FROM "transaction"').to_pylist()
    finally:
        engine.close()
    return {r["account"] for r in rows if r["account"]}


def _view(ws: Any, case: str, accounts: set[str]) -> dict[str, list[str]]:
    """Ids, search terms and accounts (those with statements) of the case as this reader
    sees them."""
    ids, terms, ibans = [], set(), set()
    for e in ws.entities.list(case, ["Person", "Company", "LegalEntity", "BankAccount"]):
        ids.append(e.id)
        for name in e.get("name", quiet=True):
            word = max(name.split(), key=len, default="")
            if len(word) >= 3:
                terms.add(word[:6])
        ibans.update(e.get("iban", quiet=True))
    rng = random.Random(7)
    rng.shuffle(ids)
    return {"ids": ids[:2000], "terms": sorted(terms)[:500],
            "ibans": sorted(ibans & accounts)[:500]}


# -- the users ----------------------------------------------------------------------------

@dataclass
class Sample:
    role: str
    op: str
    seconds: float
    error: str | None = None


@dataclass
class Run:
    """What every user recorded; thread-safe appends."""

    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


# An operation: (name, weight, request) where request(rng, view) gives (path, expected status)
Request = Callable[[random.Random, dict[str, list[str]]], str]


def _ops(case: str) -> dict[str, Request]:
    api, page = f"/api/cases/{case}", f"/cases/{case}"
    return {
        "dashboard": lambda r, v: page,
        "summary": lambda r, v: f"{api}/summary",
        "search": lambda r, v: f"{api}/search?q={r.choice(v['terms'])}",
        "entity API": lambda r, v: f"{api}/entities/{r.choice(v['ids'])}",
        "entity page": lambda r, v: f"{page}/entities/{r.choice(v['ids'])}",
        "network expand": lambda r, v: f"{api}/neighbours/{r.choice(v['ids'])}",
        "findings": lambda r, v: f"{api}/findings",
        "findings page": lambda r, v: f"{page}/findings",
        "chain graph": lambda r, v: f"{api}/chain/graph",
        "timeline (entity)": lambda r, v: f"{api}/timeline?ids={r.choice(v['ids'])}",
        "timeline (case)": lambda r, v: f"{api}/timeline",
        "map": lambda r, v: f"{api}/map",
        "money flows": lambda r, v: f"{api}/money?mode=overview",
        "account profile": lambda r, v: f"{api}/money/account/{r.choice(v['ibans'])}",
        "report HTML": lambda r, v: f"{page}/report.html",
    }


# What each role does, with how often (relative weights); every operation is allowed to it.
_READ = {"dashboard": 2, "summary": 1, "search": 6, "entity API": 6, "entity page": 4,
         "network expand": 5, "findings": 2, "findings page": 1, "chain graph": 1,
         "timeline (entity)": 2, "timeline (case)": 0.2, "map": 1, "money flows": 0.5,
         "account profile": 1}
MIX: dict[str, dict[str, float]] = {
    "investigator": {**_READ, "report HTML": 0.2},
    "analyst": {**_READ, "network expand": 10, "chain graph": 2},
    "financial_officer": {**_READ, "money flows": 2, "account profile": 6, "findings": 4},
    "labour_inspector": {**_READ, "timeline (entity)": 4, "map": 3},
    "prosecutor": {**_READ, "findings": 4, "chain graph": 2, "report HTML": 1},
    "judge": {**_READ, "findings": 4, "chain graph": 2, "report HTML": 1, "network expand": 1},
    "ngo_worker": {**_READ, "money flows": 0.2},  # the same pages, minimised
    "trainer": {**_READ, "report HTML": 0.5},
    "trainee": dict(_READ),
}
# CLI users: (name, arguments); the DPO reads and verifies the audit, the administrator
# manages accounts and reads the audit of the organisation
CLI: dict[str, list[tuple[str, list[str]]]] = {
    "dpo": [("audit of the case (CLI)", ["audit", "--case", CASE, "--format", "json"]),
            ("audit who (CLI)", ["audit", "who", "{id}", "--case", CASE, "--format", "json"]),
            ("audit verify (CLI)", ["audit", "verify"])],
    "administrator": [("user list (CLI)", ["user", "list"]),
                      ("audit of the organisation (CLI)", ["audit", "--format", "json"])],
}


def _csrf(text: str) -> str:
    return text.split('name="csrf" value="')[1].split('"')[0]


class User(threading.Thread):
    def __init__(self, base: str, info: dict[str, Any], account: dict[str, str], seed: int,
                 run: Run, start_at: float, until: float, think: float) -> None:
        super().__init__(daemon=True)
        self.base, self.info, self.account, self.run_ = base, info, account, run
        self.role = account["role"]
        self.rng = random.Random(seed)
        self.start_at, self.until, self.think = start_at, until, think

    def _timed(self, op: str, call: Callable[[], tuple[int, str]], expected: int) -> bool:
        start = time.perf_counter()
        error = None
        try:
            status, text = call()
            if status != expected:
                error = f"{status} (expected {expected}): {' '.join(text.split())[:300]}"
        except Exception as exc:  # noqa: BLE001 - a failed request is an error of the run
            error = f"{type(exc).__name__}: {exc}"
        self.run_.add(Sample(self.role, op, time.perf_counter() - start, error))
        return error is None

    def _pause(self, factor: float = 1.0) -> None:
        time.sleep(self.rng.uniform(0.5, 1.5) * self.think * factor)

    def run(self) -> None:
        import httpx

        time.sleep(max(0.0, self.start_at - time.monotonic()))  # ramp-up
        # idle connections are dropped after 1 s: uvicorn closes them after 5 s, and a click
        # after a pause of about 5 s would race that close (a browser retries; httpx not)
        limits = httpx.Limits(keepalive_expiry=1.0)
        with httpx.Client(base_url=self.base, timeout=300, follow_redirects=False,
                          limits=limits) as client:
            def get(path: str) -> tuple[int, str]:
                response = client.get(path)
                return response.status_code, response.text

            def login() -> tuple[int, str]:
                form = client.get("/login")
                response = client.post("/login", data={
                    "username": self.account["username"], "password": PASSWORD,
                    "csrf": _csrf(form.text)})
                return response.status_code, response.text

            if not self._timed("login", login, 303):
                return
            if self.role in CLI:
                self._cli_user(get)
            else:
                self._reader(get, client)

    def _reader(self, get: Callable[[str], tuple[int, str]], client: Any) -> None:
        training = self.role in ("trainer", "trainee")
        case = TRAINING if training else CASE
        view = self.info["views"]["training" if training else
                                  "ngo" if self.role == "ngo_worker" else "case"]

        def open_case() -> tuple[int, str]:
            form = client.get(f"/cases/{case}/open")
            if form.status_code != 200:
                return form.status_code, form.text
            response = client.post(f"/cases/{case}/open", data={
                "purpose": PURPOSE, "csrf": _csrf(form.text)})
            return response.status_code, response.text

        if not self._timed("open case with purpose", open_case, 303):
            return
        ops = _ops(case)
        mix = MIX[self.role]
        names, weights = list(mix), list(mix.values())
        while True:
            self._pause()
            if time.monotonic() >= self.until:
                return
            op = self.rng.choices(names, weights)[0]
            path = ops[op](self.rng, view)
            self._timed(op, lambda path=path: get(path), 200)

    def _cli_user(self, get: Callable[[str], tuple[int, str]]) -> None:
        env = {**os.environ, "VERIGA_HOME": self.info["home"],
               "VERIGA_DATABASE_URL": self.info["url"], "VERIGA_TOKEN": self.account["token"]}
        ids = self.info["views"]["case"]["ids"]

        def cli(args: list[str]) -> tuple[int, str]:
            done = subprocess.run([sys.executable, "-m", "veriga", *args], env=env,
                                  capture_output=True, text=True, check=False)
            return done.returncode, done.stderr[-600:] or done.stdout[-300:]

        pause = 1.0
        while True:
            self._pause(pause)
            pause = 3.0  # reading an audit log takes a while
            if time.monotonic() >= self.until:
                return
            if self.role == "administrator" and self.rng.random() < 0.5:
                path = self.rng.choice(["/cases", "/api/cases"])
                self._timed(f"case list ({path})", lambda path=path: get(path), 200)
                continue
            name, args = self.rng.choice(CLI[self.role])
            args = [a.replace("{id}", self.rng.choice(ids)) for a in args]
            self._timed(name, lambda args=args: cli(args), 0)


# -- the run ------------------------------------------------------------------------------

def _serve(home: str, url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    """`veriga serve --workers N` on the benchmark's store; its errors go to ``log``."""
    env = {**os.environ, "VERIGA_HOME": home, "VERIGA_DATABASE_URL": url, "VERIGA_TOKEN": ""}
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-m", "veriga", "serve", "--port", str(port),
                                 "--workers", str(workers)], env=env, stdout=out, stderr=out)


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def load(quick: bool = False) -> dict[str, Any]:
    """Run the load test; the figures per operation (and per role and operation)."""
    size = "small" if quick else "medium"
    users = int(_env("VERIGA_LOAD_USERS", 50))
    seconds = _env("VERIGA_LOAD_SECONDS", 45 if quick else 600)
    think = _env("VERIGA_LOAD_THINK", 10)
    workers = int(_env("VERIGA_LOAD_WORKERS", 4))
    ramp = min(20.0, seconds / 4)
    info = {**setup(size, users), "url": _url(size)}
    port = _free_port()
    log = OUT / f"serve-{size}.log"
    server = _serve(info["home"], info["url"], port, workers, log)
    base = f"http://127.0.0.1:{port}"
    run = Run()
    try:
        _wait_for(f"{base}/login", 120)
        begin = time.monotonic()
        until = begin + ramp + seconds
        threads = [User(base, info, account, n, run, begin + ramp * n / users, until, think)
                   for n, account in enumerate(info["accounts"])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - begin
    finally:
        server.terminate()
        server.wait(30)
    return _figures(run.samples, wall, {"size": size, "users": users, "seconds": seconds,
                                        "ramp_s": ramp, "think_s": think, "workers": workers,
                                        "roles": {r: sum(a["role"] == r for a in
                                                         info["accounts"]) for r in ROLES}})


def _stats(samples: list[Sample]) -> dict[str, Any]:
    times = sorted(s.seconds * 1000 for s in samples)
    return {"count": len(samples), "errors": sum(s.error is not None for s in samples),
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(_q(times, 0.95), 1),
            "p99_ms": round(_q(times, 0.99), 1), "max_ms": round(times[-1], 1)}


def _figures(samples: list[Sample], wall: float, config: dict[str, Any]) -> dict[str, Any]:
    ops = sorted({s.op for s in samples})
    per_op = {op: _stats([s for s in samples if s.op == op]) for op in ops}
    per_role = {role: {op: _stats(got) for op in ops
                       if (got := [s for s in samples if s.role == role and s.op == op])}
                for role in ROLES}
    errors: dict[str, int] = {}
    for s in samples:
        if s.error:
            key = f"{s.role} · {s.op}: {s.error}"
            errors[key] = errors.get(key, 0) + 1
    return {**config, "wall_s": round(wall, 1), "requests": len(samples),
            "errors": sum(errors.values()), "throughput_per_s": round(len(samples) / wall, 2),
            "per_op": per_op, "per_role": per_role, "error_samples": dict(
                sorted(errors.items(), key=lambda kv: -kv[1])[:30])}


def _markdown(fig: dict[str, Any]) -> str:
    lines = [f"# Load test: {fig['users']} users of every role, {fig['seconds']:.0f} s, "
             f"PostgreSQL ({fig['size']} world)", "",
             f"{fig['requests']} operations, {fig['errors']} errors, "
             f"{fig['throughput_per_s']} operations/s; think time {fig['think_s']} s "
             f"(CLI users 3x), {fig['workers']} workers, ramp-up {fig['ramp_s']:.0f} s.", "",
             "Users per role: " + ", ".join(f"{r} {n}" for r, n in fig["roles"].items()), "",
             "| operation | count | errors | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for op, s in fig["per_op"].items():
        lines.append(f"| {op} | {s['count']} | {s['errors']} | {s['p50_ms']:.0f} | "
                     f"{s['p95_ms']:.0f} | {s['p99_ms']:.0f} | {s['max_ms']:.0f} |")
    roles = [r for r in ROLES if fig["per_role"].get(r)]
    lines += ["", "p95 ms per role and operation:", "",
              "| operation | " + " | ".join(roles) + " |",
              "|---|" + "---:|" * len(roles)]
    for op in fig["per_op"]:
        cells = [f"{fig['per_role'][r][op]['p95_ms']:.0f}" if op in fig["per_role"][r]
                 else "" for r in roles]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    if fig["error_samples"]:
        lines += ["", "Errors:", ""] + [f"- {n} x {e}" for e, n in
                                        fig["error_samples"].items()]
    return "\n".join(lines) + "\n"


def run(quick: bool = False) -> list[dict[str, Any]]:
    try:
        sa.create_engine(PG).connect().close()
    except Exception as exc:  # noqa: BLE001 - no server: nothing to measure
        print(f"bench_load skipped: PostgreSQL not reachable ({exc})")
        return []
    fig = load(quick)
    OUT.mkdir(parents=True, exist_ok=True)
    stem = OUT / f"load-{fig['size']}"
    stem.with_suffix(".json").write_text(json.dumps(fig, indent=2), encoding="utf-8")
    stem.with_suffix(".md").write_text(_markdown(fig), encoding="utf-8")
    print(_markdown(fig))
    what = f"{fig['users']} users of every role, {fig['seconds']:.0f} s, {fig['size']} world"
    results = [{
        "name": f"load: {op} ({what})", "seconds": round(s["p50_ms"] / 1000, 4),
        "per_s": f"p95 {s['p95_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms",
        "peak_rss_mb": 0.0, "ratio_to_duckdb": f"{s['count']} ops, {s['errors']} errors"}
        for op, s in fig["per_op"].items()]
    results.append({"name": f"load: all operations ({what})", "seconds": fig["wall_s"],
                    "per_s": f"{fig['throughput_per_s']} ops/s", "peak_rss_mb": 0.0,
                    "ratio_to_duckdb": f"{fig['requests']} ops, {fig['errors']} errors"})
    if fig["errors"]:
        raise RuntimeError(f"load test: {fig['errors']} errors of {fig['requests']} operations "
                           f"(see {stem.with_suffix('.md')} and the server's log "
                           f"{OUT / ('serve-' + fig['size'] + '.log')}):\n"
                           + "\n".join(f"  {n} x {e}" for e, n in
                                       list(fig["error_samples"].items())[:10]))
    return results
