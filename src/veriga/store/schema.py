"""The SQL schema of the case store (SQLAlchemy Core; SQLite and PostgreSQL).

Changes go through an Alembic migration in ``migrations/versions``; a test checks that the
migrated database and this metadata agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)

metadata = MetaData()

ID = 64  # length of generated ids
# property types whose values link entities: references, and identifiers shared between them
LINK_TYPES = "prop_type IN ('entity', 'phone', 'iban', 'email', 'identifier')"
# property types whose values a search reads
SEARCHED = "prop_type IN ('name', 'phone', 'iban', 'email', 'identifier')"

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("type", String(32), nullable=False),
    Column("country", String(2), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("username", String(255), nullable=False, unique=True),
    Column("display_name", String(255), nullable=False),
    Column("org_id", String(ID), ForeignKey("organisations.id"), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("password_hash", Text, nullable=True),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked", Boolean, nullable=False, server_default=false()),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("csrf_secret", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("purposes", JSON, nullable=True),  # {case id: the purpose stated for it}
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", String(255), nullable=False),
    Column("username", String(255), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_login_attempts_client_at", "client", "at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("owner_org_id", String(ID), nullable=True),  # organisations.id
    Column("kind", String(16), nullable=False, server_default="investigation"),
    Column("ngo_sees_suspects", Boolean, nullable=False, server_default=false()),
    Column("pseudonym_key", String(64), nullable=True),
    # bumped by every change that can change what minimisation hides (imports, roles)
    Column("revision", Integer, nullable=False, server_default="0"),
)

#: The conditions of the partial indexes on the few sources of a case that are withdrawn,
#: received from another party or restricted to some organisations, by index name; the
#: queries name the same conditions (:data:`RESTRICTED_HANDLING`).
RESTRICTED_HANDLING = "coalesce(CAST(handling_orgs AS TEXT), 'null') != 'null'"
SOURCES_PARTIAL = {"withdrawn": "withdrawn_at IS NOT NULL", "received": "origin IS NOT NULL",
                   "restricted": RESTRICTED_HANDLING}

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
    Column("handling", String(8), nullable=False, server_default="H0"),
    Column("handling_orgs", JSON, nullable=True),
    Column("handling_note", Text, nullable=True),
    # where a source received in an exchange package came from (sender, package, basis)
    Column("origin", JSON, nullable=True),
    # an import undone: the file's statements and records are left out of every view
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_by", String(255), nullable=True),
    Column("withdrawn_reason", Text, nullable=True),
    UniqueConstraint("case_id", "sha256", name="uq_sources_case_sha256"),
    # what every access to a case asks of its sources (migration 0019): how many and the
    # newest, and the few withdrawn, restricted to some organisations or received
    Index("ix_sources_case_imported", "case_id", "imported_at"),
    *(Index(f"ix_sources_{name}", "case_id", sqlite_where=text(where),
            postgresql_where=text(where)) for name, where in SOURCES_PARTIAL.items()),
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
    Index("ix_statements_links", "case_id", "prop_type", "value",
          sqlite_where=text(LINK_TYPES), postgresql_where=text(LINK_TYPES)),
)
# search by part of a value, on PostgreSQL: trigram indexes (migration 0017; the extension's
# schema is found when the store is migrated, so the operator class is named there)
for _name, _column in (("ix_statements_search_value", statements.c.value),
                       ("ix_statements_search_latin", statements.c.latin)):
    Index(_name, func.lower(_column), postgresql_using="gin",
          postgresql_where=text(SEARCHED)).ddl_if(dialect="postgresql")

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
    Column("message", JSON, nullable=True),  # the explanation as msgid + values (translatable)
    Column("details", JSON, nullable=True),  # structured detail (Finding.details)
    Index("ix_findings_case_kind", "case_id", "kind"),
    # the version of a case's findings, read by every access to them (migration 0019)
    Index("ix_findings_case_version", "case_id", "created_at", "reviewed_at"),
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

#: The entities each audited bulk read reached (every one, however many).
audit_reads = Table(
    "audit_reads",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("entity_id", String(ID * 2), primary_key=True),
    Index("ix_audit_reads_entity", "entity_id"),
)

case_members = Table(
    "case_members",
    metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("added_by", String(255), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

case_shares = Table(
    "case_shares",
    metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("org_id", String(ID), ForeignKey("organisations.id"), primary_key=True),
    Column("entity_ids", JSON, nullable=True),  # None: the whole case
    Column("shared_by", String(255), nullable=False),
    Column("shared_at", DateTime(timezone=True), nullable=False),
)

entity_roles = Table(
    "entity_roles",
    metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("entity_id", String(ID * 2), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("set_by", String(255), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

#: Records a person confirmed to be one entity: each member's statements carry the canonical
#: id while merged; removing the rows (and resetting the canonical ids) splits it exactly.
merges = Table(
    "merges",
    metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("entity_id", String(ID * 2), primary_key=True),
    Column("canonical_id", String(ID * 2), nullable=False),
    Column("merged_by", String(255), nullable=False),
    Column("merged_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=True),
    Column("finding_id", String(ID), nullable=True),
    Index("ix_merges_case_canonical", "case_id", "canonical_id"),
)

entity_handling = Table(
    "entity_handling",
    metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("entity_id", String(ID * 2), primary_key=True),
    Column("handling", String(8), nullable=False),
    Column("handling_orgs", JSON, nullable=True),
    Column("handling_note", Text, nullable=True),
    Column("set_by", String(255), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

saved_views = Table(
    "saved_views",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("kind", String(32), nullable=False),  # network | chain | ...
    Column("name", String(255), nullable=False),
    Column("state", JSON, nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_saved_views_case", "case_id", "kind"),
)

#: Public keys of organisations (this installation's own and its partners'), by fingerprint;
#: private keys never enter the store.
org_keys = Table(
    "org_keys",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("org_id", String(ID), ForeignKey("organisations.id"), nullable=False),
    Column("sign_public", String(64), nullable=False),  # Ed25519, base64
    Column("box_public", String(64), nullable=False),  # X25519, base64
    Column("own", Boolean, nullable=False, server_default=false()),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", String(255), nullable=False),
    Index("ix_org_keys_org", "org_id"),
)

#: Exchange packages sent (``sent``) and received (``received``): a package id received
#: twice is a replay.
exchanges = Table(
    "exchanges",
    metadata,
    Column("package_id", String(ID), primary_key=True),
    Column("direction", String(8), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("org_id", String(ID), ForeignKey("organisations.id"), nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
    Column("counts", JSON, nullable=False),
    Column("expires", String(10), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(255), nullable=False),
    Column("receipt_at", DateTime(timezone=True), nullable=True),
)

#: Joint investigation teams: the agreement (reference, legal basis, purpose, period as ISO
#: dates, the operational action plan), its parties and the cases it covers.
jits = Table(
    "jits",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("reference", String(255), nullable=False, unique=True),
    Column("legal_basis", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("starts", String(10), nullable=False),
    Column("ends", String(10), nullable=False),
    Column("action_plan", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(255), nullable=False),
)

jit_parties = Table(
    "jit_parties",
    metadata,
    Column("jit_id", String(ID), ForeignKey("jits.id"), primary_key=True),
    Column("org_id", String(ID), ForeignKey("organisations.id"), primary_key=True),
)

jit_cases = Table(
    "jit_cases",
    metadata,
    Column("jit_id", String(ID), ForeignKey("jits.id"), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
)

# -- the training programme (veriga.training; ws.training, ws.exercises) -------------------
#: A cohort: trainees and trainers of one language (and usually one profession), for a
#: national training, an international workshop or a study visit.
training_cohorts = Table(
    "training_cohorts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("language", String(8), nullable=False),
    Column("profession", String(32), nullable=True),  # None: mixed professions
    Column("description", Text, nullable=True),
    Column("created_by", String(ID), ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Who is in a cohort, as trainee or trainer.
training_members = Table(
    "training_members",
    metadata,
    Column("cohort_id", String(ID), ForeignKey("training_cohorts.id"), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("role", String(16), nullable=False),  # trainee | trainer
    Column("profession", String(32), nullable=True),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
)

#: An event of a cohort: online module, national training, workshop, study visit.
training_events = Table(
    "training_events",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cohort_id", String(ID), ForeignKey("training_cohorts.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("place", Text, nullable=True),
    Column("agenda", Text, nullable=True),
    Column("materials", JSON, nullable=False),  # lesson ids, library entries, links
    Column("created_at", DateTime(timezone=True), nullable=False),
)

training_attendance = Table(
    "training_attendance",
    metadata,
    Column("event_id", String(ID), ForeignKey("training_events.id"), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("status", String(16), nullable=False),  # present | absent | excused
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

#: The feedback form a participant fills in after an event (one per participant).
training_feedback = Table(
    "training_feedback",
    metadata,
    Column("event_id", String(ID), ForeignKey("training_events.id"), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("answers", JSON, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

#: A trainee's progress through a lesson.
training_progress = Table(
    "training_progress",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("lesson_id", String(128), primary_key=True),
    Column("language", String(8), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
)

#: A pre-, post- or delayed test of a cohort: fixed questions, a window to take it in.
training_assessments = Table(
    "training_assessments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cohort_id", String(ID), ForeignKey("training_cohorts.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # pre | post | delayed
    Column("question_ids", JSON, nullable=False),  # "lesson-id/question-id"
    Column("opens_at", DateTime(timezone=True), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Every answer to a quiz question: in a lesson, a test or a spaced review.
training_answers = Table(
    "training_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("lesson_id", String(128), nullable=False),
    Column("question_id", String(128), nullable=False),
    Column("outcome_id", String(128), nullable=True),
    Column("context", String(16), nullable=False),  # lesson | pre | post | delayed | review
    Column("assessment_id", String(ID), ForeignKey("training_assessments.id"),
           nullable=True),
    Column("choices", JSON, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("language", String(8), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    Index("ix_training_answers_user", "user_id", "answered_at"),
    Index("ix_training_answers_question", "lesson_id", "question_id"),
)

#: The spaced-review state (an FSRS card) of one question for one trainee.
training_cards = Table(
    "training_cards",
    metadata,
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Column("question_key", String(256), primary_key=True),  # "lesson-id/question-id"
    Column("card", JSON, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Index("ix_training_cards_due", "user_id", "due_at"),
)

#: A case simulation a trainer sets: scenario, difficulty, for a cohort, alone or in teams.
training_exercises = Table(
    "training_exercises",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("title", Text, nullable=False),
    Column("cohort_id", String(ID), ForeignKey("training_cohorts.id"), nullable=True),
    Column("scenario", String(64), nullable=False),
    Column("difficulty", String(16), nullable=False),
    Column("team", Boolean, nullable=False, server_default=false()),
    Column("settings", JSON, nullable=False),
    Column("created_by", String(ID), ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: A team of a group exercise: one shared simulated case, a role per member.
training_teams = Table(
    "training_teams",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("exercise_id", String(ID), ForeignKey("training_exercises.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=True),
    Column("members", JSON, nullable=False),  # user id -> role in the exercise
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: One trainee's (or team's) attempt: the fresh seeded case, the submission, the grade.
training_attempts = Table(
    "training_attempts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("exercise_id", String(ID), ForeignKey("training_exercises.id"), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("team_id", String(ID), ForeignKey("training_teams.id"), nullable=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=True),
    Column("seed", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # building | open | submitted | failed
    # while building: queued | simulate | import | analyse | key (the step under way)
    Column("progress", String(16), nullable=True),
    # prepared ahead of a workshop: the trainer's until a trainee starts the exercise
    Column("spare", Boolean, nullable=True),
    Column("key", JSON, nullable=True),  # the answer key (never shown before submission)
    Column("submission", JSON, nullable=True),
    Column("grade", JSON, nullable=True),
    Column("score", Float, nullable=True),
    Column("passed", Boolean, nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Index("ix_training_attempts_user", "user_id"),
)

#: A certificate: what it certifies, and the hash a verifier checks.
training_certificates = Table(
    "training_certificates",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("cohort_id", String(ID), ForeignKey("training_cohorts.id"), nullable=True),
    Column("payload", JSON, nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)


#: A background job started from the browser (the case report and its PDF): its owner,
#: case and purpose, state and the files it made (under ``VERIGA_HOME/jobs/<id>``).
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("params", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # queued | running | done | failed
    Column("progress", String(32), nullable=True),
    Column("error", Text, nullable=True),
    Column("files", JSON, nullable=True),  # name -> bytes
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_jobs_user", "user_id", "created_at"),
)

#: What investigators add to a case from their own work: notes (comments) on an entity or a
#: finding, tags, who is assigned to it, and links between two entities. Removed ones are
#: kept with who removed them (an undo brings them back).
notes = Table(
    "notes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False),
    Column("target_kind", String(16), nullable=False),  # entity | finding
    Column("target_id", String(ID * 2), nullable=False),
    Column("kind", String(16), nullable=False),  # note | tag | assign | link
    Column("text", Text, nullable=False),  # a link's: what ties the two
    Column("created_by", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_by", String(255), nullable=True),
    Column("removed_at", DateTime(timezone=True), nullable=True),
    Column("other_id", String(ID * 2), nullable=True),  # a link's other entity
    Column("source", Text, nullable=True),  # where the linking knowledge comes from
    Index("ix_notes_target", "case_id", "target_kind", "target_id"),
    Index("ix_notes_kind", "case_id", "kind"),
    Index("ix_notes_other", "case_id", "other_id"),
)


#: Views made from a whole case (the chain, the timeline, the map), kept for every server
#: process: one row per slot (what it is, its parameters, the reader's view of the case), made
#: in a state (the case's data fingerprint and findings version). A case's rows are deleted
#: whenever its data change (:meth:`veriga.store.Store.bump_revision`).
derived_values = Table(
    "derived_values",
    metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("slot", String(64), primary_key=True),
    Column("state", String(64), nullable=False),
    Column("value", LargeBinary, nullable=False),  # zlib-compressed JSON
    Column("made_at", DateTime(timezone=True), nullable=False),
)
