"""Read the fields of an ad page (one that marks its ad with ``data-ad-id``).

The fields follow the FtM copy of the simulated ads: title, bodyText (the ad's text, raw),
site, adId, city, postedAt, contactName, price, priceAmount, priceCurrency, language.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

ISO3 = {"en": "eng", "ru": "rus", "bg": "bul", "lv": "lav", "et": "est", "fi": "fin",
        "ro": "ron", "uk": "ukr", "pl": "pol", "de": "deu", "sv": "swe", "lt": "lit"}
PRICE = re.compile(r"(\d+(?:[.,]\d+)?)\s*([A-Z]{3}|€|\$)")


class _AdParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ad_id: str | None = None
        self.lang: str | None = None
        self.posted: str | None = None
        self.fields: dict[str, list[str]] = {}
        self.images: list[str] = []
        self._stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "html" and values.get("lang"):
            self.lang = values["lang"].split("-")[0].lower()
        if "data-ad-id" in values and self.ad_id is None:
            self.ad_id = values["data-ad-id"].strip()
        if tag == "time" and values.get("datetime") and self.posted is None:
            self.posted = values["datetime"]
        if tag == "img" and self.ad_id is not None and values.get("src"):
            self.images.append(values["src"].strip())
        if tag in ("br", "img", "meta", "link", "hr", "input"):
            return
        cls = values.get("class", "").split()
        name = None
        if tag == "h1" and self.ad_id is not None:
            name = "title"
        elif cls and cls[0] in ("city", "text", "contact", "phone", "price"):
            name = cls[0]
        self._stack.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "meta", "link", "hr", "input"):
            return
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        for name in reversed(self._stack):
            if name:
                self.fields.setdefault(name, []).append(data)
                if name != "phone":
                    break


def parse_ad_page(url: str, html: str) -> dict[str, str] | None:
    """The ad's fields, or ``None`` when the page does not mark an ad."""
    return read_ad_page(url, html)[0]


def read_ad_page(url: str, html: str) -> tuple[dict[str, str] | None, list[str]]:
    """The ad's fields (``None`` when the page does not mark an ad) and the absolute URLs
    of the images shown from its ad on (its photos)."""
    parser = _AdParser()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:
        pass
    if not parser.ad_id:
        return None, []

    def text(name: str) -> str:
        return "".join(parser.fields.get(name, [])).strip()

    ad: dict[str, str] = {"adId": parser.ad_id, "site": (urlsplit(url).hostname or "").lower()}
    for prop, name in (("title", "title"), ("bodyText", "text"), ("city", "city"),
                       ("price", "price")):
        if text(name):
            ad[prop] = text(name)
    contact = text("contact")
    phone = text("phone")
    if contact:
        name = contact.removesuffix(phone).strip(" ·") if phone else contact
        if name:
            ad["contactName"] = name
    if parser.posted:
        ad["postedAt"] = parser.posted
    if parser.lang and parser.lang in ISO3:
        ad["language"] = ISO3[parser.lang]
    match = PRICE.search(ad.get("price", ""))
    if match:
        ad["priceAmount"] = match.group(1).replace(",", ".")
        ad["priceCurrency"] = {"€": "EUR", "$": "USD"}.get(match.group(2), match.group(2))
    images = [urljoin(url, src) for src in parser.images if not src.startswith("data:")]
    return ad, list(dict.fromkeys(images))
