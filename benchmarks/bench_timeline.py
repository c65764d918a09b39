"""The timeline on a simulated `medium` mixed world (`small` with --quick): the JSON API for the
whole case, for two kinds, and for one person; and the event building alone
(``python -m benchmarks bench_timeline``).

The world (bank statements, travel bookings, ads, registers, labour records; analysed for
findings) is imported once into ``benchmarks/out/timeline``; each figure is measured in a
fresh process, through FastAPI's test client as a logged-in investigator, so it includes
reading the entities from the store, the audit entries and the JSON.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/timeline")
PASSWORD = "benchmark password"


def _settings(size: str) -> Any:
    from veriga.config import Settings

    home = OUT / f"home-{size}"
    return Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")


def prepare_child(size: str) -> dict[str, Any]:
    """Simulate and import the world once; the case is ``bench``, the user ``analyst``."""
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    world = OUT / f"world-{size}"
    if not (world / "ground_truth.json").exists():
        simulate("mixed", size, 1, world)
    ws = Workspace.local(_settings(size), purpose="benchmark", username="bench")
    note = ""
    if not any(c["name"] == "bench" for c in ws.cases.list()):
        ws.directory.add_user("analyst", "Local workspace", ["investigator"], "Analyst", PASSWORD)
        ws.cases.create("bench")
        ws.cases.add_member("bench", "analyst")
        folders = [world / d for d in ("bank", "travel", "registers", "labour")]
        requests, _ = expand(folders + [world / "ads" / "ads.ftm.jsonl"],
                             ImportRequest(path=Path(".")))
        ws.records.import_files("bench", requests)
        try:
            ws.analyses.run("bench")
        except Exception as exc:  # noqa: BLE001 - the timeline is measured without findings
            note = f"analysis failed ({type(exc).__name__}): no findings on the timeline"
    person = next(p.first("involved") for p in ws.entities.list("bench", ["Trip"]))
    figures = {"person": person, "entities": sum(1 for _ in ws.entities.list("bench")),
               "findings": len(ws.findings.list("bench")), "note": note}
    ws.close()
    return figures


def api_child(size: str, params: dict[str, str]) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from veriga.web import create_app

    with TestClient(create_app(_settings(size)), base_url="https://bench") as client:
        page = client.get("/login")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"username": "analyst", "password": PASSWORD,
                                    "csrf": token, "next": "/cases"})
        page = client.get("/cases/bench/open")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/cases/bench/open", data={"purpose": "benchmark of views", "csrf": token})
        start = time.perf_counter()
        res = client.get("/api/cases/bench/timeline", params=params)
        seconds = time.perf_counter() - start
    res.raise_for_status()
    data = res.json()
    return {"seconds": round(seconds, 3), "events": len(data["events"]), "total": data["total"],
            "per_s": round(data["total"] / seconds, 1), "kb": round(len(res.content) / 1024)}


def service_child(size: str) -> dict[str, Any]:
    """Building and choosing the events alone, from entities already read."""
    from veriga.chain import timeline as tl
    from veriga.workspace import Workspace

    ws = Workspace.local(_settings(size), purpose="benchmark", username="bench")
    entities = list(ws.entities.list("bench"))
    findings = ws.findings.list("bench")
    start = time.perf_counter()
    found = tl.events(entities, findings)
    chosen = tl.select(found)
    seconds = time.perf_counter() - start
    ws.close()
    return {"seconds": round(seconds, 3), "per_s": round(len(found) / seconds, 1),
            "events": len(chosen.events), "total": chosen.total}


def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = "small" if quick else "medium"
    world = measure("benchmarks.bench_timeline:prepare_child", size=size)
    if world["note"]:
        print(world["note"])
    about = f"{size} world, {world['entities']:,} entities, {world['findings']} findings"
    results = []
    for what, params in (("whole case", {}), ("trips and ads", {"kinds": "trip,ad"}),
                         ("one person", {"ids": world["person"]})):
        figures = measure("benchmarks.bench_timeline:api_child", size=size, params=params)
        figures["name"] = (f"timeline API: {what} ({about}; {figures['total']:,} events, "
                           f"{figures['events']:,} sent, {figures['kb']:,} KB)")
        results.append(figures)
    service = measure("benchmarks.bench_timeline:service_child", size=size)
    service["name"] = f"timeline: events built and chosen ({size}, {service['total']:,} events)"
    results.append(service)
    return results
