"""Ads for the grouping from FollowTheMoney ``Advertisement`` entities (or their dicts)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from veriga.osint.operations import Ad

# A number written in international form: +CC followed by 6 to 14 digits, spaces or dashes.
_E164 = re.compile(r"(?<![\w+])\+(\d[\d \-]{6,18}\d)(?!\d)")


def phones_in(text: str) -> tuple[str, ...]:
    """E.164 numbers written in international form in ``text`` (a fallback until the full
    extraction reads obfuscated and local numbers)."""
    found = []
    for match in _E164.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        if 8 <= len(digits) <= 15:
            found.append("+" + digits)
    return tuple(dict.fromkeys(found))


def _values(props: Mapping[str, Sequence[Any]], name: str) -> tuple[str, ...]:
    return tuple(str(v) for v in props.get(name, ()) if v not in (None, ""))


def ad_from_properties(entity_id: str, props: Mapping[str, Sequence[Any]]) -> Ad:
    """An ``Ad`` from an Advertisement's properties: title and body text, the phones it
    carries (or those written in international form in its text), e-mails, messenger
    handles, image hashes, city and posting time."""
    text = "\n".join(_values(props, "title") + _values(props, "bodyText")
                     + _values(props, "description"))
    phones = _values(props, "phone") or phones_in(text)
    city = next(iter(_values(props, "city")), None)
    posted = sorted(_values(props, "postedAt") + _values(props, "publishedAt"))
    return Ad(id=entity_id, text=text, phones=phones, emails=_values(props, "email"),
              handles=_values(props, "messenger"), image_hashes=_values(props, "imageHash"),
              city=city, posted_at=posted[0] if posted else None)


def ad_from_entity(entity: Any, extract: bool = True) -> Ad:
    """An ``Ad`` from an Advertisement proxy or FtM dict. With ``extract`` the identifiers
    are the stated ones merged with those the full extraction reads in its text (obfuscated
    and national phone numbers, e-mails, messenger handles)."""
    if isinstance(entity, Mapping):
        entity_id, props = str(entity["id"]), entity.get("properties", {})
    else:
        entity_id, props = str(entity.id), entity.properties
    ad = ad_from_properties(entity_id, props)
    if not extract:
        return ad
    from veriga.osint.extract import extract_advertisement

    values = extract_advertisement(entity)
    return replace(ad, phones=tuple(dict.fromkeys((*ad.phones, *values.phones))),
                   emails=tuple(dict.fromkeys((*ad.emails, *values.emails))),
                   handles=tuple(dict.fromkeys((*ad.handles, *(f"{platform}:{value}" for
                                                             platform, value in
                                                             values.handles)))))


def ads_from_entities(entities: Iterable[Any], extract: bool = True) -> list[Ad]:
    """Ads from Advertisement entity proxies or FtM dicts (``id`` and ``properties``)."""
    return [ad_from_entity(entity, extract) for entity in entities]
