"""Search by part of a name or identifier without reading every statement of the case: on
PostgreSQL, trigram indexes (``pg_trgm``) of the searched values (a medium case's search
read 470,000 statements, a large one's ten times more). SQLite reads them as before.

Where the extension cannot be installed (a server whose user may not), the migration
leaves the search as it was and says so.

Revision ID: 0017
Revises: 0016
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

#: the statements :meth:`veriga.store.Store.search` reads (the same list: the planner
#: proves the index's condition from the query's)
SEARCHED = "prop_type IN ('name', 'phone', 'iban', 'email', 'identifier')"
INDEXES = {"ix_statements_search_value": "value", "ix_statements_search_latin": "latin"}


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema of the ``pg_trgm`` extension, installed in ``public`` if it is not yet
    (never in a case store's own schema, whose removal would take it along)."""
    found = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'").scalar()
    if found is not None:
        return str(found)
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except sa.exc.DBAPIError as exc:
        log.warning("search without trigram indexes: the pg_trgm extension could not be "
                    "installed (%s); ask the database administrator to install it",
                    str(exc.orig).splitlines()[0] if exc.orig else exc)
        return None
    return "public"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trigram_schema(bind)
    if schema is None:
        return
    ops = f'"{schema}".gin_trgm_ops'
    for name, column in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON statements USING gin "
                   f"(lower({column}) {ops}) WHERE {SEARCHED}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
