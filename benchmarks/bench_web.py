"""The web application's figures (``python -m benchmarks bench_web``):

1. First render of a 2,000-node graph in headless Chromium: the network explorer
   (web/frontend/dev/perf.html) against bare sigma.js drawing the same graph
   (dev/bare.html), both served by the dev server (web/frontend/dev/server.mjs) from the same
   fixture (dev/make-fixture.mjs). "First render" is the performance mark
   ``veriga-network-first-render`` (sigma's first ``afterRender``, ms since navigation start);
   each load is a fresh browser context; the pages alternate; the figure is the median over
   ROUNDS rounds after one warm-up round. Goal of the explorer: at most 1.2 x bare sigma.js.
   Needs Node and Chromium; skipped without them.

2. Every page and API call of a case (:data:`VIEWS`), p50 and p95 latency on PostgreSQL:
   first one user loading each view in turn (three rounds after a warm-up), then 20
   concurrent users clicking through random views, pausing about a second to read each,
   after six users loaded every view once side by side (every worker process warmed).
   The case is a simulated world (medium; small with --quick) imported once into its own
   schema and reused by later runs (delete benchmarks/out/web/ready-* to rebuild it); the
   server is uvicorn in its own process, the users are threads with their own sessions.
   Each run's figures are saved (BENCH_WEB_LABEL, see :func:`load`) and compared with the
   run labelled ``before``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

OUT = Path("benchmarks/out/web")
PG = os.environ.get("VERIGA_TEST_POSTGRES_URL",
                    "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "veriga_bench_web"
PASSWORD = "benchmark password 1"
USERS, REQUESTS = 20, 30  # requests per user

FRONTEND = Path(__file__).resolve().parent.parent / "web" / "frontend"
DIST = FRONTEND.parent.parent / "src" / "veriga" / "web" / "static" / "dist"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# WebGL in headless Chromium without a GPU: SwiftShader, as in web/frontend/dev/measure.py
CHROMIUM_ARGS = ["--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                 "--no-sandbox"]
MARK = "veriga-network-first-render"
PAGES = {"explorer": "/dev/perf.html", "bare": "/dev/bare.html"}
ROUNDS, NODES = 20, 2000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare_pages() -> None:
    """The fixture and the built modules the two pages load (built once if missing)."""
    if not (FRONTEND / "dev" / "out" / f"fixture-{NODES}.json").exists():
        subprocess.run(["node", "dev/make-fixture.mjs", str(NODES)], cwd=FRONTEND, check=True,
                       stdout=subprocess.DEVNULL)
    if not ((FRONTEND / "dev" / "out" / "bare.js").exists()
            and (DIST / "network.js").exists() and (DIST / "network.css").exists()):
        subprocess.run(["node", "build.mjs", "--dev"], cwd=FRONTEND, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _first_render(page: Any, url: str) -> tuple[float, int]:
    """Open ``url``; the ms from navigation start to the first render, and the nodes drawn."""
    page.goto(url)
    for _ in range(1500):  # poll: wait_for_function needs 'unsafe-eval', which the CSP forbids
        if page.evaluate(f"performance.getEntriesByName('{MARK}').length > 0"):
            break
        page.wait_for_timeout(20)
    else:
        raise RuntimeError(f"{url}: no {MARK} mark after 30 s")
    ms = page.evaluate(f"performance.getEntriesByName('{MARK}')[0].startTime")
    nodes = page.evaluate("(window.verigaNetwork || window.bare).graph.order")
    return float(ms), int(nodes)


def render(rounds: int = ROUNDS) -> list[dict[str, Any]]:
    """First render of the 2,000-node graph: explorer vs bare sigma.js, median ms of each."""
    if not shutil.which("node") or not Path(CHROMIUM).exists():
        print(f"bench_web render skipped: needs node and Chromium ({CHROMIUM})")
        return []
    from playwright.sync_api import sync_playwright

    _prepare_pages()
    port = _free_port()
    server = subprocess.Popen(["node", "dev/server.mjs", str(port)], cwd=FRONTEND,
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    drawn: dict[str, int] = {}
    try:
        _wait_for(f"{base}/dev/bare.html")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for n in range(rounds + 1):  # round 0 warms up the server and the file cache
                for name in (PAGES if n % 2 else reversed(PAGES)):
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    ms, drawn[name] = _first_render(context.new_page(), base + PAGES[name])
                    context.close()
                    if n:
                        times[name].append(ms)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    if drawn.get("explorer") != drawn.get("bare"):
        raise RuntimeError(f"the pages drew different graphs: {drawn}")
    median = {name: statistics.median(t) for name, t in times.items()}
    ratio = median["explorer"] / median["bare"]
    ratios = sorted(e / b for e, b in zip(times["explorer"], times["bare"], strict=True))
    return [{
        "name": f"first render, {drawn['bare']:,} nodes, headless Chromium: {what} "
                f"(median of {rounds})",
        "seconds": round(median[key] / 1000, 4),
        "per_s": f"{median[key]:.0f} ms (p10-p90 {_q(times[key], 0.1):.0f}-"
                 f"{_q(times[key], 0.9):.0f})",
        "peak_rss_mb": 0.0,
        "ratio_to_duckdb": (f"{ratio:.2f}x bare (goal <= 1.2; rounds "
                            f"{_q(ratios, 0.1):.2f}-{_q(ratios, 0.9):.2f})"
                            if key == "explorer" else "1.00"),
    } for key, what in (("explorer", "network explorer"), ("bare", "bare sigma.js"))]


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


def _wait_for(url: str, seconds: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _url(size: str) -> str:
    """The store of one size's case: a schema of its own (building one size's case must not
    drop another's, whose files and marker stay)."""
    return f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{SCHEMA}_{size}"


