"""`veriga train export`: the programme for learning-management systems (SCORM 1.2, Moodle
XML, GIFT) and trainees' activity for a learning record store (xAPI statements)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from veriga.cli.common import PurposeOpt, _fail, console, parse_date, workspace
from veriga.cli.train import train_app
from veriga.training.content import LANGUAGES, programme
from veriga.training.exports import gift, moodle, scorm


class ExportFormat(StrEnum):
    scorm = "scorm"
    moodle_xml = "moodle-xml"
    gift = "gift"
    xapi = "xapi"


@train_app.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="scorm, moodle-xml, gift or "
                                              "xapi.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    module: Annotated[str | None, typer.Option(
        "--module", help="One module (default: the whole programme).")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help=f"Language ({', '.join(LANGUAGES)}). SCORM and GIFT: the language "
                       "of the package (default en); Moodle XML: only this language "
                       "(default: every language through the multilang filter).")] = None,
    cohort: Annotated[str | None, typer.Option(
        "--cohort", help="xAPI: one cohort's trainees (id or name).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="xAPI: statements from this day on (YYYY-MM-DD).")] = None,
    home_page: Annotated[str | None, typer.Option(
        "--home-page", envvar="VERIGA_XAPI_HOME_PAGE",
        help="xAPI: the home page of the actors' pseudonymous accounts.")] = None,
    purpose: PurposeOpt = None,
) -> None:
    """Export the programme (SCORM package, Moodle XML or GIFT quiz) or trainees' answers
    and attempts (xAPI statements with pseudonymous actors: a JSON array, or JSON lines
    when FILE ends in .jsonl)."""
    if lang is not None and lang not in LANGUAGES:
        _fail(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    if fmt is ExportFormat.xapi:
        start = None
        if since:
            day = parse_date(since)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        with workspace(purpose) as ws:
            found = ws.xapi.statements(cohort=cohort, module=module, since=start,
                                       home_page=home_page)
        if out.suffix == ".jsonl":
            out.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in found),
                           encoding="utf-8")
        else:
            out.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"{len(found)} xAPI statements written to {out}")
        return
    prog = programme()
    if fmt is ExportFormat.scorm:
        out.write_bytes(scorm.package(prog, module, lang or "en"))
        what = "SCORM 1.2 package"
    elif fmt is ExportFormat.moodle_xml:
        out.write_bytes(moodle.quiz_xml(prog, module, [lang] if lang else LANGUAGES))
        what = "Moodle XML quiz"
    else:
        out.write_text(gift.quiz_gift(prog, module, lang or "en"), encoding="utf-8")
        what = "GIFT quiz"
    scope = f"module {module}" if module else "the whole programme"
    languages = lang or ("all languages" if fmt is ExportFormat.moodle_xml else "en")
    console.print(f"{what} of {scope} ({languages}) written to {out}")
