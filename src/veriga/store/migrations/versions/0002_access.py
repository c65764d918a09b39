"""Organisations, users, tokens, sessions, case membership and sharing, entity roles,
handling codes.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(255), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("org_id", sa.String(64), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=True),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(255), nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client", "at"])
    op.add_column("cases", sa.Column("owner_org_id", sa.String(64), nullable=True))
    op.add_column("cases", sa.Column("kind", sa.String(16), nullable=False,
                                     server_default="investigation"))
    op.add_column("cases", sa.Column("ngo_sees_suspects", sa.Boolean, nullable=False,
                                     server_default=sa.false()))
    op.add_column("cases", sa.Column("pseudonym_key", sa.String(64), nullable=True))
    op.add_column("sources", sa.Column("handling", sa.String(8), nullable=False,
                                       server_default="H0"))
    op.add_column("sources", sa.Column("handling_orgs", sa.JSON, nullable=True))
    op.add_column("sources", sa.Column("handling_note", sa.Text, nullable=True))
    op.create_table(
        "case_members",
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("added_by", sa.String(255), nullable=False),
        sa.Column("added_at", TS, nullable=False),
    )
    op.create_table(
        "case_shares",
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("org_id", sa.String(64), sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("entity_ids", sa.JSON, nullable=True),
        sa.Column("shared_by", sa.String(255), nullable=False),
        sa.Column("shared_at", TS, nullable=False),
    )
    op.create_table(
        "entity_roles",
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("entity_id", sa.String(128), primary_key=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("set_by", sa.String(255), nullable=False),
        sa.Column("set_at", TS, nullable=False),
    )
    op.create_table(
        "entity_handling",
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("entity_id", sa.String(128), primary_key=True),
        sa.Column("handling", sa.String(8), nullable=False),
        sa.Column("handling_orgs", sa.JSON, nullable=True),
        sa.Column("handling_note", sa.Text, nullable=True),
        sa.Column("set_by", sa.String(255), nullable=False),
        sa.Column("set_at", TS, nullable=False),
    )


def downgrade() -> None:
    for name in ("entity_handling", "entity_roles", "case_shares", "case_members"):
        op.drop_table(name)
    with op.batch_alter_table("sources") as batch:
        for col in ("handling_note", "handling_orgs", "handling"):
            batch.drop_column(col)
    with op.batch_alter_table("cases") as batch:
        for col in ("pseudonym_key", "ngo_sees_suspects", "kind", "owner_org_id"):
            batch.drop_column(col)
    for name in ("login_attempts", "sessions", "api_tokens", "users", "organisations"):
        op.drop_table(name)