def setup(size: str) -> dict[str, Any]:
    """Build the case (once per size: kept in its schema and reused by later runs) and
    return what the users ask for: entity ids, names to search, accounts to trace."""
    from veriga.config import Settings
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    marker = OUT / f"ready-{size}"
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        if not marker.exists():
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}_{size}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}_{size}"'))
    engine.dispose()
    settings = Settings(home=OUT / f"home-{size}", database_url=_url(size))
    world = OUT / f"world-{size}"
    if not marker.exists():
        if not (world / "ground_truth.json").exists():
            simulate("mixed", size, 1, world)
        admin = Workspace.local(settings, purpose="benchmark setup", username="admin")
        admin.directory.add_org("Bench police", "police", "LV")
        admin.directory.add_user("bench", "Bench police", ["investigator"], "Bench", PASSWORD)
        ws = admin.as_user("bench", purpose="benchmark setup")
        ws.cases.create("bench")
        folders = [world / f for f in ("bank", "police", "labour", "registers", "travel")]
        requests, _ = expand([f for f in folders if f.exists()], ImportRequest(path=Path(".")))
        ws.records.import_files("bench", requests)
        ws.analyses.run("bench")
        marker.write_text("ok")
    os.environ["VERIGA_TOKEN"] = ""
    asked = OUT / f"asked-{size}.json"
    if not asked.exists():
        asked.write_text(json.dumps(_asked(settings)), encoding="utf-8")
    return {"settings_home": str(settings.home), **json.loads(asked.read_text("utf-8"))}


def _asked(settings: Any) -> dict[str, Any]:
    """Entity ids, searched names and traced accounts of the case (read once)."""
    from veriga.access import directory
    from veriga.workspace import Workspace

    admin = Workspace(settings, purpose="benchmark")
    with admin.store.begin() as conn:
        admin.user = directory.load_user(conn, username="bench")
    ids, names = [], []
    for e in admin.entities.list("bench", ["BankAccount", "Person", "Company"],
                                 props=["name"]):
        ids.append(e.id)
        if e.schema.name == "Person" and e.first("name"):
            names.append(str(e.first("name")).split()[-1][:12])
    engine = admin.records.engine("bench")
    try:
        ibans = [r["account"] for r in engine.query(
            'SELECT account, count(*) AS n FROM "transaction" GROUP BY account '
            "ORDER BY n DESC, account LIMIT 40").to_pylist()]
    finally:
        engine.close()
    rng = random.Random(1)
    return {"ids": ids, "names": sorted(set(rng.sample(names, min(40, len(names))))),
            "ibans": ibans}


def _serve(home: str, port: int, size: str) -> subprocess.Popen:
    """`veriga serve --workers 2` (one per core) on the benchmark's workspace; with
    BENCH_WEB_SRC, the code of that source tree (another checkout: figures before a change)."""
    env = {**os.environ, "VERIGA_HOME": home, "VERIGA_DATABASE_URL": _url(size)}
    if os.environ.get("BENCH_WEB_SRC"):
        env["PYTHONPATH"] = os.environ["BENCH_WEB_SRC"]
    return subprocess.Popen([sys.executable, "-m", "veriga", "serve", "--port", str(port),
                             "--workers", "2"], env=env, stdout=subprocess.DEVNULL)


