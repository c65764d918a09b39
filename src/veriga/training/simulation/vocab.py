"""The fixed vocabularies of a case simulation: what a trainee may answer, and how it maps to
the simulator's ground truth.

Each value is an identifier (stored in submissions and keys); its English label is a msgid
(``N_``) the interfaces translate.
"""

from __future__ import annotations

from veriga.findings import N_

#: the roles a trainee gives the key entities (the chain roles of ``veriga.analysis``, as a
#: practitioner names them), with their labels
ROLES: dict[str, str] = {
    "recruiter": N_("recruiter"),
    "transporter": N_("transporter"),
    "controller": N_("controller"),
    "exploiter": N_("exploiter (employer, front company)"),
    "money_mule": N_("money mule"),
    "victim": N_("victim"),
    "lawful": N_("lawful party (decoy)"),
}
#: the roles that make an entity an offender (a victim given one is treated as an offender)
OFFENDER_ROLES = frozenset({"recruiter", "transporter", "controller", "exploiter",
                            "money_mule"})

#: the simulator's roles (people and companies) -> the role a trainee should give
TRUTH_ROLE: dict[str, str] = {
    "recruiter": "recruiter",
    "transporter": "transporter",
    "controller": "controller",
    "money_mule": "money_mule",
    "victim": "victim",
    "front_company": "exploiter",
    "decoy": "lawful",
    "lawful": "lawful",
}

#: the elements of the offence (Directive 2011/36/EU, Art. 2(1))
ELEMENTS: dict[str, str] = {
    "act": N_("act (recruitment, transport, harbouring, receipt)"),
    "means": N_("means (deception, coercion, abuse of vulnerability)"),
    "purpose": N_("purpose (exploitation)"),
}

EVIDENCE_KINDS: dict[str, str] = {
    "financial": N_("financial"),
    "digital": N_("digital"),
    "documentary": N_("documentary"),
    "testimony": N_("testimony"),
}
TESTIMONY = "testimony"

SAFEGUARDS: dict[str, str] = {
    "referral": N_("referral to specialised support"),
    "reflection_period": N_("recovery and reflection period"),
    "non_punishment": N_("non-punishment for offences the victim was compelled to commit"),
    "special_measures": N_("special measures in court (no visual contact, video hearing)"),
    "interpreter": N_("interpreter in the victim's language"),
    "identity_protection": N_("protection of the victim's identity and address"),
    "legal_aid": N_("free legal counselling and representation"),
    "compensation": N_("access to compensation"),
    "risk_assessment": N_("individual risk assessment"),
}

INSTRUMENTS: dict[str, str] = {
    "jit": N_("joint investigation team (JIT)"),
    "eio": N_("European Investigation Order (EIO)"),
    "europol_siena": N_("Europol (SIENA)"),
    "eurojust": N_("Eurojust"),
    "fiu_exchange": N_("exchange between FIUs (FIU.net)"),
    "aro": N_("asset recovery offices (ARO)"),
    "eaw": N_("European Arrest Warrant (EAW)"),
    "freezing_order": N_("freezing and confiscation order (Regulation 2018/1805)"),
    "labour_authority": N_("European Labour Authority (concerted inspection)"),
}

#: who a disclosure may go to: the defence and the suspects' side must never learn a
#: victim's identity or data from the investigation (``defence`` and ``suspect``)
RECIPIENTS: dict[str, str] = {
    "prosecutor": N_("prosecutor"),
    "court": N_("court"),
    "support_service": N_("support service (NGO)"),
    "partner_police": N_("partner police (JIT)"),
    "defence": N_("defence of a suspect"),
    "suspect": N_("a suspect or a suspect's associates"),
}
SUSPECT_SIDE = frozenset({"defence", "suspect"})

#: the parts of an answer that are graded, with their weights (they add up to 1)
COMPONENTS: dict[str, float] = {
    "roles": 0.25,
    "links": 0.15,
    "evidence": 0.25,
    "proceeds": 0.15,
    "safeguards": 0.10,
    "cooperation": 0.10,
}
COMPONENT_LABELS: dict[str, str] = {
    "roles": N_("roles of the key entities"),
    "links": N_("links between them"),
    "evidence": N_("evidence for each element"),
    "proceeds": N_("proceeds to confiscate"),
    "safeguards": N_("safeguards for victims"),
    "cooperation": N_("cooperation instruments"),
}
