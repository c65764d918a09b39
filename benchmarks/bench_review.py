"""What a reviewer waits for on the server store: confirming a proposed match (which merges its
records), splitting the merge again and dismissing a proposal; adding a note to an entity,
reading an entity's notes and those of a page of 25 findings, removing a note and undoing the
removal, the case's activity feed, linking two entities from an investigator's knowledge and
reading an entity's such links, looking an entity up in another case (the world's registers,
imported on their own) and taking a candidate's values in, an ANX chart of 100 entities as
laid out, a file withdrawn and restored, a word searched in the payments' texts; each
repeated on a simulated case whose resolution ran once, on PostgreSQL; p50 and p95 against
the goal p95 < 100 ms
(``python -m benchmarks bench_review``; ``VERIGA_BENCH_PROFILE=1`` also writes a cProfile of
the actions to benchmarks/out/review/review.prof)."""

from __future__ import annotations

import cProfile
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/review")
CASE = "bench"
GOAL_MS = 100.0
LABELS = {"confirm": "confirm a proposal (merges its records)",
          "split": "split the merge", "dismiss": "dismiss a proposal",
          "note": "add a note to an entity", "notes": "read an entity's notes",
          "page_notes": "read the notes of 25 findings",
          "undo": "remove a note and undo the removal", "activity": "the activity feed (100)",
          "link": "link two entities from an investigator's knowledge",
          "links": "read an entity's links from investigators",
          "enrich": "look an entity up in another case (the registers)",
          "take": "take a register's values into the case (an import)",
          "chart": "the network as laid out (100 entities) as an ANX chart",
          "withdraw": "withdraw a file and restore it (an import undone and redone)",
          "payments": "search the payments' texts for a word (the ledger prepared)"}


