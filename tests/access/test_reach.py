"""Who reaches a case, read in one query: its members by their role, an organisation it is
shared with (the whole case or some records), nobody else."""

from __future__ import annotations

from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.roles import Role
from veriga.workspace import Workspace


def test_members_organisations_shared_with_and_nobody_else(ws: Workspace) -> None:
    ws.directory.add_org("Partner", "police", "EE")
    ws.directory.add_org("Outsider", "police", "FI")
    whole = ws.cases.create("whole")
    some = ws.cases.create("some")
    ws.cases.share("whole", "Partner")
    ws.cases.share("some", "Partner", ["e1", "e2"])
    with ws.store.begin() as conn:
        me = directory.load_user(conn, username=ws.actor)
        partner = directory.get_org(conn, "Partner")["id"]
        outsider = directory.get_org(conn, "Outsider")["id"]
        found = case_access.reach(conn, "whole", me.id, me.org_id)
        assert found is not None
        row, role, shared, records = found
        assert row["id"] == whole["id"] and role is Role.INVESTIGATOR and not shared
        assert case_access.reach(conn, whole["id"], me.id, me.org_id)[0]["name"] == "whole"
        assert case_access.reach(conn, "whole", "someone", partner)[1:] == (None, True, None)
        assert case_access.reach(conn, some["id"], "someone", partner)[1:] == (
            None, True, frozenset({"e1", "e2"}))
        assert case_access.reach(conn, "some", "someone", outsider)[1:] == (None, False, None)
        assert case_access.reach(conn, "no such case", me.id, me.org_id) is None
