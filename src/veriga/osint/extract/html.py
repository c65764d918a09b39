"""Visible text of an HTML page, parsed with the standard library's tolerant parser (no
network, no entities beyond HTML's own), scripts and styles left out."""

from __future__ import annotations

from html.parser import HTMLParser

MAX_HTML = 5_000_000  # characters read from one page
_BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "td", "title",
                    "article", "section", "header", "footer", "nav", "span", "a", "time"})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n" if tag not in ("span", "a", "time") else " ")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if any(k in href for k in ("wa.me/", "t.me/", "mailto:", "viber://", "signal.me")):
                self.parts.append(f" {href.removeprefix('mailto:')} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skip:
            self.skip -= 1
        elif tag in _BLOCK:
            self.parts.append("\n" if tag not in ("span", "a", "time") else " ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The page's text, one line per block element; links to messengers kept as text."""
    parser = _Text()
    parser.feed(html[:MAX_HTML])
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
