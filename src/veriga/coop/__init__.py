"""Cooperation: organisations, users, roles, case access, sharing, handling codes, minimisation.

The policy is declared once (:mod:`veriga.coop.policy`) and enforced in the service layer
(:class:`veriga.workspace.Workspace`), so the CLI and the web application obey the same rules.
"""

from veriga.coop.directory import User
from veriga.coop.handling import Code, Handling
from veriga.coop.policy import POLICY, Op, allows
from veriga.coop.roles import CaseKind, OrgType, Role, SubjectRole

__all__ = ["POLICY", "CaseKind", "Code", "Handling", "Op", "OrgType", "Role", "SubjectRole",
           "User", "allows"]
