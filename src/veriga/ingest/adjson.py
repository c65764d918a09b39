"""Import ads dumped as JSON by scrapers: a JSON array of ads, JSON lines (one ad a line), or
an object holding the array under a key (``ads``, ``items``, ``results``, ``data``, ...).

Fields are found by their usual names (``title``, ``body``/``text``/``description``, ``phone``,
``city``, ``date``/``posted``, ``url``, ``id``, ...; nested objects by their last key, so
``{"contact": {"phone": ...}}`` gives the phone), or named by the ``fields`` option
(Advertisement property -> key, dotted for nested keys: ``{"bodyText": "ad.copy"}``). Each ad
becomes an ``Advertisement``; its id is the same as the crawler's and the simulator's when the
dump names the site (or its URL does) and the site's ad id. Image URLs are not fetched (crawl
the ads' pages for their photos). A value of the wrong kind (an object where a text belongs)
is rejected with its place (``line 12``, ``item 4``) and the key; an ad without title and
text is rejected whole.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from veriga.ingest.base import Draft, ImportContext, Importer, Item
from veriga.ingest.guards import json_too_deep
from veriga.ingest.limits import size
from veriga.ingest.warc import ad_entity_id

#: Advertisement property -> usual key names (compared lower-case, without "_", "-", " ").
ALIASES: dict[str, tuple[str, ...]] = {
    "adId": ("adid", "id", "listingid", "itemid", "postid", "advertid", "advertisementid"),
    "title": ("title", "headline", "heading", "subject", "caption"),
    "bodyText": ("body", "bodytext", "text", "description", "desc", "content", "message",
                 "adtext", "details", "copy"),
    "phone": ("phone", "phones", "phonenumber", "telephone", "tel", "mobile", "contactphone",
              "msisdn"),
    "email": ("email", "emails", "mail", "contactemail"),
    "messenger": ("whatsapp", "telegram", "viber", "signal", "messenger"),
    "city": ("city", "town", "location", "place", "locality", "area"),
    "country": ("country", "countrycode"),
    "postedAt": ("postedat", "posted", "date", "published", "publishedat", "created",
                 "createdat", "datetime", "timestamp", "postdate", "time"),
    "sourceUrl": ("url", "link", "href", "permalink", "sourceurl", "adurl", "pageurl"),
    "site": ("site", "domain", "website", "sitename"),
    "price": ("price", "rate", "cost", "pay", "salary", "wage"),
    "priceAmount": ("priceamount", "amount"),
    "priceCurrency": ("pricecurrency", "currency"),
    "contactName": ("contactname", "contact", "name", "author", "advertiser", "poster",
                    "username", "nickname", "user"),
    "language": ("language", "lang"),
    "category": ("category", "section", "type"),
    "statedAge": ("age",),
    "retrievedAt": ("scrapedat", "retrievedat", "crawledat", "fetchedat", "collectedat"),
}
KEY_OF = {alias: prop for prop, aliases in ALIASES.items() for alias in aliases}
#: Keys that take their meaning from the key above them (``location.name`` is the city).
GENERIC = {"name", "value", "text", "label", "title", "code"}
DATES = {"postedAt", "retrievedAt"}
WRAPPERS = ("ads", "items", "results", "data", "listings", "records", "posts", "entries",
            "adverts", "advertisements", "hits")
#: Keys of other JSON formats (FtM entities, BODS statements): not an ad dump.
FOREIGN = (b'"schema"', b'"statementType"', b'"statementID"', b'"recordType"')
MAX_KEYS = 500  # keys of one ad, nested ones included


def _norm(key: str) -> str:
    return re.sub(r"[\s_.-]+", "", key).lower()


def _flatten(value: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from _flatten(item, path + ".")
        else:
            yield path, item


class AdJSONImporter(Importer):
    name = "veriga.ingest.adjson"
    version = "1"
    format = "adjson"
    media_type = "application/json"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if start[:1] not in (b"[", b"{") or any(k in head for k in FOREIGN):
            return 0
        keys = {_norm(k.decode("utf-8", "replace"))
                for k in re.findall(rb'"([A-Za-z_][\w .-]{0,40})"\s*:', head[:16384])}
        props = {KEY_OF[k] for k in keys if k in KEY_OF}
        if {"title", "bodyText"} & props and len(props) >= 3:
            return 60
        return 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        fields: dict[str, str] = dict(ctx.options.get("fields") or {})
        unknown = set(fields) - set(ALIASES)
        if unknown:
            raise ctx.fail(None, f"option fields names unknown properties: "
                                 f"{', '.join(sorted(unknown))}; known: {', '.join(ALIASES)}")
        for loc, item in self._items(ctx):
            if not isinstance(item, dict):
                ctx.reject(loc, None, str(item)[:60], "not a JSON object (an ad)")
                continue
            draft = self._ad(ctx, loc, item, fields)
            if draft is not None:
                yield draft

    # -- reading -----------------------------------------------------------------------------

    def _items(self, ctx: ImportContext) -> Iterator[tuple[str, Any]]:
        most = ctx.limits.max_line_bytes
        with ctx.path.open("rb") as fh:
            first = fh.readline(most + 1)
        text = first.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
        try:  # a first line that is a whole object (not a wrapper of a list): JSON lines
            head = json.loads(text) if text.startswith("{") else None
        except (ValueError, RecursionError):
            head = None
        if isinstance(head, dict) and not any(isinstance(head.get(w), list) for w in WRAPPERS):
            yield from self._lines(ctx)
        else:
            yield from self._whole(ctx)

    def _lines(self, ctx: ImportContext) -> Iterator[tuple[str, Any]]:
        most = ctx.limits.max_line_bytes
        done = 0
        with ctx.path.open("rb") as fh:
            for n, raw in enumerate(iter(lambda: fh.readline(most + 1), b""), start=1):
                if len(raw) > most and not raw.endswith(b"\n"):
                    raise ctx.fail(f"line {n}", f"line longer than {size(most)} "
                                                "(max_line_bytes); refused")
                done += len(raw)
                if n % 5000 == 0:
                    ctx.progress(done)
                loc = f"line {n}"
                try:
                    line = raw.decode("utf-8-sig" if n == 1 else "utf-8").strip()
                except UnicodeDecodeError as exc:
                    ctx.reject(loc, None, None, f"not UTF-8 (byte {exc.start}); line skipped")
                    continue
                if not line:
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:
                    ctx.reject(loc, None, line[:80], f"invalid JSON: {exc}")
                    continue
                except RecursionError:
                    value = None
                    json_deep = True
                else:
                    json_deep = json_too_deep(value, ctx.limits.max_depth)
                if json_deep:
                    raise ctx.fail(loc, f"JSON nested deeper than {ctx.limits.max_depth} "
                                        "levels (max_depth); refused")
                yield loc, value
        ctx.progress(done)

    def _whole(self, ctx: ImportContext) -> Iterator[tuple[str, Any]]:
        raw = ctx.path.read_bytes()
        if len(raw) > ctx.limits.max_read_bytes:
            raise ctx.fail(None, f"file larger than {size(ctx.limits.max_read_bytes)} "
                                 "(max_read_bytes); refused")
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ctx.fail(f"byte {exc.start}", "not UTF-8: a JSON dump must be UTF-8") from None
        except ValueError as exc:
            where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else None
            raise ctx.fail(where, f"invalid JSON: {getattr(exc, 'msg', exc)}") from None
        except RecursionError:
            data = None
            deep = True
        else:
            deep = json_too_deep(data, ctx.limits.max_depth)
        if deep:
            raise ctx.fail(None, f"JSON nested deeper than {ctx.limits.max_depth} levels "
                                 "(max_depth); refused")
        ctx.progress(len(raw))
        if isinstance(data, dict):
            key = next((k for k in data if k.lower() in WRAPPERS and isinstance(data[k], list)),
                       None)
            if key is None:
                yield "item 1", data  # one ad
                return
            data = data[key]
        if not isinstance(data, list):
            raise ctx.fail(None, "neither a list of ads nor an object holding one; refused")
        for n, item in enumerate(data, start=1):
            yield f"item {n}", item

    # -- one ad ------------------------------------------------------------------------------

    def _ad(self, ctx: ImportContext, loc: str, item: dict[str, Any],
            fields: dict[str, str]) -> Draft | None:
        flat = list(_flatten(item))
        if len(flat) > MAX_KEYS:
            ctx.reject(loc, None, None, f"ad with more than {MAX_KEYS} keys; skipped")
            return None
        chosen: dict[str, list[tuple[str, Any]]] = {}
        explicit = set(fields.values())
        for name, path in fields.items():
            found: Any = item
            for part in path.split("."):
                found = found.get(part) if isinstance(found, dict) else None
            if found is not None:
                chosen.setdefault(name, []).append((path, found))
        for path, value in flat:
            prop = None if path in explicit or path.startswith(tuple(
                f"{p}." for p in explicit)) else _prop(path)
            if prop is not None and prop not in fields:
                chosen.setdefault(prop, []).append((path, value))
        values: dict[str, list[str]] = {}
        for key, pairs in chosen.items():
            for path, value in pairs:
                for one in value if isinstance(value, list) else [value]:
                    text = self._scalar(ctx, loc, path, one, key)
                    if text is not None and text not in values.get(key, []):
                        values.setdefault(key, []).append(text)
        if not values.get("title") and not values.get("bodyText"):
            ctx.reject(loc, None, json.dumps(item, ensure_ascii=False)[:80],
                       "ad without title and text; skipped")
            return None
        url = (values.get("sourceUrl") or [""])[0]
        site = (values.get("site") or [""])[0].lower() or \
            _host(url) or str(ctx.options.get("site") or "").lower()
        ad_id = (values.get("adId") or [""])[0]
        if site and ad_id:
            entity_id = ad_entity_id(site, ad_id)
        else:
            key = url or json.dumps(item, sort_keys=True, ensure_ascii=False)
            entity_id = "ad-" + hashlib.sha1(f"json:{key}".encode()).hexdigest()[:20]
        draft = Draft("Advertisement", entity_id, loc)
        if site:
            values["site"] = [site]
        for prop, texts in values.items():
            for text in texts:
                draft.add(prop, text)
        return draft

    def _scalar(self, ctx: ImportContext, loc: str, path: str, value: Any,
                prop: str) -> str | None:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, dict | list):
            ctx.reject(loc, path, json.dumps(value, ensure_ascii=False)[:80],
                       "nested value where a single value belongs; left out")
            return None
        if prop in DATES and isinstance(value, int | float):
            seconds = value / 1000 if value > 1e11 else value  # milliseconds since 1970
            if not 0 < seconds < 4e9:
                ctx.reject(loc, path, value, "not a time (seconds or milliseconds since "
                                             "1970); left out")
                return None
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        text = str(value).strip()
        if len(text) > ctx.limits.max_value_chars:
            ctx.reject(loc, path, text[:80], f"value of {len(text):,} characters, over "
                       f"max_value_chars ({ctx.limits.max_value_chars:,}); left out")
            return None
        return text or None


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # an invalid URL, e.g. a broken IPv6 literal
        return ""


def _prop(path: str) -> str | None:
    """The Advertisement property a key (dotted when nested) stands for, or ``None``."""
    parts = [_norm(p) for p in path.split(".")]
    found = KEY_OF.get("".join(parts))
    if found or len(parts) == 1:
        return found
    last, parent = parts[-1], parts[-2]
    if last == "id":
        return None  # the id of something nested (a user, an image) is not the ad's
    if last in GENERIC and parent in KEY_OF:
        return KEY_OF[parent]  # location.name: the city; contact.name: the contact
    return KEY_OF.get(last)
