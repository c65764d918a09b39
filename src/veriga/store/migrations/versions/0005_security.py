"""Security: a revision per case (minimisation is computed once per case and revision), the
purposes stated in a session kept on the server, and the records each bulk read reached.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("purposes", sa.JSON, nullable=True))
    op.create_table(
        "audit_reads",
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("seq", "entity_id"),
        sa.Index("ix_audit_reads_entity", "entity_id"),
    )


def downgrade() -> None:
    op.drop_table("audit_reads")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("purposes")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("revision")
