"""Exchange packages between installations: organisation keys, packages sent and
received, and the origin of sources that came in a package.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_keys",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(64), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("sign_public", sa.String(64), nullable=False),
        sa.Column("box_public", sa.String(64), nullable=False),
        sa.Column("own", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(255), nullable=False),
    )
    op.create_index("ix_org_keys_org", "org_keys", ["org_id"])
    op.create_table(
        "exchanges",
        sa.Column("package_id", sa.String(64), primary_key=True),
        sa.Column("direction", sa.String(8), primary_key=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("org_id", sa.String(64), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("expires", sa.String(10), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("origin", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("origin")
    op.drop_table("exchanges")
    op.drop_index("ix_org_keys_org", "org_keys")
    op.drop_table("org_keys")
