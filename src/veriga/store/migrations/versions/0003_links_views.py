"""Index for links and shared identifiers between entities; saved graph views.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LINK_TYPES = "prop_type IN ('entity', 'phone', 'iban', 'email', 'identifier')"


def upgrade() -> None:
    op.create_index("ix_statements_links", "statements", ["case_id", "prop_type", "value"],
                    sqlite_where=sa.text(LINK_TYPES), postgresql_where=sa.text(LINK_TYPES))
    op.create_table(
        "saved_views",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_saved_views_case", "case_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table("saved_views")
    op.drop_index("ix_statements_links", "statements")
