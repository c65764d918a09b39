"""``ws.saved_views``: views of a case saved by its investigators (a network layout, a
timeline filter...), as the reader may see them."""

from __future__ import annotations

import builtins
from typing import Any

from veriga.access.policy import Op, allows
from veriga.workspace.context import PermissionDenied
from veriga.workspace.part import Part


class SavedViews(Part):
    def save(self, case: str, kind: str, name: str, state: Any) -> str:
        with self.ws.case(case, Op.ENTITY_READ) as access:
            if access.minimiser is not None:  # what they typed never turns into a pseudonym
                name, state = access.minimiser.withhold([name, state])
            view_id = self.ws.store.save_view(access.conn, access.case_id, kind, name, state,
                                              self.ws.actor)
            access.audit("view.save", view_id, kind=kind)
        return view_id

    def list(self, case: str, kind: str) -> builtins.list[dict[str, Any]]:
        """The saved views of the case (names and authors); the listing is audited."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            rows = self.ws.store.list_views(access.conn, access.case_id, kind)
            access.audit("view.list", kind=kind, count=len(rows))
        return list(access.shown(rows))

    def get(self, case: str, view_id: str) -> dict[str, Any]:
        """A saved view with its state (ids, phones... minimised for the reader); audited."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            row = self.ws.store.get_view(access.conn, access.case_id, view_id)
            access.audit("view.read", view_id)
        return dict(access.shown(row))

    def delete(self, case: str, view_id: str) -> None:
        """Delete a saved view (the undo of saving it): by its author or a case manager."""
        with self.ws.case(case, Op.ENTITY_READ) as access:
            row = self.ws.store.get_view(access.conn, access.case_id, view_id)
            if row["created_by"] != self.ws.actor and not allows(access.role, Op.CASE_MANAGE,
                                                                  access.kind):
                raise PermissionDenied(f"the view was saved by {row['created_by']}: they or "
                                       "a case manager may delete it")
            self.ws.store.delete_view(access.conn, access.case_id, view_id)
            access.audit("view.delete", view_id, kind=row["kind"])
