"""The case workspace: the service every interface (CLI, later web) calls.

It owns the store and the bulk records, knows who is acting and why, and writes an audit
entry for every read and write of personal data. Access control (roles, case membership,
minimisation) wraps these operations here, in the service layer, never only in an interface.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veriga.config import Settings, current_user, load_settings
from veriga.engine import Engine, get_engine
from veriga.errors import NotFound
from veriga.export import export_entities
from veriga.findings import Finding, ReviewState
from veriga.ingest import ImportRequest, ImportResult, run_imports
from veriga.model import EntityProxy
from veriga.model.records import RECORD_KINDS
from veriga.store import BulkStore, Store
from veriga.store.audit import ChainReport


@dataclass
class EntityView:
    """An entity with every statement and the source each came from."""

    entity: EntityProxy
    statements: list[dict[str, Any]]


class Workspace:
    """One user's session on a workspace (a store plus its bulk records)."""

    def __init__(
        self, settings: Settings | None = None, actor: str | None = None,
        purpose: str | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.settings.database_url)
        self.bulk = BulkStore(self.settings.bulk_dir)
        self.actor = actor or current_user()
        self.purpose = purpose

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _audit(self, conn: Any, action: str, case_id: str | None, target: str | None = None,
               **detail: Any) -> None:
        self.store.audit(conn, actor=self.actor, action=action, case_id=case_id,
                         purpose=self.purpose, target=target, detail=detail)

    # -- cases ---------------------------------------------------------------------------

    def create_case(self, name: str, description: str = "") -> dict:
        name = name.strip()
        if not name:
            raise ValueError("a case needs a name")
        with self.store.begin() as conn:
            case = self.store.create_case(conn, name, self.actor, description)
            self._audit(conn, "case.create", case["id"], name=name)
        return case

    def cases(self) -> list[dict]:
        with self.store.begin() as conn:
            return self.store.list_cases(conn)

    def case(self, name: str) -> dict:
        with self.store.begin() as conn:
            return self.store.get_case(conn, name)

    def sources(self, case: str) -> list[dict]:
        with self.store.begin() as conn:
            case_id = self.store.get_case(conn, case)["id"]
            return self.store.list_sources(conn, case_id)

    # -- import --------------------------------------------------------------------------

    def import_files(
        self, case: str, requests: Sequence[ImportRequest], strict: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[ImportResult]:
        case_id = self.case(case)["id"]
        return run_imports(self.store, self.bulk, case_id, requests, self.actor, self.purpose,
                           strict=strict, progress=progress)

    # -- entities ------------------------------------------------------------------------

    def entities(self, case: str, schemata: Sequence[str] | None = None) -> Iterator[EntityProxy]:
        """Every entity of the case (optionally of some schemata); the read is audited."""
        with self.store.begin() as conn:
            case_id = self.store.get_case(conn, case)["id"]
            self._audit(conn, "entity.list", case_id, schemata=list(schemata or []))
        with self.store.begin() as conn:
            yield from self.store.iter_entities(conn, case_id, schemata)

    def entity(self, case: str, entity_id: str) -> EntityView:
        with self.store.begin() as conn:
            case_id = self.store.get_case(conn, case)["id"]
            rows = self.store.entity_statements(conn, case_id, entity_id)
            if not rows:
                raise NotFound(f"no entity {entity_id!r} in case {case!r}")
            entity = next(self.store.iter_entities_by_id(conn, case_id, [entity_id]))
            self._audit(conn, "entity.read", case_id, target=entity_id)
        return EntityView(entity=entity, statements=rows)

    def export(self, case: str, fmt: str, out: Path) -> int:
        with self.store.begin() as conn:
            case_id = self.store.get_case(conn, case)["id"]
        with self.store.begin() as conn:
            count = export_entities(self.store.iter_entities(conn, case_id), fmt, out)
        with self.store.begin() as conn:
            self._audit(conn, "export", case_id, target=out.name, format=fmt, entities=count)
        return count

    # -- bulk records --------------------------------------------------------------------

    def engine(self, case: str, name: str = "duckdb") -> Engine:
        """An engine with one view per record kind over the case's committed Parquet files."""
        tables: dict[str, list[Path]] = {kind: [] for kind in RECORD_KINDS}
        for source in self.sources(case):
            for kind, rel in (source["bulk"] or {}).items():
                tables.setdefault(kind, []).append(self.bulk.path(rel))
        engine = get_engine(name)
        engine.register(tables, {k: v.schema for k, v in RECORD_KINDS.items()})
        return engine

    # -- findings and audit --------------------------------------------------------------

    def findings(self, case: str, kind: str | None = None) -> list[Finding]:
        with self.store.begin() as conn:
            case_id = self.store.get_case(conn, case)["id"]
            items = self.store.list_findings(conn, case_id, kind)
            self._audit(conn, "finding.list", case_id, kind=kind, count=len(items))
        return items

    def review(self, case: str, finding_id: str, state: ReviewState, reason: str) -> None:
        with self.store.begin() as conn:
            case_id = self.store.get_case(conn, case)["id"]
            self.store.review_finding(conn, case_id, finding_id, state, self.actor, reason)
            self._audit(conn, "finding.review", case_id, target=finding_id, state=state.value,
                        reason=reason)

    def audit_log(self, case: str | None = None) -> list[dict]:
        with self.store.begin() as conn:
            case_id = self.store.get_case(conn, case)["id"] if case else None
            rows = self.store.list_audit(conn, case_id)
            self._audit(conn, "audit.read", case_id)
        return rows

    def verify_audit(self) -> ChainReport:
        with self.store.begin() as conn:
            return self.store.verify_audit(conn)
