"""What every command shares: consoles, options, and the acting user's workspace."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from veriga.workspace import Workspace

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

PurposeOpt = Annotated[
    str | None,
    typer.Option("--purpose", envvar="VERIGA_PURPOSE",
                 help="Why you are accessing the data; recorded in the audit log."),
]
CaseOpt = Annotated[str, typer.Option("--case", "-c", help="Case name or id.")]


class OutFormat(StrEnum):
    table = "table"
    json = "json"


@contextmanager
def workspace(purpose: str | None = None, ask: bool = False) -> Iterator[Workspace]:
    """The workspace as the acting user: VERIGA_TOKEN's account, or the login name's.

    With ``ask``, a missing purpose is asked for when a person is at the terminal.
    """
    if ask and not purpose and sys.stdin.isatty():
        purpose = typer.prompt("Purpose of this access (recorded in the audit log)")
    ws = Workspace.local(purpose=purpose, token=os.environ.get("VERIGA_TOKEN") or None)
    try:
        yield ws
    finally:
        ws.close()


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def parse_date(text: str) -> date:
    """A YYYY-MM-DD option's date, or one line saying what is wrong with it."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"not a date: {text!r} (YYYY-MM-DD)")
        raise




ProgressFn = Callable[[str, int, int], None]


@contextmanager
def progress_bars(unit: str = "items") -> Iterator[ProgressFn]:
    """A ``progress(name, done, total)`` callback drawing one bar per name on stderr."""
    count = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
    columns = (TextColumn("{task.description}"), BarColumn(), count, TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        yield progress


def print_rows(rows: list[dict], fmt: OutFormat, columns: dict[str, Callable[[dict], str]]
               ) -> None:
    """Rows as JSON, or as a table with the given columns."""
    if fmt is OutFormat.json:
        print(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*(render(row) for render in columns.values()))
    console.print(table)


AUDIT_COLUMNS: dict[str, Callable[[dict], str]] = {
    "seq": lambda r: str(r["seq"]),
    "at": lambda r: f"{r['at']:%Y-%m-%d %H:%M:%S}",
    "actor": lambda r: r["actor"],
    "action": lambda r: r["action"],
    "target": lambda r: r["target"] or "",
    "purpose": lambda r: r["purpose"] or "(none stated)",
    "detail": lambda r: json.dumps(r["detail"], ensure_ascii=False, default=str)[:80],
}
