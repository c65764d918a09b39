"""The web application's figures (``python -m benchmarks bench_web``):

1. First render of a 2,000-node graph in headless Chromium: the network explorer
   (web/frontend/dev/perf.html) against bare sigma.js drawing the same graph
   (dev/bare.html), both served by the dev server (web/frontend/dev/server.mjs) from the same
   fixture (dev/make-fixture.mjs). "First render" is the performance mark
   ``veriga-network-first-render`` (sigma's first ``afterRender``, ms since navigation start);
   each load is a fresh browser context; the pages alternate; the figure is the median over
   ROUNDS rounds after one warm-up round. Goal of the explorer: at most 1.2 x bare sigma.js.
   Needs Node and Chromium; skipped without them.

2. The web API under load: 20 concurrent users against PostgreSQL, expand-neighbours and the
   entity page, p50 and p95 latency (needs PostgreSQL). Users pause about a second between
   requests, as people reading a page do; a second run without pauses shows the saturation
   throughput. The case is a simulated world (medium; small with --quick) imported into a
   fresh schema; the server is uvicorn in its own process, the users are threads with their
   own sessions.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
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


def _url() -> str:
    return f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{SCHEMA}"


def setup(size: str) -> dict[str, Any]:
    """Build the case (once per size) and return ids to ask for."""
    from veriga.config import Settings
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    marker = OUT / f"ready-{size}"
    engine = sa.create_engine(PG)
    with engine.begin() as conn:
        if not marker.exists():
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    engine.dispose()
    settings = Settings(home=OUT / f"home-{size}", database_url=_url())
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
    admin = Workspace(settings, purpose="benchmark")
    from veriga.access import directory

    with admin.store.begin() as conn:
        admin.user = directory.load_user(conn, username="bench")
    ids = [e.id for e in admin.entities.list("bench", ["BankAccount", "Person", "Company"])]
    return {"settings_home": str(settings.home), "ids": ids}


def _serve(home: str, port: int) -> subprocess.Popen:
    """`veriga serve --workers 2` (one per core) on the benchmark's workspace."""
    env = {**os.environ, "VERIGA_HOME": home, "VERIGA_DATABASE_URL": _url()}
    return subprocess.Popen([sys.executable, "-m", "veriga", "serve", "--port", str(port),
                             "--workers", "2"], env=env, stdout=subprocess.DEVNULL)


def _user(base: str, ids: list[str], seed: int, out: list[tuple[str, float]],
          think: float, ready: threading.Barrier) -> None:
    import httpx

    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get("/login")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf": token})
        page = client.get("/cases/bench/open")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/cases/bench/open", data={"purpose": "web load test", "csrf": csrf})
        ready.wait()  # everyone logged in (argon2 is slow on purpose): now the measured part
        time.sleep(rng.uniform(0, think))
        for _ in range(REQUESTS):
            entity = rng.choice(ids)
            kind = rng.choice(("neighbours", "entity"))
            path = (f"/api/cases/bench/neighbours/{entity}" if kind == "neighbours"
                    else f"/api/cases/bench/entities/{entity}")
            start = time.perf_counter()
            response = client.get(path)
            took = time.perf_counter() - start
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
            out.append((kind, took))
            if think:  # a person reads the page before the next click
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def run(quick: bool = False) -> list[dict[str, Any]]:
    return render() + load(quick)


def load(quick: bool = False) -> list[dict[str, Any]]:
    """p50 and p95 of expand-neighbours and the entity page, 20 users, PostgreSQL."""
    try:
        sa.create_engine(PG).connect().close()
    except Exception as exc:  # noqa: BLE001 - no server: nothing to measure
        print(f"bench_web load skipped: PostgreSQL not reachable ({exc})")
        return []
    OUT.mkdir(parents=True, exist_ok=True)
    size = "small" if quick else "medium"
    info = setup(size)
    port = _free_port()
    server = _serve(info["settings_home"], port)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/login")
        runs = {think: _load(base, info["ids"], think) for think in (1.0, 0.0)}
    finally:
        server.terminate()
        server.wait(10)
    results = []
    for think, (samples, wall) in runs.items():
        how = "1 s think time" if think else "no pause (saturation)"
        for kind in ("neighbours", "entity"):
            times = sorted(t for k, t in samples if k == kind)
            p95 = times[int(0.95 * (len(times) - 1))]
            results.append({
                "name": f"web API {kind}: {USERS} users, {how}, PostgreSQL ({size} world)",
                "seconds": round(statistics.median(times), 4), "per_s": f"p95 {p95 * 1000:.0f} ms",
                "peak_rss_mb": 0.0, "ratio_to_duckdb": f"{len(samples) / wall:.0f} req/s"})
    return results


def _load(base: str, ids: list[str], think: float) -> tuple[list[tuple[str, float]], float]:
    samples: list[tuple[str, float]] = []
    ready = threading.Barrier(USERS)
    threads = [threading.Thread(target=_user, args=(base, ids, n, samples, think, ready))
               for n in range(USERS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.perf_counter() - start
