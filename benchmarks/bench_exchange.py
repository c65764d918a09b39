"""Exchange packages (``python -m benchmarks bench_exchange``): a simulated mixed world's
police and bank files (medium; small with --quick) imported into a case of one installation,
then the whole case exported as a signed and encrypted package for another installation and
imported there: time, package size and peak memory of each step, each in a fresh process.
The import of the package is set against the ordinary import of the same files (which also
parses them and writes their bulk records) as ``ratio_to_file_import``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

PURPOSE = "benchmark"


def _ws(root: Path, name: str) -> Any:
    from veriga.config import Settings
    from veriga.workspace import Workspace

    settings = Settings(home=root / name, database_url=f"sqlite:///{root / name}.db")
    return Workspace.local(settings, purpose=PURPOSE, username=f"{name}-officer")


def setup_child(root: str, size: str) -> dict[str, Any]:
    from veriga.ingest import expand
    from veriga.ingest.runner import ImportRequest
    from veriga.simulate import simulate

    base = Path(root)
    simulate("mixed", size, 1, base / "world")
    lv, ee = _ws(base, "lv"), _ws(base, "ee")
    for ws, name, country in ((lv, "Valsts policija", "LV"), (ee, "Politsei", "EE")):
        ws.org_keys.generate_key(name=name, org_type="police", country=country)
        ws.org_keys.export_key(base / f"{country}.pub.json")
    lv.org_keys.add_key(base / "EE.pub.json")
    ee.org_keys.add_key(base / "LV.pub.json")
    lv.cases.create("amber")
    ee.cases.create("birch")
    requests, _ = expand([base / "world" / "police", base / "world" / "bank"],
                         ImportRequest(Path(".")))
    start = time.perf_counter()
    results = lv.records.import_files("amber", requests)
    seconds = time.perf_counter() - start
    lv.close()
    ee.close()
    return {"file_import_s": round(seconds, 2), "files": len(results),
            "statements": sum(r.statements for r in results)}


def export_child(root: str) -> dict[str, Any]:
    base = Path(root)
    lv = _ws(base, "lv")
    start = time.perf_counter()
    sent = lv.exchange.export("amber", "Politsei", base / "amber.vxp",
                              legal_basis="Art. 13 2000 EU MLA Convention", purpose=PURPOSE)
    seconds = time.perf_counter() - start
    lv.close()
    return {"seconds": round(seconds, 2), "package_mb": round(sent.size / 2**20, 2),
            **sent.counts}


def import_child(root: str) -> dict[str, Any]:
    base = Path(root)
    ee = _ws(base, "ee")
    start = time.perf_counter()
    got = ee.exchange.import_package(base / "amber.vxp", "birch")
    seconds = time.perf_counter() - start
    ee.close()
    return {"seconds": round(seconds, 2), **got.counts}


def run(quick: bool = False) -> list[dict[str, Any]]:
    size = "small" if quick else "medium"
    with tempfile.TemporaryDirectory() as tmp:
        base = measure("benchmarks.bench_exchange:setup_child", root=tmp, size=size)
        sent = measure("benchmarks.bench_exchange:export_child", root=tmp)
        got = measure("benchmarks.bench_exchange:import_child", root=tmp)
    n = sent["statements"]
    rows = [
        {"name": f"exchange: export a {size} case ({n:,} statements, "
                 f"{sent['package_mb']} MB package)",
         **sent, "per_s": round(n / max(sent["seconds"], 1e-9))},
        {"name": f"exchange: import that package ({base['files']} files' statements)",
         **got, "per_s": round(n / max(got["seconds"], 1e-9)),
         "file_import_s": base["file_import_s"],
         "ratio_to_file_import": round(got["seconds"] / max(base["file_import_s"], 1e-9), 2)},
    ]
    return rows
