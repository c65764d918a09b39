"""The case store: cases, sources, statements with provenance, rejects, findings, audit."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
import typing
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from operator import itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from alembic import command
from alembic.config import Config
from followthemoney.exc import InvalidData
from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    Select,
    Text,
    cast,
    create_engine,
    delete,
    event,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError, OperationalError

from veriga.errors import NotFound, VerigaError
from veriga.findings import Evidence, Finding, Review, ReviewState
from veriga.findings import Text as Message
from veriga.model import EntityProxy, model, with_overlay
from veriga.store import audit as audit_log
from veriga.store.schema import (
    audit,
    audit_reads,
    cases,
    derived_values,
    findings,
    merges,
    rejects,
    saved_views,
    sources,
    statements,
    users,
)

CHUNK = 20_000
#: the types of the values a search reads (the trigram indexes' condition: the same list)
SEARCHED_TYPES = ("name", "phone", "iban", "email", "identifier")
ID_CHUNK = 500  # ids named in one statement (SQL parameters)


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


def statement_id(case_id: str, entity_id: str, prop: str, value: str, source_id: str) -> str:
    raw = f"{case_id}\x1f{entity_id}\x1f{prop}\x1f{value}\x1f{source_id}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache: bulk index inserts
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()
    # SQLite's own lower() folds ASCII letters only: a search for "иван" would miss "Иван"
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: Any) -> Any:
    """``lower()`` for SQLite as PostgreSQL has it: every letter, not only ASCII ones."""
    return value.lower() if isinstance(value, str) else value


def make_db(url: str) -> Engine:
    """A SQLAlchemy engine for a store URL (SQLite file or PostgreSQL)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url)
    event.listen(engine, "begin", _began)
    event.listen(engine, "before_cursor_execute", _executing)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_settings)
    return engine


#: Statements that change nothing (what a transaction may run and still be one that only
#: read, :func:`wrote`), unless they take a lock (:data:`_LOCKING`).
_READING = ("SELECT", "SHOW")
_LOCKING = re.compile(r"\bFOR (?:NO KEY )?(?:UPDATE|SHARE|KEY SHARE)\b|pg_advisory",
                      re.IGNORECASE)


def _began(conn: Connection) -> None:
    conn.info.pop("wrote", None)


