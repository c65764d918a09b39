"""Hit/no-hit matching (``python -m benchmarks bench_hits``): a filter of 1,000,000
identifiers (100,000 with --quick: E.164 phones, IBAN-like numbers and birth date + name
keys) written and read back, and 100,000 identifiers of the matching party (10,000), one in
ten of them held by the filter, matched against it (goal: reading and matching within 10 s
on 2 cores); and name encodings: 20,000 person records (5,000) encoded into a filter and
10,000 (2,500) matched against it by their Bloom filters; and the quality of hits on a
simulated world (medium; small with --quick) split between two parties. Each figure in a
fresh process.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure


def _identifiers(n: int, seed: int) -> list[Any]:
    from veriga.cooperation.hits import Identifier

    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = ("phone", "iban", "person")[i % 3]
        if kind == "phone":
            value = f"+3712{rng.randrange(10**7):07d}"
        elif kind == "iban":
            value = f"LV{rng.randrange(100):02d}BANK{rng.randrange(10**13):013d}"
        else:
            value = f"19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}|" \
                    f"name{rng.randrange(10**6)} surname{rng.randrange(10**6)}"
        out.append(Identifier(f"r{i}", kind, value))
    return out


def exact_child(n_filter: int, n_query: int) -> dict[str, Any]:
    from veriga.cooperation import hits

    key = hits.new_key()
    theirs = _identifiers(n_filter, 1)
    rng = random.Random(2)
    mine = _identifiers(n_query - n_query // 10, 3) + rng.sample(theirs, n_query // 10)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.vhf"
        start = time.perf_counter()
        hits.write_filter(path, key, theirs, [])
        written = time.perf_counter() - start
        size = path.stat().st_size
        start = time.perf_counter()
        flt = hits.read_filter(path, key)
        read = time.perf_counter() - start
        start = time.perf_counter()
        found = hits.match(flt, key, mine, [])
        matched = time.perf_counter() - start
    return {"write_s": round(written, 2), "read_s": round(read, 2),
            "match_s": round(matched, 2), "read_and_match_s": round(read + matched, 2),
            "filter_mb": round(size / 2**20, 1), "hits": len(found),
            "expected_hits": n_query // 10}


def names_child(n_filter: int, n_query: int) -> dict[str, Any]:
    from benchmarks.bench_resolve_keys import person_names
    from veriga.cooperation import hits
    from veriga.model import model
    from veriga.resolve.records import build_records

    def people(names: list[str], seed: int) -> Any:
        rng = random.Random(seed)
        entities = []
        for i, name in enumerate(names):
            proxy = model.make_entity("Person")
            proxy.id = f"p{seed}-{i}"
            proxy.add("name", name, cleaned=True)
            if rng.random() < 0.7:
                proxy.add("birthDate", f"19{rng.randint(50, 99)}-01-01", cleaned=True)
            entities.append(proxy)
        return build_records(entities)

    key = hits.new_key()
    theirs, mine = people(person_names(n_filter, 5), 5), people(person_names(n_query, 6), 6)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.vhf"
        start = time.perf_counter()
        hits.write_filter(path, key, [], hits.encodings(theirs, key))
        written = time.perf_counter() - start
        start = time.perf_counter()
        flt = hits.read_filter(path, key)
        found = hits.match(flt, key, [], hits.encodings(mine, key))
        matched = time.perf_counter() - start
    return {"encode_and_write_s": round(written, 2),
            "us_per_name_encoded": round(written / max(flt.blooms.shape[0], 1) * 1e6),
            "read_encode_and_match_s": round(matched, 2), "name_hits": len(found),
            "encoded": int(flt.blooms.shape[0])}


def run(quick: bool = False) -> list[dict[str, Any]]:
    n_filter, n_query = (100_000, 10_000) if quick else (1_000_000, 100_000)
    rows = [{"name": f"hits: {n_query:,} identifiers against a filter of {n_filter:,}",
             **measure("benchmarks.bench_hits:exact_child", n_filter=n_filter,
                       n_query=n_query)}]
    f, q = (5_000, 2_500) if quick else (20_000, 10_000)
    rows.append({"name": f"hits: {q:,} names against {f:,} name encodings",
                 **measure("benchmarks.bench_hits:names_child", n_filter=f, n_query=q)})
    size = "small" if quick else "medium"
    for scenario in ("mixed",):
        rows.append({"name": f"hits: quality on a {size} {scenario} world split in two parties",
                     **measure("benchmarks.bench_hits:quality_child", scenario=scenario,
                               size=size, seed=1)})
    return rows


def quality_child(scenario: str, size: str, seed: int) -> dict[str, Any]:
    """Hit/no-hit quality on a simulated world split between two parties: the police and
    travel records of one (the publisher), the bank, register and labour records of the
    other. A hit is right when the publisher holds a record of the same person or company
    (the world's answer key); recall counts the other party's records of people and
    companies the publisher holds, precision the records hit; exact identifiers and name
    encodings apart."""
    from veriga.config import Settings
    from veriga.cooperation import hits
    from veriga.ingest import ImportRequest, expand
    from veriga.simulate import simulate
    from veriga.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        simulate(scenario, size, seed, root / "w")
        truth = json.loads((root / "w" / "ground_truth.json").read_text(encoding="utf-8"))
        identity = {r["entity_id"]: r["identity"] for r in truth["records"]}
        ws = Workspace.local(Settings(home=root / "h", database_url=f"sqlite:///{root}/v.db"),
                             purpose="hit/no-hit quality", username="bench")
        parts = {"a": ("police", "travel"), "b": ("bank", "registers", "labour")}
        for case, folders in parts.items():
            ws.cases.create(case)
            requests, _ = expand([root / "w" / f for f in folders
                                  if (root / "w" / f).exists()], ImportRequest(path=Path(".")))
            ws.records.import_files(case, requests)
        key = hits.new_key()
        ws.hits.publish("a", key, root / "a.vhf", include_victims=True)
        start = time.perf_counter()
        found = ws.hits.match("b", key, root / "a.vhf")
        seconds = time.perf_counter() - start
        theirs = {identity[p.id] for p in ws.entities.list("a") if p.id in identity}
        mine = {p.id for p in ws.entities.list("b") if p.id in identity}
        ws.close()
    out: dict[str, Any] = {"match_s": round(seconds, 2), "publisher_identities": len(theirs)}
    held = {r for r in mine if identity[r] in theirs}
    for label, kinds in (("exact", set(hits.KINDS)), ("names", {"name"}),
                         ("all", set(hits.KINDS) | {"name"})):
        hit = {h.record_id for h in found.hits if h.kind in kinds and h.record_id in identity}
        right = {r for r in hit if identity[r] in theirs}
        out[f"{label}_precision"] = round(len(right) / len(hit), 3) if hit else None
        out[f"{label}_recall"] = round(len(right) / len(held), 3) if held else None
        out[f"{label}_hits"] = len(hit)
    out["records_held_by_both"] = len(held)
    return out
