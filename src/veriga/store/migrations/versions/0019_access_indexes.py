"""Indexes for what every access to a case asks: the version of its sources (how many, the
newest) and of its findings, and the few sources withdrawn, restricted to some organisations
or received from another party. Each was read from the table's rows: 6-12 ms apiece on a
case of 14,000 files and 9,700 findings, five or more per request.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

#: (the same conditions as :data:`veriga.store.schema.SOURCES_PARTIAL`: a migration keeps
#: what it made when the schema moves on)
PARTIAL = {"withdrawn": "withdrawn_at IS NOT NULL", "received": "origin IS NOT NULL",
           "restricted": "coalesce(CAST(handling_orgs AS TEXT), 'null') != 'null'"}


def upgrade() -> None:
    op.create_index("ix_sources_case_imported", "sources", ["case_id", "imported_at"])
    for name, where in PARTIAL.items():
        op.execute(f"CREATE INDEX ix_sources_{name} ON sources (case_id) WHERE {where}")
    op.create_index("ix_findings_case_version", "findings",
                    ["case_id", "created_at", "reviewed_at"])


def downgrade() -> None:
    op.drop_index("ix_findings_case_version", "findings")
    for name in reversed(PARTIAL):
        op.drop_index(f"ix_sources_{name}", "sources")
    op.drop_index("ix_sources_case_imported", "sources")
