"""Online ads: the case's ads with filters, and each ad beside its captured page.

The ads page lists every ad the reader may see with its site, city, language, date and
phones (stated or read from its text), filtered by site, city, language or phone; the counts
per site, city and language come from SQL. The ad page shows what was extracted from the ad
(phones in E.164, e-mails, messenger handles, ages, prices, cities, language) with each
found value marked in the text, the operation the ad is grouped into (its shared
identifiers, template with slots and route), and, for an ad imported from a WARC file, its
capture (URL, time, SHA-256, whether the record still verifies) with the page itself in a
frame sandboxed without scripts or same origin, served under a policy that allows no
request (:data:`veriga.osint.capture.PAGE_CSP`). Readers who see the case minimised get the
extraction only: the page is withheld from them (see :mod:`veriga.workspace.ads`).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from veriga.findings import N_, Finding
from veriga.model import EntityProxy
from veriga.osint.ad_records import ad_from_properties
from veriga.osint.capture import PAGE_CSP
from veriga.osint.extract import AdValues, extract_advertisement
from veriga.osint.extract.advertisement import TEXT_PROPS
from veriga.osint.operations import Ad, Grouping, Operation, group_ads
from veriga.web.session import Web, current
from veriga.web.views import View
from veriga.workspace import PermissionDenied

router = APIRouter()
Current = Annotated[Web, Depends(current)]
PER_PAGE = 100
#: An ad page groups the case's ads itself (before the case is analysed) up to this many.
MAX_GROUPED_HERE = 2000
#: What the list and the grouping read of each ad.
LIST_PROPS = ("title", "name", "adId", "site", "city", "language", "postedAt", "publishedAt",
              "retrievedAt", "phone", "contentHash", "country", *TEXT_PROPS)
AD_PROPS = (*LIST_PROPS, "email", "messenger", "imageHash")
#: What each kind of extracted value is called (a msgid).
KINDS = {"phone": N_("Phone"), "email": N_("E-mail"), "handle": N_("Messenger handle"),
         "age": N_("Age"), "price": N_("Price"), "city": N_("City")}


# -- what an ad says ---------------------------------------------------------------------

def _first(entity: EntityProxy, *props: str) -> str:
    for prop in props:
        values = entity.get(prop, quiet=True)
        if values:
            return str(values[0])
    return ""


@lru_cache(maxsize=100_000)
def _phones(key: str) -> tuple[str, ...]:
    """Phones of an ad (stated and read from its text), memoised by the ad's values."""
    data = json.loads(key)
    return tuple(extract_advertisement({"id": "", "properties": data}).phones)


def _phone_key(entity: EntityProxy) -> str:
    props = {p: list(entity.get(p, quiet=True)) for p in (*TEXT_PROPS, "phone", "country")}
    return json.dumps(props, sort_keys=True, ensure_ascii=False)


def _ad_phones(entity: EntityProxy) -> list[str]:
    """The phones an ad states (stored in E.164 by the import), else those read from its
    text (memoised: the list pages read every ad)."""
    stated = [str(p) for p in entity.get("phone", quiet=True) if str(p).startswith("+")]
    return stated or list(_phones(_phone_key(entity)))


def _row(entity: EntityProxy, case: str) -> dict[str, Any]:
    return {
        "id": entity.id, "url": f"/cases/{case}/ads/{entity.id}",
        "title": _first(entity, "title", "name", "adId") or entity.id,
        "site": _first(entity, "site"), "city": _first(entity, "city"),
        "language": _first(entity, "language"),
        "date": _first(entity, "postedAt", "publishedAt", "retrievedAt")[:16].replace("T", " "),
        "phones": _ad_phones(entity),
        "archived": bool(entity.get("contentHash", quiet=True)),
    }


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _matches(row: dict[str, Any], site: str, city: str, language: str, phone: str) -> bool:
    if site and row["site"] != site or city and row["city"] != city:
        return False
    if language and row["language"] != language:
        return False
    wanted = _digits(phone)
    return not wanted or any(wanted in _digits(p) for p in row["phones"])


# -- operations ----------------------------------------------------------------------------

_GROUPINGS: OrderedDict[str, Grouping] = OrderedDict()
_LOCK = threading.Lock()


