"""Learners' regrade requests (one graded cell, a reason, a triage of two re-runs, staff's answer)
and each course's terms for them (the window after a grade and the tokens per learner).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "regrade_policies",
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.CheckConstraint("window_days >= 0", name=op.f("ck_regrade_policies_window_days")),
        sa.CheckConstraint("tokens >= 0", name=op.f("ck_regrade_policies_tokens")),
        sa.PrimaryKeyConstraint("course", name=op.f("pk_regrade_policies")),
    )
    op.create_table(
        "regrade_requests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=False),
        sa.Column("assignment_id", sa.String(32), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("notebook", sa.String(), nullable=False),
        sa.Column("grade_id", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("open_cell", sa.String(500), nullable=True),
        sa.Column("token_slot", sa.Integer(), nullable=True),
        sa.Column("token_spent", sa.Boolean(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("old_score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("opened_at", Timestamp, nullable=False),
        sa.Column("triage_status", sa.String(20), nullable=False),
        sa.Column("triage", sa.JSON(), nullable=True),
        sa.Column("answered_at", Timestamp, nullable=True),
        sa.Column("answered_by", sa.String(200), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("new_score", sa.Float(), nullable=True),
        sa.Column("new_report_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.CheckConstraint("status IN ('open', 'upheld', 'denied')", name=op.f("ck_regrade_requests_status")),
        sa.CheckConstraint(
            "triage_status IN ('queued', 'consistent', 'nondeterministic', 'failed')",
            name=op.f("ck_regrade_requests_triage_status"),
        ),
        sa.CheckConstraint("token_slot >= 0", name=op.f("ck_regrade_requests_token_slot")),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_regrade_requests_submission_id_submissions")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_regrade_requests_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["grade_reports.id"], name=op.f("fk_regrade_requests_report_id_grade_reports")
        ),
        sa.ForeignKeyConstraint(
            ["new_report_id"],
            ["grade_reports.id"],
            name=op.f("fk_regrade_requests_new_report_id_grade_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["regrade_runs.id"], name=op.f("fk_regrade_requests_run_id_regrade_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrade_requests")),
        sa.UniqueConstraint("open_cell", name=op.f("uq_regrade_requests_open_cell")),
        sa.UniqueConstraint(
            "course", "learner", "token_slot", name=op.f("uq_regrade_requests_course_learner_token_slot")
        ),
    )
    for column in ("submission_id", "assignment_id", "course", "learner", "status"):
        op.create_index(op.f(f"ix_regrade_requests_{column}"), "regrade_requests", [column])


def downgrade() -> None:
    for column in ("submission_id", "assignment_id", "course", "learner", "status"):
        op.drop_index(op.f(f"ix_regrade_requests_{column}"), table_name="regrade_requests")
    op.drop_table("regrade_requests")
    op.drop_table("regrade_policies")
