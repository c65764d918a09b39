"""The web API under load: 20 concurrent users against PostgreSQL, expand-neighbours and the
entity page, p50 and p95 latency (``python -m benchmarks bench_web``; needs PostgreSQL). Users
pause about a second between requests, as people reading a page do; a second run without
pauses shows the saturation throughput.

The case is a simulated world (medium; small with --quick) imported into a fresh schema;
the server is uvicorn in its own process, the users are threads with their own sessions.
"""

from __future__ import annotations

import os
import random
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
        admin.add_org("Bench police", "police", "LV")
        admin.add_user("bench", "Bench police", ["investigator"], "Bench", PASSWORD)
        ws = admin.as_user("bench", purpose="benchmark setup")
        ws.create_case("bench")
        folders = [world / f for f in ("bank", "police", "labour", "registers", "travel")]
        requests, _ = expand([f for f in folders if f.exists()], ImportRequest(path=Path(".")))
        ws.import_files("bench", requests)
        ws.analyze("bench")
        marker.write_text("ok")
    os.environ["VERIGA_TOKEN"] = ""
    admin = Workspace(settings, purpose="benchmark")
    from veriga.coop import directory

    with admin.store.begin() as conn:
        admin.user = directory.load_user(conn, username="bench")
    ids = [e.id for e in admin.entities("bench", ["BankAccount", "Person", "Company"])]
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
        client.post("/cases/bench/open", data={"purpose": "load test", "csrf": csrf})
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
    try:
        sa.create_engine(PG).connect().close()
    except Exception as exc:  # noqa: BLE001 - no server: nothing to measure
        print(f"bench_web skipped: PostgreSQL not reachable ({exc})")
        return []
    OUT.mkdir(parents=True, exist_ok=True)
    size = "small" if quick else "medium"
    info = setup(size)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = _serve(info["settings_home"], port)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(200):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
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