def _grouping(ads: Sequence[Ad]) -> Grouping:
    """The operations of these ads, memoised by their content (the same ads as the reader
    sees them give the same grouping: nothing of another reader's view is reused)."""
    digest = hashlib.sha256(json.dumps(
        [(a.id, a.text, a.phones, a.emails, a.handles, a.image_hashes, a.city, a.posted_at)
         for a in ads], ensure_ascii=False).encode()).hexdigest()
    with _LOCK:
        found = _GROUPINGS.get(digest)
        if found is not None:
            _GROUPINGS.move_to_end(digest)
            return found
    grouping = group_ads(ads)
    with _LOCK:
        _GROUPINGS[digest] = grouping
        while len(_GROUPINGS) > 8:
            _GROUPINGS.popitem(last=False)
    return grouping


def _ad(entity: EntityProxy, values: AdValues | None = None) -> Ad:
    ad = ad_from_properties(str(entity.id), entity.properties)
    phones = values.phones if values is not None else _ad_phones(entity)
    return Ad(id=ad.id, text=ad.text, phones=tuple(dict.fromkeys((*ad.phones, *phones))),
              emails=ad.emails, handles=ad.handles, image_hashes=ad.image_hashes,
              city=ad.city, posted_at=ad.posted_at)


def _found_operation(finding: Finding, case: str, titles: dict[str, str]) -> dict[str, Any]:
    """An operation as the online investigation family stored it (a finding)."""
    details = finding.details or {}
    return {
        "id": details.get("group", finding.id), "size": details.get("ads", 0),
        "finding": finding, "url": f"/cases/{case}/findings#{finding.id}",
        "identifiers": details.get("identifiers", []),
        "templates": [{"text": t.get("text", ""), "ads": t.get("ads", 0),
                       "slots": [{"n": i + 1, "values": list(s.get("values", []))}
                                 for i, s in enumerate(t.get("slots", []))]}
                      for t in details.get("templates", [])[:3]],
        "route": [{"city": s.get("city", ""), "first": str(s.get("first_seen", ""))[:10],
                   "last": str(s.get("last_seen", ""))[:10], "ads": s.get("count", 0)}
                  for s in details.get("route", [])],
        "ads": [{"id": a, "url": f"/cases/{case}/ads/{a}", "title": titles.get(a, a)}
                for a in finding.evidence.entity_ids[:50]],
    }


def _operation(op: Operation | None, case: str, titles: dict[str, str]) -> dict[str, Any] | None:
    """An operation of the grouping computed here (no stored finding names the ad)."""
    if op is None or op.size < 2:
        return None
    return {
        "id": op.id, "size": op.size, "finding": None, "url": None,
        "identifiers": [{"kind": k, "value": v, "ads": n} for k, v, n in op.identifiers],
        "templates": [{"text": t.text, "ads": t.ads,
                       "slots": [{"n": i + 1, "values": list(s.values)}
                                 for i, s in enumerate(t.slots)]} for t in op.templates[:3]],
        "route": [{"city": s.city, "first": s.first_seen[:10], "last": s.last_seen[:10],
                   "ads": s.ads} for s in op.route],
        "ads": [{"id": a, "url": f"/cases/{case}/ads/{a}", "title": titles.get(a, a)}
                for a in op.ad_ids[:50]],
    }


# -- the text with what was found in it --------------------------------------------------

@dataclass(frozen=True)
class Piece:
    text: str
    kind: str | None = None  # what was found here (a key of KINDS), None for plain text
    indicators: tuple[str, ...] = ()  # the indicators that fired on this text


