"""Babel extraction of the indicator library's texts (family and indicator titles and
explanations), so that `make messages` puts them in the catalogs; babel.cfg names
``veriga.osint.screen.messages.extract_yaml`` for the indicator files."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

TRANSLATED = ("title", "explanation")


def _texts(data: Any) -> Iterator[str]:
    if isinstance(data, Mapping):
        for key in TRANSLATED:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                yield " ".join(value.split())
        for item in data.get("indicators", ()) if isinstance(data.get("indicators"), list) \
                else ():
            yield from _texts(item)


def extract_yaml(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
                 options: Mapping[str, Any]) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method: (line, function, message, comments) of each text."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    for text in _texts(data):
        yield 1, None, text, []