def _executing(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if not statement.lstrip()[:6].upper().startswith(_READING) or _LOCKING.search(statement):
        conn.info["wrote"] = True


def wrote(conn: Connection) -> bool:
    """Whether ``conn``'s transaction has run anything but a SELECT that locks nothing so
    far (it may hold a lock an entry appended apart would wait for)."""
    return bool(conn.info.get("wrote"))


def _postgres_settings(dbapi_conn: Any, _record: Any) -> None:
    """A streamed read (a server-side cursor) is always read to its end here: planned for
    all its rows, not for the first tenth of them (PostgreSQL's default for cursors chose
    a plan that read a medium case's 26,000 payments and trips in 8.4 s, not 1.6 s)."""
    with dbapi_conn.cursor() as cur:
        cur.execute("SET cursor_tuple_fraction = 1.0")
    dbapi_conn.commit()


#: The largest view kept in the store for every server process (``VERIGA_KEPT_MB``).
MAX_KEPT_BYTES = int(float(os.environ.get("VERIGA_KEPT_MB", "256")) * 2**20)


class Store:
    """All persistent state of a workspace except the Parquet bulk records."""

    def __init__(self, url: str) -> None:
        self.url = url
        #: the SQL database (a SQLAlchemy engine; "engine" in Veriga means the DuckDB or Spark
        #: query engine over the bulk records, :mod:`veriga.engine`)
        self.db = make_db(url)
        self._audit_engine: Engine | None = None
        self._audit_lock = threading.Lock()
        self.migrate()

    def migrate(self) -> None:
        """Bring the database to the newest schema (Alembic ``upgrade head``)."""
        cfg = Config()
        location = resources.files("veriga.store") / "migrations"
        cfg.set_main_option("script_location", str(location))
        with self.db.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.db.dispose()
        if self._audit_engine is not None:
            self._audit_engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back entirely on any error."""
        with self.db.begin() as conn:
            yield conn

    # -- cases ---------------------------------------------------------------------------

    def create_case(self, conn: Connection, name: str, actor: str, description: str = "",
                    **settings: Any) -> dict[str, Any]:
        if conn.execute(select(cases.c.id).where(cases.c.name == name)).first():
            raise VerigaError(f"a case named {name!r} already exists")
        row = {
            "id": new_id("case"),
            "name": name,
            "description": description or None,
            "created_at": datetime.now(UTC),
            "created_by": actor,
            **settings,
        }
        conn.execute(cases.insert().values(**row))
        return dict(conn.execute(select(cases).where(cases.c.id == row["id"])).mappings().one())

    def update_case(self, conn: Connection, case_id: str, **values: Any) -> None:
        conn.execute(cases.update().where(cases.c.id == case_id).values(**values))

    def get_case(self, conn: Connection, name: str) -> dict[str, Any]:
        row = conn.execute(
            select(cases).where((cases.c.name == name) | (cases.c.id == name))
        ).mappings().first()
        if row is None:
            raise NotFound(f"no case named {name!r} (see 'veriga case list')")
        return dict(row)

    def list_cases(self, conn: Connection) -> list[dict[str, Any]]:
        counts = (
            select(sources.c.case_id, func.count().label("n"))
            .group_by(sources.c.case_id)
            .subquery()
        )
        query = (
            select(cases, func.coalesce(counts.c.n, 0).label("sources"))
            .outerjoin(counts, counts.c.case_id == cases.c.id)
            .order_by(cases.c.name)
        )
        return [dict(r) for r in conn.execute(query).mappings()]

    # -- sources, statements, rejects ----------------------------------------------------

    def find_source(self, conn: Connection, case_id: str, sha256: str) -> dict[str, Any] | None:
        row = conn.execute(
            select(sources).where(sources.c.case_id == case_id, sources.c.sha256 == sha256)
        ).mappings().first()
        return dict(row) if row else None

    def add_source(self, conn: Connection, row: dict[str, Any]) -> None:
        conn.execute(sources.insert().values(**row))

    def update_source(self, conn: Connection, source_id: str, **values: Any) -> None:
        conn.execute(sources.update().where(sources.c.id == source_id).values(**values))

    def bulk_files(self, conn: Connection, case_id: str) -> list[tuple[str, dict[str, str]]]:
        """(source id, its bulk files by record kind) of each of the case's sources: what a
        query engine over the case's records needs, without the rest of every source."""
        query = select(sources.c.id, sources.c.bulk).where(sources.c.case_id == case_id) \
            .order_by(sources.c.imported_at)
        return [(row.id, row.bulk or {}) for row in conn.execute(query)]

    def list_sources(self, conn: Connection, case_id: str, ids: Sequence[str] | None = None,
                     columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The case's sources in the order imported; ``ids``: only these; ``columns``: only
        these columns (a case's 1,500 files with every column cost more than a page needs)."""
        chosen = [sources.c[name] for name in columns] if columns is not None else [sources]
        query = select(*chosen).where(sources.c.case_id == case_id)
        if ids is not None:
            found: list[dict[str, Any]] = []
            for start in range(0, len(ids), ID_CHUNK):
                part = query.where(sources.c.id.in_(list(ids[start:start + ID_CHUNK])))
                found += _dicts(conn.execute(part))
            return found
        return _dicts(conn.execute(query.order_by(sources.c.imported_at)))

    def add_statements(self, conn: Connection, rows: Sequence[dict[str, Any]],
                       canonical: Mapping[str, Mapping[str, str]] | None = None) -> None:
        """Bulk insert through the driver (COPY on PostgreSQL): the import hot path. A record
        merged into another entity stays merged: its new statements take the canonical id
        (``canonical``: the :meth:`canonical_map` of the rows' cases, when the caller has
        read them already, as an import run does once for its many files)."""
        if not rows:
            return
        cases_of = {r["case_id"] for r in rows}
        if canonical is None or not cases_of <= canonical.keys():
            canonical = {case: self.canonical_map(conn, case) for case in cases_of}
        merged = {case: canonical[case] for case in cases_of if canonical[case]}
        if merged:
            rows = [{**r, "canonical_id": merged[r["case_id"]][r["entity_id"]]}
                    if r["entity_id"] in merged.get(r["case_id"], ()) else r for r in rows]
        getter = itemgetter(*STATEMENT_COLUMNS)
        _write_statements(conn, [getter(row) for row in rows])

    def add_statement_table(self, conn: Connection, table: pa.Table,
                            canonical: Mapping[str, Mapping[str, str]] | None = None) -> None:
        """:meth:`add_statements` for statements as columns (one per column of the
        ``statements`` table), as an import makes many entities of one shape; converted
        and written :data:`CHUNK` rows at a time."""
        if not table.num_rows:
            return
        cases_of = set(pc.unique(table["case_id"]).to_pylist())
        if canonical is None or not cases_of <= canonical.keys():
            canonical = {case: self.canonical_map(conn, case) for case in cases_of}
        merged = any(canonical[case] for case in cases_of)
        sqlite = conn.dialect.name == "sqlite"
        for start in range(0, table.num_rows, CHUNK):
            part = table.slice(start, CHUNK)
            columns = {n: (_sqlite_times(part[n]) if sqlite and n == "first_seen"
                           else part[n].to_pylist()) for n in STATEMENT_COLUMNS}
            if merged:
                columns["canonical_id"] = [
                    canonical[case].get(entity, entity) for case, entity in
                    zip(columns["case_id"], columns["entity_id"], strict=True)]
            _write_statements(conn, list(zip(*columns.values(), strict=True)),
                              times_as_text=sqlite)

    def add_rejects(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            conn.execute(rejects.insert(), list(rows[start : start + CHUNK]))

    def list_rejects(self, conn: Connection, source_id: str) -> list[dict[str, Any]]:
        query = select(rejects).where(rejects.c.source_id == source_id).order_by(rejects.c.id)
        return [dict(r) for r in conn.execute(query).mappings()]

    def count_statements(self, conn: Connection, case_id: str) -> int:
        query = select(func.count()).select_from(statements).where(statements.c.case_id == case_id)
        return int(conn.execute(query).scalar() or 0)

    # -- entities ------------------------------------------------------------------------

    def iter_entities(
        self, conn: Connection, case_id: str, schemata: Iterable[str] | None = None,
        exclude_sources: Collection[str] = (), only_ids: Collection[str] | None = None,
        props: Collection[str] | None = None,
    ) -> Iterator[EntityProxy]:
        """Assemble entities from their statements, grouped by canonical id (references to a
        merged record point at its canonical entity). ``only_ids``: the records shared (the
        statements of those records only, even when merged with others); ``props``: only
        these properties are read (a list page's columns)."""
        canonical_of = self.canonical_map(conn, case_id)
        query = select(
            statements.c.canonical_id, statements.c.schema, statements.c.prop,
            statements.c.value,
        ).where(statements.c.case_id == case_id)
        if props is not None:
            query = query.where(statements.c.prop.in_(list(props)))
        if exclude_sources:
            query = query.where(statements.c.source_id.not_in(list(exclude_sources)))
        if only_ids is not None:
            query = query.where(statements.c.entity_id.in_(list(only_ids)))
        if schemata is not None:
            names = with_overlay(schemata)  # a Payslip is listed with the Payments
            ids = select(statements.c.canonical_id).where(
                statements.c.case_id == case_id, statements.c.schema.in_(names)
            )
            query = query.where(statements.c.canonical_id.in_(ids))
        query = query.order_by(statements.c.canonical_id)
        current = ""  # the id of the rows collected (set with the first row)
        rows: list[Any] = []
        for row in conn.execute(query.execution_options(yield_per=CHUNK)):
            if row.canonical_id != current and rows:
                yield _assemble(current, rows, canonical_of)
                rows = []
            current = row.canonical_id
            rows.append(row)
        if rows:
            yield _assemble(current, rows, canonical_of)

    def count_entities(
        self, conn: Connection, case_id: str, exclude_sources: Collection[str] = (),
        exclude_ids: Collection[str] = (), only_ids: Collection[str] | None = None,
    ) -> dict[str, int]:
        """How many entities of each schema the case holds, counted in SQL (an entity
        stated under several schemata counts once, under their common one)."""
        pairs = select(statements.c.canonical_id.label("e"), statements.c.schema.label("s")
                       ).where(statements.c.case_id == case_id).distinct()
        if exclude_sources:
            pairs = pairs.where(statements.c.source_id.not_in(list(exclude_sources)))
        if only_ids is not None:
            pairs = pairs.where(statements.c.entity_id.in_(list(only_ids)))
        if exclude_ids:
            pairs = pairs.where(statements.c.canonical_id.not_in(list(exclude_ids)))
        found = pairs.subquery()
        per = select(found.c.e, func.min(found.c.s).label("s"),
                     func.count().label("n")).group_by(found.c.e).subquery()
        counts: Counter[str] = Counter()
        several = 0
        for schema, stated, n in conn.execute(select(per.c.s, per.c.n, func.count())
                                              .group_by(per.c.s, per.c.n)):
            if stated == 1:
                counts[schema] += n
            else:
                several += n
        if several:  # the few entities stated under several schemata: their common one
            schemata: dict[str, list[str]] = {}
            for entity_id, schema in conn.execute(select(found.c.e, found.c.s).where(
                    found.c.e.in_(select(per.c.e).where(per.c.n > 1)))):
                schemata.setdefault(entity_id, []).append(schema)
            for names in schemata.values():
                common = names[0]
                for name in names[1:]:
                    with contextlib.suppress(InvalidData):
                        common = model.common_schema(common, name).name
                counts[common] += 1
        return dict(counts)

    def value_counts(
        self, conn: Connection, case_id: str, schema: str, props: Sequence[str],
        exclude_sources: Collection[str] = (), exclude_ids: Collection[str] = (),
        only_ids: Collection[str] | None = None,
    ) -> dict[str, list[tuple[str, int]]]:
        """For each of ``props``: its values among the entities of ``schema`` and how many
        entities state each, most first (counted in SQL)."""
        n = func.count(statements.c.canonical_id.distinct())
        query = select(statements.c.prop, statements.c.value, n).where(
            statements.c.case_id == case_id, statements.c.schema == schema,
            statements.c.prop.in_(list(props)))
        if exclude_sources:
            query = query.where(statements.c.source_id.not_in(list(exclude_sources)))
        if exclude_ids:
            query = query.where(statements.c.canonical_id.not_in(list(exclude_ids)))
        if only_ids is not None:
            query = query.where(statements.c.entity_id.in_(list(only_ids)))
        query = query.group_by(statements.c.prop, statements.c.value)
        found: dict[str, list[tuple[str, int]]] = {p: [] for p in props}
        for prop, value, count in conn.execute(query):
            found[prop].append((value, int(count)))
        for values in found.values():
            values.sort(key=lambda item: (-item[1], item[0]))
        return found

    def iter_entities_by_id(
        self, conn: Connection, case_id: str, entity_ids: Sequence[str],
        exclude_sources: Collection[str] = (), only_records: Collection[str] | None = None,
        canonical_of: Mapping[str, str] | None = None, prop_types: Sequence[str] = (),
    ) -> Iterator[EntityProxy]:
        """The entities (by canonical id); ``only_records``: of the statements of these
        records only (a share of selected records, some of them merged with others).
        ``canonical_of``: the case's :meth:`canonical_map`, if the caller has read it in
        this transaction. ``prop_types``: only values of these types (an entity without
        any is left out)."""
        # distinct: a value read from many files (an account in every statement of it) is
        # one value of the entity; its sources are read where provenance is shown
        if canonical_of is None:
            canonical_of = self.canonical_map(conn, case_id)
        query = select(
            statements.c.canonical_id, statements.c.schema, statements.c.prop,
            statements.c.value,
        ).where(statements.c.case_id == case_id,
                statements.c.canonical_id.in_(entity_ids)).distinct()
        query = _of_files(query, exclude_sources, only_records)
        if prop_types:
            query = query.where(statements.c.prop_type.in_(list(prop_types)))
        rows: dict[str, list[Any]] = {}
        for row in conn.execute(query).all():  # one fetch: far faster than row by row
            rows.setdefault(row.canonical_id, []).append(row)
        for entity_id in entity_ids:
            if entity_id in rows:
                yield _assemble(entity_id, rows[entity_id], canonical_of)

    def present_ids(self, conn: Connection, case_id: str, entity_ids: Collection[str],
                    exclude_sources: Collection[str] = (),
                    only_records: Collection[str] | None = None) -> set[str]:
        """Which of the entities (canonical ids) have a value in the case's files not
        excluded (no value is read)."""
        if not entity_ids:
            return set()
        if self.db.dialect.name == "postgresql":  # the first value of each, not all of them
            ids = func.unnest(literal(sorted(entity_ids), ARRAY(Text))).table_valued(
                "id").render_derived(name="wanted")
            stated = _of_files(select(statements.c.canonical_id).where(
                statements.c.case_id == case_id, statements.c.canonical_id == ids.c.id),
                exclude_sources, only_records)
            return set(conn.execute(select(ids.c.id).where(stated.exists())).scalars())
        query = _of_files(select(statements.c.canonical_id).where(
            statements.c.case_id == case_id,
            statements.c.canonical_id.in_(sorted(entity_ids))).distinct(),
            exclude_sources, only_records)
        return set(conn.execute(query).scalars())

    # -- merges (entity resolution confirmed by a person) ----------------------------------

    def canonical_map(self, conn: Connection, case_id: str) -> dict[str, str]:
        """Every merged record of the case -> the canonical id of the entity it is part of."""
        rows = conn.execute(select(merges.c.entity_id, merges.c.canonical_id)
                            .where(merges.c.case_id == case_id))
        return {r.entity_id: r.canonical_id for r in rows}

    def with_members(self, conn: Connection, case_id: str, entity_ids: Iterable[str]
                     ) -> set[str]:
        """The ids and, for merged entities, the ids of every record merged into them."""
        ids = set(entity_ids)
        canonical_of = self.canonical_map(conn, case_id)
        if not canonical_of:
            return ids
        groups = {canonical_of.get(i, i) for i in ids}
        return ids | groups | {e for e, c in canonical_of.items() if c in groups}

    def merge_group(self, conn: Connection, case_id: str, entity_id: str) -> list[dict[str, Any]]:
        """The merge rows of the entity ``entity_id`` is part of (none if not merged)."""
        canonical = self.canonical_map(conn, case_id).get(entity_id, entity_id)
        rows = conn.execute(select(merges).where(merges.c.case_id == case_id,
                                                 merges.c.canonical_id == canonical)
                            .order_by(merges.c.entity_id)).mappings()
        return [dict(r) for r in rows]

    def merge(self, conn: Connection, case_id: str, entity_ids: Collection[str], actor: str,
              reason: str | None = None, finding_id: str | None = None) -> str:
        """Make the records (and the entities they are already part of) one entity; returns
        its canonical id, the smallest id among them. Statements keep their entity id."""
        canonical_of = self.canonical_map(conn, case_id)
        groups = {canonical_of.get(i, i) for i in entity_ids}
        members = set(entity_ids) | groups | {e for e, c in canonical_of.items() if c in groups}
        canonical = min(members)
        at = datetime.now(UTC)
        conn.execute(delete(merges).where(merges.c.case_id == case_id,
                                          merges.c.entity_id.in_(sorted(members))))
        conn.execute(merges.insert(), [
            {"case_id": case_id, "entity_id": m, "canonical_id": canonical, "merged_by": actor,
             "merged_at": at, "reason": reason, "finding_id": finding_id}
            for m in sorted(members)])
        conn.execute(statements.update().where(
            statements.c.case_id == case_id, statements.c.entity_id.in_(sorted(members)))
            .values(canonical_id=canonical))
        return canonical

    def split(self, conn: Connection, case_id: str, entity_id: str) -> list[str]:
        """Undo the merge ``entity_id`` is part of: every record is its own entity again, as
        before (returns their ids; none if it was not merged)."""
        members = [r["entity_id"] for r in self.merge_group(conn, case_id, entity_id)]
        if not members:
            return []
        conn.execute(delete(merges).where(merges.c.case_id == case_id,
                                          merges.c.entity_id.in_(members)))
        conn.execute(statements.update().where(
            statements.c.case_id == case_id, statements.c.entity_id.in_(members))
            .values(canonical_id=statements.c.entity_id))
        return members

    def linked_ids(self, conn: Connection, case_id: str, entity_ids: Collection[str],
                   exclude_sources: Collection[str] = (),
                   schemata: Sequence[str] = ()) -> set[str]:
        """Entities that refer to any of ``entity_ids`` (links, payments, ownerships...);
        ``schemata``: only those that do so in a statement of one of these schemata."""
        if not entity_ids:
            return set()
        referred = self.with_members(conn, case_id, entity_ids)  # refer to any merged record
        query = select(statements.c.canonical_id).where(
            statements.c.case_id == case_id, statements.c.prop_type == "entity",
            statements.c.value.in_(sorted(referred))).distinct()
        if schemata:
            query = query.where(statements.c.schema.in_(with_overlay(schemata)))
        if exclude_sources:
            query = query.where(statements.c.source_id.not_in(list(exclude_sources)))
        return set(conn.execute(query).scalars())

    def sharing(self, conn: Connection, case_id: str, entity_id: str,
                exclude_sources: Collection[str] = ()) -> list[tuple[str, str, str]]:
        """(other entity, type, value) for phones, IBANs, e-mails and identifiers that
        ``entity_id`` shares with other entities of the case."""
        mine = select(statements.c.prop_type, statements.c.value).where(
            statements.c.case_id == case_id, statements.c.canonical_id == entity_id,
            statements.c.prop_type.in_(["phone", "iban", "email", "identifier"])).distinct()
        values = [(r.prop_type, r.value) for r in conn.execute(mine)]
        out: list[tuple[str, str, str]] = []
        for prop_type, value in values:
            query = select(statements.c.canonical_id).where(
                statements.c.case_id == case_id, statements.c.prop_type == prop_type,
                statements.c.value == value, statements.c.canonical_id != entity_id).distinct()
            if exclude_sources:
                query = query.where(statements.c.source_id.not_in(list(exclude_sources)))
            out += [(other, prop_type, value) for other in conn.execute(query).scalars()]
        return out

    def refresh_statistics(self) -> None:
        """Let the planner see what an import added: PostgreSQL's (autovacuum may be off or
        late; without statistics some analyses plan a nested loop over all statements) and
        SQLite's (without any, it read an entity's values through the index of the case's
        schemata, every statement of the case: 0.16 s, not 0.2 ms, on a medium case)."""
        if self.db.dialect.name == "sqlite":
            with self.db.begin() as conn:
                analyse_sqlite(conn)
            return
        if self.db.dialect.name != "postgresql":
            return
        with self.db.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("statements", "sources", "rejects"):
                conn.exec_driver_sql(f"ANALYZE {table}")

    def identifying(self, conn: Connection, case_id: str
                    ) -> Iterator[tuple[str, str, str, str, str, str | None]]:
        """(entity, schema, property, type, value, romanised) of every value that can identify
        someone (names, phones, e-mails, identifiers, addresses), and of the entity links of
        ownerships, documents and online accounts (type ``entity``)."""
        query = select(statements.c.canonical_id, statements.c.schema, statements.c.prop,
                       statements.c.prop_type, statements.c.value, statements.c.latin).where(
            statements.c.case_id == case_id,
            statements.c.prop_type.in_(["name", "phone", "email", "identifier", "iban",
                                        "address"])
            | ((statements.c.prop_type == "entity") & statements.c.schema.in_(
                ["Ownership", "Passport", "Identification", "UserAccount"]))).distinct()
        canonical_of = self.canonical_map(conn, case_id)
        for row in conn.execute(query.execution_options(yield_per=CHUNK)):
            entity, schema, prop, prop_type, value, latin = tuple(row)
            if prop_type == "entity":  # a link to a merged record is to its entity
                value = canonical_of.get(value, value)
            yield entity, schema, prop, prop_type, value, latin

    def fingerprint(self, conn: Connection, case_id: str) -> tuple[Any, ...]:
        """What changes whenever the case's data changes: its revision, its sources."""
        revision = conn.execute(select(cases.c.revision).where(cases.c.id == case_id)).scalar()
        count, last = conn.execute(select(func.count(), func.max(sources.c.imported_at)).where(
            sources.c.case_id == case_id)).one()
        return (revision, count, str(last))

    def findings_version(self, conn: Connection, case_id: str) -> tuple[Any, ...]:
        """What changes whenever the case's findings change: how many, the newest saved,
        the latest review."""
        count, made, reviewed = conn.execute(select(
            func.count(), func.max(findings.c.created_at), func.max(findings.c.reviewed_at))
            .where(findings.c.case_id == case_id)).one()
        return (count, str(made), str(reviewed))

    def bump_revision(self, conn: Connection, case_id: str) -> None:
        """The case's data changed: a new revision, and no view made from the old data is
        kept (a file withdrawn or a record erased leaves none behind)."""
        conn.execute(cases.update().where(cases.c.id == case_id)
                     .values(revision=cases.c.revision + 1))
        conn.execute(derived_values.delete().where(derived_values.c.case_id == case_id))

    def derived_value(self, conn: Connection, case_id: str, slot: str, state: str
                      ) -> bytes | None:
        """A view kept in ``slot`` if it was made in ``state`` (see
        :data:`veriga.store.schema.derived_values`)."""
        value = conn.execute(select(derived_values.c.value).where(
            derived_values.c.case_id == case_id, derived_values.c.slot == slot,
            derived_values.c.state == state)).scalar()
        return bytes(value) if value is not None else None

    def keep_derived(self, case_id: str, slot: str, state: str, value: bytes,
                     revision: Any) -> None:
        """Keep a view made from the case's data at ``revision`` in ``slot``, in place of
        what it held; in a transaction of its own. Given up if the data changed since (the
        case's row is locked first: a change either comes before and is seen, or after and
        deletes it), if another process keeps one there at the same moment, or if it is
        larger than :data:`MAX_KEPT_BYTES` (each process then makes its own). The case's row
        is locked for share: a change waits for the views being kept, but views of other
        slots are kept side by side (locked for update, a trace kept by one user waited for
        the timeline another kept, tens of megabytes written)."""
        if len(value) > MAX_KEPT_BYTES:
            return
        try:
            with self.begin() as conn:
                now = conn.execute(select(cases.c.revision).where(cases.c.id == case_id)
                                   .with_for_update(read=True)).scalar()
                if now != revision:
                    return
                conn.execute(derived_values.delete().where(
                    derived_values.c.case_id == case_id, derived_values.c.slot == slot))
                conn.execute(derived_values.insert().values(
                    case_id=case_id, slot=slot, state=state, value=value,
                    made_at=datetime.now(UTC)))
        except (IntegrityError, OperationalError):  # kept by the other, or locked
            pass

    def claim_derived(self, case_id: str, slot: str, state: str, revision: Any) -> bool:
        """Take ``slot`` for work on the case's data in ``state`` (an empty value marks it):
        True for the one caller, of every server process, that takes it while the data are
        in that state; False if it was taken in that state already, or the data changed
        since ``revision``. A change of the data (:meth:`bump_revision`) frees it."""
        try:
            with self.begin() as conn:
                now = conn.execute(select(cases.c.revision).where(cases.c.id == case_id)
                                   .with_for_update()).scalar()
                if now != revision:
                    return False
                taken = conn.execute(select(derived_values.c.state).where(
                    derived_values.c.case_id == case_id,
                    derived_values.c.slot == slot)).scalar()
                if taken == state:
                    return False
                conn.execute(derived_values.delete().where(
                    derived_values.c.case_id == case_id, derived_values.c.slot == slot))
                conn.execute(derived_values.insert().values(
                    case_id=case_id, slot=slot, state=state, value=b"",
                    made_at=datetime.now(UTC)))
        except (IntegrityError, OperationalError):  # taken by another at the same moment
            return False
        return True

    def search(self, conn: Connection, case_id: str, text: str, schemata: Sequence[str] = (),
               limit: int = 50, exclude_sources: Collection[str] = ()) -> list[str]:
        """Entities whose name (or its romanised form) or an identifier contains ``text``,
        in a statement of a source not excluded."""
        query = self.search_query(case_id, text, schemata, limit, exclude_sources)
        return list(conn.execute(query).scalars())

    def search_query(self, case_id: str, text: str, schemata: Sequence[str] = (),
                     limit: int = 50, exclude_sources: Collection[str] = ()) -> Select[Any]:
        """The query of :meth:`search` (on PostgreSQL it reads the trigram indexes of the
        searched values: migration 0017)."""
        like = f"%{text.strip().lower()}%"
        query = select(statements.c.canonical_id).where(
            statements.c.case_id == case_id,
            statements.c.prop_type.in_(list(SEARCHED_TYPES)),
            func.lower(statements.c.value).like(like) | func.lower(statements.c.latin)
            .like(like)).distinct().limit(limit)
        if schemata:
            query = query.where(statements.c.schema.in_(with_overlay(schemata)))
        if exclude_sources:
            query = query.where(statements.c.source_id.not_in(list(exclude_sources)))
        return query

    def source_files(self, conn: Connection, case_id: str, entity_ids: Collection[str],
                     exclude_sources: Collection[str] = ()) -> dict[str, list[str]]:
        """The names of the files that state something of each entity, sorted."""
        if not entity_ids:
            return {}
        query = select(statements.c.canonical_id, sources.c.file_name).join(
            sources, sources.c.id == statements.c.source_id).where(
            statements.c.case_id == case_id,
            statements.c.canonical_id.in_(list(entity_ids))).distinct()
        if exclude_sources:
            query = query.where(statements.c.source_id.not_in(list(exclude_sources)))
        found: dict[str, set[str]] = {}
        for entity_id, name in conn.execute(query):
            found.setdefault(entity_id, set()).add(name)
        return {k: sorted(v) for k, v in found.items()}

    def save_view(self, conn: Connection, case_id: str, kind: str, name: str, state: Any,
                  by: str) -> str:
        view_id = new_id("view")
        conn.execute(saved_views.insert().values(
            id=view_id, case_id=case_id, kind=kind, name=name, state=state, created_by=by,
            created_at=datetime.now(UTC)))
        return view_id

    def list_views(self, conn: Connection, case_id: str, kind: str) -> list[dict[str, Any]]:
        query = select(saved_views.c.id, saved_views.c.name, saved_views.c.created_by,
                       saved_views.c.created_at).where(
            saved_views.c.case_id == case_id, saved_views.c.kind == kind
        ).order_by(saved_views.c.created_at.desc())
        return [dict(r) for r in conn.execute(query).mappings()]

    def get_view(self, conn: Connection, case_id: str, view_id: str) -> dict[str, Any]:
        row = conn.execute(select(saved_views).where(
            saved_views.c.case_id == case_id, saved_views.c.id == view_id)).mappings().first()
        if row is None:
            raise NotFound(f"no saved view {view_id!r} in this case")
        return dict(row)

    def delete_view(self, conn: Connection, case_id: str, view_id: str) -> None:
        conn.execute(saved_views.delete().where(saved_views.c.case_id == case_id,
                                                saved_views.c.id == view_id))

    def entity_sources(self, conn: Connection, case_id: str) -> dict[str, set[str]]:
        """The sources each entity's statements come from."""
        query = select(statements.c.canonical_id, statements.c.source_id).where(
            statements.c.case_id == case_id).distinct()
        result: dict[str, set[str]] = {}
        for row in conn.execute(query.execution_options(yield_per=CHUNK)):
            result.setdefault(row.canonical_id, set()).add(row.source_id)
        return result

    def entity_statements(self, conn: Connection, case_id: str, entity_id: str
                          ) -> list[dict[str, Any]]:
        """Every statement of an entity with the source it came from."""
        return self.entities_statements(conn, case_id, [entity_id]).get(entity_id, [])

    def entities_statements(self, conn: Connection, case_id: str, entity_ids: Iterable[str]
                            ) -> dict[str, list[dict[str, Any]]]:
        """:meth:`entity_statements` of several entities, by entity, in few queries."""
        wanted = sorted(set(entity_ids))
        out: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(wanted), ID_CHUNK):
            part = wanted[start:start + ID_CHUNK]
            for row in conn.execute(self._statements_of(case_id, part)).mappings():
                out.setdefault(row["canonical_id"], []).append(dict(row))
        return out

    @staticmethod
    def _statements_of(case_id: str, entity_ids: Sequence[str]) -> Any:
        where = statements.c.canonical_id == entity_ids[0] if len(entity_ids) == 1 \
            else statements.c.canonical_id.in_(entity_ids)
        return (
            select(
                statements,
                sources.c.file_name,
                sources.c.sha256,
                sources.c.importer,
                sources.c.importer_version,
                sources.c.imported_at,
            )
            .join(sources, sources.c.id == statements.c.source_id)
            .where(statements.c.case_id == case_id, where)
            .order_by(statements.c.canonical_id, statements.c.prop, statements.c.value)
        )

    # -- findings ------------------------------------------------------------------------

    def save_findings(self, conn: Connection, case_id: str, items: Iterable[Finding]) -> int:
        """Insert new findings; a finding already stored keeps its review."""
        existing = set(
            conn.execute(select(findings.c.id).where(findings.c.case_id == case_id)).scalars()
        )
        now = datetime.now(UTC)
        rows = []
        for f in items:
            if f.id in existing:
                continue
            existing.add(f.id)
            data = f.to_dict()
            rows.append({
                "case_id": case_id, "id": f.id, "kind": f.kind, "score": f.score,
                "title": f.title, "explanation": f.explanation, "citation": f.citation,
                "evidence": data["evidence"], "detector": f.detector,
                "detector_version": f.detector_version, "state": f.review.state.value,
                "reviewed_by": f.review.by, "reviewed_at": f.review.at,
                "review_reason": f.review.reason, "created_at": now,
                "message": f.messages(), "details": f.details,
            })
        if rows:
            conn.execute(findings.insert(), rows)
        return len(rows)

    def replace_findings(
        self, conn: Connection, case_id: str, detector_prefix: str, items: Iterable[Finding]
    ) -> tuple[int, int]:
        """Save a re-run's findings in place of the unreviewed ones of earlier runs.

        Reviewed findings always stay as they were reviewed, so a confirmation or dismissal
        is never lost. Returns (saved, no longer found).
        """
        items = list(items)
        keep = {f.id for f in items}
        unreviewed = list(conn.execute(
            select(findings.c.id).where(
                findings.c.case_id == case_id,
                findings.c.detector.like(detector_prefix + "%"),
                findings.c.state == ReviewState.NEW.value,
            )
        ).scalars())
        for start in range(0, len(unreviewed), 500):  # re-saved below with today's wording
            conn.execute(findings.delete().where(
                findings.c.case_id == case_id,
                findings.c.id.in_(unreviewed[start:start + 500])))
        stale = [i for i in unreviewed if i not in keep]
        return self.save_findings(conn, case_id, items), len(stale)

    def list_findings(
        self, conn: Connection, case_id: str, kind: str | None = None,
        entity_id: str | None = None, finding_id: str | None = None,
    ) -> list[Finding]:
        query = select(findings).where(findings.c.case_id == case_id)
        if finding_id:
            query = query.where(findings.c.id == finding_id)
        if kind:
            query = query.where(findings.c.kind == kind)
        wanted = self.with_members(conn, case_id, [entity_id]) if entity_id else set()
        if wanted:  # narrowed in SQL, checked exactly below (findings on any merged record)
            query = query.where(or_(*(cast(findings.c.evidence, Text).contains(i)
                                      for i in sorted(wanted))))
        query = query.order_by(findings.c.score.desc(), findings.c.id)
        items = [_finding(r) for r in conn.execute(query).mappings()]
        if wanted:
            items = [f for f in items if wanted & set(f.evidence.entity_ids)]
        return items

    def findings_by_kind(self, conn: Connection, case_id: str
                         ) -> list[tuple[Finding, dict[str, int]]]:
        """The first finding of each kind (as :meth:`list_findings` orders them: the highest
        score) with how many of the kind are in each review state, counted in SQL."""
        counts: dict[str, dict[str, int]] = {}
        for kind, state, n in conn.execute(
                select(findings.c.kind, findings.c.state, func.count())
                .where(findings.c.case_id == case_id)
                .group_by(findings.c.kind, findings.c.state)):
            counts.setdefault(kind, {})[state] = n
        ranked = select(findings.c.id, func.row_number().over(
            partition_by=findings.c.kind, order_by=(findings.c.score.desc(), findings.c.id))
            .label("r")).where(findings.c.case_id == case_id).subquery()
        first = conn.execute(select(findings).where(
            findings.c.case_id == case_id,
            findings.c.id.in_(select(ranked.c.id).where(ranked.c.r == 1)))).mappings()
        return [(found, counts.get(found.kind, {})) for found in map(_finding, first)]

    def finding_reviews(self, conn: Connection, case_id: str) -> dict[str, Review]:
        """The review of every finding of the case, by id."""
        return {r.id: Review(ReviewState(r.state), r.reviewed_by, r.reviewed_at, r.review_reason)
                for r in conn.execute(select(
                    findings.c.id, findings.c.state, findings.c.reviewed_by,
                    findings.c.reviewed_at, findings.c.review_reason)
                    .where(findings.c.case_id == case_id))}

    def review_finding(
        self, conn: Connection, case_id: str, finding_id: str, state: ReviewState,
        by: str, reason: str,
    ) -> None:
        if not reason.strip():
            raise VerigaError("a review needs a reason")
        result = conn.execute(
            findings.update()
            .where(findings.c.case_id == case_id, findings.c.id == finding_id)
            .values(state=state.value, reviewed_by=by, reviewed_at=datetime.now(UTC),
                    review_reason=reason)
        )
        if result.rowcount == 0:
            raise NotFound(f"no finding {finding_id!r} in this case")

    # -- audit ---------------------------------------------------------------------------

    def audit(self, conn: Connection, **entry: Any) -> str:
        return audit_log.append(conn, **entry)

    def audit_apart(self, conn: Connection, **entry: Any) -> bool:
        """Append an entry in a transaction of its own, committed when this returns
        (:func:`veriga.store.audit.append_apart`), if ``conn``'s transaction has written
        nothing yet (it may hold the chain's lock) and the store is PostgreSQL; False if not
        (SQLite's one writer at a time may be ``conn``'s transaction): append in it then."""
        if self.db.dialect.name != "postgresql" or wrote(conn):
            return False
        with self._audit_db().connect() as conn:
            audit_log.append_apart(conn, **entry)
        return True

    def _audit_db(self) -> Engine:
        """Connections in autocommit for entries appended apart, as many as the store's
        own: every thread in a transaction finds one (a pool of four made the threads of a
        busy server queue for them)."""
        with self._audit_lock:
            if self._audit_engine is None:
                self._audit_engine = create_engine(  # (the default pool, as the store's)
                    self.db.url, isolation_level="AUTOCOMMIT")
            return self._audit_engine

    def list_audit(self, conn: Connection, case_id: str | None = None,
                   org_id: str | None = None) -> list[dict[str, Any]]:
        """Audit entries in order: of one case, or all. With ``org_id`` only those of the
        cases the organisation owns and those written by its users."""
        query = select(audit).order_by(audit.c.seq)
        if case_id is not None:
            query = query.where(audit.c.case_id == case_id)
        if org_id is not None:
            owned = select(cases.c.id).where(cases.c.owner_org_id == org_id)
            staff = select(users.c.username).where(users.c.org_id == org_id)
            query = query.where(audit.c.case_id.in_(owned) | audit.c.actor.in_(staff))
        return [dict(r) for r in conn.execute(query).mappings()]

    def audit_seqs_reading(self, conn: Connection, entity_id: str) -> set[int]:
        """The audit entries whose reads reached this entity."""
        query = select(audit_reads.c.seq).where(audit_reads.c.entity_id == entity_id)
        return set(conn.execute(query).scalars())

    def verify_audit(self, conn: Connection, anchor: audit_log.Anchor | None = None
                     ) -> audit_log.ChainReport:
        """Verify the whole chain, the reads it covers and, if given, the anchor."""
        # the chain up to its head now: entries others commit meanwhile (with their reads)
        # are left to the next verification, whatever the isolation level
        top = conn.execute(select(func.max(audit.c.seq))).scalar() or 0
        # statement options: conn.execution_options() would stream every later statement
        rows = conn.execute(select(audit).where(audit.c.seq <= top).order_by(audit.c.seq)
                            .execution_options(yield_per=CHUNK))
        reads = conn.execute(select(audit_reads).where(audit_reads.c.seq <= top)
                             .order_by(audit_reads.c.seq).execution_options(yield_per=CHUNK))
        # RowMapping's type admits Column keys too; these rows are keyed by column name
        return audit_log.verify((typing.cast(Mapping[str, Any], r._mapping) for r in rows),
                                (typing.cast(Mapping[str, Any], r._mapping) for r in reads),
                                anchor, legacy_gaps=conn.dialect.name == "postgresql")


STATEMENT_COLUMNS = [c.name for c in statements.columns]


def _dicts(result: CursorResult[Any]) -> list[dict[str, Any]]:
    """The rows of ``result`` as dicts (the keys read once: a row's own mapping reads
    them again for every row, which cost a case of 14,000 files a third of a second)."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _write_statements(conn: Connection, rows: Sequence[tuple[Any, ...]],
                      times_as_text: bool = False) -> None:
    """Statement rows (values in the order of :data:`STATEMENT_COLUMNS`) through the driver:
    COPY on PostgreSQL; on SQLite in :data:`CHUNK`s, ``first_seen`` as the dialect keeps it
    (``times_as_text``: the rows hold it so already)."""
    names = ", ".join(STATEMENT_COLUMNS)
    if conn.dialect.name == "postgresql":
        # psycopg's own connection under SQLAlchemy's (typed as possibly none): COPY
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY statements ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO statements ({names}) VALUES ({', '.join('?' for _ in STATEMENT_COLUMNS)})"
    if times_as_text:
        for start in range(0, len(rows), CHUNK):
            conn.exec_driver_sql(sql, rows[start : start + CHUNK])
        return
    at = STATEMENT_COLUMNS.index("first_seen")
    times: dict[datetime, str] = {}
    for start in range(0, len(rows), CHUNK):
        batch = []
        for row in rows[start : start + CHUNK]:
            seen = row[at]
            if seen not in times:
                times[seen] = _sqlite_time(seen)
            batch.append((*row[:at], times[seen], *row[at + 1:]))
        conn.exec_driver_sql(sql, batch)


def _sqlite_times(column: pa.ChunkedArray) -> list[str]:
    """A timestamp column as :func:`_sqlite_time` writes each value: converted once per
    distinct time (an import's rows share one), not once per row."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    texts = pa.array([_sqlite_time(t) for t in encoded.dictionary.to_pylist()], pa.string())
    rows: list[str] = texts.take(encoded.indices).to_pylist()
    return rows


def _sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite dialect stores it (naive UTC text)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


_Query = typing.TypeVar("_Query", bound=Select[Any])


def _of_files(query: _Query, exclude_sources: Collection[str],
              only_records: Collection[str] | None) -> _Query:
    """``query`` of statements narrowed to the files not excluded and, for a share of
    selected records, to those records' statements."""
    if exclude_sources:
        query = query.where(statements.c.source_id.not_in(list(exclude_sources)))
    if only_records is not None:
        query = query.where(statements.c.entity_id.in_(list(only_records)))
    return query


#: Rows of each index SQLite's ANALYZE reads (its statistics from a sample: a large
#: store's are made in a fraction of a second, and are as good for choosing an index).
SQLITE_ANALYSIS_LIMIT = 5000


def analyse_sqlite(conn: Connection) -> None:
    """SQLite's statistics of every table and index, from a sample of each."""
    conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
    conn.exec_driver_sql("ANALYZE")


def _assemble(entity_id: str, rows: list[Any],
              canonical_of: Mapping[str, str] | None = None) -> EntityProxy:
    schema = model[rows[0].schema]
    for row in rows[1:]:
        if row.schema != schema.name:
            # Incompatible schemata (a merge gone wrong) keep the first one.
            with contextlib.suppress(InvalidData):
                schema = model.common_schema(schema, row.schema)
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for row in rows:
        prop = proxy.schema.properties.get(row.prop)
        if prop is not None:
            value = row.value
            if canonical_of and prop.type.name == "entity":
                value = canonical_of.get(value, value)
            proxy.unsafe_add(prop, value, cleaned=True)
    return proxy


def _finding(row: Any) -> Finding:
    review = Review(
        state=ReviewState(row["state"]), by=row["reviewed_by"], at=row["reviewed_at"],
        reason=row["review_reason"],
    )
    evidence = row["evidence"]
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    messages = row.get("message") or {}
    if isinstance(messages, str):
        messages = json.loads(messages)
    details = row.get("details")
    if isinstance(details, str):
        details = json.loads(details)
    found = Finding(
        id=row["id"], kind=row["kind"], score=row["score"], title=row["title"],
        explanation=row["explanation"], citation=row["citation"],
        evidence=Evidence.from_dict(evidence), detector=row["detector"],
        detector_version=row["detector_version"], review=review,
        message=Message.from_json(messages.get("explanation")),
        title_message=Message.from_json(messages.get("title")),
    )
    found.details = details  # JSON as stored: nothing to normalise
    return found