def _pieces(values: AdValues, minimised: bool = False,
            hits: Sequence[dict[str, Any]] = ()) -> list[Piece]:
    """The ad's text cut at every extracted value (the first one wins where two overlap)
    and at every indicator that fired (``hits`` with ``start``, ``end``, ``indicator``).
    For a minimised reader a phone, e-mail or handle is shown as the value read from it
    (E.164, the address), the form minimisation recognises and replaces, never as written
    (digits as words, emoji), which it could not."""
    found = values.extracted
    text = found.text
    raw: list[tuple[int, int, str, str | None]] = []
    raw.extend((p.start, p.end, "phone", p.e164) for p in found.phones)
    raw.extend((e.start, e.end, "email", e.address) for e in found.emails)
    raw.extend((h.start, h.end, "handle", h.value) for h in found.handles)
    for kind, items in (("age", found.ages), ("price", found.prices), ("city", found.places)):
        raw.extend((item.start, item.end, kind, None) for item in items)
    values_at: list[tuple[int, int, str, str | None]] = []
    at = 0
    for span in sorted(raw):
        if span[0] >= at:
            values_at.append(span)
            at = span[1]
    marks = [(int(h["start"]), int(h["end"]), str(h["indicator"])) for h in hits
             if h.get("start") is not None and h.get("end") is not None
             and 0 <= int(h["start"]) < int(h["end"]) <= len(text)]
    cuts = sorted({0, len(text), *(x for s in values_at for x in s[:2]),
                   *(x for m in marks for x in m[:2])})
    pieces: list[Piece] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        inside = next((v for v in values_at if v[0] <= a and b <= v[1]), None)
        fired = tuple(dict.fromkeys(m[2] for m in marks if m[0] <= a and b <= m[1]))
        shown = text[a:b]
        if minimised and inside is not None and inside[3] is not None:
            shown = inside[3] if a == inside[0] else ""  # the value once, for the whole span
        pieces.append(Piece(shown, inside[2] if inside else None, fired))
    return pieces


def _squeeze(text: str) -> str:
    """An indicator library text as the catalogs hold it (its whitespace folded)."""
    return " ".join(text.split())


def _indicators(entity: EntityProxy, stored: Sequence[Finding], minimised: bool
                ) -> dict[str, Any]:
    """The indicators that fired on the ad: from the screening finding the family stored
    for it when there is one, else screened here, the ad on its own (indicators comparing
    ads with the rest of the case, such as market prices, need the analysis)."""
    from veriga.osint.screen import default_library, facts_from_entity, screen

    library = default_library()
    finding = max(stored, key=lambda f: f.score) if stored else None
    if finding is not None:
        hits = [h for h in (finding.details or {}).get("hits", [])
                if h.get("ad") == entity.id]
        score, flagged = None, True
    else:
        facts = facts_from_entity(entity)
        result = screen(facts.text, facts.extracted, facts=facts, ad_id=str(entity.id))
        hits = [{"indicator": h.indicator, "family": h.family, "start": h.start,
                 "end": h.end, "text": h.text, "weight": h.weight} for h in result.hits]
        score, flagged = result.score, result.flagged
    rows = []
    for hit in sorted(hits, key=lambda h: -float(h.get("weight") or 0)):
        try:
            ind = library.indicator(str(hit["indicator"]))
            family = _squeeze(library.family(ind.family).title)
        except KeyError:  # an indicator the installed library no longer has
            continue
        rows.append({"id": ind.id, "title": _squeeze(ind.title), "family": family,
                     "explanation": _squeeze(ind.explanation), "source": ind.source,
                     "text": "" if minimised else str(hit.get("text") or ""),
                     "weight": float(hit.get("weight") or 0),
                     "placed": hit.get("start") is not None})
    return {"finding": finding, "hits": hits, "rows": rows, "score": score,
            "flagged": flagged, "titles": {r["id"]: r["title"] for r in rows}}


def _extracted(values: AdValues) -> dict[str, Any]:
    found = values.extracted
    return {
        "phones": values.phones, "emails": values.emails,
        "handles": [f"{platform}: {value}" for platform, value in values.handles],
        "ages": values.ages,
        "prices": [f"{amount:g} {currency}" + (f" / {unit}" if unit else "")
                   for amount, currency, unit in values.prices],
        "cities": [f"{p.name} ({p.country})" for p in found.places] or values.cities,
        "language": values.language or "",
    }


# -- pages -------------------------------------------------------------------------------

