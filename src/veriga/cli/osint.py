"""`veriga osint ...`: the online investigation tool from the terminal."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from veriga.cli.common import CaseOpt, PurposeOpt, console, err, progress_bars, workspace
from veriga.ingest import ImportRequest
from veriga.osint.crawl import Crawler, CrawlOptions
from veriga.osint.fetch import Fetcher, fixed_resolver

osint_app = typer.Typer(no_args_is_help=True,
                        help="Online investigation: collect and archive ads as evidence.")


class ScopeName(StrEnum):
    same_domain = "same-domain"
    prefix = "prefix"


@osint_app.command("crawl")
def crawl(
    urls: Annotated[list[str], typer.Argument(help="Seed URLs (http or https).")],
    case: CaseOpt,
    depth: Annotated[int, typer.Option(min=0, max=50, help="Links to follow from a seed.")] = 3,
    scope: Annotated[ScopeName, typer.Option(help="same-domain: the seeds' hosts and their "
                                             "subdomains; prefix: URLs under a seed.")
                     ] = ScopeName.same_domain,
    rate: Annotated[float, typer.Option(min=0, help="Requests per second per host "
                                        "(0: no limit; robots.txt Crawl-delay is obeyed).")
                    ] = 1.0,
    resume: Annotated[bool, typer.Option(help="Go on with an earlier crawl in --out.")] = False,
    allow_private: Annotated[bool, typer.Option(
        help="Allow private, loopback and link-local addresses (local test sites).")] = False,
    out: Annotated[Path, typer.Option(help="Folder of the WARC files and crawl state.")
                   ] = Path("crawl"),
    contact: Annotated[str, typer.Option(help="Who runs the crawl (written in the WARC).")
                       ] = "",
    resolve: Annotated[list[str] | None, typer.Option(
        help="HOST=IP: connect to IP for HOST instead of asking DNS (a copy of a site served "
             "locally; repeatable). The address checks still apply.")] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Crawl sites politely, archive every page and image as WARC, import it into the case."""
    options = CrawlOptions(depth=depth, scope=scope.value, rate=rate,
                           allow_private=allow_private, contact=contact)
    fetcher = None
    if resolve:
        fetcher = Fetcher(allow_private=allow_private, limits=options.limits,
                          resolve=fixed_resolver(_pairs(resolve)))
    with progress_bars() as progress:
        crawler = Crawler(urls, out, options, fetcher=fetcher,
                          progress=lambda done, total, url: progress("crawl", done, total))
        summary = crawler.run(resume=resume)
    console.print(f"[green]crawled[/] {summary.pages} pages, {summary.images} images, "
                  f"{summary.other} other ({summary.requests} requests) -> {summary.warc}")
    for url, reason in summary.cut:
        console.print(f"  cut {url}: {reason}", highlight=False, markup=False)
    if summary.skipped:
        console.print(f"[yellow]{len(summary.skipped)} skipped:[/]")
        for reason, n in summary.reasons().most_common():
            console.print(f"  {n} x {reason}", highlight=False, markup=False)
    with workspace(purpose, ask=True) as ws, progress_bars("bytes") as progress:
        results = ws.records.import_files(case, [ImportRequest(path=summary.warc,
                                                               format="warc")],
                                          progress=progress)
    for r in results:
        console.print(f"[green]imported[/] {r.file_name} ({r.entities} entities) -> source "
                      f"{r.source_id}")
        for rej in r.rejects[:20]:
            err.print("  " + rej.render(r.file_name), highlight=False, markup=False)


