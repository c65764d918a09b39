"""Markdown files with YAML front matter, as lessons and library entries are written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

_FRONT = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n?(.*)\Z", re.S)


def read(path: Path) -> tuple[dict[str, Any], str]:
    """The front matter (a mapping) and the stripped Markdown body of ``path``; a
    :class:`ValueError` says what is wrong (the caller names the file)."""
    match = _FRONT.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError("no YAML front matter between '---' lines")
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("front matter must be a mapping")
    return data, match.group(2).strip()
