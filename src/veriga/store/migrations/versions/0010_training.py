"""The training programme: cohorts, events, progress, answers, tests, spaced review,
case simulations and certificates.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_cohorts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("profession", sa.String(32), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_members",
        sa.Column("cohort_id", sa.String(64),
                  sa.ForeignKey("training_cohorts.id"), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("profession", sa.String(32), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("cohort_id", sa.String(64), sa.ForeignKey("training_cohorts.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text, nullable=True),
        sa.Column("agenda", sa.Text, nullable=True),
        sa.Column("materials", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_attendance",
        sa.Column("event_id", sa.String(64), sa.ForeignKey("training_events.id"), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_feedback",
        sa.Column("event_id", sa.String(64), sa.ForeignKey("training_events.id"), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_progress",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("lesson_id", sa.String(128), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "training_assessments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("cohort_id", sa.String(64), sa.ForeignKey("training_cohorts.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("question_ids", sa.JSON, nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("lesson_id", sa.String(128), nullable=False),
        sa.Column("question_id", sa.String(128), nullable=False),
        sa.Column("outcome_id", sa.String(128), nullable=True),
        sa.Column("context", sa.String(16), nullable=False),
        sa.Column("assessment_id", sa.String(64), sa.ForeignKey("training_assessments.id"),
        nullable=True),
        sa.Column("choices", sa.JSON, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_training_answers_user", "training_answers", ["user_id", "answered_at"])
    op.create_index("ix_training_answers_question",
                    "training_answers", ["lesson_id", "question_id"])
    op.create_table(
        "training_cards",
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("question_key", sa.String(256), primary_key=True),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_training_cards_due", "training_cards", ["user_id", "due_at"])
    op.create_table(
        "training_exercises",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("cohort_id", sa.String(64), sa.ForeignKey("training_cohorts.id"), nullable=True),
        sa.Column("scenario", sa.String(64), nullable=False),
        sa.Column("difficulty", sa.String(16), nullable=False),
        sa.Column("team", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_teams",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("exercise_id", sa.String(64),
                  sa.ForeignKey("training_exercises.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("members", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("exercise_id", sa.String(64),
                  sa.ForeignKey("training_exercises.id"), nullable=False),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("team_id", sa.String(64), sa.ForeignKey("training_teams.id"), nullable=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("key", sa.JSON, nullable=True),
        sa.Column("submission", sa.JSON, nullable=True),
        sa.Column("grade", sa.JSON, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_training_attempts_user", "training_attempts", ["user_id"])
    op.create_table(
        "training_certificates",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("cohort_id", sa.String(64), sa.ForeignKey("training_cohorts.id"), nullable=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("training_certificates")
    op.drop_table("training_attempts")
    op.drop_table("training_teams")
    op.drop_table("training_exercises")
    op.drop_table("training_cards")
    op.drop_table("training_answers")
    op.drop_table("training_assessments")
    op.drop_table("training_progress")
    op.drop_table("training_feedback")
    op.drop_table("training_attendance")
    op.drop_table("training_events")
    op.drop_table("training_members")
    op.drop_table("training_cohorts")
