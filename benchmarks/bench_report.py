"""The case report for prosecutors: gathering, HTML and PDF of a simulated world's case with
every finding scoring 0.5 or more confirmed (``python -m benchmarks bench_report``; medium
world, or small with --quick). Each figure is measured in a fresh process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/report")


def _workspace(size: str) -> Any:
    from veriga.config import Settings
    from veriga.workspace import Workspace

    home = OUT / f"home-{size}"
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'v.db'}")
    return Workspace.local(settings, purpose="benchmark of the case report", username="bench")


def prepare_child(size: str) -> dict[str, Any]:
    """Simulate, import every source, analyse and confirm the findings (once per size)."""
    from veriga.findings import ReviewState
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate

    ws = _workspace(size)
    if not any(c["name"] == "bench" for c in ws.cases.list()):
        world = OUT / f"world-{size}"
        if not (world / "ground_truth.json").exists():
            simulate("mixed", size, 1, world)
        ws.cases.create("bench", "Benchmark case")
        folders = [p for p in world.iterdir() if p.is_dir()]
        requests, _ = expand(folders, ImportRequest(path=Path(".")))
        ws.records.import_files("bench", requests)
        ws.analyses.run("bench")
        for f in ws.findings.list("bench"):
            if f.score >= 0.5:
                ws.findings.review("bench", f.id, ReviewState.CONFIRMED, "benchmark")
    confirmed = sum(1 for f in ws.findings.list("bench") if f.review.state == ReviewState.CONFIRMED)
    ws.close()
    return {"confirmed": confirmed}


def report_child(size: str, fmt: str, lang: str = "en") -> dict[str, Any]:
    import time

    from veriga.reports import build_report, render_html, render_pdf
    from veriga.web.i18n import translations

    ws = _workspace(size)
    start = time.perf_counter()
    rep = build_report(ws, "bench", translations(lang).gettext, lang)
    gathered = time.perf_counter() - start
    pages = 0
    if fmt == "pdf":
        data, pages = render_pdf(rep)
        (OUT / f"report-{size}-{lang}.pdf").write_bytes(data)
    else:
        data = render_html(rep).encode("utf-8")
        (OUT / f"report-{size}-{lang}.html").write_bytes(data)
    ws.close()
    return {"gather_s": round(gathered, 2), "pages": pages, "bytes": len(data),
            "findings": len(rep.findings), "transactions": len(rep.transactions)}


def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = "small" if quick else "medium"
    prep = measure("benchmarks.bench_report:prepare_child", size=size)
    results = []
    for fmt in ("html", "pdf"):
        got = measure("benchmarks.bench_report:report_child", size=size, fmt=fmt)
        detail = f"{got['findings']} confirmed findings, {got['transactions']} transactions"
        if fmt == "pdf":
            detail += f", {got['pages']} pages"
        results.append({
            "name": f"report: {fmt.upper()} of a {size} world's case ({detail}; "
                    f"gathering {got['gather_s']} s)",
            "seconds": got["seconds"], "per_s": round(1 / got["seconds"], 3),
            "peak_rss_mb": got["peak_rss_mb"]})
    del prep
    return results
