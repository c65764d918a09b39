"""The online investigation's detectors: the operations behind groups of ads, and where the
ads meet the people, companies, phones and bank accounts of the rest of the case.

Each detector is a function of an :class:`AdCase` (the case's ads read once, grouped once,
shared by every detector) and the family's parameters, returning findings; the family
(:mod:`veriga.osint.family`) runs a list of them. A finding about ads names its
``details["group"]`` (the operation's id, or the ad's own id for an ad on its own), so that
every finding about the same ads lands on the same node of the chain diagram.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyarrow as pa
from followthemoney.proxy import EntityProxy

from veriga.analysis import Detector, Inputs, Progress
from veriga.engine import Engine
from veriga.findings import N_, Evidence, Finding, Key, Text, joined, nested
from veriga.model.normalize import Rejected, normalize_account, normalize_phone
from veriga.osint.ad_records import ad_from_entity
from veriga.osint.operations import Ad, Grouping, GroupingParams, Operation, group_ads

VERSION = "1"
PREFIX = "veriga.osint."
CITATION_OPERATIONS = ("Li et al. (2018) Detection and Characterization of Human Trafficking "
                       "Networks Using Unsupervised Scalable Text Template Matching (InfoShield "
                       "2021); Vajiac et al. (2023) TrafficVis")
CITATION_LINKS = ("OSCE (2022) Leveraging innovation to fight trafficking in human beings; "
                  "UNODC Global Report on Trafficking in Persons (2020), ch. 5: online "
                  "recruitment and advertising")
#: Ad categories that are job offers (the rest are sexual services: escort, massage, dating).
JOB_CATEGORIES = frozenset({"job", "jobs", "work", "employment"})
#: The chain role of ads by what they offer.
AD_ROLES = {"sex": "sex_ads", "job": "job_ads"}
#: Who holds the phone, e-mail or account of the ads, by what they offer.
HOLDER_ROLES = {"sex": "controller", "job": "recruiter"}
#: The schemata of the people, companies and accounts the ads are compared with.
PARTY_SCHEMATA = ("Person", "Company", "Organization", "LegalEntity", "BankAccount",
                  "Ownership", "Address")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
MAX_EVIDENCE_ADS = 2000  # ads cited by one finding (the details say how many there are)
MAX_RECORDS = 20  # call records cited by one finding


@dataclass(frozen=True)
class ReportParams:
    """Which operations become findings."""

    min_ads: int = 2  # an operation of at least this many ads is a finding
    move_cities: int = 2  # an operation seen in at least this many cities is moving


@dataclass(frozen=True)
class LinkParams:
    """How ads are compared with the rest of the case."""

    # a phone number of the ads in call records links the people who hold the numbers it
    # called or was called from, if it spoke with them at least this often
    min_calls: int = 2
    max_contacts: int = 10  # people in contact with one phone of the ads, at most


def kind_of(entity: EntityProxy) -> str:
    """``job`` for a job ad, ``sex`` for the others (escort, massage, dating...)."""
    categories = {c.strip().casefold() for c in entity.get("category", quiet=True)}
    return "job" if categories & JOB_CATEGORIES else "sex"


def ibans_in(text: str) -> list[str]:
    """IBANs written in ``text`` whose checksum holds."""
    found = []
    for match in _IBAN.finditer(text.upper()):
        try:
            iban = normalize_account(match.group(0))
        except Rejected:
            continue
        if len(iban) >= 15 and iban not in found:
            found.append(iban)
    return found


@dataclass
class AdCase:
    """The case's ads as every detector of the family reads them: the entities, the ads for
    the grouping (identifiers from the full extraction), the grouping, and the people,
    companies and accounts to compare them with (read when first asked for)."""

    inputs: Inputs
    grouping_params: GroupingParams = field(default_factory=GroupingParams)
    progress: Progress | None = None

    def tell(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

    @cached_property
    def entities(self) -> dict[str, EntityProxy]:
        return {e.id: e for e in self.inputs.entities(("Advertisement",)) if e.id}

    @cached_property
    def ads(self) -> list[Ad]:
        out = []
        total = len(self.entities)
        for i, entity in enumerate(self.entities.values()):
            out.append(ad_from_entity(entity))
            if i % 1000 == 0:
                self.tell("extract", i, total)
        self.tell("extract", total, total)
        return out

    @cached_property
    def by_id(self) -> dict[str, Ad]:
        return {ad.id: ad for ad in self.ads}

    @cached_property
    def grouping(self) -> Grouping:
        self.tell("group", 0, 1)
        found = group_ads(self.ads, self.grouping_params)
        self.tell("group", 1, 1)
        return found

    def kind(self, ad_ids: Iterable[str]) -> str:
        """What most of these ads offer: ``job`` or ``sex``."""
        counts = Counter(kind_of(self.entities[a]) for a in ad_ids)
        return "job" if counts["job"] > counts["sex"] else "sex"

    def values(self, ad_ids: Iterable[str], prop: str) -> list[str]:
        return sorted({v for a in ad_ids for v in self.entities[a].get(prop, quiet=True)})

    def groups(self, min_ads: int) -> list[tuple[str, Operation | None, tuple[str, ...]]]:
        """Every operation of ``min_ads`` or more ads, and every other ad on its own:
        (group id, operation or None, ad ids)."""
        out: list[tuple[str, Operation | None, tuple[str, ...]]] = []
        for op in self.grouping.operations:
            if op.size >= min_ads:
                out.append((op.id, op, op.ad_ids))
            else:
                out += [(a, None, (a,)) for a in op.ad_ids]
        return out

    @cached_property
    def parties(self) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        """(identifier kind, value) -> (entity id, name, person|company) of the case's
        people and companies: their phones in E.164 (a number without a country code read
        with the entity's countries), e-mails lower-cased, the IBANs of the accounts they
        hold (``Ownership``) and of their own; and ("account", IBAN) -> the BankAccount
        entities of that IBAN (id, IBAN, "account")."""
        self.tell("parties", 0, 1)
        index: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        ibans: dict[str, str] = {}  # BankAccount id -> IBAN
        owners: list[tuple[str, str]] = []  # (owner, asset)
        who_of: dict[str, tuple[str, str, str]] = {}
        for proxy in self.inputs.entities(PARTY_SCHEMATA):
            if not proxy.id:
                continue
            schema = proxy.schema
            if schema.is_a("BankAccount"):
                for value in proxy.get("iban", quiet=True):
                    try:
                        ibans[proxy.id] = normalize_account(value)
                    except Rejected:
                        continue
            elif schema.is_a("Ownership"):
                owners += [(o, a) for o in proxy.get("owner") for a in proxy.get("asset")]
            elif schema.is_a("LegalEntity"):
                who = (proxy.id, proxy.caption or proxy.id,
                       "person" if schema.is_a("Person") else "company")
                who_of[proxy.id] = who
                for ident in _party_identifiers(proxy):
                    index[ident].append(who)
        for owner, asset in owners:
            if asset in ibans and owner in who_of \
                    and who_of[owner] not in index[("iban", ibans[asset])]:
                index[("iban", ibans[asset])].append(who_of[owner])
        for account, iban in sorted(ibans.items()):
            index[("account", iban)].append((account, iban, "account"))
        self.tell("parties", 1, 1)
        return index


# -------------------------------------------------------------------- operations


def _operation_score(op: Operation, names: int, sites: int, report: ReportParams) -> float:
    """How much the grouping alone says the ads are an organised operation: moving between
    cities, several names under its identifiers, several sites, many ads."""
    score = 0.3
    cities = len(op.route)
    if cities >= report.move_cities:
        score += 0.25 + 0.05 * min(2, cities - report.move_cities)
    if names >= 2 and op.identifiers:
        score += 0.15
    if sites >= 2:
        score += 0.1
    if op.size >= 10:
        score += 0.1
    return round(min(score, 0.95), 2)


def _stops(op: Operation, case: AdCase) -> list[dict[str, Any]]:
    country: dict[str, str] = {}
    for a in op.ad_ids:
        ad = case.by_id[a]
        entity = case.entities[a]
        if ad.city and ad.city not in country:
            found = entity.get("country", quiet=True)
            if found:
                country[ad.city] = found[0]
    return [{"city": s.city, "country": country.get(s.city, ""), "first_seen": s.first_seen,
             "last_seen": s.last_seen, "count": s.ads} for s in op.route]


def operations(case: AdCase, report: ReportParams) -> list[Finding]:
    """One finding per operation of ``report.min_ads`` or more ads: its ads as evidence,
    its shared identifiers as keys; the identifiers, templates with their slots and the
    route (cities with first and last time seen) in its details."""
    out = []
    for group, op, ad_ids in case.groups(report.min_ads):
        if op is None:
            continue
        kind = case.kind(ad_ids)
        names = case.values(ad_ids, "contactName")
        sites = case.values(ad_ids, "site")
        stops = _stops(op, case)
        idents: list[dict[str, Any]] = [{"kind": k, "value": v, "ads": n}
                                        for k, v, n in op.identifiers]
        templates = [{"text": t.text, "ads": t.ads,
                      "slots": [{"index": s.index, "values": list(s.values)} for s in t.slots]}
                     for t in op.templates]
        first = min((s["first_seen"] for s in stops), default="")
        last = max((s["last_seen"] for s in stops), default="")
        route = joined([s["city"] for s in stops], " → ")
        ident_text = joined([f"{i['kind']} {i['value']}" for i in idents[:5]], ", ")
        if stops:
            text = Text(N_(
                "%(ads)s ads on %(sites)s site(s) are one operation: they share %(idents)s, "
                "and %(links)s pairs of them are near-duplicates of one text template. They "
                "use %(names)s name(s) and were posted in %(cities)s city(ies) from %(first)s "
                "to %(last)s: %(route)s."),
                {"ads": op.size, "sites": len(sites), "idents": ident_text if idents
                 else nested(Text(N_("no identifier"))), "links": op.text_links,
                 "names": len(names), "cities": len(stops), "first": first[:10],
                 "last": last[:10], "route": route})
        else:
            text = Text(N_(
                "%(ads)s ads on %(sites)s site(s) are one operation: they share %(idents)s, "
                "and %(links)s pairs of them are near-duplicates of one text template. They "
                "use %(names)s name(s); no city and date are known for them."),
                {"ads": op.size, "sites": len(sites), "idents": ident_text if idents
                 else nested(Text(N_("no identifier"))), "links": op.text_links,
                 "names": len(names)})
        title = Text(N_("Operation of %(ads)s sex ads in %(cities)s city(ies)") if kind == "sex"
                     else N_("Operation of %(ads)s job ads in %(cities)s city(ies)"),
                     {"ads": op.size, "cities": len(stops)})
        keys = [Key(_key_type(i["kind"]), i["value"]) for i in idents]
        out.append(Finding(
            kind=f"operation.{kind}", score=_operation_score(op, len(names), len(sites), report),
            title=title.msgid % {"ads": op.size, "cities": len(stops)},
            explanation=str(text), message=text, title_message=title,
            evidence=Evidence(entity_ids=list(ad_ids[:MAX_EVIDENCE_ADS]), keys=keys),
            detector=PREFIX + "operation", detector_version=VERSION,
            citation=CITATION_OPERATIONS,
            details={"group": group, "ads": op.size, "kind": kind, "identifiers": idents,
                     "templates": templates, "route": stops, "names": names[:50],
                     "sites": sites, "text_links": op.text_links}))
    return out


def _key_type(kind: str) -> str:
    return kind if kind in ("phone", "email", "iban") else "other"


# -------------------------------------------------------------------- shared identifiers


@dataclass
class _Match:
    entity_id: str
    name: str
    schema: str
    via: str  # phone, email, iban, calls
    value: str
    calls: int = 0


def _party_identifiers(proxy: EntityProxy) -> set[tuple[str, str]]:
    """A person's or company's phones (E.164), e-mails and IBANs of its own."""
    countries = [c for prop in ("country", "nationality", "jurisdiction")
                 for c in proxy.get(prop, quiet=True)]
    found: set[tuple[str, str]] = set()
    for value in proxy.get("phone", quiet=True):
        text = value.strip()
        international = text.startswith(("+", "00"))
        for region in [None] if international else countries:
            try:
                found.add(("phone", normalize_phone(text, region)))
                break
            except Rejected:
                continue
    found |= {("email", e.strip().casefold()) for e in proxy.get("email", quiet=True)}
    for prop in ("iban", "accountNumber", "idNumber"):
        for value in proxy.get(prop, quiet=True):
            try:
                number = normalize_account(value)
            except Rejected:
                continue
            if len(number) >= 15 and number[:2].isalpha():
                found.add(("iban", number))
    return found


def _contacts(engine: Engine, phones: Sequence[str], min_calls: int
              ) -> dict[str, list[tuple[str, int, list[str]]]]:
    """For each of ``phones``: the other numbers in call records with it at least
    ``min_calls`` times, with the count and some record ids."""
    if not phones:
        return {}
    engine.register_arrow("osint_ad_phones", pa.table({"phone": sorted(set(phones))}))
    rows = engine.query(f"""
        WITH c AS (
          SELECT p.phone, CASE WHEN c.caller = p.phone THEN c.callee ELSE c.caller END AS other,
                 c.record_id
          FROM "call" c JOIN osint_ad_phones p ON c.caller = p.phone OR c.callee = p.phone
        )
        SELECT phone, other, COUNT(*) AS n, MIN(record_id) AS first_record,
               MAX(record_id) AS last_record
        FROM c WHERE other <> phone GROUP BY phone, other HAVING COUNT(*) >= {int(min_calls)}
        """).to_pylist()
    rows.sort(key=lambda r: (r["phone"], -int(r["n"]), r["other"]))
    out: dict[str, list[tuple[str, int, list[str]]]] = defaultdict(list)
    for row in rows:
        some = list(dict.fromkeys((row["first_record"], row["last_record"])))
        out[row["phone"]].append((row["other"], int(row["n"]), some))
    return out


def shared_identifiers(case: AdCase, report: ReportParams, links: LinkParams
                       ) -> list[Finding]:
    """One finding per operation (or ad on its own) whose phone, e-mail or bank account is
    also a person's, a company's or an account's elsewhere in the case, or whose phone is
    in call records with numbers people of the case hold."""
    groups = case.groups(report.min_ads)
    ident_of: dict[str, set[tuple[str, str]]] = {}
    for group, _op, ad_ids in groups:
        found: set[tuple[str, str]] = set()
        for a in ad_ids:
            ad = case.by_id[a]
            found |= {("phone", p) for p in ad.phones}
            found |= {("email", e.strip().casefold()) for e in ad.emails}
            found |= {("iban", i) for i in ibans_in(ad.text)}
        ident_of[group] = found
    wanted = set().union(*ident_of.values()) if ident_of else set()
    if not wanted:
        return []
    index = case.parties
    phones = sorted(v for k, v in wanted if k == "phone")
    contacts = _contacts(case.inputs.engine, phones, links.min_calls)
    held = {v: who for (k, v), who in index.items() if k == "phone"}
    out = []
    for group, op, ad_ids in groups:
        matches: list[_Match] = []
        records: list[str] = []
        for kind, value in sorted(ident_of[group]):
            for entity_id, name, party_kind in index.get((kind, value), ()):
                matches.append(_Match(entity_id, name, party_kind, kind, value))
            if kind == "iban":
                for account, _, _ in index.get(("account", value), ()):
                    matches.append(_Match(account, value, "account", kind, value))
            if kind == "phone":
                for other, n, some in contacts.get(value, [])[:links.max_contacts]:
                    for entity_id, name, party_kind in held.get(other, ()):
                        matches.append(_Match(entity_id, name, party_kind, "calls", value, n))
                        records += [r for r in some if r not in records]
        if not matches:
            continue
        kind = case.kind(ad_ids)
        direct = [m for m in matches if m.via != "calls"]
        carrying = [a for a in ad_ids if any(
            (m.via if m.via != "calls" else "phone", m.value) in _idents(case.by_id[a])
            for m in matches)]
        entity_ids = list(dict.fromkeys([m.entity_id for m in matches]
                                        + carrying[:MAX_EVIDENCE_ADS]))
        keys = list(dict.fromkeys(Key(m.via if m.via != "calls" else "phone", m.value)
                                  for m in matches))
        about = (nested(Text(N_("%(n)s ads of one operation"), {"n": len(ad_ids)}))
                 if op is not None else nested(Text(N_("one ad"))))
        shared = _listed([nested(_shared_text(m)) for m in _unique(direct)])
        called = _listed([nested(Text(N_("%(name)s (%(calls)s calls with %(phone)s)"),
                                      {"name": m.name, "calls": m.calls, "phone": m.value}))
                          for m in _unique([m for m in matches if m.via == "calls"])])
        if direct and len(direct) < len(matches):
            text = Text(N_("Identifiers of %(about)s are in the rest of the case: "
                           "%(shared)s. In call records, their phone spoke with %(called)s."),
                        {"about": about, "shared": shared, "called": called})
        elif direct:
            text = Text(N_("Identifiers of %(about)s are in the rest of the case: "
                           "%(shared)s."),
                        {"about": about, "shared": shared})
        else:
            text = Text(N_("In call records, the phone of %(about)s spoke with %(called)s."),
                        {"about": about, "called": called})
        # the holders first, then those they spoke with; each name once
        names = list(dict.fromkeys(m.name for m in sorted(
            matches, key=lambda m: (m.via == "calls", m.name))))
        title = Text(N_("Ads meet the case: %(names)s"), {"names": joined(names[:3], ", ")})
        score = 0.8 if direct else 0.55
        if op is not None and len(direct) and len(op.route) >= report.move_cities:
            score = 0.9
        out.append(Finding(
            kind=f"shared_identifier.{kind}", score=score,
            title=f"Ads meet the case: {', '.join(names[:3])}", explanation=str(text),
            message=text, title_message=title,
            evidence=Evidence(entity_ids=entity_ids, record_ids=records[:MAX_RECORDS],
                              keys=keys),
            detector=PREFIX + "shared_identifier", detector_version=VERSION,
            citation=CITATION_LINKS,
            details={"group": group, "ads": len(ad_ids), "kind": kind,
                     "links": [{"entity_id": m.entity_id, "name": m.name, "kind": m.schema,
                                "via": m.via, "value": m.value, "calls": m.calls}
                               for m in matches]}))
    return out


def _listed(parts: list[Any], most: int = 6) -> dict[str, Any]:
    """At most ``most`` parts, then how many more there are."""
    shown = parts[:most] + ([f"… (+{len(parts) - most})"] if len(parts) > most else [])
    return joined(shown, "; ")


def _idents(ad: Ad) -> set[tuple[str, str]]:
    return set(ad.identifiers()) | {("iban", i) for i in ibans_in(ad.text)}


def _unique(matches: Sequence[_Match]) -> list[_Match]:
    seen: dict[tuple[str, str, str], _Match] = {}
    for m in matches:
        seen.setdefault((m.entity_id, m.via, m.value), m)
    return list(seen.values())


_VIA = {"phone": N_("%(name)s holds phone %(value)s"),
        "email": N_("%(name)s uses e-mail %(value)s"),
        "iban": N_("%(name)s holds account %(value)s")}


def _shared_text(m: _Match) -> Text:
    if m.schema == "account":
        return Text(N_("account %(value)s is in the case"), {"value": m.value})
    return Text(_VIA[m.via], {"name": m.name, "value": m.value})


#: A detector of the family: what it yields, and how it runs.
@dataclass(frozen=True)
class Step:
    detectors: tuple[Detector, ...]
    run: Callable[[AdCase, Any], list[Finding]]


def _described(kind: str, title: str, role: str, citation: str, params: tuple[str, ...],
               counterpart: str | None = None) -> Detector:
    anchor = "finding-" + kind.replace(".", "-").replace("_", "-")
    return Detector(kind=kind, title=title, role=role, citation=citation,
                    docs=f"docs/osint-operations.md#{anchor}", params=params,
                    counterpart=counterpart)


OPERATION_DETECTORS = (
    _described("operation.sex", N_("Operation behind sex ads"), "sex_ads", CITATION_OPERATIONS,
               ("grouping", "report")),
    _described("operation.job", N_("Operation behind job ads"), "job_ads", CITATION_OPERATIONS,
               ("grouping", "report")),
)
LINK_DETECTORS = (
    _described("shared_identifier.sex", N_("Sex ads share an identifier with the case"),
               "sex_ads", CITATION_LINKS, ("grouping", "report", "links"), "controller"),
    _described("shared_identifier.job", N_("Job ads share an identifier with the case"),
               "job_ads", CITATION_LINKS, ("grouping", "report", "links"), "recruiter"),
)


__all__ = ["AD_ROLES", "HOLDER_ROLES", "LINK_DETECTORS", "OPERATION_DETECTORS", "AdCase",
           "LinkParams", "ReportParams", "Step", "ibans_in", "kind_of", "operations",
           "shared_identifiers"]
