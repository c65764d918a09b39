"""Errors a user can act on: each carries a one-line reason."""


class VerigaError(Exception):
    """Base of all errors reported to the user without a traceback."""


class NotFound(VerigaError):
    """A case, entity or source that does not exist."""


class ImportFailed(VerigaError):
    """An import that was aborted; nothing of it was stored."""
