"""Cooperation: organisations, users, roles, case access, sharing, handling codes, minimisation.

The policy is declared once (:mod:`veriga.access.policy`) and enforced in the service layer
(:class:`veriga.workspace.Workspace`), so the CLI and the web application obey the same rules.
"""

from veriga.access.directory import User
from veriga.access.handling import Code, Handling
from veriga.access.policy import POLICY, Op, allows
from veriga.access.roles import CaseKind, OrgType, Role, SubjectRole

__all__ = ["POLICY", "CaseKind", "Code", "Handling", "Op", "OrgType", "Role", "SubjectRole",
           "User", "allows"]
