"""The library's entries: model and validated loader (see the package's docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from veriga.analysis import detectors as known_detectors
from veriga.errors import VerigaError
from veriga.training import frontmatter
from veriga.training.content import LANGUAGES

ENTRIES = Path(__file__).parent / "entries"
#: practice: a way of working that has proved itself; case: an anonymised case summary;
#: legal: a legal reference (an instrument, a provision, a leading judgment)
KINDS = ("practice", "case", "legal")
BASES = ("fictionalised", "judgment")
#: names under /training/library/ that are pages, not entries
RESERVED = frozenset({"catalogue", "kinds"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_INDICATOR = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$")
_FILE = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]*)\.(?P<lang>[a-z]{2})\.md$")


class LibraryError(VerigaError):
    """A library entry that does not load: the file and what is wrong with it."""


@dataclass(frozen=True)
class EntryText:
    """An entry in one language. ``translated``: the title is in ``language``;
    ``body_translated``: so is the text (else the English text is shown, marked)."""

    language: str
    title: str
    tags: tuple[str, ...]
    body: str  # Markdown
    translated: bool = True
    body_translated: bool = True


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    sources: tuple[str, ...]
    lessons: tuple[str, ...]
    detectors: tuple[str, ...]
    indicators: tuple[str, ...]
    basis: str | None
    texts: Mapping[str, EntryText]

    def text(self, language: str) -> EntryText:
        """The entry in ``language``: its own title (and text, where translated), else the
        English marked untranslated."""
        english = self.texts["en"]
        own = self.texts.get(language)
        if own is None:
            return EntryText(language, english.title, english.tags, english.body,
                             translated=False, body_translated=False)
        return own

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if lang in self.texts)

    def explains(self, kind: str) -> bool:
        """Whether the entry explains findings of this kind (a detector's or an indicator's)."""
        return kind in self.detectors or kind in self.indicators


@dataclass(frozen=True)
class Library:
    entries: tuple[Entry, ...]
    _by_id: dict[str, Entry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_id[entry.id] = entry

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def kind(self, kind: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == kind)

    def explaining(self, finding_kind: str) -> tuple[Entry, ...]:
        """The entries that explain findings of ``finding_kind``."""
        return tuple(e for e in self.entries if e.explains(finding_kind))

    def for_lesson(self, lesson_id: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if lesson_id in e.lessons)


# -- loading --------------------------------------------------------------------------------


def _fail(path: Path, message: str) -> LibraryError:
    return LibraryError(f"library/{path.name}: {message}")


def _front(path: Path) -> tuple[dict[str, Any], str]:
    try:
        return frontmatter.read(path)
    except ValueError as exc:
        raise _fail(path, str(exc)) from None


def _str(path: Path, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{key!r} must be a non-empty text")
    return " ".join(value.split())


def _strs(path: Path, data: Mapping[str, Any], key: str, pattern: re.Pattern[str] | None,
          required: bool = False) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or (required and not value):
        raise _fail(path, f"{key!r} must be a {'non-empty ' if required else ''}list")
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _fail(path, f"{key!r}: {item!r} is not a text")
        if pattern is not None and not pattern.match(item):
            raise _fail(path, f"{key!r}: {item!r} is not a valid id")
        out.append(item.strip())
    if len(set(out)) != len(out):
        raise _fail(path, f"{key!r} repeats an item")
    return tuple(out)


_ENGLISH_KEYS = {"id", "kind", "title", "tags", "lessons", "detectors", "indicators",
                 "sources", "basis"}
_TRANSLATION_KEYS = {"title", "tags"}


def load_entry(english: Path, detector_kinds: frozenset[str]) -> Entry:
    """One entry, from its English file and the translations beside it, validated."""
    data, body = _front(english)
    stray = set(data) - _ENGLISH_KEYS
    if stray:
        raise _fail(english, f"unknown fields {sorted(stray)}")
    entry_id = data.get("id")
    if not isinstance(entry_id, str) or not _ID.match(entry_id):
        raise _fail(english, f"id {entry_id!r} is not an id (a-z, 0-9, '-')")
    if entry_id in RESERVED:
        raise _fail(english, f"id {entry_id!r} is reserved for a page of the library")
    if english.name != f"{entry_id}.en.md":
        raise _fail(english, f"id {entry_id!r} is not the file's name")
    kind = data.get("kind")
    if kind not in KINDS:
        raise _fail(english, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if not body:
        raise _fail(english, "the entry has no text")
    basis = data.get("basis")
    if kind == "case" and basis not in BASES:
        raise _fail(english, f"a case summary needs a basis: {' or '.join(BASES)}")
    if kind != "case" and basis is not None:
        raise _fail(english, "only a case summary has a basis")
    sources = _strs(english, data, "sources", None, required=True)
    dets = _strs(english, data, "detectors", None)
    unknown = sorted(set(dets) - detector_kinds)
    if unknown:
        raise _fail(english, f"detectors {unknown} are no analysis family's finding kinds")
    texts = {"en": EntryText("en", _str(english, data, "title"),
                             _strs(english, data, "tags", None, required=True), body)}
    for lang in LANGUAGES[1:]:
        path = english.with_name(f"{entry_id}.{lang}.md")
        if not path.is_file():
            continue
        tdata, tbody = _front(path)
        stray = set(tdata) - _TRANSLATION_KEYS
        if stray:
            raise _fail(path, f"a translation holds only {sorted(_TRANSLATION_KEYS)}, "
                              f"not {sorted(stray)}")
        tags = _strs(path, tdata, "tags", None) if "tags" in tdata else ()
        texts[lang] = EntryText(lang, _str(path, tdata, "title"), tags or texts["en"].tags,
                                tbody or body, translated=True, body_translated=bool(tbody))
    return Entry(entry_id, str(kind), sources, _strs(english, data, "lessons", _ID),
                 dets, _strs(english, data, "indicators", _INDICATOR),
                 str(basis) if basis else None, texts)


def load(root: Path = ENTRIES) -> Library:
    """Every entry under ``root``, validated: file names, fields, detector kinds known to
    the installed analysis families; no translation without its English entry."""
    detector_kinds = frozenset(known_detectors())
    files = sorted(p for p in root.glob("*.md"))
    for path in files:
        match = _FILE.match(path.name)
        if match is None or match["lang"] not in LANGUAGES:
            raise _fail(path, "not <id>.<language>.md with a language of the programme")
        if not path.with_name(f"{match['id']}.en.md").is_file():
            raise _fail(path, "a translation of no English entry")
    entries = [load_entry(p, detector_kinds) for p in files if p.name.endswith(".en.md")]
    entries.sort(key=lambda e: (KINDS.index(e.kind), e.texts["en"].title.casefold()))
    return Library(tuple(entries))


@cache
def library() -> Library:
    """The library shipped with Veriga (loaded once)."""
    return load()
