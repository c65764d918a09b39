"""The labour indicators, each a function of the case (:class:`LabourCase`), the chains and
the engine's tables, yielding Findings with the registration numbers, IBANs, contracts and
records they rest on."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from veriga import analysis
from veriga.findings import N_, Evidence, Finding, Key, Text, eur, joined, nested, num, pct
from veriga.labour.case import LabourCase
from veriga.labour.chain import Chain
from veriga.labour.params import Params
from veriga.labour.wages import owed, spans_of

VERSION = "1"
PREFIX = "veriga.labour."
ENFORCEMENT = "Directive 2014/67/EU (Enforcement of the Posting of Workers Directive), Art. 4"
REVISED = "Directive (EU) 2018/957 amending Directive 96/71/EC, Art. 3(1a)"
ELA = "European Labour Authority (2023) Cross-border subcontracting chains and letterbox " \
      "companies"
ILO = "ILO (2012) Indicators of forced labour"
ILO95 = "ILO Protection of Wages Convention, 1949 (No. 95), Art. 8"
EUROPOL = "Europol (2015) The THB Financial Business Model"
FATF = "FATF-APG (2018) Financial Flows from Human Trafficking"
FINCEN20 = "FinCEN FIN-2020-A008 (2020) Supplemental Advisory on Human Trafficking"


def _det(kind: str, title: str, role: str, citation: str, params: tuple[str, ...],
         counterpart: str | None = None) -> analysis.Detector:
    return analysis.Detector(kind=kind, title=title, role=role, citation=citation,
                             docs=f"docs/labour.md#{kind.replace('.', '-').replace('_', '-')}",
                             params=params, counterpart=counterpart)


CHAIN = _det("labour.chain", N_("Subcontracting chain down to the workers' employer"),
             "front", f"{ENFORCEMENT}; {EUROPOL}; {FATF}", ("chain",), "employer")
POSTING = _det("labour.posting", N_("Posting that fails the criteria of a genuine posting"),
               "employer", f"{ENFORCEMENT}; {REVISED}", ("posting",))
A1_CONFLICT = _det("labour.a1_conflict", N_("Posting declarations contradicted by other records"),
                   "employer", ENFORCEMENT, ("posting",))
ADDRESS = _det("labour.shared_address", N_("Many firms at one address"), "front",
               f"{ENFORCEMENT}; {ELA}", ("firms",))
STRAW = _det("labour.straw_director", N_("One director behind many firms"), "director",
             f"{ENFORCEMENT}; {ELA}", ("firms",), "front")
PHOENIX = _det("labour.phoenix", N_("Phoenix firm taking over from a dissolved one"), "front",
               f"{ELA}; {EUROPOL}", ("firms",))
EMPTY = _det("labour.no_employees", N_("Large flows through a firm with no employees"),
             "front", f"{ENFORCEMENT}; {FATF}", ("firms",))
NEW_FIRM = _det("labour.new_firm", N_("Newly founded firm winning a large subcontract"), "front",
                f"{ELA}", ("firms",))
FEES = _det("labour.fees", N_("Recruitment fees paid by the chain's workers"), "agency",
            f"{ILO}; {FINCEN20}; {EUROPOL}", ("workers",), "victim")
WAGES = _det("labour.wage_control", N_("Wages of the chain's workers taken by one person"),
             "controller", f"{ILO}; {FINCEN20}", ("workers",), "employer")
DEDUCTIONS = _det("labour.deductions", N_("Excessive housing and transport deductions"),
                  "employer", f"{ILO95}; {ILO}", ("workers",))
MIN_WAGE = _det("labour.below_min_wage", N_("Pay below the host country's minimum wage"),
                "employer", f"{REVISED}; {ILO}", ("workers",))
UNREGISTERED = _det("labour.unregistered", N_("Workers in the host country on no payroll"),
                    "employer", f"{ILO}; {ENFORCEMENT}", ("workers",))

DETECTORS = (CHAIN, POSTING, A1_CONFLICT, ADDRESS, STRAW, PHOENIX, EMPTY, NEW_FIRM, FEES, WAGES,
             DEDUCTIONS, MIN_WAGE, UNREGISTERED)


def _clip(x: float) -> float:
    return round(min(0.95, max(0.05, x)), 2)


def finding(det: analysis.Detector, score: float, text: Text, *, case: LabourCase,
            firms: Sequence[str] = (), entities: Sequence[str] = (),
            records: Sequence[str] = (), ibans: Sequence[str] = (),
            details: dict[str, Any] | None = None, other: Sequence[str] = ()) -> Finding:
    """A Finding of ``det`` with its evidence: the firms by registration number and entity."""
    ids = [i for f in firms for i in (case.firms[f].entity_ids if f in case.firms else [])]
    keys = [Key("registration", case.reg(f)) if not case.reg(f).startswith("~") else
            Key("other", case.name(f)) for f in dict.fromkeys(firms)]
    keys += [Key("iban", i) for i in sorted(set(ibans))]
    keys += [Key("other", o) for o in dict.fromkeys(other)]
    return Finding(kind=det.kind, score=_clip(score), explanation=str(text), message=text,
                   title=det.title, citation=det.citation,
                   evidence=Evidence(entity_ids=sorted(set(ids) | set(entities)),
                                     record_ids=sorted(set(records)), keys=keys),
                   detector=PREFIX + det.kind.removeprefix("labour."), detector_version=VERSION,
                   details=details)


def _parties(case: LabourCase, roles: dict[str, str]) -> list[dict[str, str]]:
    """``details["parties"]``: the chain diagram draws each entity in its role."""
    out = []
    for firm, role in roles.items():
        if firm in case.firms:
            out.append({"id": case.firms[firm].entity_id, "role": role})
        elif firm in case.people:
            out.append({"id": firm, "role": role})
    return out


def _edge(case: LabourCase, a: str, b: str, kind: str, label: str,
          value: Decimal | None = None) -> dict[str, Any]:
    def eid(x: str) -> str:
        return case.firms[x].entity_id if x in case.firms else x
    return {"source": eid(a), "target": eid(b), "kind": kind, "label": label,
            "amount": float(value or 0)}


# -- the chain ------------------------------------------------------------------------------

def chain_findings(case: LabourCase, found: list[Chain], out: dict[str, dict[str, Any]],
                   signals: dict[str, set[str]], p: Params) -> list[Finding]:
    """One finding per chain: its tiers, what each passed down and kept, where money left."""
    q = p.chain
    findings = []
    for ch in found:
        top = ch.tiers[0].passed
        if top < q.min_value:
            continue
        tiers_text = []
        for t in ch.tiers:
            tiers_text.append(Text(N_("%(tier)s. %(name)s (%(reg)s, %(country)s): received "
                                      "%(received)s, passed down %(passed)s, kept %(kept)s"),
                                   {"tier": t.depth + 1, "name": case.name(t.firm),
                                    "reg": case.reg(t.firm), "country": case.country(t.firm),
                                    "received": eur(t.received), "passed": eur(t.passed),
                                    "kept": eur(t.kept)}).to_dict())
        thin = [t for t in ch.tiers[1:-1] if t.share_down >= q.min_share_down]
        # money leaving the chain at the tiers below the main contractor
        left = {"cash": Decimal(0), "abroad": Decimal(0), "controller": Decimal(0)}
        ibans: list[str] = []
        records = [s for t in ch.tiers for s in t.samples]
        for t in ch.tiers[1:]:
            o = out.get(t.firm)
            if o is None:
                continue
            for k in left:
                left[k] += o[k]
            ibans += o["accounts"]
            records += o["samples"]
        inflow = sum((out[t.firm]["inflow"] for t in ch.tiers[1:] if t.firm in out), Decimal(0))
        leave_share = float(sum(left.values()) / inflow) if inflow else 0.0
        flagged_firms = [t.firm for t in ch.tiers if signals.get(t.firm)]
        # thin margins alone say little (lawful subcontractors keep 3-10 %): the chain is
        # scored by the money leaving it and the indicators on its firms
        score = 0.15 + 0.05 * min(3, len(ch.tiers) - 2)
        signs = sorted({s for f in flagged_firms for s in signals[f]})
        score += 0.25 * (leave_share >= q.min_leave_share) + 0.12 * min(3, len(signs))
        text = Text(N_(
            "A chain of %(depth)s tiers leads from %(main)s down to %(employer)s, which employs "
            "the workers: %(tiers)s. %(thin)s tier(s) in between passed on at least "
            "%(share)s of what they received. Of what the firms below the main contractor "
            "received (%(inflow)s), %(cash)s left as cash, %(abroad)s to accounts abroad and "
            "%(controller)s to accounts of people who direct or own firms of the case. "
            "Indicators on the chain's firms: %(signs)s."),
            {"depth": len(ch.tiers), "main": case.name(ch.main), "employer":
             case.name(ch.employer), "tiers": joined([{"text": t} for t in tiers_text]),
             "thin": len(thin), "share": pct(q.min_share_down), "inflow": eur(inflow),
             "cash": eur(left["cash"]), "abroad": eur(left["abroad"]),
             "controller": eur(left["controller"]),
             "signs": ", ".join(signs) if signs else "-"})
        roles = {f: "front" for f in ch.firms}
        roles[ch.employer] = "employer"
        edges = [_edge(case, a.firm, b.firm, "subcontracts", "subcontracts", b.received)
                 for a, b in zip(ch.tiers, ch.tiers[1:], strict=False)]
        # where the money left: the firms' accounts to cash and to the controllers' accounts
        accounts: list[dict[str, str]] = []
        for t in ch.tiers[1:]:
            for acct, item in sorted((out.get(t.firm) or {}).get("by_account", {}).items()):
                if not item["cash"] and not item["to"]:
                    continue
                role = "employer_account" if t.firm == ch.employer else "mule_account"
                accounts.append({"iban": acct, "role": role})
                edges.append(_edge(case, t.firm, f"iban:{acct}", "holds", "holds"))
                if item["cash"]:
                    edges.append(_edge(case, f"iban:{acct}", "cash", "cash", "cash",
                                       item["cash"]))
                for ctl, paid in sorted(item["to"].items()):
                    accounts.append({"iban": ctl, "role": "controller_account"})
                    edges.append(_edge(case, f"iban:{acct}", f"iban:{ctl}", "paid",
                                       "paid to the controller", paid))
        details = {"chain": [{"firm": t.firm, "registration": case.reg(t.firm),
                              "received": float(t.received), "passed": float(t.passed),
                              "kept": float(t.kept), "share_down": round(t.share_down, 3)}
                             for t in ch.tiers],
                   "left": {k: float(v) for k, v in left.items()},
                   "parties": [*_parties(case, roles), *accounts], "edges": edges}
        findings.append(finding(CHAIN, score, text, firms=ch.firms, case=case,
                                records=records[:50], ibans=ibans, details=details))
    return findings


# -- genuine posting ------------------------------------------------------------------------

def posting_findings(case: LabourCase, invoiced: dict[str, dict[str, Decimal]], p: Params
                     ) -> list[Finding]:
    """Per sending firm, the criteria of Directive 2014/67/EU Art. 4 the data can answer."""
    q = p.posting
    by_sender: dict[str, list] = defaultdict(list)
    earlier: dict[str, list] = defaultdict(list)
    for post in case.postings:
        by_sender[post.sender].append(post)
        earlier[post.worker].append(post)
    payroll_workers: dict[str, set[str]] = defaultdict(set)
    for pay in case.pays:
        payroll_workers[pay.firm].add(pay.worker)
    signed_abroad: dict[str, list] = defaultdict(list)
    for c in case.contracts:
        if c.contractor and c.signed_country and c.signed_country != case.country(c.contractor):
            signed_abroad[c.contractor].append(c)
    # the register carries turnover: a registered firm without one filed none
    filing = any(f.turnover is not None for f in case.firms.values())
    findings = []
    for sender, posts in sorted(by_sender.items()):
        workers = {x.worker for x in posts}
        if len(workers) < q.min_workers:
            continue
        home = case.country(sender)
        failed: list[dict[str, Any]] = []
        weak = 0  # criteria that partial records can also show (a payroll export of the
        # posted workers only; the invoices of one case, not all the turnover)
        firm = case.firms.get(sender)
        staff = firm.employees if firm and firm.employees is not None else None
        at_home = payroll_workers.get(sender, set()) - workers
        if staff is not None:
            if staff == 0 or len(workers) / staff >= q.staff_share:
                failed.append(Text(N_("it declares %(staff)s staff but posts %(posted)s "
                                      "workers"), {"staff": staff, "posted": len(workers)}
                                   ).to_dict())
        elif payroll_workers.get(sender) and not at_home:
            failed.append(Text(N_("its payroll lists no one but the posted workers"), {}
                               ).to_dict())
            weak += 1
        inv = invoiced.get(sender)
        abroad = inv["total"] - inv["home"] if inv else Decimal(0)
        # the register's turnover (all of it, at home and abroad): none filed, or less than
        # what the case's invoices abroad alone come to, leaves nothing made at home
        if filing and firm is not None and not firm.turnover and firm.founded:
            failed.append(Text(N_("the register shows no turnover for it"), {}).to_dict())
        elif firm is not None and firm.turnover is not None and 0 < firm.turnover <= abroad:
            failed.append(Text(N_("its invoices abroad alone (%(abroad)s) come to its whole "
                                  "declared turnover (%(turnover)s)"),
                               {"abroad": eur(abroad), "turnover": eur(firm.turnover)}
                               ).to_dict())
        elif inv and inv["total"] > 0:
            share = float(inv["home"] / inv["total"])
            if share < q.home_turnover_share:
                failed.append(Text(N_("%(share)s of its invoiced turnover is made in its own "
                                      "country"), {"share": pct(share)}).to_dict())
                weak += 1
        if signed_abroad.get(sender):
            failed.append(Text(N_("%(n)s of its contracts were signed in the host country"),
                               {"n": len(signed_abroad[sender])}).to_dict())
        fresh = [x for x in posts if x.employed_since and x.start
                 and (x.start - x.employed_since).days < q.hired_before_days]
        if fresh:
            failed.append(Text(N_("%(n)s worker(s) were hired fewer than %(days)s days before "
                                  "the posting"), {"n": len({x.worker for x in fresh}),
                                                   "days": q.hired_before_days}).to_dict())
        # workers posted by another firm just before: they did not work for this one
        came = {x.worker for x in posts if x.start and any(
            o.sender != sender and o.start and o.start < x.start
            and (x.start - (o.end or o.start)).days <= q.hired_before_days
            for o in earlier.get(x.worker, ())) and not any(
            o.sender == sender and o.start and o.start < x.start
            for o in earlier.get(x.worker, ()))}
        if came:
            failed.append(Text(N_("%(n)s worker(s) were posted by another firm until just "
                                  "before"), {"n": len(came)}).to_dict())
        spans: dict[str, list[tuple[date, date]]] = defaultdict(list)
        for x in posts:
            if x.start and x.end:
                spans[x.worker].append((x.start, x.end))
        long = []
        for ss in spans.values():
            first, last = min(s for s, _ in ss), max(e for _, e in ss)
            months = (last - first).days / 30.44
            if months > q.limit_months:
                long.append(months)
        if long:
            failed.append(Text(N_("%(n)s worker(s) posted longer than %(limit)s months "
                                  "(longest %(months)s; %(ext)s with a notification)"),
                               {"n": len(long), "limit": q.limit_months,
                                "months": num(max(long), 1), "ext": q.extended_months}
                               ).to_dict())
        if len(failed) < q.min_criteria:
            continue
        text = Text(N_(
            "%(name)s (%(reg)s, %(country)s) posted %(n)s worker(s) abroad, but %(failed)s. "
            "A firm that does not carry out substantial activity in the country it posts "
            "from does not post workers genuinely: the host country's rules apply."),
            {"name": case.name(sender), "reg": case.reg(sender), "country": home,
             "n": len(workers), "failed": joined([{"text": f} for f in failed])})
        strong = len(failed) - weak
        findings.append(finding(POSTING, 0.3 + 0.15 * strong + 0.07 * weak, text,
                                firms=[sender],
                                case=case, entities=[x.entity_id for x in posts][:100],
                                details={"criteria": len(failed),
                                         "parties": _parties(case, {sender: "employer"})}))
    return findings


def a1_findings(case: LabourCase, calls: dict[str, list[tuple[str, date, str]]],
                p: Params) -> list[Finding]:
    """Declarations contradicted: the worker on another firm's payroll in the posting's months,
    or seen in the host country (calls through its cells, a trip arriving there) before the
    declared posting began."""
    by_sender: dict[str, list[tuple[str, Text]]] = defaultdict(list)
    evidence: dict[str, set[str]] = defaultdict(set)
    payroll: dict[str, set[tuple[str, str]]] = defaultdict(set)
    pay_ids: dict[tuple[str, str, str], str] = {}
    for pay in case.pays:
        payroll[pay.worker].add((pay.firm, pay.month))
        pay_ids[(pay.worker, pay.firm, pay.month)] = pay.entity_id
    posted: dict[str, list[Any]] = defaultdict(list)
    for x in case.postings:
        posted[x.worker].append(x)
    for x in case.postings:
        if not x.start:
            continue
        host = x.host_country or (case.country(x.host_firm) if x.host_firm else None)
        name = case.worker_names.get(x.worker, x.worker)
        months = {f"{x.start.year:04d}-{x.start.month:02d}"}
        others = sorted({(f, m) for f, m in payroll.get(x.worker, ()) if f != x.sender
                         and m in months and case.country(f) != case.country(x.sender)})
        for f, m in others[:1]:
            by_sender[x.sender].append((x.worker, Text(N_(
                "%(worker)s is on the payroll of %(other)s in %(month)s, while declared as "
                "posted by this firm"), {"worker": name, "other": case.name(f), "month": m})))
            evidence[x.sender].update([x.entity_id, pay_ids[(x.worker, f, m)]])
        if host:
            here = {host, x.site}
            early = [(rid, d) for rid, d, country in calls.get(x.worker, ())
                     if country in here and d < x.start - timedelta(days=7)]
            early += [(rid, d) for rid, country, d in case.trips.get(x.worker, ())
                      if country in here and d < x.start - timedelta(days=7)]
            early = [(rid, d) for rid, d in early  # not there under another posting
                     if not any(o.start and o.start - timedelta(days=7) <= d
                                <= (o.end or d) for o in posted.get(x.worker, ()))]
            if early:
                rid, d = min(early, key=lambda e: e[1])
                by_sender[x.sender].append((x.worker, Text(N_(
                    "%(worker)s was in %(host)s on %(day)s, before the declared posting began "
                    "on %(start)s"), {"worker": name, "host": host, "day": d.isoformat(),
                                      "start": x.start.isoformat()})))
                evidence[x.sender].update([x.entity_id, rid])
    findings = []
    for sender, items in sorted(by_sender.items()):
        workers = {w for w, _ in items}
        if len(workers) < 2:
            continue
        text = Text(N_("%(n)s posting declaration(s) of %(name)s (%(reg)s) are contradicted "
                       "by other records: %(items)s."),
                    {"n": len(items), "name": case.name(sender), "reg": case.reg(sender),
                     "items": joined([{"text": t.to_dict()} for _, t in items[:8]])})
        ev = sorted(evidence[sender])
        findings.append(finding(A1_CONFLICT, 0.45 + 0.1 * min(4, len(workers)), text,
                                firms=[sender], case=case,
                                entities=[e for e in ev if not e.startswith("rec:")],
                                records=[e[4:] for e in ev if e.startswith("rec:")],
                                details={"parties": _parties(case, {sender: "employer"})}))
    return findings


# -- letterbox and phoenix firms ------------------------------------------------------------

def firm_findings(case: LabourCase, received: dict[str, Decimal],
                  passed: dict[str, Decimal], pairs: list[tuple[str, str]],
                  out: dict[str, dict[str, Any]], p: Params
                  ) -> tuple[list[Finding], dict[str, set[str]]]:
    """Shared addresses, straw directors, phoenix successions, firms with no employees but
    large flows, young firms winning large subcontracts. Returns the findings and, per firm,
    the indicators it shows (for the chain)."""
    q = p.firms
    signals: dict[str, set[str]] = defaultdict(set)
    findings = []
    # many firms at one address
    at: dict[str, list[str]] = defaultdict(list)
    for firm in case.firms.values():
        if firm.address:
            at[firm.address].append(firm.key)
    for address, firms in sorted(at.items()):
        firms = sorted(set(firms))
        if len(firms) < q.min_firms_at_address:
            continue
        lives = [case.firms[k] for k in firms]
        short = sum(1 for x in lives if x.dissolved and x.founded
                    and (x.dissolved - x.founded).days <= q.short_lived_days)
        text = Text(N_("%(n)s firms are registered at %(address)s: %(names)s; %(short)s of "
                       "them lived less than %(days)s days."),
                    {"n": len(firms), "address": case.firms[firms[0]].address,
                     "names": ", ".join(case.name(f) for f in firms), "short": short,
                     "days": q.short_lived_days})
        for k in firms:
            signals[k].add("shared address")
        people = [case.controllers(k) for k in firms]
        shared = sum(1 for i, a in enumerate(people) if any(a & b for b in people[i + 1:]))
        findings.append(finding(ADDRESS, 0.3 + 0.05 * min(2, len(firms) - q.min_firms_at_address)
                                + 0.15 * min(2, short) + 0.2 * (shared > 0), text,
                                firms=firms, case=case,
                                other=[address],
                                details={"parties": _parties(case, dict.fromkeys(firms,
                                                                                 "front"))}))
    # one director behind many firms
    directed: dict[str, set[str]] = defaultdict(set)
    links: dict[str, list[str]] = defaultdict(list)
    for key, person, role, link in case.roles:
        if role == "director":
            directed[person].add(key)
            links[person].append(link)
    for person, firms_set in sorted(directed.items()):
        firms = sorted(firms_set)
        if len(firms) < q.min_firms_per_director:
            continue
        lives = [case.firms[k] for k in firms]
        short = sum(1 for x in lives if x.dissolved and x.founded
                    and (x.dissolved - x.founded).days <= q.short_lived_days)
        owners_elsewhere = sum(1 for f in firms if case.controllers(f) - {person})
        text = Text(N_("%(person)s directs %(n)s firms (%(names)s); %(short)s of them lived "
                       "less than %(days)s days and %(owned)s are owned by someone else."),
                    {"person": case.person_name(person), "n": len(firms),
                     "names": ", ".join(case.name(f) for f in firms), "short": short,
                     "days": q.short_lived_days, "owned": owners_elsewhere})
        for k in firms:
            signals[k].add("straw director")
        score = 0.3 + 0.1 * min(3, len(firms) - q.min_firms_per_director) \
            + 0.15 * min(2, short) + 0.1 * (owners_elsewhere > 0)
        roles = dict.fromkeys(firms, "front")
        roles[person] = "director"
        findings.append(finding(STRAW, score, text, firms=firms, case=case,
                                entities=[person, *links[person]],
                                details={"parties": _parties(case, roles),
                                         "edges": [_edge(case, person, f, "directs", "directs")
                                                   for f in firms]}))
    # phoenix: a firm founded around another's dissolution, sharing people or address, that
    # takes over its workers, contracts or accounts
    people_of = {f: case.controllers(f) for f in case.firms}
    workers_of: dict[str, set[str]] = defaultdict(set)
    for x in case.postings:
        workers_of[x.sender].add(x.worker)
    for pay in case.pays:
        workers_of[pay.firm].add(pay.worker)
    clients_of: dict[str, set[str]] = defaultdict(set)
    for c in case.contracts:
        if c.contractor and c.client:
            clients_of[c.contractor].add(c.client)
    for buyer, supplier in pairs:
        clients_of[supplier].add(buyer)
    dissolved = [f for f in case.firms.values() if f.dissolved]
    successions: dict[str, tuple[Any, ...]] = {}  # successor -> its latest predecessor
    for old in sorted(dissolved, key=lambda f: f.key):
        assert old.dissolved is not None
        for new in sorted(case.firms.values(), key=lambda f: f.key):
            if new.key == old.key or not new.founded:
                continue
            gap = (new.founded - old.dissolved).days
            if abs(gap) > q.successor_days or (new.dissolved and new.dissolved <= old.dissolved):
                continue
            shared_people = people_of.get(old.key, set()) & people_of.get(new.key, set())
            same_address = bool(old.address) and old.address == new.address
            if not (shared_people or same_address):
                continue
            took = []
            workers = workers_of.get(old.key, set()) & workers_of.get(new.key, set())
            if workers:
                took.append(Text(N_("%(n)s of its workers"), {"n": len(workers)}).to_dict())
            clients = clients_of.get(old.key, set()) & clients_of.get(new.key, set())
            if clients:
                took.append(Text(N_("its client(s) %(names)s"),
                                 {"names": ", ".join(case.name(c) for c in sorted(clients))}
                                 ).to_dict())
            if not took:
                continue
            text = Text(N_(
                "%(new)s (%(new_reg)s), founded %(founded)s, took over %(took)s from %(old)s "
                "(%(old_reg)s), dissolved %(dissolved)s; they share %(shared)s."),
                {"new": case.name(new.key), "new_reg": new.reg,
                 "founded": new.founded.isoformat(), "took": joined(
                     [{"text": t} for t in took], " and "),
                 "old": case.name(old.key), "old_reg": old.reg,
                 "dissolved": old.dissolved.isoformat(),
                 "shared": ", ".join([*(case.person_name(x) for x in sorted(shared_people)),
                                      *(["the address"] if same_address else [])])})
            known = successions.get(new.key)
            if known is not None and known[0].dissolved >= old.dissolved:
                continue
            successions[new.key] = (old, took, shared_people, same_address, text)
    for new_key, (old, took, shared_people, same_address, text) in sorted(successions.items()):
        new = case.firms[new_key]
        if True:
            signals[new.key].add("phoenix")
            signals[old.key].add("phoenix")
            roles = {old.key: "front", new.key: "front"}
            findings.append(finding(
                PHOENIX, 0.45 + 0.15 * len(took) + 0.1 * bool(shared_people) + 0.05 *
                same_address, text, firms=[old.key, new.key], case=case,
                entities=sorted(shared_people),
                details={"predecessor": old.key, "successor": new.key,
                         "parties": _parties(case, roles),
                         "edges": [_edge(case, old.key, new.key, "succeeded", "succeeded by")]}))
    # no employees, large flows: a firm that passed little of what it received on to other
    # firms or to wages, and whose register filings do not show the money (no staff, and no
    # turnover or less than the case shows it received); a firm that declares more turnover
    # than the case shows is a business the case sees only part of
    # wages: pay into accounts of one worker each (an account taking several workers' wages
    # is not theirs: see wage control)
    payees: dict[str, set[str]] = defaultdict(set)
    for pay in case.pays:
        if pay.account:
            payees[pay.account].add(pay.worker)
    wages: dict[str, Decimal] = defaultdict(Decimal)
    for pay in case.pays:
        if not pay.account or len(payees[pay.account]) == 1:
            wages[pay.firm] += pay.net
    # the register carries turnover: a registered firm without one filed none
    filing = any(f.turnover is not None for f in case.firms.values())
    for key, got in sorted(received.items()):
        if key not in case.firms:
            continue
        f = case.firms[key]
        left = out.get(key)
        gone = sum((left[k] for k in ("cash", "abroad", "controller")), Decimal(0)) \
            if left else None
        if (got < q.large_flow or (f.employees or 0) > 0
                or (f.turnover is not None and f.turnover >= got)
                or passed.get(key, Decimal(0)) >= got / 2
                or wages.get(key, Decimal(0)) >= got * Decimal(str(q.max_wage_share))
                or (gone is not None and gone < got * Decimal(str(q.min_gone_share)))):
            continue
        # the register does not show the money: less turnover declared, or none filed by a
        # registered firm where the register gives others theirs
        unshown = f.turnover is not None or (filing and f.founded is not None)
        if f.turnover is not None:
            filed = Text(N_("its last declared turnover is %(turnover)s"),
                        {"turnover": eur(f.turnover)})
        elif unshown:
            filed = Text(N_("the register shows no turnover for it"), {})
        else:
            filed = Text(N_("the case has no register turnover for it"), {})
        text = Text(N_("%(name)s (%(reg)s) received %(got)s from other firms but declares no "
                       "employees and paid %(wages)s in wages to workers' own accounts; "
                       "%(filed)s; %(gone)s left it by cash, abroad or to a controller."),
                    {"name": case.name(key), "reg": f.reg, "got": eur(got),
                     "wages": eur(wages.get(key, 0)), "filed": nested(filed),
                     "gone": eur(gone) if gone is not None else "-"})
        signals[key].add("no employees")
        score = 0.35 + 0.15 * unshown + 0.1 * (gone is not None) \
            + 0.05 * min(3, float(got / q.large_flow) - 1)
        findings.append(finding(EMPTY, score, text, firms=[key], case=case,
                                details={"parties": _parties(case, {key: "front"})}))
    # young firms with large subcontracts
    for c in case.contracts:
        young = case.firms.get(c.contractor or "")
        if (young is None or not young.founded or not c.signed or c.value is None
                or c.value < q.large_contract):
            continue
        age = (c.signed - young.founded).days
        # a contract dated before the firm was registered: it had no history at all (a
        # contract for a firm still to be founded, or one dated back)
        if -q.new_firm_days <= age < 0:
            text = Text(N_("%(name)s (%(reg)s) signed contract %(ref)s worth %(value)s with "
                           "%(client)s on %(signed)s, %(days)s days before it was registered "
                           "(%(founded)s)."),
                        {"name": case.name(young.key), "reg": young.reg, "ref": c.ref,
                         "value": eur(c.value), "client": case.name(c.client or ""),
                         "signed": c.signed.isoformat(), "days": -age,
                         "founded": young.founded.isoformat()})
        elif 0 <= age <= q.new_firm_days:
            text = Text(N_("%(name)s (%(reg)s) was founded %(days)s days before it signed "
                           "contract %(ref)s worth %(value)s with %(client)s."),
                        {"name": case.name(young.key), "reg": young.reg, "days": age, "ref": c.ref,
                         "value": eur(c.value), "client": case.name(c.client or "")})
        else:
            continue
        signals[young.key].add("new firm")
        findings.append(finding(NEW_FIRM, 0.5 + 0.3 * (1 - max(0, age) / q.new_firm_days), text,
                                firms=[young.key], case=case,
                                entities=[c.entity_id, *c.award_ids], other=[c.ref],
                                details={"parties": _parties(case, {young.key: "front"})}))
    return findings, signals


# -- the workers' side ----------------------------------------------------------------------

def fee_findings(case: LabourCase, fee_groups: list[tuple[str, list[str], list[str]]],
                 p: Params) -> list[Finding]:
    """R8 fee accounts whose payers include several workers of one employer of the case."""
    q = p.workers
    acct_worker: dict[str, str] = {}
    for pay in case.pays:
        if pay.account:
            acct_worker[pay.account] = pay.worker
    for pid, key in case.worker_of.items():
        for number, (kind, holder) in case.accounts.items():
            if kind == "person" and holder == pid:
                acct_worker[number] = key
    employer_of: dict[str, set[str]] = defaultdict(set)
    for x in case.postings:
        employer_of[x.worker].add(x.sender)
    for pay in case.pays:
        employer_of[pay.worker].add(pay.firm)
    findings = []
    for account, payers, records in fee_groups:
        workers = {acct_worker[a] for a in payers if a in acct_worker}
        employers = Counter(e for w in workers for e in employer_of.get(w, ()))
        if not employers:
            continue
        employer, n = employers.most_common(1)[0]
        if n < q.min_fee_payers:
            continue
        kind, holder = case.accounts.get(account, ("", ""))
        who = case.name(holder) if kind == "firm" else case.person_name(holder) if holder \
            else account
        text = Text(N_("%(n)s workers later employed by %(employer)s (%(reg)s) paid one-off "
                       "fees into account %(account)s of %(who)s before they started work."),
                    {"n": n, "employer": case.name(employer), "reg": case.reg(employer),
                     "account": account, "who": who})
        roles = {employer: "employer"}
        if kind == "firm":
            roles[holder] = "agency"
        edges = [_edge(case, holder, employer, "recruits", "recruits for")] if kind == "firm" \
            else []
        findings.append(finding(FEES, 0.5 + 0.1 * min(4, n - q.min_fee_payers + 1), text,
                                firms=[f for f in (holder if kind == "firm" else None, employer)
                                       if f], case=case, records=records[:50],
                                ibans=[account, *payers[:20]],
                                details={"parties": _parties(case, roles), "edges": edges}))
    return findings


def wage_findings(case: LabourCase, takers: list[tuple[str, list[str], list[str], str]],
                  names: dict[str, str], p: Params) -> list[Finding]:
    """R2 and R3 groups (an account taking several workers' wages) whose workers are employed
    by a firm of the case: the controller behind the employer."""
    q = p.workers
    acct_worker: dict[str, str] = {}
    for pay in case.pays:
        if pay.account:
            acct_worker[pay.account] = pay.worker
    for pid, key in case.worker_of.items():
        for number, (kind, holder) in case.accounts.items():
            if kind == "person" and holder == pid:
                acct_worker[number] = key
    paid_by: dict[str, set[str]] = defaultdict(set)  # account -> employers paying into it
    paid_into: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for pay in case.pays:
        if pay.account:
            paid_by[pay.account].add(pay.firm)
            paid_into[pay.account][pay.firm].add(pay.worker)
    firm_accounts = {a: h for a, (k, h) in case.accounts.items() if k == "firm"}
    merged: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for account, accounts, records, code in takers:
        acc, rec, codes = merged.setdefault(account, ([], [], []))
        acc += [a for a in accounts if a not in acc]
        rec += records
        codes.append(code)
    findings = []
    for account, (accounts, records, codes) in sorted(merged.items()):
        code = ", ".join(sorted(set(codes)))
        employers: Counter[str] = Counter()
        workers: set[str] = set()
        for a in accounts:
            if a in firm_accounts:
                employers[firm_accounts[a]] += 1
            if a in acct_worker:
                workers.add(acct_worker[a])
                for e in paid_by.get(a, ()):
                    employers[e] += 1
        # wages paid straight into the account: each employer by its workers paid there
        for e, paid in sorted(paid_into.get(account, {}).items()):
            employers[e] = max(employers[e], len(paid))
        if not employers:
            continue
        kind, holder = case.accounts.get(account, ("", ""))
        who = case.person_name(holder) if kind == "person" else names.get(account, "?")
        for employer, n in sorted(employers.items()):
            if n < q.min_wage_workers and "R2" not in codes:
                continue
            text = Text(N_("Wages of %(n)s worker(s) of %(employer)s (%(reg)s) ended in "
                           "account %(account)s of %(who)s (%(code)s): the workers do not "
                           "keep their pay."),
                        {"n": n, "employer": case.name(employer), "reg": case.reg(employer),
                         "account": account, "who": who, "code": code})
            roles = {employer: "employer"}
            if kind == "person":
                roles[holder] = "controller"
            findings.append(finding(WAGES, 0.55 + 0.08 * min(5, n), text, firms=[employer],
                                    case=case, entities=[holder] if kind == "person" else [],
                                    records=records[:50], ibans=[account, *accounts[:20]],
                                    details={"parties": _parties(case, roles)}))
    return findings


def pay_findings(case: LabourCase, p: Params) -> list[Finding]:
    """Deductions above the share the parameters allow, and net pay below the host's minimum."""
    q = p.workers
    host_of: dict[str, str] = {}
    for x in case.postings:
        host = x.host_country or (case.country(x.host_firm) if x.host_firm else None)
        if host:
            host_of[x.worker] = host
    heavy: dict[str, list] = defaultdict(list)
    low: dict[str, list] = defaultdict(list)
    for pay in case.pays:
        before = pay.net + pay.housing + pay.transport
        taken = pay.housing + pay.transport
        if before > 0 and taken / before > Decimal(str(q.max_deduction_share)):
            heavy[pay.firm].append(pay)
        # a posted worker is owed the host's minimum, and the travel, board and lodging of
        # the posting are the employer's costs (Directive 96/71/EC Art. 3(7) as amended):
        # what the worker kept after those deductions is compared; anyone else's pay before
        # them, against the minimum of the employer's country; either for the time the slip
        # pays for (its hours, else its share of full time and of the month employed)
        host = host_of.get(pay.worker)
        country = host or case.country(pay.firm)
        due = owed(pay, country, bool(host), spans_of(case.postings, pay.firm, pay.worker),
                   week_hours=q.week_hours, gross_share=q.gross_share,
                   net_share=q.net_share)
        if due is not None and due.paid < due.due * Decimal(str(due.share)):
            low[pay.firm].append((pay, country, due))
    findings = []
    for firm, pays in sorted(heavy.items()):
        if len(pays) < q.min_months:
            continue
        taken = sum((x.housing + x.transport for x in pays), Decimal(0))
        before = sum((x.net + x.housing + x.transport for x in pays), Decimal(0))
        text = Text(N_("%(name)s (%(reg)s) deducted %(taken)s for housing and transport from "
                       "%(before)s of pay (%(share)s) in %(n)s payslip(s) of %(workers)s "
                       "worker(s), more than the %(max)s this analysis accepts."),
                    {"name": case.name(firm), "reg": case.reg(firm), "taken": eur(taken),
                     "before": eur(before), "share": pct(float(taken / before)),
                     "n": len(pays), "workers": len({x.worker for x in pays}),
                     "max": pct(q.max_deduction_share)})
        findings.append(finding(DEDUCTIONS, 0.5 + 0.5 * float(taken / before), text,
                                firms=[firm], case=case,
                                entities=[i for x in pays[:50] for i in
                                          (x.entity_id, *x.deduction_ids)],
                                details={"parties": _parties(case, {firm: "employer"})}))
    for firm, items in sorted(low.items()):
        if len(items) < q.min_months:
            continue
        pay, host, due = min(items, key=lambda i: i[2].paid / i[2].due)
        values = {"name": case.name(firm), "reg": case.reg(firm), "n": len(items),
                  "workers": len({i[0].worker for i in items}), "host": host,
                  "share": pct(due.share), "min": eur(due.monthly)}
        if due.time == 1:
            text = Text(N_("%(name)s (%(reg)s) paid %(n)s monthly wage(s) to %(workers)s "
                           "worker(s) in %(host)s below %(share)s of its minimum wage of "
                           "%(min)s; the lowest was %(lowest)s."),
                        {**values, "lowest": eur(due.paid)})
        else:
            text = Text(N_("%(name)s (%(reg)s) paid %(n)s monthly wage(s) to %(workers)s "
                           "worker(s) in %(host)s below %(share)s of its minimum wage for the "
                           "time worked (%(min)s a month for full time); the lowest was "
                           "%(lowest)s for %(time)s of a full-time month, against %(due)s "
                           "due."),
                        {**values, "lowest": eur(due.paid), "time": pct(float(due.time)),
                         "due": eur(due.due.quantize(Decimal("0.01")))})
        slips = [{"payslip": i[0].entity_id, "month": i[0].month, "paid": float(i[2].paid),
                  "due": round(float(i[2].due), 2),
                  "hours": float(i[2].hours) if i[2].hours is not None else None}
                 for i in items[:50]]
        findings.append(finding(MIN_WAGE, 0.55 + 0.05 * min(8, len(items)), text, firms=[firm],
                                case=case, entities=[i[0].entity_id for i in items[:50]],
                                details={"parties": _parties(case, {firm: "employer"}),
                                         "payslips": slips}))
    return findings


def unregistered_findings(case: LabourCase, calls: dict[str, list[tuple[str, date, str]]],
                          p: Params) -> list[Finding]:
    """Posted workers seen working in the host country (calls through its cells, trips there)
    in months their sending firm's payroll does not list them."""
    q = p.workers
    ever_paid = {pay.worker for pay in case.pays}
    firms_with_payroll = {pay.firm for pay in case.pays}
    missing: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for x in case.postings:
        if x.sender not in firms_with_payroll or not x.start:
            continue
        host = x.host_country or (case.country(x.host_firm) if x.host_firm else None)
        if x.worker in ever_paid:
            continue
        here = {host, x.site}
        first = x.start - timedelta(days=7)
        seen = [rid for rid, d, c in calls.get(x.worker, ())
                if c in here and first <= d <= (x.end or d)]
        # a trip to the host: there from the arrival until the worker's next trip
        seen += [rid for rid, arrived, left in stays(case.trips.get(x.worker, ()), here)
                 if arrived <= (x.end or arrived) and (left is None or left >= first)]
        for rid in seen:
            missing[x.sender][x.worker].update([x.entity_id, rid])
    findings = []
    for firm, workers in sorted(missing.items()):
        if len(workers) < q.min_unregistered:
            continue
        names = sorted(case.worker_names.get(w, w) for w in workers)
        text = Text(N_("%(n)s worker(s) posted by %(name)s (%(reg)s) were in the host country "
                       "during their posting but are on no payroll: %(names)s."),
                    {"n": len(workers), "name": case.name(firm), "reg": case.reg(firm),
                     "names": ", ".join(names[:10])})
        ev = sorted({i for ids in workers.values() for i in ids})
        findings.append(finding(UNREGISTERED, 0.5 + 0.08 * min(5, len(workers)), text,
                                firms=[firm], case=case,
                                entities=[e for e in ev if not e.startswith("rec:")][:100],
                                records=[e[4:] for e in ev if e.startswith("rec:")][:100],
                                details={"parties": _parties(case, {firm: "employer"}),
                                         "workers": names}))
    return findings


def stays(trips: Sequence[tuple[str, str, date]], here: set[str | None]
          ) -> list[tuple[str, date, date | None]]:
    """(trip, arrived, left) of each stay in ``here`` (a country or the site's city): from a
    trip arriving there to the worker's next trip in the case (None: none after it)."""
    ordered = sorted(trips, key=lambda t: (t[2], t[0]))
    return [(rid, d, ordered[i + 1][2] if i + 1 < len(ordered) else None)
            for i, (rid, c, d) in enumerate(ordered) if c in here]
