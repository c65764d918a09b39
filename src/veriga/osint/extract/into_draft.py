"""Identifiers read from a captured ad page into the ``Advertisement`` an importer makes of it,
so that the stored ad is linked to its phones, e-mails and messenger handles like an ad
whose source stated them (the importers of pages call :func:`extract_into_draft`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from veriga.osint.extract.advertisement import extract_advertisement
from veriga.osint.extract.html import html_text

if TYPE_CHECKING:
    from veriga.ingest.base import Draft

#: Properties filled from the page only when the page did not state them itself.
STATED_FIRST = ("statedAge", "priceAmount", "priceCurrency", "language")


def extract_into_draft(draft: Draft, html: str) -> None:
    """Add what the page's visible text says to ``draft``: valid phones in E.164, e-mails,
    messenger handles (``platform:value``), the stated age and price, each once. The text
    extracted is the page's, so an obfuscated number shown beside the contact counts too."""
    stated: dict[str, list[str]] = {}
    for prop, value in draft.values:
        stated.setdefault(prop, []).append(value)
    text = html_text(html)
    found = extract_advertisement({"id": draft.id, "properties": {
        **stated, "bodyText": [text]}})
    valid = {p.e164 for p in found.extracted.phones if p.valid}
    new: list[tuple[str, str]] = [("phone", p) for p in found.phones if p in valid]
    new += [("email", e) for e in found.emails]
    new += [("messenger", f"{platform}:{value}") for platform, value in found.handles]
    if found.ages:
        new.append(("statedAge", str(found.ages[0])))
    if found.prices:
        amount, currency, _ = found.prices[0]
        new += [("priceAmount", f"{amount:g}"), ("priceCurrency", currency)]
    if found.language:
        new.append(("language", found.language))
    for prop, value in new:
        if prop in STATED_FIRST and stated.get(prop):
            continue
        if value not in stated.get(prop, []):
            draft.add(prop, value)
            stated.setdefault(prop, []).append(value)
