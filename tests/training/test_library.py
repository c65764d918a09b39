"""The best-practice library: the shipped entries load and are complete (at least four of each
kind, English in full, titles in every language), their links point to lessons, detectors and
indicators that exist, malformed entries are refused naming the file, the search works in every
language without accents, and the catalogues are generated from the analysis families."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from veriga import analysis
from veriga.analysis import Detector
from veriga.osint.screen.library import default_library
from veriga.training.content import CONTENT, LANGUAGES
from veriga.training.library import (
    ENTRIES,
    KINDS,
    LibraryError,
    catalogue,
    fold,
    library,
    load,
    search,
    typologies,
)


def _lesson_ids() -> set[str]:
    """Every lesson the modules declare (read from module.yml, so that a module being
    written by someone else does not hide the others)."""
    out: set[str] = set()
    for path in CONTENT.glob("*/module.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out |= set(data.get("lessons") or [])
    return out


def test_shipped_library_is_complete() -> None:
    lib = library()
    for kind in KINDS:
        assert len(lib.kind(kind)) >= 4, kind
    for entry in lib:
        english = entry.texts["en"]
        assert english.title and english.tags and len(english.body.split()) > 150
        assert entry.sources
        for lang in LANGUAGES[1:]:
            text = entry.text(lang)
            assert text.translated, (entry.id, lang)  # every title translated
            assert text.title != english.title or entry.id.startswith("case-"), (entry.id, lang)
            if not text.body_translated:
                assert text.body == english.body  # shown in English, and marked so


def test_case_summaries_are_anonymised_fiction_or_cited_judgments() -> None:
    for entry in library().kind("case"):
        assert entry.basis in ("fictionalised", "judgment")
        body = entry.texts["en"].body
        if entry.basis == "judgment":
            assert any(re.search(r"no(s)?\. \d+/\d\d", s) for s in entry.sources), entry.id
            assert "Names of persons" in body
        else:
            assert "fictionalised" in body and "invented" in " ".join(entry.sources)


def test_links_point_to_what_exists() -> None:
    lessons = _lesson_ids()
    detector_kinds = set(analysis.detectors())
    indicators = {i.id for i in default_library().indicators.values()} \
        if isinstance(default_library().indicators, dict) \
        else {i.id for i in default_library().indicators}
    for entry in library():
        assert set(entry.lessons) <= lessons, (entry.id, set(entry.lessons) - lessons)
        assert set(entry.detectors) <= detector_kinds
        assert set(entry.indicators) <= indicators, (entry.id,
                                                     set(entry.indicators) - indicators)
    # lessons name library entries by id: every one of them exists
    ids = {e.id for e in library()}
    for path in CONTENT.glob("*/*.en.md"):
        front = path.read_text(encoding="utf-8").split("---")[1]
        named = (yaml.safe_load(front) or {}).get("library") or []
        assert set(named) <= ids, (path.name, set(named) - ids)


def test_every_family_has_an_entry_explaining_some_of_its_findings() -> None:
    lib = library()
    for name, fam in analysis.families().items():
        if name == "resolve":
            continue  # proposed matches of records explain themselves
        assert any(lib.explaining(d.kind) for d in fam.detectors), name


def _write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


GOOD = """---
id: {id}
kind: {kind}
title: A title
tags: [one, two]
lessons: []
detectors: [{detectors}]
sources: ["A source"]
{extra}---
Some text.
"""


@pytest.mark.parametrize("name, kind, detectors, extra, message", [
    ("x-1.en.md", "rumour", "", "", "kind 'rumour' is not one of"),
    ("x-1.en.md", "practice", "R99", "", "detectors ['R99'] are no analysis family's"),
    ("x-2.en.md", "practice", "", "", "id 'x-1' is not the file's name"),
    ("x-1.en.md", "case", "", "", "a case summary needs a basis"),
    ("x-1.en.md", "legal", "", "basis: judgment\n", "only a case summary has a basis"),
    ("x-1.en.md", "legal", "", "secret: yes\n", "unknown fields ['secret']"),
])
def test_malformed_entries_are_refused_naming_the_file(
        tmp_path: Path, name: str, kind: str, detectors: str, extra: str,
        message: str) -> None:
    _write(tmp_path, name, GOOD.format(id="x-1", kind=kind, detectors=detectors, extra=extra))
    with pytest.raises(LibraryError, match=re.escape(message)) as err:
        load(tmp_path)
    assert name in str(err.value)


def test_translations_are_checked(tmp_path: Path) -> None:
    _write(tmp_path, "x-1.en.md", GOOD.format(id="x-1", kind="practice", detectors="R4",
                                              extra=""))
    _write(tmp_path, "x-1.lv.md", "---\ntitle: Virsraksts\n---\n")
    lib = load(tmp_path)
    entry = lib.entry("x-1")
    assert entry.text("lv").title == "Virsraksts" and entry.text("lv").translated
    assert not entry.text("lv").body_translated and entry.text("lv").body == "Some text."
    assert not entry.text("fi").translated and entry.text("fi").title == "A title"
    assert lib.explaining("R4") == (entry,)
    _write(tmp_path, "x-1.fi.md", "---\ntitle: Otsikko\nkind: legal\n---\n")
    with pytest.raises(LibraryError, match="x-1.fi.md: a translation holds only"):
        load(tmp_path)
    (tmp_path / "x-1.fi.md").unlink()
    _write(tmp_path, "y-9.et.md", "---\ntitle: Pealkiri\n---\n")
    with pytest.raises(LibraryError, match="y-9.et.md: a translation of no English entry"):
        load(tmp_path)
    (tmp_path / "y-9.et.md").unlink()
    _write(tmp_path, "x-1.xx.md", "---\ntitle: ?\n---\n")
    with pytest.raises(LibraryError, match="x-1.xx.md: not <id>.<language>.md"):
        load(tmp_path)
    (tmp_path / "x-1.xx.md").unlink()
    _write(tmp_path, "catalogue.en.md", GOOD.format(id="catalogue", kind="practice",
                                                    detectors="", extra=""))
    with pytest.raises(LibraryError, match="reserved"):
        load(tmp_path)


def test_the_shipped_folder_holds_only_entries() -> None:
    assert load(ENTRIES) == library()


def test_search_every_language_accents_optional() -> None:
    lib = library()
    assert fold("Nesodīšanas ČAULA") == "nesodisanas caula"
    hits = search(lib, "nesodisana", "lv")
    assert hits[0].id == "legal-non-punishment-principle"
    assert hits[0].title.startswith("Nesodīšanas princips") and hits[0].translated
    bulgarian = [h.id for h in search(lib, "принудителен труд", "bg")]
    assert "legal-forced-labour-ilo-echr" in bulgarian and "case-chowdury-v-greece" in bulgarian
    # English words find entries in every language, titles come in the reader's language
    finnish = search(lib, "non-punishment", "fi")
    assert finnish[0].title.startswith("Rankaisemattomuusperiaate")
    # an inflected form finds the entry ("Grieķija" in the query, "Grieķiju" in the title)
    assert search(lib, "grieķija", "lv")[0].id == "case-chowdury-v-greece"
    # words of a translated text are found in it
    assert search(lib, "syyttämättä", "fi")[0].id == "legal-non-punishment-principle"
    # every word must be found
    assert search(lib, "non-punishment zzzqqq", "en") == []
    assert search(lib, "   ", "en") == []


def test_search_finds_detectors_of_the_catalogue() -> None:
    hits = search(library(), "funnel", "en")
    assert "kind:R4" in [h.id for h in hits]
    by_kind = search(library(), "labour.phoenix", "en")
    assert {"kind:labour.phoenix", "practice-subcontracting-chains"} <= {h.id for h in by_kind}
    assert all(h.item is None for h in search(library(), "funnel", "en",
                                               with_catalogue=False))


def test_untranslated_results_are_marked() -> None:
    lib = library()
    hit = next(h for h in search(lib, "Siliadin", "lv") if h.entry is not None)
    assert hit.translated and hit.text is not None and not hit.text.body_translated


def test_catalogue_is_generated_from_the_families(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds = [i.kind for i in catalogue()]
    assert kinds == [d.kind for f in analysis.families().values() for d in f.detectors]
    by_kind = {i.kind: i for i in catalogue()}
    r4 = analysis.detector("R4")
    assert r4 is not None and by_kind["R4"].title == r4.title
    assert by_kind["R4"].citation == r4.citation and by_kind["R4"].stage == "proceeds"
    stages = typologies()
    assert list(stages)[:4] == list(analysis.STAGES)
    assert sum(len(v) for v in stages.values()) == len(kinds)
    # a new detector appears in the catalogue without anyone writing it down
    fams = analysis.families()
    finance = fams["finance"]
    extra = Detector("R99", "A new red flag", "mule_account", "A new source", "docs/x.md#r99")
    monkeypatch.setattr(type(finance), "detectors", (*finance.detectors, extra))
    assert "R99" in [i.kind for i in catalogue()]
    assert [i.kind for i in typologies()["proceeds"]][-1] == "R99"