@router.get("/cases/{case}/ads", include_in_schema=False)
def ads_page(request: Request, case: str, web: Current,
             site: Annotated[str, Query(max_length=200)] = "",
             city: Annotated[str, Query(max_length=200)] = "",
             language: Annotated[str, Query(max_length=16)] = "",
             phone: Annotated[str, Query(max_length=40)] = "",
             page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    """The case's ads, filtered, with counts per site, city and language."""
    facets = web.ws.ads.facets(case)
    rows = [_row(e, case) for e in web.ws.entities.list(case, ["Advertisement"],
                                                        props=LIST_PROPS)]
    rows = [r for r in rows if _matches(r, site, city, language, phone)]
    rows.sort(key=lambda r: (r["date"], r["site"], r["title"]), reverse=True)
    shown = rows[(page - 1) * PER_PAGE: page * PER_PAGE]
    return request.app.state.render(
        request, web, "ads.html", facets=facets, rows=shown, total=len(rows),
        site=site, city=city, language=language, phone=phone, page=page,
        pages=max(1, -(-len(rows) // PER_PAGE)),
        filtered=bool(site or city or language or phone))


@router.get("/cases/{case}/ads/{entity_id}", include_in_schema=False)
def ad_page(request: Request, case: str, entity_id: str, web: Current) -> Response:
    """One ad: what was extracted from it, its operation, and its page as captured."""
    entity = web.ws.entities.get(case, entity_id).entity
    values = extract_advertisement(entity)
    capture = web.ws.ads.capture(case, entity_id)
    try:  # what the family found and stored: the operation, the indicators, with review
        findings = [f for f in web.ws.findings.list(case, entity_id=entity_id) if f.details]
    except PermissionDenied:
        findings = []
    stored = [f for f in findings if f.kind.startswith("operation.")]
    minimised = bool(web.ws.minimisers)
    indicators = _indicators(entity, [f for f in findings if f.kind.startswith("indicators.")],
                             minimised)
    operation: dict[str, Any] | None = None
    too_many = 0
    if stored:
        found = max(stored, key=lambda f: f.score)
        members = web.ws.entities.by_id(case, found.evidence.entity_ids[:50])
        titles = {str(e.id): _first(e, "title", "adId") for e in members}
        operation = _found_operation(found, case, titles)
    elif (count := web.ws.entities.count(case).get("Advertisement", 0)) <= MAX_GROUPED_HERE:
        # not analysed yet: grouped here, as `veriga osint operations` does
        everyone = list(web.ws.entities.list(case, ["Advertisement"], props=AD_PROPS))
        titles = {str(e.id): _first(e, "title", "adId") for e in everyone}
        grouping = _grouping([_ad(e, values if e.id == entity.id else None) for e in everyone])
        label = grouping.labels.get(str(entity.id))
        op = next((o for o in grouping.operations if o.id == label), None)
        operation = _operation(op, case, titles)
    else:
        too_many = count
    return request.app.state.render(
        request, web, "ad.html", entity=entity,
        title=_first(entity, "title", "adId") or entity_id, too_many=too_many,
        props={p: [str(v) for v in entity.get(p, quiet=True)]
               for p in ("site", "adId", "category", "city", "postedAt", "contactName")},
        pieces=_pieces(values, minimised, indicators["hits"]),
        extracted=_extracted(values), kinds=KINDS, indicators=indicators,
        capture=capture, operation=operation)


@router.get("/cases/{case}/ads/{entity_id}/archived", include_in_schema=False)
def archived_page(case: str, entity_id: str, web: Current) -> Response:
    """The ad's page as captured, made safe and served under a policy that lets it load
    nothing and run nothing (shown in the ad page's sandboxed frame)."""
    capture = web.ws.ads.capture(case, entity_id, page=True)
    if capture is None:
        raise HTTPException(404, "this entity was not captured from a web page")
    if capture.withheld:
        raise PermissionDenied("the captured page is withheld from readers who see this case "
                               "minimised; the values extracted from it are shown instead")
    if capture.page is None:
        why = "its WARC record is not in the workspace" if not capture.found else \
            "its record no longer matches its digest" if not capture.verified else \
            "it is not an HTML page"
        raise HTTPException(409, f"the captured page cannot be shown: {why}")
    return HTMLResponse(capture.page.html, headers=page_headers())


def page_headers() -> dict[str, str]:
    """Headers of a captured page: the strict policy, framed by the application only."""
    return {"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "SAMEORIGIN",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cross-Origin-Resource-Policy": "same-origin", "Cache-Control": "no-store"}


VIEW = View("ads", N_("Ads"), router, order=47, key="o")
