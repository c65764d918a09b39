"""Markdown of lessons and library entries to HTML: CommonMark with raw HTML off (a text
can hold no script or markup of its own), tables on."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(markdown: str) -> str:
    """``markdown`` rendered to HTML (any HTML in it is escaped, links kept)."""
    return _parser().render(markdown)
