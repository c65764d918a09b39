"""Imported files kept as they were, for the formats whose records are shown as evidence
(a WARC archive: a page is shown as it was captured, from the record itself).

A kept file is named by its case and SHA-256 (``CASE/SHA256``), the pair the store keeps
unique per source, so keeping it twice is harmless and a file kept by an import that did not
commit is removed by that import (:meth:`KeptRun.abort`). The file is written under a
temporary name and moved into place, so a kept file is always whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path


class Originals:
    """The folder of kept files, one sub-folder per case."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, case_id: str, sha256: str) -> Path:
        """Where the file of ``sha256`` in the case is kept (it may not exist)."""
        if not (len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256)):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        if not case_id or "/" in case_id or "\\" in case_id or case_id.startswith("."):
            raise ValueError(f"not a case id: {case_id!r}")
        return self.root / case_id / sha256

    def has(self, case_id: str, sha256: str) -> bool:
        return self.path(case_id, sha256).is_file()

    def keep(self, case_id: str, sha256: str, source: Path) -> bool:
        """Copy ``source`` (whose SHA-256 the caller computed) into place; returns whether a
        new file was written (False when it was kept already)."""
        target = self.path(case_id, sha256)
        if target.is_file():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha256}.{uuid.uuid4().hex}.tmp")
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def verify(self, case_id: str, sha256: str) -> bool:
        """Whether the kept file is there and still has its SHA-256."""
        target = self.path(case_id, sha256)
        if not target.is_file():
            return False
        digest = hashlib.sha256()
        with target.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest() == sha256

    def begin(self) -> KeptRun:
        """The files kept by one import, removed again if it does not commit."""
        return KeptRun(self)


class KeptRun:
    """Files kept during one import run."""

    def __init__(self, originals: Originals) -> None:
        self.originals = originals
        self.written: list[Path] = []

    def keep(self, case_id: str, sha256: str, source: Path) -> None:
        if self.originals.keep(case_id, sha256, source):
            self.written.append(self.originals.path(case_id, sha256))

    def abort(self) -> None:
        """The import did not commit: its new files go."""
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written = []