def _pairs(items: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        host, sep, ip = item.partition("=")
        if not sep or not host.strip() or not ip.strip():
            raise typer.BadParameter(f"{item!r} is not HOST=IP", param_hint="--resolve")
        pairs[host.strip().lower()] = ip.strip()
    return pairs


@osint_app.command("operations")
def operations(
    case: CaseOpt,
    out: Annotated[Path | None, typer.Option(
        "--out", help="CSV to write: ad id -> operation id, one row per ad.")] = None,
    min_ads: Annotated[int, typer.Option(min=1, help="Show operations of at least this many "
                                         "ads.")] = 2,
    limit: Annotated[int, typer.Option(min=0, help="Operations shown (0 for all).")] = 20,
    purpose: PurposeOpt = None,
) -> None:
    """Group the case's ads into operations by shared identifiers and near-duplicate text."""
    import csv

    from rich.table import Table

    from veriga.osint.ad_records import ads_from_entities
    from veriga.osint.operations import group_ads

    with workspace(purpose, ask=True) as ws:
        ads = ads_from_entities(ws.entities.list(case, ["Advertisement"]))
    grouping = group_ads(ads)
    groups = grouping.groups(min_ads)
    console.print(f"{len(ads)} ads, {len(groups)} operation(s) of {min_ads}+ ads")
    table = Table("operation", "ads", "identifiers", "template", "route")
    for op in groups[:limit or None]:
        idents = ", ".join(f"{k} {v} ({n})" for k, v, n in op.identifiers[:3])
        tpl = op.templates[0].text[:80] if op.templates else ""
        stops = " > ".join(s.city for s in op.route[:6])
        table.add_row(op.id, str(op.size), idents, tpl, stops)
    if groups:
        console.print(table)
    for kind, value, n in grouping.hubs:
        console.print(f"[yellow]not used as a link[/]: {kind} {value} on {n} ads of unrelated "
                      "text", highlight=False)
    if out is not None:
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["ad_id", "operation_id", "operation_ads"])
            sizes = {op.id: op.size for op in grouping.operations}
            for ad in ads:
                label = grouping.labels[ad.id]
                writer.writerow([ad.id, label, sizes[label]])
        console.print(f"Wrote {len(ads)} rows to {out}")


@osint_app.command("screen")
def screen(
    case: CaseOpt,
    out: Annotated[Path | None, typer.Option(
        "--out", help="CSV to write: one row per indicator hit (ad, indicator, family, "
        "language, span in the ad's text, matched text, the ad's score).")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Flag ads and "
                                             "advertisers scoring at least this.")] = 0.5,
    limit: Annotated[int, typer.Option(min=0, help="Advertisers shown (0 for all).")] = 20,
    purpose: PurposeOpt = None,
) -> None:
    """Screen the case's ads for trafficking indicators: which fired, where, and how they
    weigh together, per ad and per advertiser (ads sharing a phone)."""
    import csv
    from collections import Counter

    from rich.table import Table

    from veriga.osint.screen import ScreenParams, advertisers, default_library, screen_ads

    library = default_library()
    params = ScreenParams(threshold=threshold)
    with workspace(purpose, ask=True) as ws:
        entities = ws.entities.list(case, ["Advertisement"])
    facts, screenings = screen_ads(entities, library, params)
    groups = advertisers(facts, screenings, params)
    flagged = [s for s in screenings if s.flagged]
    shown = [g for g in groups if g.flagged]
    console.print(f"{len(screenings)} ads, {len(flagged)} flagged; {len(shown)} of "
                  f"{len(groups)} advertisers flagged (threshold {threshold:g})")
    fired = Counter(h.indicator for s in screenings for h in s.hits)
    if fired:
        counts = Table("indicator", "title", "ads")
        for indicator, n in sorted(fired.items(), key=lambda kv: (-kv[1], kv[0])):
            counts.add_row(indicator, library.indicator(indicator).title, str(n))
        console.print(counts)
    table = Table("advertiser", "ads", "flagged", "score", "families")
    for g in shown[:limit or None]:
        fams = ", ".join(f"{f} {v:.2f}" for f, v in sorted(g.families.items(),
                                                          key=lambda kv: -kv[1]))
        table.add_row(g.id, str(len(g.ad_ids)), str(len(g.flagged_ads)), f"{g.score:.2f}",
                      fams)
    if shown:
        console.print(table)
    if out is not None:
        rows = 0
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["ad_id", "domain", "ad_score", "flagged", "indicator", "family",
                             "lang", "start", "end", "text"])
            for s in screenings:
                for h in s.hits:
                    writer.writerow([s.ad_id, s.domain or "", f"{s.score:.4f}",
                                     int(s.flagged), h.indicator, h.family, h.lang or "",
                                     "" if h.start is None else h.start,
                                     "" if h.end is None else h.end, h.text])
                    rows += 1
        console.print(f"Wrote {rows} hits to {out}")
