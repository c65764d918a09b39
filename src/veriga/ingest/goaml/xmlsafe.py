"""Safe reading of goAML XML: no DOCTYPE, no entities, no network, libxml2's limits on."""

from __future__ import annotations

import re
from typing import Any

HEAD = 64 * 1024
DTD_REFUSED = ("XML with a DOCTYPE/DTD is refused (goAML needs none; DTDs carry entity and "
               "XXE attacks)")
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def has_doctype(head: bytes) -> bool:
    """Whether the prolog (before the root element) declares a DOCTYPE."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", "replace")
    else:
        text = head.decode("latin-1")
    text = text.lstrip("\ufeffï»¿")
    pos = 0
    while found := _PROLOG.match(text, pos):
        if found.end() == pos:
            break
        pos = found.end()
    return text[pos:].lstrip().startswith("<!DOCTYPE")


def local(tag: Any) -> str:
    """The local name of an element's tag (comments and PIs have none)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


def kids(elem: Any, *names: str) -> list[Any]:
    """Children of ``elem`` with one of these local names, in document order."""
    return [c for c in elem if local(c.tag) in names]


def kid(elem: Any, *names: str) -> Any:
    """The first child with one of these local names, or ``None``."""
    for child in elem:
        if local(child.tag) in names:
            return child
    return None


def text(elem: Any, name: str) -> str | None:
    """The stripped text of the first child ``name``, ``None`` when absent or empty."""
    child = kid(elem, name) if elem is not None else None
    if child is None or child.text is None:
        return None
    value = " ".join(child.text.split())
    return value or None
