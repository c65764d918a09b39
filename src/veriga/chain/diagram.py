"""The chain of a case as a small graph: who recruited whom, how they travelled, where they
worked and lived, which accounts took the earnings and where the proceeds ended.

Built from the case's entities and findings only (no new inference beyond what is stated on
every node and edge):

- **one node per entity**: records of one person or company are one node only once a person
  has merged them (confirmed a proposed match, or ``veriga merge``): the store then gives every
  reference the entity's canonical id. Nothing is grouped for drawing alone. A node lists the
  records merged into it (``merged``, from the reader's view of the merges).
- **possibly the same**: an unreviewed proposed match (a finding whose detector merges on
  confirmation, ``match.person`` / ``match.company``) between two drawn nodes is a dashed
  ``same`` edge with its match probability, tied to the finding; one between a drawn node and
  records not drawn is noted on the node (``possibly``: the finding, its score and the names
  of those records). Dismissed proposals are not shown; confirmed ones are merges already.
  These edges are hypotheses, not links of the chain: paths and bounding ignore them.
- **roles** from the findings (R1 client payments → earnings account, R8 recruitment fees →
  agency, R9 remittances → accounts abroad, R7 rent → flats, R10/R5 → cash, R13 → employer…),
  from the records (trip organiser and traveller, employer and posted worker, director, account
  holder, a phone shared with job ads) and from the subject roles set by investigators.
- **stages**: each role belongs to one of recruitment → transport → exploitation → proceeds.
- **bounded**: at most ``per_stage`` nodes per stage, the best by finding score and degree.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from followthemoney import EntityProxy
from normality import normalize

from veriga.analysis import ROLE_STAGE, STAGES, detectors
from veriga.findings import Finding
from veriga.model import core_schema, is_core
from veriga.model.ids import account_id
from veriga.model.normalize import country_of

# at most this many nodes of a role (the rest of a stage's places go to other roles)
ROLE_CAP = {"flat": 2, "abroad": 4, "route": 5, "victim": 6, "job_ads": 2, "sex_ads": 3,
            "earnings": 6, "employer": 3, "employer_account": 3, "mule_account": 3, "mule": 2,
            "proceeds_account": 3, "director": 2, "organiser": 2}
# the roles where the proceeds end (the target of "path to the proceeds")
SINKS = ("abroad", "cash")
LEGAL_FORMS = {"sia", "srl", "oy", "oyj", "as", "ou", "oü", "uab", "ab", "eood", "ood", "ead",
               "ltd", "llc", "gmbh", "tov", "sp", "spa", "sa", "bv", "nv", "ag", "kg", "plc",
               "escrow", "notary", "bank"}
#: the roles of findings about groups of ads (drawn as one node per group of ads)
ADS_ROLES = ("sex_ads", "job_ads")
#: holders of an ads finding's identifiers drawn when not in the chain yet, at most (records
#: of one person not merged yet are apart: the first few stand for them)
NEW_HOLDERS = 2
#: the role of an account an ads finding links to, by the role of the ads' holders
ACCOUNT_ROLE = {"recruiter": "fee_account", "controller": "controller_account",
                "agency": "fee_account", "employer": "employer_account"}
#: the label of the edge between ads and what shares an identifier with them, by identifier
ADS_EDGE = {"phone": "holds the ads' phone", "email": "uses the ads' e-mail",
            "iban": "account named in the ads", "calls": "called the ads' phone",
            "identifier": "shares an identifier with the ads"}
#: the kind of edge between two nodes a proposed match says are possibly the same
SAME = "same"
IBAN = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b")


@dataclass
class Node:
    id: str
    label: str
    schema: str
    role: str
    stage: str
    sub: str = ""  # a second line: the holder of an account, the phone of ads…
    ids: list[str] = field(default_factory=list)  # entity ids (trips, ads, account records)
    findings: dict[str, float] = field(default_factory=dict)  # finding id -> score
    merged: list[str] = field(default_factory=list)  # records a person merged into it
    # proposed matches with records not drawn: finding id -> (score, their names)
    possibly: dict[str, tuple[float, list[str]]] = field(default_factory=dict)
    iban: str | None = None
    country: str | None = None
    count: int = 1  # trips on a route, ads in a cluster
    subject_role: str | None = None  # victim / suspect / … as set by investigators

    @property
    def score(self) -> float:
        return max(self.findings.values(), default=0.0)


@dataclass
class Edge:
    source: str
    target: str
    label: str
    kind: str  # holds, paid, posted, booked, travelled, employed, directs, owns, cash, same…
    records: list[str] = field(default_factory=list)
    findings: dict[str, float] = field(default_factory=dict)
    amount: float = 0.0
    count: int = 0
    probability: float | None = None  # a proposed match ("same"): its match probability

    @property
    def id(self) -> str:
        return f"{self.source}>{self.kind}>{self.target}"


@dataclass
class ChainGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)

    def node_ids_of(self, entity_id: str) -> list[str]:
        """The nodes that hold ``entity_id`` among their records."""
        return [n.id for n in self.nodes.values() if entity_id in n.ids]

    def adjacency(self) -> dict[str, set[str]]:
        """Neighbours by the links of the chain (not the proposed matches: hypotheses)."""
        adj: dict[str, set[str]] = {n: set() for n in self.nodes}
        for e in self.edges.values():
            if e.kind == SAME:
                continue
            adj[e.source].add(e.target)
            adj[e.target].add(e.source)
        return adj

    def path(self, start: str, goals: Iterable[str]) -> list[str] | None:
        """Shortest path (links taken both ways) from ``start`` to the nearest of ``goals``."""
        wanted = set(goals)
        adj = self.adjacency()
        parent: dict[str, str | None] = {start: None}
        queue = [start]
        for node in queue:
            if node in wanted:
                out: list[str] = []
                step: str | None = node
                while step is not None:
                    out.append(step)
                    step = parent[step]
                return out[::-1]
            for nb in sorted(adj.get(node, ())):
                if nb not in parent:
                    parent[nb] = node
                    queue.append(nb)
        return None


# ------------------------------------------------------------------------ helpers


def _name_key(name: str) -> str | None:
    norm = normalize(name, ascii=True)
    if not norm:
        return None
    tokens = sorted(t for t in norm.split() if len(t) > 1)
    return " ".join(tokens) if len(tokens) >= 2 else None


def _id(proxy: EntityProxy) -> str:
    """The id of an entity read from the store (which always has one)."""
    return proxy.id or ""


# ------------------------------------------------------------------------ building


class _Builder:
    def __init__(self, entities: Iterable[EntityProxy], findings: Iterable[Finding],
                 roles: Mapping[str, str], min_score: float,
                 account_names: Mapping[str, str], merged: Mapping[str, str]) -> None:
        self.by_id: dict[str, EntityProxy] = {}
        self.by_schema: dict[str, list[EntityProxy]] = defaultdict(list)
        for proxy in entities:
            self.by_id[_id(proxy)] = proxy
            self.by_schema[proxy.schema.name].append(proxy)
            if not is_core(proxy.schema):  # a Payslip is read with the Payments too
                self.by_schema[core_schema(proxy.schema).name].append(proxy)
        described = detectors()
        merging = {k for k, d in described.items() if d.on_confirm == "merge"}
        findings = list(findings)
        # proposed matches a person has not reviewed yet (confirmed ones are merges)
        self.proposals = [f for f in findings if f.kind in merging
                          and f.review.state.value == "new"]
        self.findings = [f for f in findings if f.score >= min_score and f.kind not in merging
                         and f.review.state.value != "dismissed"]
        self.roles = roles
        self.entity_of = dict(merged)  # merged record -> the entity it is part of
        self.records: dict[str, list[str]] = defaultdict(list)
        for record, entity in merged.items():
            if record != entity:
                self.records[entity].append(record)
        parties = [p for p in self.by_id.values() if p.schema.is_a("LegalEntity")]
        self.account_ids: dict[str, list[str]] = defaultdict(list)  # iban -> entity ids
        self.account_of_id: dict[str, str] = {}
        for p in self.by_schema["BankAccount"]:
            iban = p.first("iban") or p.first("accountNumber") or _id(p)
            self.account_ids[iban].append(_id(p))
            self.account_of_id[_id(p)] = iban
        self.out = ChainGraph(findings={f.id: f for f in self.findings})
        self.holders: dict[str, set[str]] = defaultdict(set)  # account iban -> parties
        self.holdings: dict[str, set[str]] = defaultdict(set)  # party group -> ibans
        self.ownership_rows: dict[tuple[str, str], list[str]] = defaultdict(list)
        for own in self.by_schema["Ownership"]:
            for asset in own.get("asset"):
                owned = self.account_of_id.get(asset)
                for owner in own.get("owner"):
                    if owned and owner in self.by_id:
                        g = owner
                        self.holders[owned].add(g)
                        self.holdings[g].add(owned)
                        self.ownership_rows[(g, owned)].append(_id(own))
        # an account without a known holder (no statement of its own): the name most often
        # given for it on payments (a name given only now and then can be a worker whose wage
        # was paid into someone else's account: not the holder)
        named: dict[str, Counter[str]] = defaultdict(Counter)
        rows: dict[tuple[str, str], list[str]] = defaultdict(list)
        for pay in self.by_schema["Payment"]:
            for acct_prop, party_prop in (("payerAccount", "payer"),
                                          ("beneficiaryAccount", "beneficiary")):
                for acct in pay.get(acct_prop):
                    paid = self.account_of_id.get(acct)
                    if not paid or paid in self.holders:
                        continue
                    for party in pay.get(party_prop):
                        if party in self.by_id:
                            g = party
                            named[paid][g] += 1
                            if len(rows[(g, paid)]) < 5:
                                rows[(g, paid)].append(_id(pay))
        for iban, counts in named.items():
            (g, n), total = counts.most_common(1)[0], sum(counts.values())
            if n * 2 > total:
                self.holders[iban].add(g)
                self.holdings[g].add(iban)
                self.ownership_rows[(g, iban)] = rows[(g, iban)]
        # else the name other statements give the account (``account_names``), if a party of
        # the case has that name
        by_name: dict[str, str] = {}
        for p in parties:
            for key in filter(None, map(_name_key, p.get("name", quiet=True))):
                by_name.setdefault(key, _id(p))
        for iban, name in account_names.items():
            wanted = _name_key(name)
            if iban not in self.holders and wanted in by_name:
                self.holders[iban].add(by_name[wanted])
                self.holdings[by_name[wanted]].add(iban)

    # -- nodes -------------------------------------------------------------------------

    def party(self, entity_id: str, role: str) -> Node:
        """The node of a person or company (an entity read from the case)."""
        node = self.out.nodes.get(entity_id)
        if node is None:
            proxy = self.by_id[entity_id]
            node = Node(entity_id, proxy.caption, proxy.schema.name, role, ROLE_STAGE[role],
                        ids=[entity_id], merged=sorted(self.records.get(entity_id, ())))
            node.subject_role = self.roles.get(entity_id)
            self.out.nodes[entity_id] = node
        else:
            self._promote(node, role)
        return node

    def account(self, iban: str, role: str) -> Node:
        nid = account_id(iban)
        node = self.out.nodes.get(nid)
        if node is None:
            holders = sorted({self.out.nodes[g].label if g in self.out.nodes else
                              self.by_id[g].caption for g in self.holders.get(iban, ())
                              if g in self.by_id or g in self.out.nodes})
            node = Node(nid, iban, "BankAccount", role, ROLE_STAGE[role],
                        sub=", ".join(holders[:2]), ids=sorted(self.account_ids.get(iban, [])),
                        iban=iban, country=country_of(iban))
            self.out.nodes[nid] = node
        else:
            self._promote(node, role)
        return node

    # When a node is given several roles, the more specific one wins (a controller who also
    # books trips is a controller; a person with a job ads' phone who books trips a recruiter).
    # Accounts: the employer's and a victim's own account (earnings) first; then the account
    # the victims' wages end in (controller_account: R2, R3, R7, a labour chain paying the
    # controller), also when one-off payments into it look like fees (R8 reads the monthly
    # kickbacks of eight or more workers over a two-month statement as fees paid in two
    # instalments) or it pays for ads and tickets (R6); then the account taking fees, which
    # stays the recruiter's or agency's when it also passes money on or takes cash (mule).
    PRIORITY = {
        "recruiter": 10, "agency": 9, "employer": 8, "front": 7, "controller": 6,
        "director": 5, "mule": 4, "organiser": 3, "victim": 1,
        "employer_account": 10, "earnings": 9, "controller_account": 8, "fee_account": 7,
        "mule_account": 6, "logistics_account": 5, "proceeds_account": 4, "abroad": 3,
        "flat": 2}

    def _promote(self, node: Node, role: str) -> None:
        if self.PRIORITY.get(role, 0) > self.PRIORITY.get(node.role, 0):
            node.role, node.stage = role, ROLE_STAGE[role]

    def edge(self, source: str, target: str, kind: str, label: str,
             records: Iterable[str] = (), amount: float = 0.0, count: int = 1) -> Edge:
        e = Edge(source, target, label, kind)
        e = self.out.edges.setdefault(e.id, e)
        e.records.extend(r for r in records if r not in e.records)
        e.amount += amount
        e.count += count
        return e

    def tie(self, node: Node, finding: Finding) -> None:
        node.findings[finding.id] = finding.score

    # -- steps -------------------------------------------------------------------------

    def subjects(self, finding: Finding) -> list[str]:
        """The accounts a finding is about: its IBANs named in the explanation."""
        ibans = {k.value for k in finding.evidence.keys if k.type == "iban"}
        named = IBAN.findall(f"{finding.explanation or ''} {finding.title or ''}")
        return list(dict.fromkeys(i for i in named if i in ibans)) or sorted(ibans)[:1]

    def from_findings(self) -> None:
        regs = {r: p for p in self.by_id.values() if p.schema.is_a("Organization")
                for r in p.get("registrationNumber", quiet=True)}
        described = detectors()  # each finding placed by the role its detector names
        for f in self.findings:
            about = described.get(f.kind)
            if about is None or about.role is None:  # not about one stage (a proposed match)
                continue
            if about.role in ADS_ROLES:  # about a group of ads (an operation)
                self.ads_finding(f, about.role, about.counterpart)
                continue
            if self.named_parties(f):  # a finding that names its parties and links
                continue
            ibans = [k.value for k in f.evidence.keys if k.type == "iban"]
            subjects = self.subjects(f)
            others = [i for i in ibans if i not in subjects]
            if about.role == "employer":  # about a company, named by its registration number
                for key in f.evidence.keys:
                    if key.type == "registration" and key.value in regs:
                        self.tie(self.party(_id(regs[key.value]), "employer"), f)
                continue
            if f.kind == "shape.scatter_gather" and len(subjects) > 1:
                # the named recipient at the end of the scatter-gather
                others, subjects = others + subjects[1:], subjects[:1]
            for iban in subjects:
                node = self.account(iban, about.role)
                self.tie(node, f)
                if about.counterpart == "cash":
                    cash = self.out.nodes.setdefault("cash", Node(
                        "cash", "cash", "Cash", "cash", ROLE_STAGE["cash"]))
                    self.tie(cash, f)
                    e = self.edge(node.id, "cash", "cash", "cash", f.evidence.record_ids[:20])
                    e.findings[f.id] = f.score
                    continue
                for other in others:
                    if about.counterpart == "abroad" and country_of(other) == country_of(iban):
                        continue
                    if about.role == "fee_account":  # the fee payers: future workers
                        self.account(other, about.counterpart or "earnings")
                    elif about.counterpart is not None:
                        self.tie(self.account(other, about.counterpart), f)

    def named_parties(self, f: Finding) -> bool:
        """A finding that names the entities it is about and their roles
        (``details["parties"]``: ``{"id", "role"}``, a role of ``ROLE_STAGE``) and the links
        between them (``details["edges"]``: ``{"source", "target", "kind", "label",
        "amount"}``, entity ids): each party drawn in its role and tied to the finding, each
        link an edge between two of them (a subcontracting chain, a succession, who directs
        or recruits for whom). A party may be an account (``{"iban", "role"}``, named
        ``iban:...`` in the links), and a link may end in ``cash``. False when it names none
        of the case's entities."""
        details = f.details or {}
        parties = details.get("parties")
        if not isinstance(parties, list):
            return False
        drawn: dict[str, str] = {}
        for p in parties:
            if not isinstance(p, dict) or p.get("role") not in ROLE_STAGE:
                continue
            role = str(p["role"])
            if p.get("iban"):  # an account ({"iban", "role"}); edges name it "iban:..."
                node = self.account(str(p["iban"]), role)
                self.tie(node, f)
                drawn[f"iban:{p['iban']}"] = node.id
                continue
            eid = self.entity_of.get(str(p.get("id")), str(p.get("id")))
            if eid in self.by_id:
                node = self.party(eid, role)
                self.tie(node, f)
                drawn[str(p.get("id"))] = node.id
        if any(isinstance(e, dict) and e.get("target") == "cash"
               for e in details.get("edges") or []):  # money taken out in cash
            drawn["cash"] = self.out.nodes.setdefault(
                "cash", Node("cash", "cash", "Cash", "cash", ROLE_STAGE["cash"])).id
            self.tie(self.out.nodes["cash"], f)
        for link in details.get("edges") or []:
            if not isinstance(link, dict):
                continue
            a, b = drawn.get(str(link.get("source"))), drawn.get(str(link.get("target")))
            if a and b and a != b:
                kind = str(link.get("kind") or "linked")
                e = self.edge(a, b, kind, str(link.get("label") or kind),
                              amount=float(link.get("amount") or 0))
                e.findings[f.id] = f.score
        return bool(drawn)

    def ads_finding(self, f: Finding, role: str, counterpart: str | None) -> None:
        """A finding about ads: one node per group of ads (``details["group"]``, else its
        ads), tied to the finding; the people, companies and accounts it links them to
        (``details["links"]``: by a phone, an e-mail or an IBAN they hold, given the
        detector's counterpart role; by calls, only when already in the chain; without
        details, the people and companies among its evidence) joined to it by an edge. People
        in the chain already keep their role; of those not yet drawn, at most
        :data:`NEW_HOLDERS` are added."""
        details = f.details or {}
        ads = [i for i in f.evidence.entity_ids
               if i in self.by_id and self.by_id[i].schema.is_a("Advertisement")]
        group = str(details.get("group") or (min(ads) if ads else f.id))
        nid = f"ads:{group}"
        node = self.out.nodes.get(nid)
        if node is None:
            count = int(details.get("ads") or len(ads))
            cities = [str(s.get("city")) for s in details.get("route") or []
                      if isinstance(s, dict) and s.get("city")]
            node = Node(nid, f"{count} × {'job' if role == 'job_ads' else 'ad'}",
                        "Advertisement", role, ROLE_STAGE[role], sub=" → ".join(cities[:4]),
                        ids=sorted(ads)[:200], count=count)
            self.out.nodes[nid] = node
        node.ids.extend(a for a in sorted(ads)[:200] if a not in node.ids)
        self.tie(node, f)
        links = details.get("links")
        if not isinstance(links, list):
            links = [{"entity_id": i, "via": "identifier"} for i in f.evidence.entity_ids
                     if i in self.by_id and self.by_id[i].schema.is_a("LegalEntity")]
        added = 0  # holders drawn for this finding that were not in the chain
        for link in links:
            if not isinstance(link, dict):
                continue
            entity_id = self.entity_of.get(link.get("entity_id", ""), link.get("entity_id"))
            via = str(link.get("via") or "identifier")
            if link.get("kind") == "account" or entity_id in self.account_of_id:
                iban = self.account_of_id.get(entity_id or "", str(link.get("value") or ""))
                if iban and counterpart in ACCOUNT_ROLE:
                    account = self.account(iban, ACCOUNT_ROLE[counterpart])
                    e = self.edge(nid, account.id, "advertised", ADS_EDGE["iban"])
                    e.findings[f.id] = f.score
                continue
            if entity_id not in self.by_id:
                continue
            party = self.out.nodes.get(entity_id)
            if party is not None:  # in the chain already: keeps its role (a woman holding
                # the phone of her ads stays who she is), but a traveller or trip organiser
                # holding the phone of job ads recruited (as phone clusters say below)
                if via != "calls" and role == "job_ads" and counterpart is not None \
                        and party.role in ("organiser", "victim"):
                    party.role, party.stage = counterpart, ROLE_STAGE[counterpart]
            elif via == "calls" or counterpart is None or added >= NEW_HOLDERS:
                continue
            else:  # a few records not drawn yet, in the detector's counterpart role
                party = self.party(entity_id, counterpart)
                added += 1
            e = self.edge(party.id, nid, "called" if via == "calls" else "posted",
                          ADS_EDGE.get(via, ADS_EDGE["identifier"]))
            e.findings[f.id] = f.score

    # the role of an account's holder, by the account's role: (person, organisation)
    HOLDER_ROLE = {"earnings": ("victim", "front"), "controller_account": ("controller", "front"),
                   "logistics_account": ("controller", "front"),
                   "proceeds_account": ("controller", "front"), "mule_account": ("mule", "front"),
                   "fee_account": ("recruiter", "agency"), "employer_account": (None, "employer")}

    def from_holders(self) -> None:
        """People and companies behind the accounts; their role follows the account's."""
        for node in list(self.out.nodes.values()):
            if node.schema != "BankAccount" or not node.iban:
                continue
            for g in sorted(self.holders.get(node.iban, ())):
                roles = self.HOLDER_ROLE.get(node.role)
                if roles is None:
                    continue
                role = roles[1] if self.is_org(g) else roles[0]
                if role is None:
                    continue
                holder = self.party(g, role)
                if holder.role == "employer":
                    node.role, node.stage = "employer_account", ROLE_STAGE["employer_account"]
                rows = self.ownership_rows.get((g, node.iban), [])
                e = self.edge(holder.id, node.id, "holds", "holds" if rows else
                              "holder named on statements", rows)
                if not rows:  # the name comes from the statements behind the findings
                    e.findings.update(node.findings)
            names = sorted(self.out.nodes[g].label for g in self.holders.get(node.iban, ())
                           if g in self.out.nodes)
            node.sub = ", ".join(names)[:60] or node.sub

    def is_org(self, entity_id: str) -> bool:
        """A company or organisation, or a name on a bank statement with a legal form."""
        proxy = self.by_id.get(entity_id)
        if proxy is None or proxy.schema.is_a("Person"):
            return False
        if proxy.schema.is_a("Organization"):
            return True
        words = {w for n in proxy.get("name", quiet=True) for w in (normalize(n) or "").split()}
        return bool(words & LEGAL_FORMS)

    def from_records(self) -> None:
        nodes = self.out.nodes
        # companies: directors and owners (recruiter behind the agency, controller behind
        # the front company), employers and their posted workers
        for d in self.by_schema["Directorship"] + self.by_schema["Ownership"]:
            org_prop, person_prop = ("organization", "director") if d.schema.name == \
                "Directorship" else ("asset", "owner")
            for org in d.get(org_prop):
                og = org if org in self.by_id else None
                if og is None or og not in nodes or nodes[og].schema == "BankAccount":
                    continue
                for person in d.get(person_prop):
                    if person not in self.by_id:
                        continue
                    # behind an agency: the recruiter; behind a front company or a
                    # flagged employer: its owner (the controller) and its (straw) director
                    role = {"agency": "recruiter"}.get(nodes[og].role) or (
                        ("director" if d.schema.name == "Directorship" else "controller")
                        if nodes[og].role in ("employer", "front") else None)
                    if role is None:
                        continue
                    p = self.party(person, role)
                    kind = "directs" if d.schema.name == "Directorship" else "owns"
                    self.edge(p.id, og, kind, kind, [_id(d)])
        employers = {g for g, n in nodes.items() if n.role == "employer"}
        for emp in self.by_schema["Employment"]:
            for er in emp.get("employer"):
                eg = er if er in self.by_id else None
                if eg not in employers:
                    continue
                for ee in emp.get("employee"):
                    if ee in self.by_id:
                        worker = self.party(ee, "victim")
                        self.edge(worker.id, eg, "employed", "employed by", [_id(emp)])
        # trips: a person booking trips for others (the recruiter or the controller), the
        # traveller, and the route
        known = set(nodes)
        for trip in self.by_schema["Trip"]:
            organisers = [o for o in trip.get("organizer") if o in self.by_id]
            travellers = [i for i in trip.get("involved") if i in self.by_id]
            others = [t for t in travellers if t not in organisers]
            if not others or not (set(organisers) | set(others)) & known:
                continue
            start = self._place(trip, "startLocation")
            end = self._place(trip, "endLocation")
            rid = f"route:{start}>{end}"
            route = nodes.setdefault(rid, Node(rid, f"{start} → {end}", "Trip", "route",
                                               "transport", count=0))
            route.count += 1
            route.ids.append(_id(trip))
            carrier = next((n for n in trip.get("name") if n not in (start, end)), "")
            if carrier and carrier not in route.sub:
                route.sub = ", ".join(filter(None, [route.sub, carrier]))
            for o in organisers:
                organiser = self.party(o, "organiser")
                self.edge(organiser.id, rid, "booked", "booked", [_id(trip)])
            for t in others:
                traveller = self.party(t, "victim")
                self.edge(traveller.id, rid, "travelled", "travelled", [_id(trip)])

    def _place(self, trip: EntityProxy, prop: str) -> str:
        for ref in trip.get(prop):
            place = self.by_id.get(ref)
            if place is not None:
                return place.first("city", quiet=True) or place.caption
        return "?"

    def from_ads(self, min_ads: int) -> None:
        """Ads grouped by phone: job ads whose phone is a person's → the recruiter posted them;
        other large clusters (one phone, many ads) are the exploitation's advertising."""
        phones: dict[str, list[EntityProxy]] = defaultdict(list)
        for ad in self.by_schema["Advertisement"]:
            for phone in ad.get("phone")[:1]:
                phones[phone].append(ad)
        owners: dict[str, set[str]] = defaultdict(set)
        for p in self.by_id.values():
            if p.schema.is_a("LegalEntity"):
                for phone in p.get("phone", quiet=True):
                    owners[phone].add(_id(p))
        drawn = {i for n in self.out.nodes.values() if n.schema == "Advertisement"
                 for i in n.ids}  # ads a finding already placed
        for phone, ads in phones.items():
            ads = [a for a in ads if _id(a) not in drawn]
            if not ads:
                continue
            categories = Counter(a.first("category", quiet=True) or "" for a in ads)
            job = categories.most_common(1)[0][0] == "job"
            people = [g for g in owners.get(phone, ()) if g in self.out.nodes]
            cities = {c for a in ads for c in a.get("city", quiet=True)}
            if not people and (len(ads) < min_ads or len(cities) < 2):
                continue
            role = "job_ads" if job else "sex_ads"
            nid = f"ads:{phone}"
            label = f"{len(ads)} × {categories.most_common(1)[0][0] or 'ad'}"
            node = self.out.nodes.setdefault(nid, Node(
                nid, label, "Advertisement", role, ROLE_STAGE[role], sub=phone,
                ids=sorted(_id(a) for a in ads)[:200], count=len(ads)))
            for g in people:
                person = self.out.nodes[g]
                if job and person.role in ("organiser", "victim"):
                    person.role, person.stage = "recruiter", ROLE_STAGE["recruiter"]
                self.edge(g, nid, "posted", "posted (same phone)", node.ids[:20])

    def from_payments(self) -> None:
        """Money between the accounts in the chain (Payment records, summed per pair), tied to
        the findings whose evidence holds both accounts."""
        nodes = self.out.nodes
        node_of = {i: n.id for n in nodes.values() if n.schema == "BankAccount" for i in n.ids}
        label = {"abroad": "sent abroad", "flat": "rent", "fee_account": "recruitment fee"}
        for pay in self.by_schema["Payment"]:
            for a in {node_of[i] for i in pay.get("payerAccount") if i in node_of}:
                for b in {node_of[i] for i in pay.get("beneficiaryAccount") if i in node_of}:
                    if a != b:
                        try:
                            amount = sum(float(v) for v in pay.get("amount"))
                        except ValueError:
                            amount = 0.0
                        self.edge(a, b, "paid", label.get(nodes[b].role, "paid"), [_id(pay)],
                                  amount=amount)
        for e in self.out.edges.values():
            if e.kind == "paid":
                for f in self.findings:
                    ev = f.evidence.entity_ids
                    if e.source in ev and e.target in ev:
                        e.findings[f.id] = f.score

    # -- bounding ----------------------------------------------------------------------

    def bound(self, per_stage: int) -> None:
        g = self.out
        degree: Counter[str] = Counter()
        for e in g.edges.values():
            degree[e.source] += 1
            degree[e.target] += 1
        keep: set[str] = set()
        for stage in STAGES:
            ranked = sorted((n for n in g.nodes.values() if n.stage == stage),
                            key=lambda n: (-(n.score + 0.15 * math.log1p(degree[n.id])
                                             + (0.3 if n.role in SINKS + ("recruiter",) else 0)),
                                           n.id))
            taken: Counter[str] = Counter()
            for n in ranked:
                if len(taken) and sum(taken.values()) >= per_stage:
                    break
                if taken[n.role] < ROLE_CAP.get(n.role, per_stage):
                    taken[n.role] += 1
                    keep.add(n.id)
        g.nodes = {k: v for k, v in g.nodes.items() if k in keep}
        g.edges = {k: e for k, e in g.edges.items() if e.source in keep and e.target in keep}
        linked = {e.source for e in g.edges.values()} | {e.target for e in g.edges.values()}
        g.nodes = {k: v for k, v in g.nodes.items() if k in linked}

    # -- proposed matches (after bounding: they neither place nor keep a node) -----------

    def possibly_same(self) -> None:
        """Unreviewed proposals: a dashed edge between the drawn nodes they join, a note on
        a drawn node about the records it may be that are not drawn."""
        nodes = self.out.nodes
        for f in self.proposals:
            entities = list(dict.fromkeys(self.entity_of.get(i, i)
                                          for i in f.evidence.entity_ids))
            drawn = sorted(i for i in entities if i in nodes)
            if not drawn:
                continue
            self.out.findings[f.id] = f
            for a, b in zip(drawn, drawn[1:], strict=False):  # one chain of edges per proposal
                e = self.edge(a, b, SAME, "possibly the same", count=0)
                e.findings[f.id] = f.score
                e.probability = max(e.probability or 0.0, f.score)
            others = [self.by_id[i].caption for i in entities
                      if i not in nodes and i in self.by_id]
            if others:
                for nid in drawn:
                    nodes[nid].possibly[f.id] = (f.score, sorted(others))


