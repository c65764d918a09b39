"""The role briefing of an attempt: the situation, what is known, whom to assess, what to
deliver. Built from the key's public part only (names the case shows, never roles)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from veriga.findings import N_, Text, joined, nested
from veriga.training.simulation.spec import BRIEFING_ROLES
from veriga.training.simulation.vocab import COMPONENT_LABELS

SITUATIONS: dict[str, str] = {
    "sexual-exploitation": N_("Women from abroad are believed to be sexually exploited "
                              "through online ads in several countries."),
    "labour-exploitation": N_("Foreign workers are believed to be exploited on work sites "
                              "through a chain of recruiters and subcontractors."),
    "laundering": N_("A bank reported unusual flows through a network of accounts and "
                     "companies."),
}
ROLE_TASKS: dict[str, str] = {
    "investigator": N_("You lead the investigation. Establish who is who, how they are "
                       "linked, and the evidence for each element of the offence beyond "
                       "what the victims say."),
    "prosecutor": N_("You are the prosecutor. Decide which evidence will carry each "
                     "element of the offence in court and which cross-border instruments "
                     "you need."),
    "financial_officer": N_("You are the financial investigator. Follow the money: the "
                            "accounts to freeze, the proceeds to confiscate and the links "
                            "the money shows."),
    "labour_inspector": N_("You are the labour inspector. Establish who employs whom and "
                           "the documents that show the exploitation."),
    "ngo": N_("You support the victims. Decide which safeguards they are owed and who may "
              "learn their identity."),
}


def briefing(key: Mapping[str, Any], role: str, parts: Sequence[str],
             team: bool = False) -> dict[str, Any]:
    """What the trainee is told: ``situation`` and ``task`` (messages), ``known`` (messages),
    ``assess`` (entity id and name of each entity to assess), ``deliver`` (components)."""
    identities = key["identities"]
    scenarios = [op["scenario"] for op in key["operations"]] or [key["scenario"]]
    situation = [Text(SITUATIONS[s]).to_dict() for s in dict.fromkeys(scenarios)
                 if s in SITUATIONS]
    known: list[dict[str, Any]] = []
    victims = [i for i in key["assess"] if identities[i]["role"] == "victim"]
    if victims:
        known.append(Text(N_("%(victim)s came to a support service and told what "
                             "happened."), {"victim": identities[victims[0]]["name"]})
                     .to_dict())
    if key["leads"]:
        known.append(Text(N_("The police suspect %(names)s."), {"names": joined(
            [identities[i]["name"] for i in key["leads"]], ", ")}).to_dict())
    if key["countries"]:
        known.append(Text(N_("The people and accounts involved are tied to %(n)s countries: "
                             "%(countries)s."), {"n": len(key["countries"]),
                                                 "countries": ", ".join(key["countries"])})
                     .to_dict())
    known.append(Text(N_("The case holds what the banks, registers, websites, travel "
                         "companies and phone operators handed over, and the analyses have "
                         "run on it.")).to_dict())
    if team:
        known.append(Text(N_("Your team shares this case as a joint investigation team: "
                             "each member delivers their part.")).to_dict())
    return {
        "role": role,
        "role_label": BRIEFING_ROLES[role],
        "situation": situation,
        "task": Text(ROLE_TASKS[role]).to_dict(),
        "known": known,
        "assess": [{"entity": identities[i]["entities"][0], "name": identities[i]["name"],
                    "kind": identities[i]["kind"]} for i in key["assess"]],
        "deliver": [{"component": c, "label": nested(Text(COMPONENT_LABELS[c]))}
                    for c in parts],
    }
