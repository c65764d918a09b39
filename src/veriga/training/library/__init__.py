"""The best-practice and lessons-learned library: practices, anonymised case summaries and
legal references as Markdown with YAML front matter, validated on load, searchable in every
language; and the indicator and typology catalogues, generated from the analysis families'
detectors so that they never drift from what Veriga finds.

Layout under ``training/library/entries/``::

    <id>.en.md   the entry in English (complete): front matter + text
    <id>.lv.md   a translation: at least its title; tags and text optional (a text left out is
                 shown in English, marked untranslated)

The English front matter holds ``id`` (the file's), ``kind`` (:data:`KINDS`), ``title``,
``tags``, ``lessons`` (ids of the lessons it relates to), ``detectors`` (the finding kinds
it explains, as the analysis families name them: ``R4``, ``labour.phoenix``,
``operation.sex``), ``indicators`` (ids of the online-ad screening indicators it explains,
``domain.family.indicator``), ``sources`` (citations) and, for a case summary, ``basis``:
``fictionalised`` (written for the programme; no real person or case) or ``judgment``
(a public judgment, cited in ``sources``).
"""

from veriga.training.library.catalogue import CatalogueItem, catalogue, typologies
from veriga.training.library.entries import (
    ENTRIES,
    KINDS,
    Entry,
    EntryText,
    Library,
    LibraryError,
    library,
    load,
)
from veriga.training.library.search import Hit, fold, search

__all__ = ["ENTRIES", "KINDS", "CatalogueItem", "Entry", "EntryText", "Hit", "Library",
           "LibraryError", "catalogue", "fold", "library", "load", "search", "typologies"]
