"""Actions that would harm a victim: each fails an attempt whatever its score.

- exposing her identity to the suspect's side: a disclosure naming a victim to the defence,
  to a suspect, or to a party tied to the suspects (a relative, an associate);
- relying only on her testimony: an element of the offence whose every piece of evidence
  is testimony;
- treating her as an offender: a victim given an offender's role or proposed for
  prosecution.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from veriga.findings import N_, Text, nested
from veriga.training.simulation.submission import Submission
from veriga.training.simulation.vocab import (
    ELEMENTS,
    OFFENDER_ROLES,
    RECIPIENTS,
    SUSPECT_SIDE,
    TESTIMONY,
)

EXPOSES_VICTIM = "exposes_victim"
TESTIMONY_ONLY = "testimony_only"
VICTIM_AS_OFFENDER = "victim_as_offender"


def harms(key: Mapping[str, Any], answer: Submission) -> list[dict[str, Any]]:
    """Every harmful action of the answer: ``kind``, the entity or element, and a message
    (msgid with arguments)."""
    found: list[dict[str, Any]] = []
    identities = key["identities"]
    identity_of = key["entity_identity"]

    def victim(entity: str) -> str | None:
        identity = identity_of.get(entity)
        return identity if identity and identities[identity]["role"] == "victim" else None

    def suspect_side(recipient: str) -> bool:
        if recipient in SUSPECT_SIDE:
            return True
        identity = identity_of.get(recipient)
        if not identity:
            return False
        if identities[identity]["role"] in OFFENDER_ROLES:
            return True
        # a relative or namesake of an offender: tied to the suspects
        return any(identities.get(d, {}).get("role") in OFFENDER_ROLES
                   for d in identities[identity]["decoy_of"])

    for entity, recipient in answer.disclosures:
        who = victim(entity)
        if who and suspect_side(recipient):
            to = nested(Text(RECIPIENTS[recipient])) if recipient in RECIPIENTS \
                else identities[identity_of[recipient]]["name"]
            found.append({"kind": EXPOSES_VICTIM, "entity": entity, **Text(
                N_("You would disclose the identity of %(victim)s, a victim, to %(to)s: "
                   "it exposes the victim to reprisals and pressure."),
                {"victim": identities[who]["name"], "to": to}).to_dict()})
    for element, items in answer.evidence.items():
        if items and all(i.kind == TESTIMONY for i in items):
            found.append({"kind": TESTIMONY_ONLY, "element": element, **Text(
                N_("The %(element)s rests on the victim's testimony alone: the case falls "
                   "if the victim cannot or will not testify, and the victim bears its "
                   "whole weight."),
                {"element": nested(Text(ELEMENTS[element]))}).to_dict()})
    offenders = {e for e, role in answer.roles.items() if role in OFFENDER_ROLES}
    for entity in sorted(offenders | set(answer.prosecute)):
        who = victim(entity)
        if who:
            found.append({"kind": VICTIM_AS_OFFENDER, "entity": entity, **Text(
                N_("%(victim)s is a victim, and you treat the victim as an offender: victims "
                   "are not punished for what they were compelled to do."),
                {"victim": identities[who]["name"]}).to_dict()})
    return found