def chain_graph(entities: Iterable[EntityProxy], findings: Iterable[Finding],
                roles: Mapping[str, str] | None = None, min_score: float = 0.5,
                per_stage: int = 16, min_ads: int = 10,
                account_names: Mapping[str, str] | None = None,
                merged: Mapping[str, str] | None = None) -> ChainGraph:
    """The case's chain as a graph: key entities per stage and the links between them.

    ``entities`` and ``findings`` as the workspace gives them (references to merged records
    point at their entity); ``roles``: subject roles set by investigators (entity id ->
    victim/suspect…); ``account_names``: IBAN -> the holder's name as other statements give
    it (for accounts whose own statement names no holder); ``merged``: record -> the entity a
    person merged it into (findings name records, so a proposal about a record since merged
    is drawn on its entity)."""
    b = _Builder(entities, findings, roles or {}, min_score, account_names or {}, merged or {})
    b.from_findings()
    b.from_holders()
    b.from_records()
    b.from_ads(min_ads)
    b.from_payments()
    for nid, role in (b.roles or {}).items():  # people the investigators marked
        if role == "victim" and nid in b.out.nodes:
            b.out.nodes[nid].subject_role = role
    b.bound(per_stage)
    b.possibly_same()
    return b.out


def sinks(graph: ChainGraph) -> list[str]:
    """The nodes where the proceeds end (accounts abroad, cash)."""
    return [n.id for n in graph.nodes.values() if n.role in SINKS]


