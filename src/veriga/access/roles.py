"""Roles people hold and the kinds of organisation they work for."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    PROSECUTOR = "prosecutor"
    JUDGE = "judge"
    FINANCIAL_OFFICER = "financial_officer"  # FIU analyst or bank compliance officer
    LABOUR_INSPECTOR = "labour_inspector"
    NGO_WORKER = "ngo_worker"
    TRAINER = "trainer"
    TRAINEE = "trainee"
    DPO = "dpo"  # data-protection officer: reads and verifies the audit log


class OrgType(StrEnum):
    POLICE = "police"
    PROSECUTION = "prosecution"
    COURT = "court"
    FIU = "fiu"
    BANK = "bank"
    LABOUR_INSPECTORATE = "labour_inspectorate"
    NGO = "ngo"
    TRAINING = "training"
    OTHER = "other"


class CaseKind(StrEnum):
    INVESTIGATION = "investigation"
    TRAINING = "training"


class SubjectRole(StrEnum):
    """What a person is in a case; drives minimisation for NGO users."""

    VICTIM = "victim"
    SUSPECT = "suspect"
    WITNESS = "witness"
    OTHER = "other"


TRAINING_ONLY = frozenset({Role.TRAINER, Role.TRAINEE})


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}; roles: {known}") from None
