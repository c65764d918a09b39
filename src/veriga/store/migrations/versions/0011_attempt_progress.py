"""A case simulation's build step, kept with its attempt (the build runs in a worker process,
and every server process shows the same progress); and cases prepared ahead of a workshop
(``spare``: built for the exercise's trainer, taken by the first trainee who starts it).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("training_attempts") as batch:
        batch.add_column(sa.Column("progress", sa.String(16), nullable=True))
        batch.add_column(sa.Column("spare", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("training_attempts") as batch:
        batch.drop_column("spare")
        batch.drop_column("progress")
