"""The base of a workspace part (``ws.cases``, ``ws.entities`` ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from veriga.workspace import Workspace


class Part:
    """One concern of the workspace; every check and audit goes through ``self.ws``, the
    access context (:class:`veriga.workspace.context.Context`) the parts share."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