def to_json(graph: ChainGraph, url: Any = lambda i: i) -> dict[str, Any]:
    """Nodes, edges and the findings they rest on, for the API."""
    used = {f for n in graph.nodes.values() for f in (*n.findings, *n.possibly)} | {
        f for e in graph.edges.values() for f in e.findings}
    return {
        "stages": list(STAGES),
        "nodes": [{"id": n.id, "label": n.label, "sub": n.sub, "schema": n.schema,
                   "role": n.role, "stage": n.stage, "ids": n.ids[:50],
                   "url": url(n.ids[0]) if n.ids else None, "iban": n.iban,
                   "country": n.country, "count": n.count,
                   "merged": n.merged[:50], "subject_role": n.subject_role,
                   "flagged": bool(n.findings), "score": round(n.score, 3),
                   "findings": sorted(n.findings, key=lambda f: -n.findings[f])[:10],
                   "possibly": [{"finding": fid, "score": score, "names": names[:5],
                                 "count": len(names)}
                                for fid, (score, names) in sorted(
                                    n.possibly.items(), key=lambda x: (-x[1][0], x[0]))[:10]]}
                  for n in graph.nodes.values()],
        "edges": [{"id": e.id, "source": e.source, "target": e.target, "label": e.label,
                   "kind": e.kind, "records": e.records[:20], "count": max(e.count, 1),
                   "amount": round(e.amount, 2) or None, "probability": e.probability,
                   "findings": sorted(e.findings)} for e in graph.edges.values()],
        "findings": [{"id": f.id, "kind": f.kind, "title": f.title, "score": f.score}
                     for fid, f in graph.findings.items() if fid in used],
        "sinks": sinks(graph),
    }


__all__ = ["ROLE_STAGE", "SAME", "SINKS", "ChainGraph", "Edge", "Node", "chain_graph", "sinks",
           "to_json"]
