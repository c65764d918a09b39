"""Crawl the simulated sites that are as hard as real ones: a job board reachable only by
paging, an escort board with an endless calendar, pages in windows-1251 and windows-1257,
sitemaps of the real host name, interrupted crawls, and bad input along the way."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from osint_site import BAD_LINKS, EXTRA_LINKS, add_traps, serve
from warcio.archiveiterator import ArchiveIterator

from veriga.ingest.base import Draft, ImportContext
from veriga.ingest.warc import WARCImporter
from veriga.osint.archive import payload_sha256
from veriga.osint.crawl import Crawler, CrawlOptions
from veriga.osint.fetch import Fetcher, FetchLimits, FetchResult, fixed_resolver
from veriga.simulate import simulate
from veriga.simulate.siteserver import load_style

JOBS, NIGHT = "jobs-abroad.example", "nightlist.example"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world14s")
    simulate("labour-exploitation", "tiny", 1, out)  # Ukrainian job ads, Latvian escort ads
    return out


@pytest.fixture()
def served(world: Path, tmp_path: Path) -> Iterator[dict[str, tuple[str, Counter[str], Path]]]:
    """Both sites served on localhost: host -> (seed URL, hits per path, site folder)."""
    out = {}
    with serve(copy_site(world, JOBS, tmp_path)) as (jport, jhits), \
            serve(copy_site(world, NIGHT, tmp_path)) as (nport, nhits):
        out[JOBS] = (f"http://{JOBS}:{jport}/", jhits, tmp_path / JOBS)
        out[NIGHT] = (f"http://{NIGHT}:{nport}/", nhits, tmp_path / NIGHT)
        yield out


def copy_site(world: Path, host: str, tmp_path: Path) -> Path:
    root = tmp_path / host
    shutil.copytree(world / "ads" / "sites" / host, root)
    return root


def crawler(seeds: list[str], out: Path, **kw: object) -> Crawler:
    opts = CrawlOptions(rate=0, allow_private=True,
                        limits=FetchLimits(max_bytes=1 << 20, timeout=20))
    opts.traps.max_calendar_pages = 5
    for key, value in kw.items():
        setattr(opts, key, value)
    # the sites' names lead to the local server, as `veriga osint crawl --resolve` does
    fetcher = Fetcher(allow_private=True, limits=opts.limits, resolve=fixed_resolver(
        {JOBS: "127.0.0.1", NIGHT: "127.0.0.1"}, lambda host, port: []))
    return Crawler(seeds, out, opts, fetcher=fetcher)


def ftm_ads(world: Path, host: str) -> dict[str, dict[str, list[str]]]:
    ads = {}
    for line in (world / "ads" / "ads.ftm.jsonl").read_text(encoding="utf-8").splitlines():
        entity = json.loads(line)
        if entity["properties"]["site"] == [host]:
            ads[entity["properties"]["adId"][0]] = entity["properties"]
    return ads


def responses(out: Path) -> dict[str, tuple[bytes, str, str]]:
    """URL -> (payload, Content-Type, digest) of every response in the crawl's WARC files."""
    found = {}
    for warc in sorted(out.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    found[rec.rec_headers.get_header("WARC-Target-URI")] = (
                        rec.content_stream().read(),
                        rec.http_headers.get_header("Content-Type") or "",
                        rec.rec_headers.get_header("WARC-Payload-Digest"))
    return found


def archived_ads(out: Path) -> set[str]:
    return {u.rsplit("/", 1)[-1].removesuffix(".html") for u in responses(out) if "/ad/" in u}


def test_paginated_site_archived_whole(world: Path, served: dict, tmp_path: Path) -> None:
    seed, hits, root = served[JOBS]
    style, config = load_style(root)
    assert style.listing == "query" and not style.sitemap and config["pages"] >= 2
    # the default depth: front page, listing, ad; every further page of the listing counts
    # as the same depth, so no job is out of reach however long the listing is
    summary = crawler([seed], tmp_path / "c", depth=2).run()
    assert archived_ads(tmp_path / "c") == set(ftm_ads(world, JOBS))
    assert summary.images > 0 and summary.cut == []
    pages = config["pages"]
    for n in range(1, pages + 2):  # the pages, and the first empty one past the last
        assert hits[f"/list/?page={n}"] == 1
    # past the last page the site answers empty pages with a "next" link: one is enough
    assert not any(p == f"/list/?page={pages + 2}" for p in hits)
    assert max(hits.values()) == 1 and "/sitemap.xml" in hits  # looked for, not there


def test_calendar_trap_cut_with_reason(world: Path, served: dict, tmp_path: Path) -> None:
    seed, hits, root = served[NIGHT]
    assert load_style(root)[0].calendar
    summary = crawler([seed], tmp_path / "c", depth=50).run()
    calendar = [u for u, r in summary.skipped if r.startswith("trap: calendar")]
    assert calendar and all("/calendar?day=" in u for u in calendar)
    # 5 day pages of one shape (max_calendar_pages), then cut: the crawl ends, whole
    assert archived_ads(tmp_path / "c") == set(ftm_ads(world, NIGHT))
    assert sum(1 for p in hits if p.startswith("/calendar")) == 5


def test_sitemap_of_the_real_host_name(world: Path, served: dict, tmp_path: Path) -> None:
    """The sitemap lists https://nightlist.example/ad/...: crawled from the seed's origin."""
    seed, hits, _ = served[NIGHT]
    summary = crawler([seed], tmp_path / "c", depth=1, images=False).run()
    # depth 1 reaches the listings only; the ads come from the sitemap
    assert archived_ads(tmp_path / "c") == set(ftm_ads(world, NIGHT))
    assert all(u.startswith(seed) for u in responses(tmp_path / "c"))
    assert hits["/sitemap.xml"] == 1 and hits["/sitemap-1.xml"] == 1
    assert not [u for u, _ in summary.skipped if u.startswith("https://")]


@pytest.mark.parametrize(("host", "charset", "script"), [
    (JOBS, "windows-1251", "\u0400-\u04ff"),  # Cyrillic, named in a meta tag
    (NIGHT, "windows-1257", "āēīūčšžņļķģ"),  # Latvian, named in the HTTP header only
])
def test_legacy_encoding_decoded_into_ads(world: Path, served: dict, tmp_path: Path,
                                          host: str, charset: str, script: str) -> None:
    import re

    seed, _, root = served[host]
    style, _ = load_style(root)
    assert style.charset == charset
    crawler([seed], tmp_path / "c", depth=3, images=False).run()
    found = responses(tmp_path / "c")
    page = next(body for url, (body, ctype, _) in found.items() if "/ad/" in url)
    ctype = next(ctype for url, (body, ctype, _) in found.items() if "/ad/" in url)
    assert (f'charset="{charset}"'.encode() in page) == (style.declared == "meta")
    assert (charset in ctype) == (style.declared == "header")
    ctx = ImportContext(path=next((tmp_path / "c").glob("*.warc.gz")), source_id="s")
    drafts = [d for d in WARCImporter().parse(ctx) if isinstance(d, Draft)]
    ads = {dict(d.values)["adId"]: dict(d.values) for d in drafts
           if d.schema == "Advertisement"}
    ftm = ftm_ads(world, host)
    assert set(ads) == set(ftm) and ctx.rejects == []
    native = 0
    for ad_id, values in ads.items():
        for prop in ("title", "bodyText", "city", "contactName"):
            assert [values[prop]] == ftm[ad_id][prop], (ad_id, prop)
        native += bool(re.search(f"[{script}]", values["bodyText"] + values["title"]))
    assert native > 0  # the script of the charset is really there, decoded


def test_interrupted_crawl_loses_nothing(world: Path, served: dict, tmp_path: Path) -> None:
    seed, hits, _ = served[JOBS]
    out = tmp_path / "c"
    first = crawler([seed], out, depth=2)
    real, calls = first.fetcher.fetch, {"n": 0}

    def interrupted(url: str) -> FetchResult:
        calls["n"] += 1
        if calls["n"] > 12:
            raise KeyboardInterrupt
        return real(url)

    first.fetcher.fetch = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        first.run()
    warc1 = next(out.glob("*.warc.gz"))
    before, kept = warc1.read_bytes(), responses(out)
    assert 0 < len(archived_ads(out)) < len(ftm_ads(world, JOBS))
    crawler([seed], out, depth=2).run(resume=True)
    assert warc1.read_bytes() == before  # the first run's archive is never touched again
    after = responses(out)
    assert all(after[u] == kept[u] for u in kept)
    assert archived_ads(out) == set(ftm_ads(world, JOBS))  # the rest of the listing too
    assert max(hits.values()) == 1
    for body, _, digest in after.values():
        assert digest == f"sha256:{payload_sha256(body)}"


def test_bad_input_skipped_with_reason(world: Path, served: dict, tmp_path: Path) -> None:
    seed, hits, root = served[NIGHT]
    add_traps(root, EXTRA_LINKS + BAD_LINKS)
    summary = crawler([seed], tmp_path / "c", depth=3).run()
    reasons = dict(summary.skipped)
    assert reasons[seed + "bad/not-an-image.png"].startswith("image: not an image")
    assert "decompression bomb" in reasons[seed + "bad/bomb.png"]
    assert "redirect loop" in reasons[seed + "loop-a"]
    assert reasons[seed + "redirect/1"] == "more than 5 redirects"
    assert sum(1 for p in hits if p.startswith("/redirect/")) == 6
    assert summary.cut == [(seed + "huge.html", "cut at 1048576 bytes (max_bytes)")]
    found = responses(tmp_path / "c")
    # broken markup in an unknown charset and a page in another charset than it says are
    # archived as captured; the bad images too, but not counted as images
    for path in ("broken.html", "wrong-charset.html", "bad/bomb.png", "bad/not-an-image.png"):
        assert seed + path in found
    assert summary.images == sum(1 for u in found if "/img/" in u) > 0
    # and the crawl went on: every ad archived
    assert archived_ads(tmp_path / "c") == set(ftm_ads(world, NIGHT))
    assert hits["/index.html"] == 1  # linked from the wrong-charset page, fetched once


def test_command_line_crawl_of_a_served_site(world: Path, served: dict, tmp_path: Path,
                                             env_home: Path) -> None:
    """`veriga osint crawl --resolve`: the paginated site crawled under its own name, its
    ads in the case; a bad --resolve is refused before anything is fetched."""
    from typer.testing import CliRunner

    from veriga.cli.main import app

    seed, hits, _ = served[JOBS]
    runner = CliRunner()
    assert runner.invoke(app, ["case", "create", "Jobs"]).exit_code == 0
    args = ["osint", "crawl", seed, "--case", "Jobs", "--rate", "0", "--allow-private",
            "--out", str(tmp_path / "c")]
    done = runner.invoke(app, [*args, "--resolve", "nowhere"])
    assert done.exit_code != 0 and "HOST=IP" in done.output and not hits
    done = runner.invoke(app, [*args, "--resolve", f"{JOBS}=127.0.0.1"],
                         catch_exceptions=False)
    assert done.exit_code == 0, done.output
    ads = len(ftm_ads(world, JOBS))
    assert "crawled" in done.output and "imported crawl-00001.warc.gz" in done.output
    listed = runner.invoke(app, ["entities", "-c", "Jobs", "--format", "json"],
                           catch_exceptions=False)
    assert listed.output.count('"Advertisement"') == ads
