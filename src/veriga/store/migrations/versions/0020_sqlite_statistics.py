"""SQLite's statistics, made once for a store imported into before imports made them: without
any, SQLite read an entity's values through the index of the case's schemata, every
statement of the case (0.16 s for one entity of a medium case, 0.2 ms with them), and a
report of 200 parties took 45 s to read their values. PostgreSQL gathers its own.

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=5000")
        op.execute("ANALYZE")


def downgrade() -> None:
    """Statistics are not a schema: nothing to undo."""
