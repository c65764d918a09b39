"""Render a gathered :class:`~veriga.reports.gather.Report` as HTML and as PDF (WeasyPrint).

The HTML is one self-contained document (styles inline, no images, scripts or links out);
the PDF is A4 with a running header (case and handling), "page X of Y" and a table of
contents with page numbers. Fonts come from fontconfig (DejaVu covers Latin and Cyrillic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from veriga.errors import VerigaError
from veriga.model.currency import exponent
from veriga.model.dates import iso_day
from veriga.reports.gather import INLINE_TRANSACTIONS, Report

TEMPLATES = Path(__file__).parent / "templates"
PLACEHOLDER = re.compile(r"%\((page|pages)\)s")
PLACES = 4  # files and lines shown per value


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.filters.update(day=_day, when=_when)
    return env


def _day(value: date | datetime | None) -> str:
    return iso_day(value) or ""


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else ""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (safe inside an HTML <style> element)."""
    out = []
    for ch in text:
        if ch in '\\"<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_of_css(template: str) -> str:
    """A translated "Page %(page)s of %(pages)s" as CSS ``content`` with the counters."""
    parts = []
    for n, piece in enumerate(PLACEHOLDER.split(template)):
        if n % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts) or 'counter(page) " / " counter(pages)'


@dataclass
class _Translator:
    """``_("text %(n)s", n=1)`` in templates, like Jinja's newstyle gettext."""

    gettext: Any

    def __call__(self, message: str, **variables: Any) -> str:
        return str(self.gettext(message)) % variables


def _context(report: Report, standalone: bool) -> dict[str, Any]:
    _ = _Translator(report.gettext)

    def money(amount: Decimal | float | None, currency: str = "EUR") -> str:
        if amount is None:
            return ""
        places = exponent(currency)  # the currency's own decimals: 1,000 JPY, 1.250 KWD
        pattern = "#,##0" + ("." + "0" * places if places else "")
        number = format_decimal(Decimal(amount), format=pattern, locale=report.lang,
                                decimal_quantization=True)
        return f"{number} {currency}".strip()

    return {"r": report, "_": _, "money": money, "standalone": standalone,
            "heading": lambda f: f.heading(report.gettext, report.lang),
            "explain": lambda f: f.text(report.gettext, report.lang),
            "inline": INLINE_TRANSACTIONS, "places": PLACES, "page_of": page_of_css,
            "css": (TEMPLATES / "report.css").read_text(encoding="utf-8")}


def render_html(report: Report, standalone: bool = True) -> str:
    """The report as HTML: a whole printable document, or (``standalone=False``) the
    fragment a web page embeds, with its styles."""
    name = "report.html" if standalone else "_body.html"
    return environment().get_template(name).render(_context(report, standalone))


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise VerigaError(f"the report may not load external resources ({url[:60]})")


def render_pdf(report: Report) -> tuple[bytes, int]:
    """The report as PDF bytes and its page count."""
    from weasyprint import HTML

    document = HTML(string=render_html(report), url_fetcher=_no_fetch).render()
    return document.write_pdf(), len(document.pages)
