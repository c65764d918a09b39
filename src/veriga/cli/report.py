"""`veriga report`: the case report for prosecutors, as PDF or HTML, in the chosen language."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from veriga.cli.common import CaseOpt, PurposeOpt, _fail, console, workspace
from veriga.reports import build_report, render_html, render_pdf
from veriga.reports.gather import DEFAULT_SECTIONS, MAX_ANNEX, SECTIONS

LANGUAGES = ("en", "bg", "lv", "et", "fi")  # as veriga.web.i18n.LANGUAGES
DEFAULT = ",".join(name for name in SECTIONS if name in DEFAULT_SECTIONS)


def report(
    case: CaseOpt,
    out: Annotated[Path, typer.Option("--out", "-o",
                                      help="report.pdf or report.html (the suffix decides).")],
    lang: Annotated[str, typer.Option(
        "--lang", help=f"Language of the report: {', '.join(LANGUAGES)}.")] = "en",
    include_unreviewed: Annotated[bool, typer.Option(
        "--include-unreviewed",
        help="Add an appendix of findings nobody reviewed yet (marked: not evidence).")
    ] = False,
    max_transactions: Annotated[int, typer.Option(
        min=0, help="List at most this many cited transactions in the annex.")] = MAX_ANNEX,
    sections: Annotated[str, typer.Option(
        help=f"Comma-separated sections: {', '.join(SECTIONS)} (the summary, findings, "
             "source files and method are always there).")] = DEFAULT,
    purpose: PurposeOpt = None,
) -> None:
    """The case report for prosecutors: confirmed findings, the chain, the proceeds, the
    persons involved, and every fact with its source file and line."""
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        _fail(f"--out must end in .pdf or .html, not {out.name!r}")
    if lang not in LANGUAGES:
        _fail(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    chosen = {s.strip() for s in sections.split(",") if s.strip()}
    if chosen - set(SECTIONS):
        _fail(f"unknown sections {', '.join(sorted(chosen - set(SECTIONS)))}; use "
              f"{', '.join(SECTIONS)}")
    from veriga.web.i18n import translations  # the interface's catalogs hold the report's

    started = time.perf_counter()
    with workspace(purpose, ask=True) as ws:
        rep = build_report(ws, case, translations(lang).gettext, lang, include_unreviewed,
                           max_transactions, chosen)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages = ""
    if suffix == ".pdf":
        data, count = render_pdf(rep)
        out.write_bytes(data)
        pages = f", {count} pages"
    else:
        out.write_text(render_html(rep), encoding="utf-8")
    console.print(f"[bold]{out}[/]: {len(rep.findings)} confirmed findings, "
                  f"{len(rep.parties)} persons and organisations, {len(rep.sources)} source "
                  f"files{pages} ({time.perf_counter() - started:.1f} s).")
    if not rep.findings:
        console.print("No finding is confirmed yet: review them with `veriga findings "
                      f"--case {case}` first.")
