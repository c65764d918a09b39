"""`veriga train library ...`: the best-practice and lessons-learned library, and the
indicator and typology catalogues generated from the analysis families."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from veriga.cli.common import OutFormat, _fail, console
from veriga.cli.train import LangOpt, train_app
from veriga.training.content import LANGUAGES
from veriga.training.exports import untranslated_note
from veriga.training.library import catalogue, library, search

library_app = typer.Typer(no_args_is_help=True, help=(
    "The best-practice library: practices, case summaries, legal references, and the "
    "catalogue of what each detector finds."))
train_app.add_typer(library_app, name="library")


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        _fail(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")


@library_app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Words to find (any language, accents optional).")],
    lang: LangOpt = "en",
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
) -> None:
    """Find library entries and detectors by words in their title, tags and text."""
    _check(lang)
    hits = search(library(), query, lang)
    rows: list[dict[str, object]] = [
        {"id": h.id, "kind": h.entry.kind if h.entry else "detector", "title": h.title,
         "translated": h.translated, "snippet": h.snippet} for h in hits]
    if fmt is OutFormat.json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        console.print(f"nothing found for {query!r}")
        return
    table = Table("id", "kind", "title")
    for row in rows:
        title = row["title"] if row["translated"] or lang == "en" else \
            f"{row['title']} ({untranslated_note(lang)})"
        table.add_row(str(row["id"]), str(row["kind"]), str(title))
    console.print(table)


@library_app.command("show")
def show(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="An entry's id, or a finding "
                                            "kind (R4, labour.phoenix) for its detector.")],
    lang: LangOpt = "en",
) -> None:
    """Show one entry (or what a detector finds and the entries that explain it)."""
    _check(lang)
    lib = library()
    entry = lib.get(entry_id)
    if entry is None:
        kind = entry_id.removeprefix("kind:")
        item = next((i for i in catalogue() if i.kind == kind), None)
        if item is None:
            _fail(f"no library entry or finding kind {entry_id!r}")
            return
        console.print(f"[bold]{item.kind}[/] {item.title}")
        console.print(f"family: {item.family}; stage: {item.stage or '-'}; role: "
                      f"{item.role or '-'}")
        console.print(f"source: {item.citation}")
        console.print(f"method: {item.docs}")
        for e in lib.explaining(kind):
            console.print(f"  see {e.id}: {e.text(lang).title}")
        return
    text = entry.text(lang)
    console.print(f"[bold]{text.title}[/]  ({entry.kind})")
    if not text.translated or not text.body_translated:
        console.print(f"[yellow]{untranslated_note(lang)}[/]")
    console.print(Markdown(text.body))
    console.print("[bold]Sources[/]")
    for source in entry.sources:
        console.print(f"- {source}")
    if entry.detectors or entry.indicators:
        console.print("explains: " + ", ".join((*entry.detectors, *entry.indicators)))
    if entry.lessons:
        console.print("lessons: " + ", ".join(entry.lessons))


@library_app.command("catalogue")
def catalogue_cmd(fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table
                  ) -> None:
    """Every finding kind the installed analysis families yield (generated, never drifts)."""
    items = catalogue()
    if fmt is OutFormat.json:
        console.print_json(json.dumps([i.__dict__ for i in items]))
        return
    table = Table("kind", "family", "stage", "title")
    for i in items:
        table.add_row(i.kind, i.family, i.stage or "-", i.title)
    console.print(table)
