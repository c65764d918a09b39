"""Parquet bulk records, one file per case, record kind and source.

An import writes its files into a staging folder of its own (``.staging/RUN/``), locked for
as long as the import runs. Just before its transaction commits it lists them in the run's
journal and moves them into place; after the commit it removes the staging folder. A run
killed at any point (kill -9, power cut) leaves its lock free: the next import, or
``veriga check``, deletes its staged files and those of its moved files whose source never
committed. So a file in place belongs to a committed source or to a running import.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: interrupted runs are not detected
    fcntl = None  # type: ignore[assignment]  # no module here; checked before each use

STAGING = ".staging"
JOURNAL = "journal"

#: Given source ids, those committed to the store.
Committed = Callable[[set[str]], set[str]]


def source_of(rel: str) -> str:
    """The source id a bulk path belongs to (``CASE/KIND/SOURCE.parquet``)."""
    return Path(rel).name.removesuffix(".parquet")


class BulkStore:
    """Writes bulk tables atomically; a file counts only once its source is in the store."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def staging(self) -> Path:
        return self.root / STAGING

    def relative_path(self, case_id: str, kind: str, source_id: str) -> str:
        return f"{case_id}/{kind}/{source_id}.parquet"

    def write(self, case_id: str, kind: str, source_id: str, table: pa.Table) -> str:
        """Write ``table`` in place and return its path relative to the bulk root."""
        rel = self.relative_path(case_id, kind, source_id)
        _write_atomic(self.root / rel, table)
        return rel

    def path(self, rel: str) -> Path:
        return self.root / rel

    def discard(self, rels: Iterable[str]) -> None:
        for rel in rels:
            (self.root / rel).unlink(missing_ok=True)

    def begin(self) -> BulkRun:
        """A staging run for one import (see the module description)."""
        return BulkRun(self)

    def files(self) -> list[str]:
        """Every file in the bulk folder, relative to its root, except those being staged."""
        if not self.root.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*")
                      if p.is_file() and p.relative_to(self.root).parts[0] != STAGING)

    def live_files(self) -> set[str]:
        """Files moved into place by imports still running (not yet committed)."""
        found: set[str] = set()
        for lock in self._locks():
            if not _is_free(lock):
                found.update(_journal(lock.with_suffix("")))
        return found

    def recover(self, committed: Committed) -> list[str]:
        """Clean up after imports that were interrupted: staged files are deleted, moved
        ones kept only if their source committed. Returns one line per file deleted."""
        done: list[str] = []
        for lock_path in self._locks():
            fd = _try_lock(lock_path)
            if fd is None:
                continue  # still running
            try:
                folder = lock_path.with_suffix("")
                moved = _journal(folder)
                keep = committed({source_of(r) for r in moved}) if moved else set()
                for rel in moved:
                    if source_of(rel) not in keep and (self.root / rel).exists():
                        (self.root / rel).unlink()
                        done.append(f"removed {rel} of an interrupted import")
                shutil.rmtree(folder, ignore_errors=True)
                lock_path.unlink(missing_ok=True)
            finally:
                os.close(fd)
        for stray in self._stray_folders():
            shutil.rmtree(stray, ignore_errors=True)
        return done

    def _locks(self) -> list[Path]:
        if not self.staging.exists():
            return []
        return sorted(self.staging.glob("*.lock"))

    def _stray_folders(self) -> list[Path]:
        """Staging folders whose lock file is gone (their run was cleaned up midway)."""
        if not self.staging.exists():
            return []
        return [p for p in self.staging.iterdir()
                if p.is_dir() and not p.with_suffix(".lock").exists()]


class BulkRun:
    """The bulk files of one import: staged, then moved into place at commit."""

    def __init__(self, bulk: BulkStore) -> None:
        self.bulk = bulk
        self.rels: list[str] = []
        self.published: list[str] = []
        self._fd: int | None = None
        self.folder: Path | None = None

    def _open(self) -> Path:
        if self.folder is not None:
            return self.folder
        self.bulk.staging.mkdir(parents=True, exist_ok=True)
        while True:
            lock_path = self.bulk.staging / f"{uuid.uuid4().hex}.lock"
            fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
            except FileNotFoundError:
                same = False  # a cleanup took it between create and lock
            if same:
                break
            os.close(fd)
        self._fd = fd
        self.folder = lock_path.with_suffix("")
        self.folder.mkdir()
        return self.folder

    def write(self, case_id: str, kind: str, source_id: str, table: pa.Table) -> str:
        """Stage ``table``; returns the path it will have once committed."""
        rel = self.bulk.relative_path(case_id, kind, source_id)
        _write_atomic(self._open() / rel, table)
        self.rels.append(rel)
        return rel

    def writer(self, case_id: str, kind: str, source_id: str) -> StagedWriter:
        """A staged file written in parts (an import that streams its records); its path
        counts once :meth:`StagedWriter.close` has returned it."""
        rel = self.bulk.relative_path(case_id, kind, source_id)
        return StagedWriter(self._open() / rel, rel, self.rels.append)

    def publish(self) -> None:
        """Move the staged files into place: call inside the transaction, just before it
        commits. The journal names them first, so an interrupted run can be cleaned up."""
        if not self.rels:
            return
        assert self.folder is not None
        (self.folder / JOURNAL).write_text("\n".join(self.rels) + "\n", encoding="utf-8")
        for rel in self.rels:
            target = self.bulk.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / rel, target)
            self.published.append(rel)

    def abort(self) -> None:
        """The transaction did not commit: remove every file of this run."""
        self.bulk.discard(self.published)
        self._close()

    def finish(self) -> None:
        """The transaction committed: the files stay, the staging folder goes."""
        self._close()

    def _close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.with_suffix(".lock").unlink(missing_ok=True)
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None
        self.folder = None


class StagedWriter:
    """One bulk file written table by table into the staging folder (small tables are
    gathered into row groups of at least :data:`ROW_GROUP` rows)."""

    def __init__(self, path: Path, rel: str, done: Callable[[str], None]) -> None:
        self.path, self.rel, self._done = path, rel, done
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._rows = 0
        self._schema: pa.Schema | None = None

    def write(self, table: pa.Table) -> None:
        self._pending.append(table)
        self._rows += table.num_rows
        if self._rows >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        table = pa.concat_tables(self._pending) if len(self._pending) > 1 else \
            self._pending[0]
        self._pending, self._rows = [], 0
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self._writer.write_table(table if table.schema == self._schema else
                                 table.cast(self._schema))

    def close(self) -> str:
        """Finish the file; returns its path relative to the bulk root."""
        if self._pending or self._writer is None:
            self._flush()
        assert self._writer is not None
        self._writer.close()
        self._done(self.rel)
        return self.rel

    def abort(self) -> None:
        """Stop writing (the run's staging folder goes with the run)."""
        if self._writer is not None:
            self._writer.close()
        self._writer, self._pending = None, []


#: Rows gathered before a :class:`StagedWriter` writes a row group.
ROW_GROUP = 65_536


def _write_atomic(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def _journal(folder: Path) -> list[str]:
    try:
        text = (folder / JOURNAL).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [line for line in text.splitlines() if line.strip()]


def _try_lock(path: Path) -> int | None:
    """An exclusive lock on ``path`` if nobody holds it, else ``None``."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    if fcntl is None:
        os.close(fd)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _is_free(path: Path) -> bool:
    fd = _try_lock(path)
    if fd is None:
        return not path.exists()
    os.close(fd)
    return True
