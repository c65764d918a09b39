"""The SQL schema of the case store (SQLAlchemy Core; SQLite and PostgreSQL).

Changes go through an Alembic migration in ``migrations/versions``; a test checks that the
migrated database and this metadata agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

ID = 64  # length of generated ids

cases = Table(
    "cases",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(255), nullable=False),
    Column("format", String(64), nullable=False),
    Column("importer", String(255), nullable=False),
    Column("importer_version", String(64), nullable=False),
    Column("mapping", Text, nullable=True),
    Column("imported_by", String(255), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("statement_count", Integer, nullable=False),
    Column("record_count", Integer, nullable=False),
    Column("reject_count", Integer, nullable=False),
    Column("bulk", JSON, nullable=False),
    UniqueConstraint("case_id", "sha256", name="uq_sources_case_sha256"),
)

statements = Table(
    "statements",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("entity_id", String(ID * 2), nullable=False),
    Column("canonical_id", String(ID * 2), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("prop_type", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("original_value", Text, nullable=True),
    Column("latin", Text, nullable=True),
    Column("lang", String(16), nullable=True),
    Column("source_id", String(ID), ForeignKey("sources.id"), nullable=False),
    Column("locator", String(255), nullable=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Index("ix_statements_case_entity", "case_id", "entity_id"),
    Index("ix_statements_case_canonical", "case_id", "canonical_id"),
    Index("ix_statements_case_schema", "case_id", "schema"),
    Index("ix_statements_source", "source_id"),
)

rejects = Table(
    "rejects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("source_id", String(ID), ForeignKey("sources.id"), nullable=False),
    Column("locator", String(255), nullable=False),
    Column("field", String(255), nullable=True),
    Column("value", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Index("ix_rejects_source", "source_id"),
)

findings = Table(
    "findings",
    metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("title", Text, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("citation", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("detector", String(128), nullable=False),
    Column("detector_version", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reviewed_by", String(255), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("review_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_findings_case_kind", "case_id", "kind"),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("case_id", String(ID), nullable=True),
    Column("purpose", Text, nullable=True),
    Column("target", Text, nullable=True),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index("ix_audit_case", "case_id"),
)
