"""Benchmark ad extraction (``veriga.osint.extract``): ads per second over the simulated ads
of a small mixed world, repeated for volume, from FtM entities and from the HTML pages.

``run(quick)`` returns one row per input; each runs in a fresh process (harness.measure) so
its peak memory is its own. Run directly: ``python -m benchmarks.bench_osint_extract``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure


def extract_world(size: str, repeat: int, source: str) -> dict[str, Any]:
    """Child: simulate a world, then extract every ad ``repeat`` times (timed part only)."""
    from veriga.osint.extract import extract_advertisement, extract_html
    from veriga.simulate import simulate

    with tempfile.TemporaryDirectory(prefix="veriga-bench-extract-") as tmp:
        out = Path(tmp) / "w"
        simulate("mixed", size, 1, out)
        truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))["ads"]
        if source == "ftm":
            items: list[Any] = [json.loads(line) for line in
                                (out / "ads" / "ads.ftm.jsonl").read_text("utf-8").splitlines()]
        else:
            from veriga.osint.links import decode_html
            from veriga.simulate.siteserver import load_style

            def page(file: str) -> str:  # pages in the site's charset, named in site.json
                style, _ = load_style((out / file).parent.parent)
                return decode_html((out / file).read_bytes(), f"text/html; charset={style.charset}")

            items = [page(ad["file"]) for ad in truth]
        extract_html("warm up Riga 040 123 4567")  # gazetteer and language model load once
        started = time.perf_counter()
        phones = 0
        for _ in range(repeat):
            for item in items:
                if source == "ftm":
                    phones += len(extract_advertisement(item).phones)
                else:
                    phones += len(extract_html(item).phones)
        seconds = time.perf_counter() - started
    n = len(items) * repeat
    return {"name": f"osint extract {source} ({size} x{repeat})", "rows": n,
            "seconds": round(seconds, 3), "per_s": round(n / seconds), "phones": phones}


def run(quick: bool) -> list[dict[str, Any]]:
    repeat = 3 if quick else 20
    return [measure("benchmarks.bench_osint_extract:extract_world", size="small",
                    repeat=repeat, source=source) for source in ("ftm", "html")]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv[1:]):
        print(json.dumps(row))