def _server() -> str | None:
    """The PostgreSQL server, when one is reachable."""
    import sqlalchemy as sa

    url = os.environ.get("VERIGA_BENCH_POSTGRES_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - no server: the figures are skipped
        return None
    return url


def _schema(url: str, name: str, create: bool) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        if create:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()


def _percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ms = sorted(t * 1000 for t in times)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95


def review_child(url: str, home: str, size: str, rounds: int) -> dict[str, Any]:
    """Import a simulated world, resolve it once, then time ``rounds`` of each action."""
    from veriga.config import Settings
    from veriga.findings import ReviewState
    from veriga.ingest import expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    world = OUT / f"world-{size}"
    if not (world / "ground_truth.json").exists():
        simulate("mixed", size, 1, world)
    ws = Workspace.local(Settings(home=Path(home), database_url=url), purpose="benchmark",
                         username="bench")
    ws.cases.create(CASE)
    requests, _ = expand([world])
    ws.records.import_files(CASE, requests)
    ws.cases.create(f"{CASE}-registers")
    requests, _ = expand([world / "registers"])
    ws.records.import_files(f"{CASE}-registers", requests)
    ws.analyses.run(CASE, ["resolve"])
    parties = [e.id for e in ws.entities.list(CASE, ["LegalEntity", "Person"]) if e.id]
    proposals = sorted(ws.findings.list(CASE), key=lambda f: f.id)
    half = max(1, len(proposals) // 2)
    merging, dismissing = proposals[:half], proposals[half:] or proposals
    times: dict[str, list[float]] = {n: [] for n in LABELS}

    def timed(name: str, action: Callable[[], Any]) -> None:
        start = time.perf_counter()
        action()
        times[name].append(time.perf_counter() - start)

    profile = cProfile.Profile() if os.environ.get("VERIGA_BENCH_PROFILE") else None
    if profile is not None:
        profile.enable()
    for i in range(rounds):
        proposal, other = merging[i % len(merging)], dismissing[i % len(dismissing)]
        timed("confirm", partial(ws.findings.review, CASE, proposal.id,
                                 ReviewState.CONFIRMED, "benchmark: the same person"))
        timed("split", partial(ws.entities.split, CASE, proposal.evidence.entity_ids[0],
                               "benchmark: not the same after all"))
        timed("dismiss", partial(ws.findings.review, CASE, other.id, ReviewState.DISMISSED,
                                 "benchmark: different people"))
        entity = proposal.evidence.entity_ids[-1]
        start = time.perf_counter()
        note = ws.notes.add(CASE, "entity", entity, "note", f"benchmark note {i}")
        times["note"].append(time.perf_counter() - start)
        timed("notes", partial(ws.notes.of, CASE, "entity", entity))
        timed("page_notes", partial(ws.notes.of_findings, CASE,
                                    [p.id for p in proposals[i % half:][:25]]))
        timed("undo", lambda note=note: (ws.notes.remove(CASE, note),
                                         ws.notes.restore(CASE, note)))
        timed("activity", partial(ws.audit.activity, CASE))
        other = proposal.evidence.entity_ids[0]
        if other != entity:
            timed("link", partial(ws.notes.add_link, CASE, entity, other, "met",
                                  "benchmark: a witness"))
        timed("links", partial(ws.notes.links, CASE, [entity]))
    for i in range(min(rounds, 20)):
        laid = {p: (float(j % 10), float(j // 10)) for j, p in
                enumerate(parties[i:] + parties[:i])}
        laid = dict(list(laid.items())[:100])
        timed("chart", partial(ws.exports.write, CASE, "anx", Path(home) / f"chart{i}.anx",
                               layout=laid))
    for i in range(rounds):  # last: a value taken in is an import, which changes the case
        party = parties[i * 7 % len(parties)]
        start = time.perf_counter()
        found = ws.enrich.lookup(CASE, party)
        times["enrich"].append(time.perf_counter() - start)
        offered = [c for c in found.candidates if c.new and c.takeable]
        if offered:
            timed("take", partial(ws.enrich.take, CASE, party, offered[0].case,
                                  offered[0].entity_id))
    ws.records.search_payments(CASE, "rent")  # the ledger is prepared once per change
    for i in range(min(rounds, 20)):
        timed("payments", partial(ws.records.search_payments, CASE,
                                  ("rent", "salary", "ticket", "cash", "visa")[i % 5]))
    files = [s["id"] for s in ws.records.sources(CASE)]
    for i in range(min(rounds, 20)):
        source = files[i % len(files)]
        timed("withdraw", lambda source=source: (
            ws.records.withdraw(CASE, source, "benchmark: the wrong file"),
            ws.records.restore(CASE, source)))
    if profile is not None:
        profile.disable()
        profile.dump_stats(str(OUT / "review.prof"))
    figures: dict[str, Any] = {"entities": sum(ws.entities.count(CASE).values()),
                               "proposals": len(proposals)}
    for name, taken in times.items():
        if taken:  # (a proposal of one record links nothing)
            figures[f"{name}_p50"], figures[f"{name}_p95"] = _percentiles(taken)
    ws.close()
    return figures


def run(quick: bool = False) -> list[dict[str, Any]]:
    url = _server()
    if url is None:
        return []  # no PostgreSQL here: nothing to measure
    OUT.mkdir(parents=True, exist_ok=True)
    size, rounds = ("tiny", 30) if quick else ("small", 100)
    schema = f"veriga_bench_review_{secrets.token_hex(4)}"
    _schema(url, schema, create=True)
    try:
        with tempfile.TemporaryDirectory() as home:
            f = measure("benchmarks.bench_review:review_child",
                        url=f"{url}?options=-csearch_path%3D{schema}", home=home, size=size,
                        rounds=rounds)
    finally:
        _schema(url, schema, create=False)
    return [{"name": f"{label}, PostgreSQL, {f['entities']:,} entities, {f['proposals']} "
                     f"proposals ({size}, {rounds}x; goal p95 < {GOAL_MS:.0f} ms)",
             "seconds": round(f[f"{name}_p95"] / 1000, 4), "per_s": "",
             "peak_rss_mb": f["peak_rss_mb"],
             "ratio_to_duckdb": f"p50 {f[f'{name}_p50']:.0f} ms, p95 {f[f'{name}_p95']:.0f} ms"}
            for name, label in LABELS.items() if f"{name}_p95" in f]
