"""`veriga train ...`: the training programme: modules and lessons, quizzes, case
simulations, cohorts and events, certificates, exports to learning-management systems.

The commands live in modules of their own (``cli/train_*.py``), each adding to
:data:`train_app`; the imports at the end of this module register them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from veriga.cli.common import OutFormat, console
from veriga.training.content import LANGUAGES, programme

train_app = typer.Typer(no_args_is_help=True, help=(
    "The training programme: modules and lessons with quizzes, case simulations graded in "
    "the tool, cohorts and events, certificates, LMS exports."))

LangOpt = Annotated[str, typer.Option("--lang", help=f"Language ({', '.join(LANGUAGES)}).")]


@train_app.command("modules")
def modules(
    lang: LangOpt = "en",
    profession: Annotated[str | None, typer.Option(
        help="Only the core modules and this profession's (law_enforcement, prosecutors, "
             "judges, financial, ngo).")] = None,
    fmt: Annotated[OutFormat, typer.Option("--format")] = OutFormat.table,
) -> None:
    """List the programme's modules and lessons, and which are translated."""
    prog = programme()
    rows: list[dict[str, Any]] = []
    for module in prog.for_profession(profession):
        title, translated = module.title(lang)
        rows.append({"module": module.id, "track": module.track, "title": title,
                     "lessons": [le.id for le in module.lessons],
                     "translated": module.translated(lang) and translated})
    if fmt is OutFormat.json:
        console.print_json(json.dumps(rows))
        return
    table = Table("module", "track", "title", "lessons", "translated")
    for row in rows:
        table.add_row(row["module"], row["track"], row["title"], str(len(row["lessons"])),
                      "yes" if row["translated"] else "no (shown in English)")
    console.print(table)


# the commands of the other modules register themselves on train_app
from veriga.cli import train_exports  # noqa: E402,F401

# isort: split
from veriga.cli import train_learn  # noqa: E402,F401

# isort: split
from veriga.cli import train_library  # noqa: E402,F401

# isort: split
from veriga.cli import train_cohorts  # noqa: E402,F401

# isort: split
from veriga.cli import train_exercises  # noqa: E402,F401
