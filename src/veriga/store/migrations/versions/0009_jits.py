"""Joint investigation teams: the agreement, its parties and the cases it covers.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jits",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(255), nullable=False, unique=True),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("starts", sa.String(10), nullable=False),
        sa.Column("ends", sa.String(10), nullable=False),
        sa.Column("action_plan", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "jit_parties",
        sa.Column("jit_id", sa.String(64), sa.ForeignKey("jits.id"), primary_key=True),
        sa.Column("org_id", sa.String(64), sa.ForeignKey("organisations.id"),
                  primary_key=True),
    )
    op.create_table(
        "jit_cases",
        sa.Column("jit_id", sa.String(64), sa.ForeignKey("jits.id"), primary_key=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("jit_cases")
    op.drop_table("jit_parties")
    op.drop_table("jits")
