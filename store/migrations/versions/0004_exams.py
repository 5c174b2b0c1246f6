"""Exams: the bank, accommodations, attempts with their saved work, events and proctoring reviews.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
STATES = "('created', 'started', 'submitted', 'graded', 'verified', 'rejected', 'second_review', 'error')"


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("exam_attempt_id", sa.String(32), nullable=True))
        batch.create_index(op.f("ix_assignments_exam_attempt_id"), ["exam_attempt_id"])
    create_exams()
    create_attempts()
    create_reviews()


def create_exams() -> None:
    op.create_table(
        "exams",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("spec_name", sa.String(200), nullable=False),
        sa.Column("spec_text", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exams")),
        sa.UniqueConstraint("course", "name", name=op.f("uq_exams_course_name")),
    )
    op.create_table(
        "exam_files",
        sa.Column("exam_id", sa.String(32), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exams.id"], name=op.f("fk_exam_files_exam_id_exams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("exam_id", "path", name=op.f("pk_exam_files")),
    )
    op.create_table(
        "accommodations",
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("time_multiplier", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("course", "learner", name=op.f("pk_accommodations")),
    )


def create_attempts() -> None:
    op.create_table(
        "exam_attempts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("exam_id", sa.String(32), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("variant", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("started_at", Timestamp, nullable=True),
        sa.Column("deadline_at", Timestamp, nullable=True),
        sa.Column("accommodation", sa.Float(), nullable=False),
        sa.Column("extension_seconds", sa.Float(), nullable=False),
        sa.Column("remaining_seconds", sa.Float(), nullable=True),
        sa.Column("submitted_at", Timestamp, nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("assignment_id", sa.String(32), nullable=True),
        sa.Column("submission_id", sa.String(32), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.CheckConstraint(f"state IN {STATES}", name=op.f("ck_exam_attempts_state")),
        sa.ForeignKeyConstraint(["exam_id"], ["exams.id"], name=op.f("fk_exam_attempts_exam_id_exams")),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_exam_attempts_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_exam_attempts_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_attempts")),
        sa.UniqueConstraint(
            "exam_id", "learner", "number", name=op.f("uq_exam_attempts_exam_id_learner_number")
        ),
    )
    op.create_index(op.f("ix_exam_attempts_exam_id"), "exam_attempts", ["exam_id"])
    op.create_index(op.f("ix_exam_attempts_learner"), "exam_attempts", ["learner"])
    op.create_index(op.f("ix_exam_attempts_state"), "exam_attempts", ["state"])
    op.create_table(
        "attempt_answers",
        sa.Column("attempt_id", sa.String(32), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("saved_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["exam_attempts.id"], name=op.f("fk_attempt_answers_attempt_id_exam_attempts")
        ),
        sa.PrimaryKeyConstraint("attempt_id", "path", name=op.f("pk_attempt_answers")),
    )
    op.create_table(
        "attempt_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempt_id", sa.String(32), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(250), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["exam_attempts.id"], name=op.f("fk_attempt_events_attempt_id_exam_attempts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_events")),
    )
    op.create_index(op.f("ix_attempt_events_attempt_id"), "attempt_events", ["attempt_id"])


def create_reviews() -> None:
    op.create_table(
        "proctoring_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempt_id", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("review_id", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('clean', 'suspicious', 'violation')", name=op.f("ck_proctoring_reviews_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["exam_attempts.id"], name=op.f("fk_proctoring_reviews_attempt_id_exam_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["provider"], ["platforms.id"], name=op.f("fk_proctoring_reviews_provider_platforms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proctoring_reviews")),
        sa.UniqueConstraint("provider", "review_id", name=op.f("uq_proctoring_reviews_provider_review_id")),
    )
    op.create_index(op.f("ix_proctoring_reviews_attempt_id"), "proctoring_reviews", ["attempt_id"])


def downgrade() -> None:
    op.drop_table("proctoring_reviews")
    op.drop_table("attempt_events")
    op.drop_table("attempt_answers")
    op.drop_table("exam_attempts")
    op.drop_table("accommodations")
    op.drop_table("exam_files")
    op.drop_table("exams")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_index(op.f("ix_assignments_exam_attempt_id"))
        batch.drop_column("exam_attempt_id")
