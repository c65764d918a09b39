"""kill -9 at random points of 100 imports: afterwards `veriga check` passes and every import
is either wholly in the store or not at all (VERIGA_KILL_RUNS sets the number)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from test_camt import document, ntry, stmt
from test_limits import VERIGA, cli_env

RUNS = int(os.environ.get("VERIGA_KILL_RUNS", "100"))


def _statement(path: Path, n: int) -> Path:
    entries = [ntry("1.00", ref=f"K{n}-{i}", name=f"Payer {i % 40}") for i in range(400)]
    path.write_text(document([stmt(entries, opening="0.00", closing="400.00")]),
                    encoding="utf-8")
    return path


@pytest.mark.slow
def test_kill_9_at_random_points_leaves_no_partial_import(tmp_path):
    env = cli_env(tmp_path / "home")
    subprocess.run([VERIGA, "case", "create", "c"], env=env, check=True, capture_output=True)
    rng = random.Random(11)
    start = time.monotonic()
    first = subprocess.run([VERIGA, "import", str(_statement(tmp_path / "s0.xml", 0)),
                            "--case", "c"], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    full = time.monotonic() - start
    groups: list[list[str]] = []
    killed = finished = 0
    for run in range(1, RUNS + 1):
        files = [str(_statement(tmp_path / f"s{run}-{k}.xml", run * 10 + k))
                 for k in range(1 + run % 2)]  # every other import: two files at once
        groups.append([Path(f).name for f in files])
        proc = subprocess.Popen([VERIGA, "import", *files, "--case", "c"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.1) * full)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        else:
            finished += 1
        proc.wait()
    check = subprocess.run([VERIGA, "check"], env=env, capture_output=True, text=True)
    with sqlite3.connect(tmp_path / "home" / "veriga.db") as db:
        stored = {name for (name,) in db.execute("SELECT file_name FROM sources")}
    partial = [g for g in groups if 0 < sum(n in stored for n in g) < len(g)]
    whole = [g for g in groups if all(n in stored for n in g)]
    leftovers = list((tmp_path / "home" / "bulk" / ".staging").iterdir())
    print(f"kill -9: {RUNS} imports, {killed} killed, {finished} finished first, "
          f"{len(whole)} stored whole, {RUNS - len(whole)} absent, {len(partial)} partial; "
          f"veriga check: {check.stdout.strip() or check.stderr.strip()} "
          f"({time.monotonic() - start:.0f} s)")
    assert check.returncode == 0, check.stderr
    assert partial == [] and leftovers == []