C = "/cases/bench"
A = "/api/cases/bench"
#: Every page and API call a reader of a case uses (GET), by name; ``{id}``, ``{id2}``,
#: ``{q}``, ``{iban}``, ``{from_node}``, ``{to_node}`` are filled in per request.
VIEWS: dict[str, str] = {
    "cases": "/cases", "cases API": "/api/cases",
    "dashboard": C, "summary API": f"{A}/summary",
    "search page": f"{C}/entities?q={{q}}", "search API": f"{A}/search?q={{q}}",
    "entity page": f"{C}/entities/{{id}}", "entity API": f"{A}/entities/{{id}}",
    "network page": f"{C}/network", "graph API": f"{A}/graph?ids={{id}}",
    "neighbours API": f"{A}/neighbours/{{id}}", "pivots API": f"{A}/pivots/{{id}}",
    "path API": f"{A}/path?from={{id}}&to={{id2}}&max_hops=4",
    "saved views API": f"{A}/views",
    "chain page": f"{C}/chain", "chain API": f"{A}/chain", "chain graph API": f"{A}/chain/graph",
    "timeline page": f"{C}/timeline", "timeline API": f"{A}/timeline",
    "timeline API (one entity)": f"{A}/timeline?ids={{id}}",
    "map page": f"{C}/map", "map API": f"{A}/map",
    "money page": f"{C}/money", "money API overview": f"{A}/money",
    "money API proceeds": f"{A}/money?mode=proceeds",
    "money API trace": f"{A}/money?mode=trace&account={{iban}}",
    "money API transactions": f"{A}/money/transactions?from_node={{from_node}}"
                              f"&to_node={{to_node}}",
    "money API account": f"{A}/money/account/{{iban}}",
    "findings page": f"{C}/findings", "findings API": f"{A}/findings",
    "resolve page": f"{C}/resolve", "files page": f"{C}/files", "xref page": f"{C}/xref",
    "ads page": f"{C}/ads",
}
#: Heavy documents: measured by one user only with BENCH_WEB_HEAVY=1 (minutes each before
#: they became background jobs), never in the load mix.
HEAVY: dict[str, str] = {"report page": f"{C}/report", "report HTML": f"{C}/report.html",
                         "report PDF": f"{C}/report.pdf"}


def _path(template: str, asked: dict[str, Any], rng: random.Random) -> str:
    from urllib.parse import quote

    link = rng.choice(asked["links"]) if asked.get("links") else ("x", "y")
    return template.format(id=rng.choice(asked["ids"]), id2=rng.choice(asked["ids"]),
                           q=quote(rng.choice(asked["names"] or ["an"])),
                           iban=rng.choice(asked["ibans"] or ["LV00"]),
                           from_node=quote(link[0]), to_node=quote(link[1]))


@contextmanager
def _client(base: str) -> Iterator[Any]:
    """A logged-in user with the case open."""
    import httpx

    with httpx.Client(base_url=base, timeout=900) as client:
        page = client.get("/login")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf": token})
        page = client.get("/cases/bench/open")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/cases/bench/open", data={"purpose": "web load test", "csrf": csrf})
        yield client


