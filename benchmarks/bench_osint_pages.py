"""The ads page and the archived ad viewer on a simulated `medium` sexual-exploitation world
(`small` with --quick): its three ad sites archived as one WARC file, as the crawler writes
it, and imported with the simulator's FtM copy of every ad (``python -m benchmarks
bench_osint_pages``).

The case is imported and analysed (``--only osint``) once into ``benchmarks/out/osint-pages``;
each figure is measured in a fresh process through FastAPI's test client as a logged-in
investigator, so it includes reading the entities, the audit entries and rendering: the ads
page (every ad, and one site), an ad page (its operation and indicators as the family stored
them) and the captured page (its record found in the WARC file through the index kept beside
it, checked and rewritten with its photos inlined). The extraction's gazetteer and language
model are loaded before the clock starts, as in a running server.
"""

from __future__ import annotations

import mimetypes
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/osint-pages")
PASSWORD = "benchmark password"
CASE = "bench"


def _settings(size: str) -> Any:
    from veriga.config import Settings

    home = OUT / f"home-{size}"
    return Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")


def _archive(sites: Path, out: Path) -> int:
    """Every file of the simulated sites as WARC response records; returns their count."""
    import json

    from veriga.osint.archive import WarcArchive
    from veriga.osint.fetch import Exchange

    archive = WarcArchive(out)
    n = 0
    try:
        for site in sorted(p for p in sites.iterdir() if p.is_dir()):
            config = json.loads((site / "site.json").read_text(encoding="utf-8"))
            for path in sorted(p for p in site.rglob("*") if p.is_file()):
                if path.name == "site.json":
                    continue
                ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                if ctype == "text/html":
                    ctype = f"text/html; charset={config.get('charset', 'utf-8')}"
                url = f"http://{site.name}/{path.relative_to(site).as_posix()}"
                archive.write(Exchange(
                    url=url, ip="127.0.0.1", request_line=f"GET {url} HTTP/1.1",
                    request_headers=[], status=200, reason="OK",
                    headers=[("Content-Type", ctype)], body=path.read_bytes(),
                    captured_at=datetime(2026, 3, 1, tzinfo=UTC)))
                n += 1
    finally:
        archive.close()
    return n


def prepare_child(size: str) -> dict[str, Any]:
    """Simulate, archive and import once; the case is ``bench``, the user ``analyst``."""
    from veriga.ingest import ImportRequest
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    world = OUT / f"world-{size}"
    if not (world / "ground_truth.json").exists():
        simulate("sexual-exploitation", size, 1, world)
    warc = OUT / f"sites-{size}.warc.gz"
    ws = Workspace.local(_settings(size), purpose="benchmark", username="bench")
    if not any(c["name"] == CASE for c in ws.cases.list()):
        warc.unlink(missing_ok=True)
        _archive(world / "ads" / "sites", warc)
        ws.directory.add_user("analyst", "Local workspace", ["investigator"], "Analyst", PASSWORD)
        ws.cases.create(CASE)
        ws.cases.add_member(CASE, "analyst")
        ws.records.import_files(CASE, [ImportRequest(path=warc),
                                       ImportRequest(path=world / "ads" / "ads.ftm.jsonl")])
        ws.analyses.run(CASE, only=["osint"])
    ads = list(ws.entities.list(CASE, ["Advertisement"]))
    archived = next(a for a in ads if a.get("contentHash") and a.get("phone"))
    sites = sorted({s for a in ads for s in a.get("site")})
    ws.close()
    return {"ads": len(ads), "ad": archived.id, "site": sites[0],
            "mb": round(warc.stat().st_size / 2**20, 1)}


def page_child(size: str, urls: list[str]) -> dict[str, Any]:
    """GET each of ``urls`` in turn (one session); the time of each."""
    from fastapi.testclient import TestClient

    from veriga.osint.extract import extract_html
    from veriga.web import create_app

    extract_html("warm up Riga 040 123 4567")  # gazetteer and language model, loaded once
    with TestClient(create_app(_settings(size)), base_url="https://bench") as client:
        page = client.get("/login")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/login", data={"username": "analyst", "password": PASSWORD,
                                    "csrf": token, "next": "/cases"})
        page = client.get(f"/cases/{CASE}/open")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        client.post(f"/cases/{CASE}/open", data={"purpose": "benchmark of views",
                                                 "csrf": token})
        times, sizes = [], []
        for url in urls:
            start = time.perf_counter()
            res = client.get(url)
            times.append(time.perf_counter() - start)
            res.raise_for_status()
            sizes.append(len(res.content))
    return {"seconds": round(times[-1], 3), "first": round(times[0], 3),
            "kb": round(sizes[-1] / 1024)}


def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = "small" if quick else "medium"
    world = measure("benchmarks.bench_osint_pages:prepare_child", size=size)
    about = f"{size} world, {world['ads']:,} ads, WARC {world['mb']} MB"
    ads, ad = f"/cases/{CASE}/ads", f"/cases/{CASE}/ads/{world['ad']}"
    results = []
    for name, url in (
            ("ads page, every ad", ads),
            ("ads page, one site", f"{ads}?site={world['site']}"),
            ("ad page, the case analysed (operation and indicators stored)", ad),
            ("captured page from its WARC record", f"{ad}/archived")):
        # the second request (a running server's); the first loads the indicator library
        figures = measure("benchmarks.bench_osint_pages:page_child", size=size,
                          urls=[url, url])
        figures["name"] = (f"{name} ({about}; {figures['kb']:,} KB; first request "
                           f"{figures['first']} s)")
        results.append(figures)
    return results
