"""Every role against every service operation, on its own and on a foreign case.

Expectations come from the declared policy (``veriga.access.policy.POLICY``); the calls go
through the real services. If a service forgets its check, or the policy changes without
the services following, a cell disagrees."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.policy import GLOBAL_OPS, Op, allows
from veriga.access.roles import TRAINING_ONLY, CaseKind, Role
from veriga.config import Settings
from veriga.errors import NotFound
from veriga.findings import Evidence, Finding, ReviewState
from veriga.ingest import ImportRequest
from veriga.workspace import PermissionDenied, Workspace

counter = itertools.count()


def _finding(n: int) -> Finding:
    return Finding(kind="test", score=0.5, explanation="matrix", detector="matrix",
                   detector_version="1", evidence=Evidence(entity_ids=[f"x{n}"]))


def _call(ws: Workspace, op: Op, case: str, kind: CaseKind, tmp: Path, finding_id: str):
    n = next(counter)
    if op is Op.CASE_CREATE:
        return ws.cases.create(f"new-{n}", kind=kind)
    if op is Op.USER_ADMIN:
        return ws.directory.add_org(f"org-{n}", "police", "FI")
    if op is Op.AUDIT_READ:
        return ws.audit.log(case)
    if op is Op.AUDIT_VERIFY:
        return ws.audit.verify()
    if op is Op.CASE_OPEN:
        return ws.records.sources(case)
    if op is Op.ENTITY_READ:
        return list(ws.entities.list(case))
    if op is Op.ENTITY_WRITE:
        return ws.entities.set_subject_role(case, "p-ivan", "suspect")
    if op is Op.IMPORT:
        path = tmp / f"import-{n}.ftm.json"
        path.write_text(f'{{"id": "m{n}", "schema": "Person", "properties": '
                        f'{{"name": ["Person {n}"]}}}}\n', encoding="utf-8")
        return ws.records.import_files(case, [ImportRequest(path)])
    if op is Op.EXPORT:
        return ws.exports.write(case, "ftm", tmp / f"export-{n}.json")
    if op is Op.FINDING_READ:
        return ws.findings.list(case)
    if op is Op.FINDING_REVIEW:
        return ws.findings.review(case, finding_id, ReviewState.CONFIRMED, "checked")
    if op is Op.ANALYZE:
        return ws.findings.save(case, [_finding(n)])
    if op is Op.CASE_MANAGE:
        return ws.cases.configure(case, False)
    if op is Op.TRAINING_LEARN:
        return ws.training.progress()
    if op is Op.TRAINING_MANAGE:
        return ws.training.cohorts()
    raise AssertionError(f"no call for {op}")


def _expected(role: Role, op: Op, kind: CaseKind, own: bool) -> bool:
    if op is Op.CASE_CREATE:
        return allows(role, op) and not (role in TRAINING_ONLY and kind is CaseKind.INVESTIGATION)
    if op in GLOBAL_OPS:
        return allows(role, op) and (own or op is not Op.AUDIT_READ)
    return own and allows(role, op, kind)


@pytest.mark.parametrize("kind", list(CaseKind))
def test_every_role_against_every_operation(tmp_path, db_url, examples, kind):
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    root = Workspace.local(settings, purpose="matrix", username="root")
    root.directory.add_org("Agency A", "police", "LV")
    root.directory.add_org("Agency B", "police", "EE")
    root.directory.add_user("owner-a", "Agency A", ["investigator", "trainer"])
    root.directory.add_user("owner-b", "Agency B", ["investigator", "trainer"])
    cases = {}
    for who, case in (("owner-a", "own"), ("owner-b", "foreign")):
        ws = root.as_user(who, purpose="setup")
        ws.cases.create(case, kind=kind)
        ws.records.import_files(case, [ImportRequest(examples["people"])])
        ws.findings.save(case, [_finding(-1)])
        cases[case] = ws.store.get_case
    finding_id = _finding(-1).id
    mismatches = []
    for role in Role:
        username = f"user-{role.value}"
        root.directory.add_user(username, "Agency A", [role.value])
        with root.store.begin() as conn:
            user = directory.load_user(conn, username=username)
            own_case = root.store.get_case(conn, "own")
            case_access.add_member(conn, own_case["id"], user.id, role, "matrix")
        ws = root.as_user(username, purpose="matrix test")
        for op in Op:
            for case, own in (("own", True), ("foreign", False)):
                if op in GLOBAL_OPS and op is not Op.AUDIT_READ and not own:
                    continue
                try:
                    _call(ws, op, case, kind, tmp_path, finding_id)
                    allowed = True
                except PermissionDenied:
                    allowed = False
                except NotFound:
                    allowed = False
                    if own and op is not Op.AUDIT_READ:
                        mismatches.append((role.value, op.value, case, "NotFound on own case"))
                if allowed != _expected(role, op, kind, own):
                    mismatches.append((role.value, op.value, case,
                                       "allowed" if allowed else "denied"))
    root.close()
    assert mismatches == []