def _get(client: Any, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    took = time.perf_counter() - start
    if response.status_code not in (200, 404):  # 404: a trace of an account without flows
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    return took


def _user(base: str, asked: dict[str, Any], views: dict[str, str], seed: int,
          out: list[tuple[str, float]], think: float, requests: int,
          ready: threading.Barrier) -> None:
    rng = random.Random(seed)
    with _client(base) as client:
        ready.wait()  # everyone logged in (argon2 is slow on purpose): now the measured part
        time.sleep(rng.uniform(0, think))
        for _ in range(requests):
            name = rng.choice(sorted(views))
            out.append((name, _get(client, _path(views[name], asked, rng))))
            if think:  # a person reads the page before the next click
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def run(quick: bool = False) -> list[dict[str, Any]]:
    return render() + load(quick)


def load(quick: bool = False) -> list[dict[str, Any]]:
    """Every view's p50 and p95: one user loading each view in turn (ROUNDS_ONE times), then
    USERS users clicking through random views with a pause to read, on PostgreSQL.

    Environment: BENCH_WEB_LABEL names the run's saved figures (``before``: the ones later
    runs are compared with), BENCH_WEB_REQUESTS the requests per user, BENCH_WEB_ONLY a
    comma-separated list of views, BENCH_WEB_ROUNDS the one user's rounds, BENCH_WEB_USERS=0
    skips the load part, BENCH_WEB_HEAVY=1
    adds the report and its PDF to the one-user part, BENCH_WEB_SIZE=large measures the large
    case (1.1M transactions; built once, about half an hour) instead of the medium one."""
    try:
        sa.create_engine(PG).connect().close()
    except Exception as exc:  # noqa: BLE001 - no server: nothing to measure
        print(f"bench_web load skipped: PostgreSQL not reachable ({exc})")
        return []
    OUT.mkdir(parents=True, exist_ok=True)
    size = os.environ.get("BENCH_WEB_SIZE") or ("small" if quick else "medium")
    asked = setup(size)
    only = [v for v in os.environ.get("BENCH_WEB_ONLY", "").split(",") if v]
    users = int(os.environ.get("BENCH_WEB_USERS", USERS))
    requests = int(os.environ.get("BENCH_WEB_REQUESTS", 5 if quick else REQUESTS))
    views = {k: v for k, v in VIEWS.items() if not only or k in only}
    if os.environ.get("BENCH_WEB_HEAVY"):
        views |= HEAVY
    port = _free_port()
    server = _serve(asked["settings_home"], port, size)
    base = f"http://127.0.0.1:{port}"
    samples: dict[str, dict[str, list[float]]] = {}
    try:
        _wait_for(f"{base}/login", 300)
        with _client(base) as client:  # the links of the money overview, to drill into
            sankey = client.get(f"{A}/money").json()
            asked["links"] = [(k["source"], k["target"]) for k in sankey.get("links", [])]
            rounds = int(os.environ.get("BENCH_WEB_ROUNDS", 1 if quick else ROUNDS_ONE))
            samples["one user"] = _one_user(client, views, asked, rounds)
        if users:
            mix = {k: v for k, v in views.items() if k not in HEAVY}
            _warm(base, asked, mix)
            mixed, _ = _load(base, asked, mix, 1.0, users, requests)
            samples[f"{users} users"] = {}
            for name, took in mixed:
                samples[f"{users} users"].setdefault(name, []).append(took)
    finally:
        server.terminate()
        server.wait(10)
    return _rows(samples, size)


ROUNDS_ONE = 3
#: Users who load every view once, side by side, before the measured load: one user's
#: connection is served by one worker process, and the others' first requests made what a
#: worker keeps (the ledger, the findings) under the load, seconds each.
WARM_USERS = 6


def _warm(base: str, asked: dict[str, Any], views: dict[str, str]) -> None:
    """Every worker process warmed: :data:`WARM_USERS` connections load each view once."""
    def one(seed: int) -> None:
        rng = random.Random(seed)
        with _client(base) as client:
            for template in views.values():
                _get(client, _path(template, asked, rng))

    threads = [threading.Thread(target=one, args=(100 + n,)) for n in range(WARM_USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _one_user(client: Any, views: dict[str, str], asked: dict[str, Any], rounds: int
              ) -> dict[str, list[float]]:
    """Each view ``rounds`` times in turn, after one unmeasured warm-up load."""
    rng = random.Random(7)
    for template in views.values():
        _get(client, _path(template, asked, rng))
    out: dict[str, list[float]] = {name: [] for name in views}
    for _ in range(rounds):
        for name, template in views.items():
            out[name].append(_get(client, _path(template, asked, rng)))
    return out


def _rows(samples: dict[str, dict[str, list[float]]], size: str) -> list[dict[str, Any]]:
    """One row per part and view; saved as BENCH_WEB_LABEL and compared with ``before``."""
    label = os.environ.get("BENCH_WEB_LABEL", "last")
    figures = {part: {name: {"p50": statistics.median(t), "p95": _q(t, 0.95), "n": len(t)}
                      for name, t in sorted(views.items())}
               for part, views in samples.items()}
    saved = OUT / f"views-{size}-{label}.json"
    saved.write_text(json.dumps({"load": _busy(), "figures": figures}, indent=1), "utf-8")
    before_file = OUT / f"views-{size}-before.json"
    before = (json.loads(before_file.read_text("utf-8"))["figures"]
              if before_file.exists() and label != "before" else {})
    rows = []
    for part, views in figures.items():
        for name, f in views.items():
            was = before.get(part, {}).get(name)
            rows.append({
                "name": f"web {name}: {part}, PostgreSQL ({size} case)",
                "seconds": round(f["p50"], 4),
                "per_s": f"p95 {f['p95'] * 1000:.0f} ms (n={f['n']})",
                "peak_rss_mb": 0.0,
                "ratio_to_before": (f"p50 {f['p50'] / was['p50']:.2f} p95 "
                                    f"{f['p95'] / was['p95']:.2f}") if was else "-"})
    print(f"bench_web: figures saved to {saved}; load average {_busy()}")
    return rows


def _busy() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _load(base: str, asked: dict[str, Any], views: dict[str, str], think: float, users: int,
          requests: int) -> tuple[list[tuple[str, float]], float]:
    samples: list[tuple[str, float]] = []
    ready = threading.Barrier(users)
    threads = [threading.Thread(target=_user, args=(base, asked, views, n, samples,
                                                    think, requests, ready))
               for n in range(users)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - start
