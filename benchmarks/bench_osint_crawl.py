"""Benchmark the crawler: pages per second against a simulated ad site served locally.

Two sites of one world: the escort board (static listings and a sitemap, windows-1257 named
in the HTTP header, an endless calendar cut as a trap) and the job board (reachable only by
paging, windows-1251). The rate limit is off; every response is still written to a WARC and
the state to SQLite. Run directly: ``python benchmarks/bench_osint_crawl.py [--quick]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from veriga.osint.crawl import Crawler, CrawlOptions
from veriga.osint.fetch import Fetcher
from veriga.simulate import simulate
from veriga.simulate.siteserver import serving

SITES = ("nightlist.example", "jobs-abroad.example")


def _one(size: str) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="veriga-bench-crawl-") as tmp:
        world = Path(tmp) / "w"
        simulate("sexual-exploitation", size, 1, world)
        for site in SITES:
            with serving(world / "ads" / "sites" / site) as server:
                opts = CrawlOptions(depth=4, rate=0, allow_private=True)
                fetcher = Fetcher(allow_private=True, limits=opts.limits,
                                  resolve=lambda host, port: ["127.0.0.1"])
                started = time.perf_counter()
                summary = Crawler([f"http://{site}:{server.server_address[1]}/"],
                                  Path(tmp) / f"crawl-{site}", opts, fetcher=fetcher).run()
                seconds = time.perf_counter() - started
                warc_mb = summary.warc.stat().st_size / 1e6
            rows.append({"name": f"osint crawl {size} {site.split('.')[0]}",
                         "pages": summary.pages, "images": summary.images,
                         "requests": summary.requests, "skipped": len(summary.skipped),
                         "seconds": round(seconds, 2),
                         "per_s": round(summary.pages / seconds, 1),
                         "requests_per_s": round(summary.requests / seconds, 1),
                         "warc_mb": round(warc_mb, 1)})
    return rows


def run(quick: bool) -> list[dict]:
    """Crawl the sites of a tiny world (and a small one unless ``quick``)."""
    return [row for size in (["tiny"] if quick else ["tiny", "small"]) for row in _one(size)]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv[1:]):
        print(json.dumps(row))
