"""The initial schema: tokens, assignments and their files, submissions, grade reports.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_tokens()
    create_assignments()
    create_submissions()
    create_grade_reports()
    # submissions and grade_reports point at each other; the second key comes once both exist.
    with op.batch_alter_table("submissions") as batch:
        batch.create_foreign_key(
            op.f("fk_submissions_latest_report_id_grade_reports"),
            "grade_reports",
            ["latest_report_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint(op.f("fk_submissions_latest_report_id_grade_reports"), type_="foreignkey")
    op.drop_table("grade_reports")
    op.drop_table("submissions")
    op.drop_table("assignment_files")
    op.drop_table("assignments")
    op.drop_table("tokens")


def create_tokens() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("courses", sa.JSON(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'instructor', 'learner', 'platform')", name=op.f("ck_tokens_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_tokens_token_hash")),
    )


def create_assignments() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("rubric", sa.JSON(), nullable=False),
        sa.Column("rubric_version", sa.String(64), nullable=False),
        sa.Column("due_at", Timestamp, nullable=True),
        sa.Column("late_policy", sa.JSON(), nullable=False),
        sa.Column("is_zip", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("course", "name", name=op.f("uq_assignments_course_name")),
    )
    op.create_table(
        "assignment_files",
        sa.Column("assignment_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.CheckConstraint("kind IN ('source', 'release', 'data')", name=op.f("ck_assignment_files_kind")),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_files_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", "kind", "path", name=op.f("pk_assignment_files")),
    )


def create_submissions() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("assignment_id", sa.String(32), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("late_credit", sa.Float(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("graded_at", Timestamp, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("latest_report_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'graded', 'failed')", name=op.f("ck_submissions_status")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_submissions_assignment_id_assignments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    op.create_index(op.f("ix_submissions_assignment_id"), "submissions", ["assignment_id"])
    op.create_index(op.f("ix_submissions_learner"), "submissions", ["learner"])
    op.create_index(op.f("ix_submissions_status"), "submissions", ["status"])


def create_grade_reports() -> None:
    op.create_table(
        "grade_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("feedback_html", sa.Text(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_grade_reports_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_reports")),
    )
    op.create_index(op.f("ix_grade_reports_submission_id"), "grade_reports", ["submission_id"])
