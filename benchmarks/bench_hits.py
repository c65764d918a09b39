"""Hit/no-hit matching (``python -m benchmarks bench_hits``): a filter of 1,000,000
identifiers (100,000 with --quick: E.164 phones, IBAN-like numbers and birth date + name
keys) written and read back, and 100,000 identifiers of the matching party (10,000), one in
ten of them held by the filter, matched against it (goal: reading and matching within 10 s
on 2 cores); and name encodings: 20,000 person records (5,000) encoded into a filter and
10,000 (2,500) matched against it by their Bloom filters. Each figure in a fresh process.
"""

from __future__ import annotations

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
    return rows
