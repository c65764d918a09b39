"""Searching the library in every language: simple full text over the title, tags and text
of each entry, in the reader's language and in English, accent- and case-insensitive (a
long word also matches by its first letters, for inflected languages); and over the
catalogue's finding kinds and titles. Results come in the reader's language, with
what is shown in English marked."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from veriga.training.library.catalogue import CatalogueItem, catalogue
from veriga.training.library.entries import Entry, EntryText, Library

_WORD = re.compile(r"\w+", re.U)
#: how much a hit counts by where it is
WEIGHTS = {"title": 5, "tags": 3, "kind": 5, "body": 1}
SNIPPET = 160


def fold(text: str) -> str:
    """``text`` for matching: case-folded, accents dropped (č → c, ā → a, й → и)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Hit:
    """One result: an entry (with its text in the reader's language) or a catalogue item."""

    score: int
    title: str
    translated: bool
    snippet: str
    entry: Entry | None = None
    text: EntryText | None = None
    item: CatalogueItem | None = None

    @property
    def id(self) -> str:
        return self.entry.id if self.entry else f"kind:{self.item.kind if self.item else ''}"


def _terms(query: str) -> list[str]:
    return [fold(w) for w in _WORD.findall(query)]


def _stem(term: str) -> str | None:
    """A long term's first letters, so that inflected forms match ("grieķija" finds
    "Grieķiju", "darbs" finds "darba"); None for short terms."""
    return term[:max(4, len(term) - 2)] if len(term) >= 5 else None


def _score(terms: list[str], fields: dict[str, str]) -> int:
    """The weighted count of fields each term is in (a term found only by its stem counts
    half); 0 unless every term is somewhere."""
    folded = {name: fold(value) for name, value in fields.items()}
    total = 0
    for term in terms:
        found = [2 * WEIGHTS[name] for name, value in folded.items() if term in value]
        stem = _stem(term)
        if not found and stem:
            found = [WEIGHTS[name] for name, value in folded.items() if stem in value]
        if not found:
            return 0
        total += sum(found)
    return total


def _snippet(body: str, terms: list[str]) -> str:
    """A line of the text around the first term found (the text's start if none)."""
    plain = " ".join(re.sub(r"[#*_`>\[\]]", "", body).split())
    folded = fold(plain)
    found = (folded.find(t) for t in [*terms, *filter(None, map(_stem, terms))])
    at = min((i for i in found if i >= 0), default=0)
    start = max(0, at - SNIPPET // 3)
    piece = plain[start:start + SNIPPET]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(plain) else "")


def search(lib: Library, query: str, language: str = "en",
           translate: Callable[[str], str] | None = None,
           with_catalogue: bool = True) -> list[Hit]:
    """Entries (and catalogue items) matching every word of ``query`` in the reader's
    language or in English, best first. ``translate`` gives catalogue titles (msgids) in
    the reader's language."""
    terms = _terms(query)
    if not terms:
        return []
    hits: list[Hit] = []
    for entry in lib:
        text = entry.text(language)
        english = entry.texts["en"]
        fields = {"title": f"{text.title} {english.title}",
                  "tags": " ".join((*text.tags, *english.tags)),
                  "kind": " ".join((entry.id, *entry.detectors, *entry.indicators)),
                  "body": f"{text.body}\n{english.body}" if text.body_translated
                  else english.body}
        score = _score(terms, fields)
        if score:
            hits.append(Hit(score, text.title, text.translated,
                            _snippet(text.body, terms), entry=entry, text=text))
    if with_catalogue:
        tr = translate or (lambda s: s)
        for item in catalogue():
            title = tr(item.title)
            fields = {"title": f"{title} {item.title}", "kind": item.kind,
                      "tags": f"{item.family} {item.stage or ''} {item.role or ''}",
                      "body": item.citation}
            score = _score(terms, fields)
            if score:
                hits.append(Hit(score, title, translate is not None or language == "en",
                                item.citation, item=item))
    hits.sort(key=lambda h: (-h.score, fold(h.title)))
    return hits
