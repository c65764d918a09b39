"""Entity resolution: the records a person confirmed to be one entity (statements keep their
own entity id; the merge sets their canonical id and is undone by removing it).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merges",
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("canonical_id", sa.String(128), nullable=False),
        sa.Column("merged_by", sa.String(255), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("finding_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("case_id", "entity_id"),
        sa.Index("ix_merges_case_canonical", "case_id", "canonical_id"),
    )


def downgrade() -> None:
    op.drop_table("merges")
