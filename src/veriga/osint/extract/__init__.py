"""Extraction of identifiers and values from ad text, each with its span in the text:
phones (E.164), e-mails, messenger handles, stated ages, prices, cities and the language."""

from __future__ import annotations

from veriga.osint.extract.advertisement import AdValues, advertisement_text, extract_advertisement
from veriga.osint.extract.ages_prices import find_ages, find_prices
from veriga.osint.extract.contacts import find_emails, find_handles
from veriga.osint.extract.html import html_text
from veriga.osint.extract.into_draft import extract_into_draft
from veriga.osint.extract.language import detect_language
from veriga.osint.extract.phones import find_phones
from veriga.osint.extract.places import find_places
from veriga.osint.extract.types import (
    Age,
    Email,
    Extracted,
    Handle,
    Language,
    Phone,
    Place,
    Price,
    Span,
)


def extract(text: str, *, country_hint: str | None = None) -> Extracted:
    """Everything in ``text``. Phones in national form are read with ``country_hint`` (ISO
    3166-1 alpha-2), else with the country of the first city the text names."""
    places = find_places(text)
    region = country_hint or (places[0].country if places else None)
    phones = find_phones(text, region)
    return Extracted(text=text, phones=phones, emails=find_emails(text),
                     handles=find_handles(text, phones), ages=find_ages(text),
                     prices=find_prices(text), places=places,
                     language=detect_language(text))


def extract_html(html: str, *, country_hint: str | None = None) -> Extracted:
    """``extract`` on the visible text of an HTML page (spans index that text)."""
    return extract(html_text(html), country_hint=country_hint)


__all__ = [
    "AdValues", "Age", "Email", "Extracted", "Handle", "Language", "Phone", "Place", "Price",
    "Span", "advertisement_text", "detect_language", "extract", "extract_advertisement",
    "extract_html", "extract_into_draft", "find_ages", "find_emails", "find_handles",
    "find_phones", "find_places", "find_prices",
]
