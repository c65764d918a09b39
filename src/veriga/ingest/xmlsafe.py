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
    """Children of ``elem`` with one of these local names (any namespace), in order."""
    if len(names) == 1:
        return elem.findall("{*}" + names[0])
    return [c for c in elem if local(c.tag) in names]


def kid(elem: Any, *names: str) -> Any:
    """The first child with one of these local names (any namespace), or ``None``."""
    if len(names) == 1:
        return elem.find("{*}" + names[0])
    for child in elem:
        if local(child.tag) in names:
            return child
    return None


def text(elem: Any, name: str) -> str | None:
    """The stripped text of the first child ``name``, ``None`` when absent or empty."""
    value = elem.findtext("{*}" + name) if elem is not None else None
    if not value:
        return None
    return " ".join(value.split()) or None


def fields(elem: Any) -> dict[str, str]:
    """The text of each child by local name (the first of a name; whitespace collapsed,
    empty ones left out): one pass over the children for all the fields read of it."""
    out: dict[str, str] = {}
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = tag.rpartition("}")[2] if tag[0] == "{" else tag
        if name in out:
            continue
        value = child.text
        if value and (value := " ".join(value.split())):
            out[name] = value
    return out
