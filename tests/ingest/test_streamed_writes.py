"""An import writes as it reads: statements on a thread of their own while the next chunk
is read, bulk records staged table by table. Order, errors and atomicity stay as before."""

from __future__ import annotations

import threading

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from veriga.ingest.runner import Background
from veriga.store import BulkStore


def test_background_calls_run_in_order_and_one_chunk_starts_no_thread():
    done: list[tuple[int, str]] = []
    one = Background()
    one.run(lambda: done.append((0, threading.current_thread().name)))
    assert done == []  # waits for a second call, or the end
    one.wait()
    assert done == [(0, threading.main_thread().name)]
    done.clear()
    many = Background()
    for i in range(5):
        many.run(lambda i=i: done.append((i, threading.current_thread().name)))
    many.wait()
    assert [i for i, _ in done] == list(range(5))
    assert all(name.startswith("import-writer") for _, name in done)


def test_background_lets_the_caller_run_ahead_by_its_depth_in_order():
    """An import run's writer: the next files are read while the first is still written,
    as far as the depth allows, and the writes keep their order."""
    release = threading.Event()
    done: list[int] = []
    bg = Background(depth=3)
    bg.run(lambda: (release.wait(10), done.append(0)))
    for i in range(1, 3):  # the first call blocks the thread; the caller is not held
        bg.run(lambda i=i: done.append(i))
    assert done == []
    handed = threading.Thread(target=lambda: bg.run(lambda: done.append(3)))
    handed.start()  # a fourth call is beyond the depth: it waits for the oldest
    handed.join(0.2)
    assert handed.is_alive()
    release.set()
    handed.join(10)
    bg.wait()
    assert done == [0, 1, 2, 3]


def test_background_error_reaches_the_caller():
    def fail() -> None:
        raise ValueError("store refused")

    bg = Background()
    with pytest.raises(ValueError, match="store refused"):
        bg.run(fail)
        bg.run(lambda: None)
        bg.run(lambda: None)
        bg.wait()
    bg.stop()
    alone = Background()
    alone.run(fail)
    with pytest.raises(ValueError, match="store refused"):
        alone.wait()


def test_staged_writer_gathers_tables_and_counts_only_when_closed(tmp_path):
    bulk = BulkStore(tmp_path / "bulk")
    run = bulk.begin()
    writer = run.writer("case", "transaction", "src-1")
    parts = [pa.table({"n": pa.array(range(i * 10, i * 10 + 10), pa.int64())})
             for i in range(30)]
    for part in parts:
        writer.write(part)
    assert run.rels == []  # not part of the run until closed
    rel = writer.close()
    assert run.rels == [rel]
    run.publish()
    table = pq.read_table(bulk.path(rel))
    assert table["n"].to_pylist() == list(range(300))
    assert pq.ParquetFile(bulk.path(rel)).num_row_groups == 1  # small tables gathered
    run.finish()


def test_an_aborted_staged_writer_leaves_nothing(tmp_path):
    bulk = BulkStore(tmp_path / "bulk")
    run = bulk.begin()
    writer = run.writer("case", "transaction", "src-1")
    writer.write(pa.table({"n": pa.array([1], pa.int64())}))
    writer.abort()
    run.abort()
    assert bulk.files() == []
