"""Crawl a simulated ad site served on localhost: robots, scope, traps, limits, resume."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from osint_site import add_traps, serve
from warcio.archiveiterator import ArchiveIterator

from veriga.osint.archive import payload_sha256
from veriga.osint.crawl import Crawler, CrawlOptions
from veriga.osint.fetch import Fetcher, FetchLimits, FetchResult
from veriga.simulate import simulate

HOST = "nightlist.example"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world14")
    simulate("sexual-exploitation", "tiny", 1, out)
    return out


@pytest.fixture()
def site(world: Path, tmp_path: Path) -> Iterator[tuple[str, Counter[str]]]:
    root = tmp_path / "site"
    shutil.copytree(world / "ads" / "sites" / HOST, root)
    add_traps(root)
    with serve(root) as (port, hits):
        yield f"http://{HOST}:{port}/", hits


def crawler(seed: str, out: Path, **kw: object) -> Crawler:
    opts = CrawlOptions(depth=4, rate=0, allow_private=True,
                        limits=FetchLimits(max_bytes=1 << 20, timeout=20))
    opts.traps.max_calendar_pages = 3
    for key, value in kw.items():
        setattr(opts, key, value)
    # The site's host name resolves to the local server, as DNS would to a real one.
    fetcher = Fetcher(allow_private=True, limits=opts.limits,
                      resolve=lambda host, port: ["127.0.0.1"])
    return Crawler([seed], out, opts, fetcher=fetcher)


def site_ads(world: Path) -> set[str]:
    truth = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    return {a["ad_id"] for a in truth["ads"] if f"/{HOST}/" in a["file"]}


def warc_responses(out: Path) -> dict[str, tuple[bytes, str, str]]:
    found = {}
    for warc in sorted(out.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    found[rec.rec_headers.get_header("WARC-Target-URI")] = (
                        rec.content_stream().read(),
                        rec.rec_headers.get_header("WARC-Payload-Digest"),
                        rec.rec_headers.get_header("WARC-Date"))
    return found


def test_crawl_archives_every_ad(world: Path, site: tuple[str, Counter[str]],
                                 tmp_path: Path) -> None:
    seed, hits = site
    summary = crawler(seed, tmp_path / "crawl").run()
    responses = warc_responses(tmp_path / "crawl")
    archived = {u.rsplit("/", 1)[-1].removesuffix(".html") for u in responses if "/ad/" in u}
    assert archived == site_ads(world)
    assert summary.images == sum(1 for u in responses if "/img/" in u) > 0
    for body, digest, date in responses.values():
        assert digest == f"sha256:{payload_sha256(body)}" and date
    reasons = dict(summary.skipped)
    # robots.txt obeyed: /admin/ is disallowed and never requested
    assert reasons[seed + "admin/secret.html"] == "disallowed by robots.txt"
    assert not any(p.startswith("/admin") for p in hits)
    # traps: a session id and an endless calendar are skipped with a reason
    assert reasons[seed + "list/page-1.html?sid=0a1b2c3d"].startswith("trap: session id")
    assert any(r.startswith("trap: calendar") for r in reasons.values())
    assert sum(1 for p in hits if p.startswith("/trap/calendar")) <= 3
    # an oversized page is cut and archived with the reason; a redirect loop is stopped
    assert summary.cut == [(seed + "huge.html", "cut at 1048576 bytes (max_bytes)")]
    assert "redirect loop" in reasons[seed + "loop-a"]
    # scope: the sitemaps' https URLs of the real host are not reachable here, skipped
    assert all(u.startswith(seed) or u.startswith(f"https://{HOST}/") for u in reasons)
    assert max(hits.values()) == 1  # nothing fetched twice


def test_depth_and_prefix_scope(world: Path, site: tuple[str, Counter[str]],
                                tmp_path: Path) -> None:
    seed, hits = site
    summary = crawler(seed + "list/page-1.html", tmp_path / "c", depth=1, scope="prefix",
                      images=False, sitemaps=False).run()
    fetched = {p for p in hits if p != "/robots.txt"}
    # page 1 and the pages of its listing under /list/ (the next page of a listing is at the
    # same depth), the last one's "next" (not found); no ad pages (outside the prefix)
    pages = {f"/list/{p.name}" for p in (world / "ads" / "sites" / HOST / "list").iterdir()}
    assert fetched == pages | {f"/list/page-{len(pages) + 1}.html"} and len(pages) >= 2
    assert summary.pages == len(pages) and summary.images == 0


def test_resume_fetches_nothing_twice(site: tuple[str, Counter[str]], tmp_path: Path) -> None:
    seed, hits = site
    out = tmp_path / "crawl"
    first = crawler(seed, out)
    calls = {"n": 0}
    real = first.fetcher.fetch

    def interrupted(url: str) -> FetchResult:
        calls["n"] += 1
        if calls["n"] > 40:
            raise KeyboardInterrupt
        return real(url)

    first.fetcher.fetch = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        first.run()
    before = sum(hits.values())
    with pytest.raises(ValueError, match="resume"):
        crawler(seed, out).run()
    second = crawler(seed, out).run(resume=True)
    assert before == 40 and second.pages > 50
    assert max(hits.values()) == 1
    urls = [u for u in warc_responses(out)]
    assert len(urls) == len(set(urls)) and len(list(out.glob("*.warc.gz"))) == 2


def test_rate_limit_per_host(site: tuple[str, Counter[str]], tmp_path: Path) -> None:
    seed, _ = site
    now = {"t": 0.0}
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now["t"] += seconds

    c = crawler(seed + "list/page-1.html", tmp_path / "c", depth=1, rate=2.0, images=False,
                sitemaps=False, scope="prefix")
    c.clock, c.sleep = (lambda: now["t"]), sleep
    summary = c.run()
    # requests to one host (robots.txt, the listing's pages) at 2/s: half a second between
    assert summary.requests > 3 and waits == [0.5] * (summary.requests - 1)
