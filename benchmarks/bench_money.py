"""Money-flow Sankey: the API's three modes on a simulated world, and the flows on a tiled
1M-transaction ledger (``python -m benchmarks [--quick] bench_money``).

The API is measured as its handler runs it (the ledger prepared from the case's Parquet
files, the holders read from the store, the findings, the names), on a `medium` mixed world
(`small` with --quick), imported and analysed once. The 1M ledger is bench_finance's (a
`medium` world tiled); there the flows run on the engine directly, without the store.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/money")
SIZE = {"full": "medium", "quick": "small"}


def _world(size: str) -> tuple[Path, str, str]:
    """A world imported and analysed into case 'bench'; its home, a controller, a funnel."""
    import json

    from veriga.config import Settings
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    root = OUT / f"world-{size}"
    if not (root / "ground_truth.json").exists():
        simulate("mixed", size, 1, root)
    home = OUT / f"home-{size}"
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")
    ws = Workspace.local(settings, purpose="benchmark", username="bench")
    if not any(c["name"] == "bench" for c in ws.cases.list()):
        ws.cases.create("bench")
        requests, _ = expand([root / "bank", root / "labour"], ImportRequest(path=Path(".")))
        ws.records.import_files("bench", requests)
        ws.analyses.run("bench")
    ws.close()
    truth = json.loads((root / "ground_truth.json").read_text())
    controller = next(t["accounts"][0] for t in truth["typologies"] if t["code"] == "R9")
    funnel = next(t["accounts"][0] for t in truth["typologies"] if t["code"] == "R4")
    return home, controller, funnel


def world_child(size: str) -> dict[str, Any]:
    home, controller, funnel = _world(size)
    return {"home": str(home), "controller": controller, "funnel": funnel}


def api_child(home: str, mode: str, account: str = "", drill: bool = False) -> dict[str, Any]:
    """One call of the Sankey API's handler (and of the drill-down of its largest flow)."""
    from veriga.config import Settings
    from veriga.web.session import Web
    from veriga.web.views import money
    from veriga.workspace import Workspace

    settings = Settings(home=Path(home), database_url=f"sqlite:///{Path(home) / 'v.db'}")
    ws = Workspace.local(settings, purpose="benchmark", username="bench")
    assert ws.user is not None
    web = Web(ws, ws.user, "", "en", {})
    p = money.params(mode=mode, account=account, direction="both" if account else "forward",
                     hops=3, top=30)  # type: ignore[arg-type]
    start = time.perf_counter()
    data = money.money_api("bench", web, p)
    took = time.perf_counter() - start
    out: dict[str, Any] = {"seconds": round(took, 3), "links": len(data.links)}
    if drill:
        link = data.links[0]
        start = time.perf_counter()
        page = money.transactions_api("bench", web, p, link.source, link.target, 0, 50)
        out = {"seconds": round(time.perf_counter() - start, 3), "links": page.total}
    ws.close()
    return out


def big_child(ledger: str, mode: str, account: str) -> dict[str, Any]:
    """The flows on a big ledger (Parquet), as the API computes them, without the store."""
    from veriga.chain import flows
    from veriga.engine import get_engine
    from veriga.finance import analyze, prepare
    from veriga.finance.proceeds import as_findings, estimate

    engine = get_engine("duckdb")
    engine.register({"transaction": [Path(ledger)]})
    findings = []
    if mode == "proceeds":  # the findings are saved by `veriga analyze`: not measured
        prepare(engine)
        result = analyze(engine)
        findings = [*result.findings, *as_findings(estimate(result), result)]
    start = time.perf_counter()
    if mode == "trace":
        prepare(engine, lazy=True)
    elif mode == "overview":
        prepare(engine, ledger_only=True)
    ctx = flows.Context({}, flows.flagged_accounts(engine, findings), "LV", by_holder=False)
    if mode == "overview":
        sankey = flows.overview(engine, ctx, top=30)
    elif mode == "trace":
        sankey = flows.around(engine, ctx, [account], "both", hops=3)
    else:
        sankey = flows.proceeds(engine, ctx, findings, top=30)
    took = time.perf_counter() - start
    rows = engine.query("SELECT COUNT(*) AS n FROM \"transaction\"").column(0)[0].as_py()
    return {"seconds": round(took, 3), "links": len(sankey.links),
            "per_s": f"{rows / took:,.0f} tx/s"}


def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = SIZE["quick" if quick else "full"]
    world = measure("benchmarks.bench_money:world_child", size=size)
    results = []
    for mode, account, drill in (("overview", "", False), ("overview", "", True),
                                 ("trace", world["funnel"], False),
                                 ("proceeds", "", False), ("proceeds", "", True)):
        got = measure("benchmarks.bench_money:api_child", home=world["home"], mode=mode,
                      account=account, drill=drill)
        what = "drill-down of the largest flow" if drill else "Sankey"
        got["name"] = f"money API: {mode} {what}, {size} world ({got['links']} " \
                      f"{'transactions' if drill else 'links'})"
        results.append(got)
    target = 100_000 if quick else 1_000_000
    inputs = measure("benchmarks.bench_finance:inputs_child", size=size, targets=[target])
    ledger = inputs["ledgers"][str(target)]
    label = f"{target / 1e6:g}M" if target >= 1e6 else f"{target / 1e3:g}k"
    for mode in ("overview", "trace", "proceeds"):
        got = measure("benchmarks.bench_money:big_child", ledger=ledger, mode=mode,
                      account=inputs["controller"])
        got["name"] = f"money flows: {mode}, {label} tx ({got['links']} links)"
        results.append(got)
    return results
