"""The project's own XSD of goAML reports (``goaml.xsd``; see its header and
docs/finance.md#goaml), and the check of a report against it and an FIU profile."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from veriga.ingest.goaml.profile import Profile


@cache
def schema() -> etree.XMLSchema:
    """The packaged ``goaml.xsd``, parsed without network or entities."""
    data = (resources.files("veriga.ingest.goaml") / "goaml.xsd").read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.fromstring(data, parser))


def _label(elem: Any) -> str:
    """``/report/transaction[2] (TX-17)``: where an element is, with its transaction."""
    path = elem.getroottree().getpath(elem)
    node = elem
    while node is not None and node.tag != "transaction":
        node = node.getparent()
    number = node.findtext("transactionnumber") if node is not None else None
    return f"{path} (transaction {number})" if number else path


def problems(root: Any, profile: Profile) -> list[str]:
    """Everything that makes ``root`` no valid report for ``profile``'s FIU: the fields the
    profile requires, then the schema's errors; empty when the report may be written."""
    found: list[str] = []
    for path in profile.mandatory:
        *parents, last = path.split("/")
        holders = root.xpath("/".join(parents)) if parents else [root]
        for holder in holders:
            if not any((child.text or "").strip() or len(child)
                       for child in holder.xpath(last)):
                found.append(f"{_label(holder)}: no {last}, which FIU profile "
                             f"{profile.name!r} requires ({path}; {profile.source})")
    xsd = schema()
    if not xsd.validate(root.getroottree()):
        for error in list(xsd.error_log):  # type: ignore[call-overload]
            where = f"line {error.line}, {error.path}" if error.line else error.path
            found.append(f"{where}: {error.message} (goaml.xsd)")
    return found
