"""The importer framework: what an importer yields and how it reports rejected values.

An importer only parses. It yields :class:`Draft` entities (raw values per property) and
:class:`RecordBatch` bulk tables; the runner normalises, validates, stores and audits, so
every importer gets the same treatment of phones, dates, names and rejects. Many entities
of one shape (the payment edges of a bank statement) come as one :class:`EntityTable`,
normalised the same way but as columns (:class:`veriga.ingest.normalise.EntityColumns`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from veriga.errors import ImportFailed
from veriga.ingest.limits import Limits


@dataclass
class Reject:
    """A value or record that was not imported, and why."""

    locator: str  # "line 12", "row 4", "record 7", an XPath
    field: str | None
    value: str | None
    reason: str

    def render(self, file_name: str) -> str:
        where = f"{file_name}:{self.locator}"
        what = f" {self.field}={self.value!r}" if self.field else ""
        return f"{where}:{what} {self.reason}"


@dataclass
class Draft:
    """An entity as parsed: schema, id and raw (unnormalised) property values."""

    schema: str
    id: str
    locator: str
    values: list[tuple[str, str]] = field(default_factory=list)
    hints: dict[str, dict[str, str]] = field(default_factory=dict)  # per property: format, country

    def add(self, prop: str, value: Any) -> None:
        if value is None:
            return
        text = str(value).strip()
        if text:
            self.values.append((prop, text))


@dataclass
class RecordBatch:
    """Validated bulk rows of one record kind (Arrow table in the kind's schema)."""

    kind: str
    table: pa.Table


@dataclass
class EntityTable:
    """Entities made in bulk, their values already normalised as the runner normalises a
    draft's: one row per statement, in columns ``entity_id``, ``schema``, ``prop``,
    ``prop_type``, ``value``, ``original_value``, ``latin`` and ``locator`` (each entity's
    ``id`` statement included). The runner stores them as they are."""

    table: pa.Table


Item = Draft | RecordBatch | EntityTable


@dataclass
class ImportContext:
    """What an importer gets: the file, options, and the place to report rejects."""

    path: Path
    source_id: str
    options: dict[str, Any] = field(default_factory=dict)
    country: str | None = None
    rejects: list[Reject] = field(default_factory=list)
    #: Values kept as read but worth a look (e.g. a value date of 30 February beside a valid
    #: booking date): shown with the import, not counted as rejects, no failure in strict mode.
    warnings: list[Reject] = field(default_factory=list)
    progress: Callable[[int], None] = lambda done: None
    #: Shared by every file of one import run (e.g. to find a transaction seen in two files).
    run_state: dict[str, Any] = field(default_factory=dict)
    #: Bounds on the file's content (:mod:`veriga.ingest.limits`), refused in one line;
    #: from the options when not given.
    limits: Limits = None  # type: ignore[assignment]  # None only until __post_init__

    def __post_init__(self) -> None:
        if self.limits is None:
            self.limits = Limits.from_options(self.options)

    @property
    def file_name(self) -> str:
        return self.path.name

    def reject(self, locator: str, field: str | None, value: Any, reason: str) -> None:
        text = None if value is None else str(value)
        self.rejects.append(Reject(locator, field, text, reason))

    def warn(self, locator: str, field: str | None, value: Any, reason: str) -> None:
        text = None if value is None else str(value)
        self.warnings.append(Reject(locator, field, text, reason))

    def fail(self, locator: str | None, reason: str) -> ImportFailed:
        where = f"{self.file_name}:{locator}" if locator else self.file_name
        return ImportFailed(f"{where}: {reason}")


class Importer:
    """Base of all importers. Subclasses set the class attributes and implement two methods."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    format: ClassVar[str]
    media_type: ClassVar[str] = "application/octet-stream"
    needs_mapping: ClassVar[bool] = False
    #: Parses the whole file in memory: the runner applies ``max_read_bytes``.
    reads_whole: ClassVar[bool] = False
    #: The file itself is evidence (a WARC: pages are shown as captured): the runner keeps
    #: it as imported (:mod:`veriga.store.originals`).
    keeps_original: ClassVar[bool] = False

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        """Confidence 0-100 that ``path`` (first bytes ``head``) is in this format."""
        return 0

    def auto_mapping(self, path: Path, encoding: str | None = None) -> Any:
        """The mapping to use when none is given (importers that need one); ``None`` if the
        importer needs none. Raises :class:`ImportFailed` when none fits the file."""
        return None

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        raise NotImplementedError
