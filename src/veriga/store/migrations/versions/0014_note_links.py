"""Links an investigator adds between two entities from their own knowledge: the other end
and where the knowledge comes from, on the notes table (kind ``link``).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("other_id", sa.String(128), nullable=True))
        batch.add_column(sa.Column("source", sa.Text, nullable=True))
    op.create_index("ix_notes_other", "notes", ["case_id", "other_id"])


def downgrade() -> None:
    op.drop_index("ix_notes_other", "notes")
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("source")
        batch.drop_column("other_id")
