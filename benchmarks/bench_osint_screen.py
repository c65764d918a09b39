"""Benchmark ad screening (``veriga.osint.screen``): ads per second over the simulated ads of
a small mixed world, repeated for volume; once with the extraction each ad needs (as
``veriga osint screen`` runs) and once over ads already extracted (the indicators alone).

``run(quick)`` returns one row per variant; each runs in a fresh process (harness.measure)
so its peak memory is its own. Run directly: ``python -m benchmarks.bench_osint_screen``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure


def screen_world(size: str, repeat: int, extracted: bool) -> dict[str, Any]:
    """Child: simulate a world, then screen its ads ``repeat`` times (timed part only)."""
    from veriga.osint.screen import default_library, facts_from_entity, screen_facts
    from veriga.simulate import simulate

    with tempfile.TemporaryDirectory(prefix="veriga-bench-screen-") as tmp:
        out = Path(tmp) / "w"
        simulate("mixed", size, 1, out)
        entities = [json.loads(line) for line in
                    (out / "ads" / "ads.ftm.jsonl").read_text("utf-8").splitlines()]
    library = default_library()
    facts = [facts_from_entity(e) for e in entities[:10]]  # models and gazetteer load once
    screen_facts(facts, library)
    facts = [facts_from_entity(e) for e in entities] if extracted else []
    started = time.perf_counter()
    flagged = 0
    for _ in range(repeat):
        batch = facts if extracted else [facts_from_entity(e) for e in entities]
        flagged += sum(s.flagged for s in screen_facts(batch, library))
    seconds = time.perf_counter() - started
    n = len(entities) * repeat
    name = "indicators only" if extracted else "with extraction"
    return {"name": f"osint screen {name} ({size} x{repeat})", "rows": n,
            "seconds": round(seconds, 3), "per_s": round(n / seconds), "flagged": flagged}


def run(quick: bool) -> list[dict[str, Any]]:
    repeat = 2 if quick else 10
    return [measure("benchmarks.bench_osint_screen:screen_world", size="small", repeat=repeat,
                    extracted=extracted) for extracted in (False, True)]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv[1:]):
        print(json.dumps(row))
