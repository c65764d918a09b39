"""A polite, resumable crawler that archives what it fetches as WARC.

Seeds, robots.txt obeyed, sitemaps read, links followed by depth within a scope, a rate
limit per host, crawler traps skipped. The next page of a listing (``rel="next"``, or the
same URL with another page number) is one more page at the same depth, as long as the
listing brings links not seen before: a site reachable only by paging is crawled whole, an
endless run of empty pages stops. A raster image response that is no image, or declares more pixels
than ``max_image_pixels`` (a decompression bomb), stays in the WARC as captured but is
skipped with the reason. URLs that a seed site's sitemap lists under the same host
name with another scheme or port (``https://site/`` in the sitemap of ``http://site:8080/``)
are fetched from the seed's origin. The state (every URL with its depth, kind, status and
reason) is a small SQLite file next to the WARC files, so a second run with ``resume`` fetches
only what is left. Each run appends a new WARC file; nothing already archived is touched.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from urllib.robotparser import RobotFileParser

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from veriga.osint.archive import WarcArchive
from veriga.osint.fetch import Exchange, Fetcher, FetchLimits
from veriga.osint.imagecheck import CHECKED, MAX_PIXELS, image_problem
from veriga.osint.links import decode_html, normalise_url, read_page
from veriga.osint.traps import TrapDetector, TrapRules

STATE = "crawl-state.sqlite"
MAX_SITEMAP_URLS = 100_000
#: ``progress(done, total, url)``: URLs handled so far, URLs known, the URL just handled.
CrawlProgress = Callable[[int, int, str], None]

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
  url TEXT PRIMARY KEY, depth INTEGER NOT NULL, kind TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued', reason TEXT, sha256 TEXT, parent TEXT,
  seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass
class CrawlOptions:
    """How far and how fast to crawl."""

    depth: int = 3
    scope: str = "same-domain"  # or "prefix"
    rate: float = 1.0  # requests per second per host; 0 = no limit
    allow_private: bool = False
    images: bool = True
    sitemaps: bool = True
    limits: FetchLimits = field(default_factory=FetchLimits)
    traps: TrapRules = field(default_factory=TrapRules)
    contact: str = ""  # who runs the crawl, written into the WARC's warcinfo record
    max_image_pixels: int = MAX_PIXELS  # larger images are skipped (decompression bombs)


@dataclass
class CrawlSummary:
    """What a run did: counts per kind, skipped URLs with reasons, the WARC written."""

    warc: Path
    state: Path
    pages: int = 0
    images: int = 0
    other: int = 0
    requests: int = 0
    cut: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def reasons(self) -> Counter[str]:
        return Counter(reason.split(":")[0] if reason.startswith("trap") else reason
                       for _, reason in self.skipped)


def robots_allow(rules: RobotFileParser, agent: str, url: str) -> bool:
    """Whether robots.txt lets ``agent`` fetch ``url``: the longest matching rule wins and
    an Allow wins a tie (RFC 9309), where :meth:`RobotFileParser.can_fetch` takes the first."""
    if getattr(rules, "disallow_all", False):
        return False
    if getattr(rules, "allow_all", False):
        return True
    entries = [e for e in getattr(rules, "entries", []) if e.applies_to(agent)]
    default = getattr(rules, "default_entry", None)
    entry = entries[0] if entries else default
    if entry is None:
        return True
    parts = urlsplit(url)
    path = quote(unquote(parts.path or "/")) + (f"?{parts.query}" if parts.query else "")
    best: tuple[int, bool] | None = None
    for line in entry.rulelines:
        if line.applies_to(path):
            key = (len(line.path), bool(line.allowance))
            if best is None or key > best:
                best = key
    return True if best is None else best[1]


class Crawler:
    """Crawl ``seeds`` into ``out``; see the module docstring."""

    def __init__(self, seeds: list[str], out: Path, options: CrawlOptions | None = None,
                 fetcher: Fetcher | None = None, progress: CrawlProgress | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.options = options or CrawlOptions()
        self.seeds = [u for u in (normalise_url(s) for s in seeds) if u]
        if not self.seeds:
            raise ValueError("no valid http(s) seed URL")
        self.out = out
        self.fetcher = fetcher or Fetcher(allow_private=self.options.allow_private,
                                          limits=self.options.limits)
        self.progress = progress or (lambda done, total, url: None)
        self.clock, self.sleep = clock, sleep
        self.traps = TrapDetector(self.options.traps)
        self._robots: dict[str, RobotFileParser | str] = {}
        self._last: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._seq = 0
        self._db: sqlite3.Connection | None = None
        self._links_seen: set[int] = set()  # hashes of links found on pages, for paging

    # -- state -------------------------------------------------------------------------------

    def _open_state(self, resume: bool) -> sqlite3.Connection:
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / STATE
        if path.exists() and not resume:
            raise ValueError(f"{self.out} already holds a crawl; resume it or use another folder")
        db = self._db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        self._seq = db.execute("SELECT coalesce(max(seq), 0) FROM urls").fetchone()[0]
        for url, in db.execute("SELECT url FROM urls WHERE status = 'done' AND kind = 'page'"):
            self.traps.check(url)  # counts per host and calendar shapes survive a resume
        return db

    def _add(self, db: sqlite3.Connection, url: str, depth: int, kind: str,
             parent: str | None) -> bool:
        """Queue ``url`` unless it is known; whether it was new."""
        self._seq += 1
        return db.execute("INSERT OR IGNORE INTO urls (url, depth, kind, parent, seq) "
                          "VALUES (?, ?, ?, ?, ?)",
                          (url, depth, kind, parent, self._seq)).rowcount == 1

    def _finish(self, db: sqlite3.Connection, url: str, status: str, reason: str | None,
                sha: str | None = None) -> None:
        db.execute("UPDATE urls SET status = ?, reason = ?, sha256 = ? WHERE url = ?",
                   (status, reason, sha, url))
        db.commit()

    # -- policy ------------------------------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        for seed in self.seeds:
            if self.options.scope == "prefix":
                if url.startswith(seed.rsplit("/", 1)[0] + "/"):
                    return True
            else:
                root = (urlsplit(seed).hostname or "").lower().removeprefix("www.")
                if host == root or host.endswith("." + root):
                    return True
        return False

    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def seed_origin(self, url: str) -> str:
        """``url`` on the origin of the seed with the same host name, if its scheme or port
        differs (a sitemap of ``http://site:8080/`` listing ``https://site/...``)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        for seed in self.seeds:
            seed_parts = urlsplit(seed)
            if (seed_parts.hostname or "").lower() == host and \
                    (seed_parts.scheme, seed_parts.netloc) != (parts.scheme, parts.netloc):
                return normalise_url(parts._replace(scheme=seed_parts.scheme,
                                                    netloc=seed_parts.netloc).geturl()) or url
        return url

    def _wait(self, url: str) -> None:
        host = self._origin(url)
        interval = max(1.0 / self.options.rate if self.options.rate > 0 else 0.0,
                       self._delay.get(host, 0.0))
        last = self._last.get(host)
        if last is not None and interval > 0:
            wait = last + interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def _fetch(self, archive: WarcArchive, summary: CrawlSummary,
               url: str) -> tuple[Exchange | None, str | None, str | None]:
        """(final exchange, its SHA-256, error) after writing every hop to the WARC."""
        self._wait(url)
        result = self.fetcher.fetch(url)
        summary.requests += max(1, len(result.hops))
        sha = None
        for hop in result.hops:
            sha = archive.write(hop)
        return result.final, sha, result.error

    def robots(self, archive: WarcArchive, summary: CrawlSummary,
               url: str) -> RobotFileParser | str:
        """The robots.txt rules of ``url``'s origin, or the reason none could be read."""
        origin = self._origin(url)
        if origin in self._robots:
            return self._robots[origin]
        rules = RobotFileParser(origin + "/robots.txt")
        found: RobotFileParser | str
        stored = self._db.execute("SELECT value FROM meta WHERE key = ?",
                                  ("robots " + origin,)).fetchone() if self._db else None
        if stored is not None:  # read on an earlier run: not fetched twice
            found = stored[0][1:] if stored[0].startswith("!") else rules
            if isinstance(found, RobotFileParser):
                rules.parse(stored[0].splitlines())
            self._robots[origin] = found
            return found
        final, _, error = self._fetch(archive, summary, origin + "/robots.txt")
        text = ""
        if final is None:
            found = f"robots.txt unavailable: {error}"
        elif final.status in (401, 403):
            rules.disallow_all = True  # type: ignore[attr-defined]
            found = rules
        elif final.status >= 500:
            found = f"robots.txt unavailable: HTTP {final.status}"
        elif final.status >= 400 or error:
            rules.allow_all = True  # type: ignore[attr-defined]
            found = rules
        else:
            text = final.body.decode("utf-8", errors="replace")
            rules.parse(text.splitlines())
            delay = rules.crawl_delay(self.fetcher.user_agent)
            if delay:
                self._delay[origin] = float(delay)
            found = rules
        if getattr(rules, "disallow_all", False):
            text = "User-agent: *\nDisallow: /\n"
        if self._db is not None and not (isinstance(found, str) and "network error" in found):
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                             ("robots " + origin, "!" + found if isinstance(found, str) else text))
            self._db.commit()
        self._robots[origin] = found
        return found

    # -- the crawl ---------------------------------------------------------------------------

    def run(self, resume: bool = False) -> CrawlSummary:
        db = self._open_state(resume)
        runs = len(list(self.out.glob("crawl-*.warc.gz")))
        warc = self.out / f"crawl-{runs + 1:05d}.warc.gz"
        summary = CrawlSummary(warc=warc, state=self.out / STATE)
        info = {"robots": "obey", "http-header-user-agent": self.fetcher.user_agent,
                "isPartOf": " ".join(self.seeds)}
        if self.options.contact:
            info["operator"] = self.options.contact
        try:
            with WarcArchive(warc, info) as archive:
                for seed in self.seeds:
                    self._add(db, seed, 0, "page", None)
                db.commit()
                if self.options.sitemaps:
                    self._read_sitemaps(db, archive, summary)
                self._loop(db, archive, summary)
        finally:
            db.close()
        return summary

    def _loop(self, db: sqlite3.Connection, archive: WarcArchive, summary: CrawlSummary) -> None:
        while True:
            row = db.execute("SELECT url, depth, kind FROM urls WHERE status = 'queued' "
                             "ORDER BY depth, seq LIMIT 1").fetchone()
            if row is None:
                return
            url, depth, kind = row
            self._visit(db, archive, summary, url, depth, kind)
            done, total = db.execute("SELECT sum(status != 'queued'), count(*) FROM urls"
                                     ).fetchone()
            self.progress(done, total, url)

    def _skip(self, db: sqlite3.Connection, summary: CrawlSummary, url: str,
              reason: str) -> None:
        summary.skipped.append((url, reason))
        self._finish(db, url, "skipped", reason)

    def _visit(self, db: sqlite3.Connection, archive: WarcArchive, summary: CrawlSummary,
               url: str, depth: int, kind: str) -> None:
        if kind == "page":
            trap = self.traps.check(url)
            if trap:
                self._skip(db, summary, url, trap)
                return
        rules = self.robots(archive, summary, url)
        if isinstance(rules, str):
            self._skip(db, summary, url, rules)
            return
        if not robots_allow(rules, self.fetcher.user_agent, url):
            self._skip(db, summary, url, "disallowed by robots.txt")
            return
        final, sha, error = self._fetch(archive, summary, url)
        if final is None or error:
            self._skip(db, summary, url, error or "no response")
            return
        if final.status >= 400:
            self._skip(db, summary, url, f"HTTP {final.status}")
            return
        reason = None
        if final.truncated:
            reason = (f"cut at {len(final.body)} bytes (max_bytes)" if final.truncated == "length"
                      else "cut by the time limit")
            summary.cut.append((url, reason))
        ctype = final.content_type
        if ctype in CHECKED and not final.truncated:
            problem = image_problem(final.body, self.options.max_image_pixels)
            if problem:  # archived as captured, but no image of the crawl
                self._skip(db, summary, url, f"image: {problem}")
                return
        if ctype.startswith("image/"):
            summary.images += 1
        elif ctype in ("text/html", "application/xhtml+xml") or (kind == "page" and not ctype):
            summary.pages += 1
            self._follow(db, final, depth)
        else:
            summary.other += 1
        self._finish(db, url, "done", reason, sha)

    def _follow(self, db: sqlite3.Connection, page: Exchange, depth: int) -> None:
        try:
            html = decode_html(page.body, page.header("Content-Type"))
            found = read_page(page.url, html)
        except (ValueError, LookupError, RecursionError):
            return
        if self.options.images:
            for img in found.images:
                self._add(db, img, depth, "image", page.url)
        if depth < self.options.depth:
            paging = set(found.paging)
            fresh = 0
            for link in found.links:
                if link in paging:
                    continue
                key = hash(link)
                if key not in self._links_seen:
                    self._links_seen.add(key)
                    fresh += 1
                if self.in_scope(link):
                    self._add(db, link, depth + 1, "page", page.url)
            if fresh:  # links not seen before: the listing goes on at this depth
                for link in found.paging:
                    if self.in_scope(link):
                        self._add(db, link, depth, "page", page.url)
        db.commit()

    def _read_sitemaps(self, db: sqlite3.Connection, archive: WarcArchive,
                       summary: CrawlSummary) -> None:
        queue: list[str] = []
        for seed in self.seeds:
            rules = self.robots(archive, summary, seed)
            if isinstance(rules, RobotFileParser):
                queue.extend(rules.site_maps() or [])
            queue.append(self._origin(seed) + "/sitemap.xml")
        seen: set[str] = set()
        found = 0
        while queue and found < MAX_SITEMAP_URLS:
            sitemap = normalise_url(queue.pop(0))
            sitemap = sitemap and self.seed_origin(sitemap)
            if not sitemap or sitemap in seen or not self.in_scope(sitemap):
                continue
            seen.add(sitemap)
            known = db.execute("SELECT status FROM urls WHERE url = ?", (sitemap,)).fetchone()
            if known and known[0] != "queued":
                continue
            self._add(db, sitemap, 0, "sitemap", None)
            rules = self.robots(archive, summary, sitemap)
            if isinstance(rules, str) or not robots_allow(rules, self.fetcher.user_agent, sitemap):
                self._skip(db, summary, sitemap, rules if isinstance(rules, str)
                           else "disallowed by robots.txt")
                continue
            final, sha, error = self._fetch(archive, summary, sitemap)
            if final is None or error or final.status >= 400:
                reason = error or f"HTTP {final.status if final else '?'}"
                self._finish(db, sitemap, "skipped", f"sitemap: {reason}")
                continue
            try:
                root = SafeET.fromstring(final.body)
            except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
                self._skip(db, summary, sitemap, f"sitemap is not valid XML: {exc}")
                continue
            for el in root.iter():
                if not el.tag.endswith("loc") or not (el.text or "").strip():
                    continue
                loc = normalise_url(el.text or "")
                if not loc:
                    continue
                loc = self.seed_origin(loc)
                if root.tag.endswith("sitemapindex"):
                    queue.append(loc)
                elif self.in_scope(loc) and self.options.depth >= 1:
                    self._add(db, loc, 1, "page", sitemap)
                    found += 1
            self._finish(db, sitemap, "done", None, sha)
        db.commit()
