"""The ``veriga`` command."""

from veriga.cli.main import app, main

__all__ = ["app", "main"]
