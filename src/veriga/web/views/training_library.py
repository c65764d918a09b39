"""The best-practice and lessons-learned library in the browser: the entries by kind and a
search in the reader's language (``/training/library``), an entry (``/training/library/{id}``),
the indicator and typology catalogue generated from the analysis families
(``/training/library/catalogue``) and what one detector finds with the entries that explain
it (``/training/library/kinds/{kind}``: the "learn more" link of every finding).

The library is the programme's content, no one's personal data: reading it needs
:attr:`Op.TRAINING_LEARN` (every practitioner) and is not audited. What is not translated into
the reader's language is shown in English and says so."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.training.content import programme
from veriga.training.library import KINDS, Entry, catalogue, library, search, typologies
from veriga.training.markup import to_html
from veriga.web.i18n import translations
from veriga.web.session import Web, current
from veriga.web.views import View

router = APIRouter()
Current = Annotated[Web, Depends(current)]
EntryId = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
FindingKind = Annotated[str, Path(max_length=100)]


def N_(msgid: str) -> str:  # noqa: N802 - the gettext marker `make messages` extracts
    return msgid


KIND_GROUPS = {"practice": N_("Practices"), "case": N_("Case summaries"),
               "legal": N_("Legal references")}
KIND_LABELS = {"practice": N_("Practice"), "case": N_("Case summary"),
               "legal": N_("Legal reference"), "detector": N_("Detector")}
BASIS_NOTES = {
    "fictionalised": N_("A fictionalised case written for the programme: it describes no real "
                        "person, company or proceeding."),
    "judgment": N_("A summary of a public judgment, cited in the sources."),
}


def _reader(web: Web) -> None:
    """Only users of the training programme read the library."""
    web.ws.require_global(Op.TRAINING_LEARN)


def _listed(entry: Entry, lang: str) -> dict[str, Any]:
    text = entry.text(lang)
    return {"id": entry.id, "title": text.title, "translated": text.translated,
            "url": f"/training/library/{entry.id}", "kind": entry.kind}


def _lessons(ids: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """The related lessons with their titles (ids alone when the programme does not load or
    no longer has the lesson)."""
    try:
        prog = programme()
    except VerigaError:
        prog = None
    out = []
    for lesson_id in ids:
        title, translated, url = lesson_id, True, None
        if prog is not None:
            try:
                text = prog.lesson(lesson_id).text(lang)
                title, translated, url = text.title, text.translated, \
                    f"/training/lessons/{lesson_id}"
            except KeyError:
                pass
        out.append({"id": lesson_id, "title": title, "translated": translated, "url": url})
    return out


@router.get("/training/library", include_in_schema=False)
def library_page(request: Request, web: Current,
                 q: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The entries by kind, or the results of a search in the reader's language."""
    _reader(web)
    lib = library()
    hits = []
    if q.strip():
        tr = translations(web.lang).gettext  # the detectors' titles are msgids
        for hit in search(lib, q, web.lang, translate=tr)[:100]:
            if hit.entry is not None:
                url, kind = f"/training/library/{hit.entry.id}", hit.entry.kind
            else:
                assert hit.item is not None
                url, kind = f"/training/library/kinds/{hit.item.kind}", "detector"
            hits.append({"title": hit.title, "translated": hit.translated, "url": url,
                         "kind": kind, "snippet": hit.snippet,
                         "body_translated": hit.text.body_translated if hit.text else True})
    groups = [(kind, KIND_GROUPS[kind], [_listed(e, web.lang) for e in lib.kind(kind)])
              for kind in KINDS]
    return request.app.state.render(request, web, "training_library.html", q=q, hits=hits,
                                    groups=groups, kind_labels=KIND_LABELS)


@router.get("/training/library/catalogue", include_in_schema=False)
def catalogue_page(request: Request, web: Current) -> Response:
    """Every finding kind of the installed analysis families, by stage of the chain."""
    _reader(web)
    lib = library()
    stages = [(stage, [{"item": item, "entries": len(lib.explaining(item.kind))}
                       for item in items])
              for stage, items in typologies().items()]
    return request.app.state.render(request, web, "training_library_catalogue.html",
                                    stages=stages, total=len(catalogue()))


@router.get("/training/library/kinds/{kind}", include_in_schema=False)
def kind_page(request: Request, kind: FindingKind, web: Current) -> Response:
    """What the detector of one finding kind looks for, and the entries that explain it."""
    _reader(web)
    item = next((i for i in catalogue() if i.kind == kind), None)
    if item is None:
        raise NotFound(f"no detector yields findings of kind {kind!r}")
    entries = [_listed(e, web.lang) for e in library().explaining(kind)]
    return request.app.state.render(request, web, "training_library_kind.html", item=item,
                                    entries=entries, kind_labels=KIND_LABELS)


@router.get("/training/library/{entry_id}", include_in_schema=False)
def entry_page(request: Request, entry_id: EntryId, web: Current) -> Response:
    """One entry in the reader's language (English where untranslated, marked)."""
    _reader(web)
    entry = library().get(entry_id)
    if entry is None:
        raise NotFound(f"no library entry {entry_id!r}")
    text = entry.text(web.lang)
    known = {i.kind: i for i in catalogue()}
    explains = [{"kind": k, "title": known[k].title} for k in entry.detectors if k in known]
    return request.app.state.render(
        request, web, "training_library_entry.html", entry=entry, text=text,
        body=to_html(text.body), explains=explains, lessons=_lessons(entry.lessons, web.lang),
        kind_labels=KIND_LABELS, basis_note=BASIS_NOTES.get(entry.basis or ""))


VIEW = View("training-library", "Library", router, nav=False, order=121)
