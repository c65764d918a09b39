"""What every command shares: consoles, options, and the acting user's workspace."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

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


