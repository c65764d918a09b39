"""The declared access policy: which role may do which operation.

One table, read by the services that enforce it and by the test that tries every role
against every operation, so the two cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from veriga.access.roles import TRAINING_ONLY, CaseKind, Role

R = Role


class Op(StrEnum):
    # global operations: checked against the roles a user holds
    CASE_CREATE = "case.create"
    USER_ADMIN = "user.admin"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    # case operations: checked against the user's role in that case
    CASE_OPEN = "case.open"
    ENTITY_READ = "entity.read"
    ENTITY_WRITE = "entity.write"
    IMPORT = "import"
    EXPORT = "export"
    FINDING_READ = "finding.read"
    FINDING_REVIEW = "finding.review"
    ANALYZE = "analyze"
    CASE_MANAGE = "case.manage"
    # the training programme (global): learning, and running cohorts and exercises
    TRAINING_LEARN = "training.learn"
    TRAINING_MANAGE = "training.manage"


READERS = {R.INVESTIGATOR, R.ANALYST, R.PROSECUTOR, R.JUDGE, R.FINANCIAL_OFFICER,
           R.LABOUR_INSPECTOR, R.NGO_WORKER, R.TRAINER, R.TRAINEE}
WORKERS = {R.INVESTIGATOR, R.ANALYST, R.FINANCIAL_OFFICER, R.LABOUR_INSPECTOR, R.TRAINER,
           R.TRAINEE}

POLICY: dict[Op, frozenset[Role]] = {
    Op.CASE_CREATE: frozenset({R.ADMINISTRATOR, R.INVESTIGATOR, R.ANALYST, R.PROSECUTOR,
                               R.FINANCIAL_OFFICER, R.LABOUR_INSPECTOR, R.TRAINER}),
    Op.USER_ADMIN: frozenset({R.ADMINISTRATOR}),
    Op.AUDIT_READ: frozenset({R.ADMINISTRATOR, R.DPO}),
    Op.AUDIT_VERIFY: frozenset({R.ADMINISTRATOR, R.DPO}),
    Op.CASE_OPEN: frozenset(READERS | {R.ADMINISTRATOR}),
    Op.ENTITY_READ: frozenset(READERS),
    Op.ENTITY_WRITE: frozenset(WORKERS | {R.PROSECUTOR}),
    Op.IMPORT: frozenset(WORKERS),
    Op.EXPORT: frozenset({R.INVESTIGATOR, R.ANALYST, R.PROSECUTOR, R.FINANCIAL_OFFICER,
                          R.LABOUR_INSPECTOR, R.TRAINER}),
    Op.FINDING_READ: frozenset(READERS),
    Op.FINDING_REVIEW: frozenset(WORKERS | {R.PROSECUTOR}),
    Op.ANALYZE: frozenset(WORKERS),
    Op.CASE_MANAGE: frozenset({R.ADMINISTRATOR, R.INVESTIGATOR, R.PROSECUTOR, R.TRAINER}),
    # every practitioner the programme trains may learn; trainers run it
    Op.TRAINING_LEARN: frozenset(READERS),
    Op.TRAINING_MANAGE: frozenset({R.ADMINISTRATOR, R.TRAINER}),
}

GLOBAL_OPS = frozenset({Op.CASE_CREATE, Op.USER_ADMIN, Op.AUDIT_READ, Op.AUDIT_VERIFY,
                        Op.TRAINING_LEARN, Op.TRAINING_MANAGE})


def allows(role: Role, op: Op, case_kind: CaseKind | None = None) -> bool:
    """Whether ``role`` may perform ``op`` (on a case of ``case_kind`` for case operations).

    Trainers and trainees work only on training cases.
    """
    if role not in POLICY[op]:
        return False
    return not (
        op not in GLOBAL_OPS and role in TRAINING_ONLY and case_kind is not CaseKind.TRAINING
    )
