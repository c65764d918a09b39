"""Benchmark the crawler: pages per second against a simulated ad site served locally.

The rate limit is off; every response is still written to a WARC and the state to SQLite.
Run directly: ``python benchmarks/bench_osint_crawl.py [--quick]``.
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from veriga.osint.crawl import Crawler, CrawlOptions
from veriga.simulate import simulate


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature
        pass


def _one(size: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="veriga-bench-crawl-") as tmp:
        world = Path(tmp) / "w"
        simulate("sexual-exploitation", size, 1, world)
        root = world / "ads" / "sites" / "nightlist.example"
        server = ThreadingHTTPServer(("127.0.0.1", 0),
                                     functools.partial(_Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            opts = CrawlOptions(depth=4, rate=0, allow_private=True)
            started = time.perf_counter()
            summary = Crawler([f"http://127.0.0.1:{server.server_address[1]}/"],
                              Path(tmp) / "crawl", opts).run()
            seconds = time.perf_counter() - started
            warc_mb = summary.warc.stat().st_size / 1e6
        finally:
            server.shutdown()
            server.server_close()
    return {"name": f"osint crawl {size}", "pages": summary.pages, "images": summary.images,
            "requests": summary.requests, "seconds": round(seconds, 2),
            "per_s": round(summary.pages / seconds, 1),
            "requests_per_s": round(summary.requests / seconds, 1),
            "warc_mb": round(warc_mb, 1)}


def run(quick: bool) -> list[dict]:
    """Crawl the site of a tiny world (and a small one unless ``quick``)."""
    return [_one(size) for size in (["tiny"] if quick else ["tiny", "small"])]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv[1:]):
        print(json.dumps(row))
