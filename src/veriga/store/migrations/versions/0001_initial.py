"""Initial case store: cases, sources, statements, rejects, findings, audit.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("importer", sa.String(255), nullable=False),
        sa.Column("importer_version", sa.String(64), nullable=False),
        sa.Column("mapping", sa.Text, nullable=True),
        sa.Column("imported_by", sa.String(255), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("entity_count", sa.Integer, nullable=False),
        sa.Column("statement_count", sa.Integer, nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("reject_count", sa.Integer, nullable=False),
        sa.Column("bulk", sa.JSON, nullable=False),
        sa.UniqueConstraint("case_id", "sha256", name="uq_sources_case_sha256"),
    )
    op.create_table(
        "statements",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("canonical_id", sa.String(128), nullable=False),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("prop", sa.String(64), nullable=False),
        sa.Column("prop_type", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("original_value", sa.Text, nullable=True),
        sa.Column("latin", sa.Text, nullable=True),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.Column("source_id", sa.String(64), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("locator", sa.String(255), nullable=True),
        sa.Column("first_seen", TS, nullable=False),
    )
    op.create_index("ix_statements_case_entity", "statements", ["case_id", "entity_id"])
    op.create_index("ix_statements_case_canonical", "statements", ["case_id", "canonical_id"])
    op.create_index("ix_statements_case_schema", "statements", ["case_id", "schema"])
    op.create_index("ix_statements_source", "statements", ["source_id"])
    op.create_table(
        "rejects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("source_id", sa.String(64), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("locator", sa.String(255), nullable=False),
        sa.Column("field", sa.String(255), nullable=True),
        sa.Column("value", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_rejects_source", "rejects", ["source_id"])
    op.create_table(
        "findings",
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("citation", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("detector", sa.String(128), nullable=False),
        sa.Column("detector_version", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reviewed_by", sa.String(255), nullable=True),
        sa.Column("reviewed_at", TS, nullable=True),
        sa.Column("review_reason", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_findings_case_kind", "findings", ["case_id", "kind"])
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("purpose", sa.Text, nullable=True),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_audit_case", "audit", ["case_id"])
    # The audit log is append-only: the database itself refuses edits and deletions.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION veriga_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION veriga_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_append_only ON audit")
        op.execute("DROP FUNCTION IF EXISTS veriga_audit_append_only()")
    for name in ("audit", "findings", "rejects", "statements", "sources", "cases"):
        op.drop_table(name)
