"""Parameters kept as nested frozen dataclasses, documented by the comment on each field."""

from __future__ import annotations

import dataclasses
import inspect
import re
from typing import Any

from veriga.analysis.family import Param

_FIELD = re.compile(r"^\s+(\w+)\s*:[^=#]*=[^#]*(?:#\s*(.+))?$")


def field_docs(cls: type) -> dict[str, str]:
    """The comment written after each field of a dataclass, or else on the comment lines
    just above it, by field name."""
    try:
        lines = inspect.getsource(cls).splitlines()
    except (OSError, TypeError):
        return {}
    docs: dict[str, str] = {}
    above: list[str] = []  # comment lines just above a field without a comment of its own
    for line in lines:
        match = _FIELD.match(line)
        comment = line.strip().lstrip("#").strip() if line.strip().startswith("#") else None
        if match:
            docs[match.group(1)] = (match.group(2) or " ".join(above)).strip()
            above = []
        elif comment is not None:
            above.append(comment)
        else:
            above = []
    return docs


def dataclass_params(params: Any) -> list[Param]:
    """``section.name`` with default and doc for every field of every section."""
    out: list[Param] = []
    for section in dataclasses.fields(params):
        value = getattr(params, section.name)
        docs = field_docs(type(value))
        for f in dataclasses.fields(value):
            out.append(Param(f"{section.name}.{f.name}", getattr(value, f.name),
                             docs.get(f.name, "")))
    return out
