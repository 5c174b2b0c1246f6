"""Programmes and their learners' hash-chained record histories.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("spec_name", sa.String(200), nullable=False),
        sa.Column("spec_text", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
    )
    op.create_table(
        "programme_courses",
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_courses_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("programme_id", "course", name=op.f("pk_programme_courses")),
    )
    op.create_index(op.f("ix_programme_courses_course"), "programme_courses", ["course"])
    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(250), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_record_events_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_events")),
        sa.UniqueConstraint(
            "programme_id", "learner", "seq", name=op.f("uq_record_events_programme_id_learner_seq")
        ),
    )
    op.create_index(op.f("ix_record_events_programme_id"), "record_events", ["programme_id"])
    op.create_index(op.f("ix_record_events_learner"), "record_events", ["learner"])
    create_shares()
    create_regrades()


def create_regrades() -> None:
    op.create_table(
        "regrade_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("assignment_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("decided_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_regrade_runs_assignment_id_assignments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrade_runs")),
    )
    op.create_index(op.f("ix_regrade_runs_assignment_id"), "regrade_runs", ["assignment_id"])
    op.create_table(
        "regrade_results",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("old_score", sa.Float(), nullable=True),
        sa.Column("new_score", sa.Float(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("feedback_html", sa.Text(), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["regrade_runs.id"], name=op.f("fk_regrade_results_run_id_regrade_runs")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_regrade_results_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("run_id", "submission_id", name=op.f("pk_regrade_results")),
    )


def create_shares() -> None:
    op.create_table(
        "share_links",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_share_links_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )
    op.create_index(op.f("ix_share_links_programme_id"), "share_links", ["programme_id"])
    op.create_index(op.f("ix_share_links_learner"), "share_links", ["learner"])
    op.create_table(
        "share_accesses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("share_id", sa.String(32), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(500), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"], ["share_links.id"], name=op.f("fk_share_accesses_share_id_share_links")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_accesses")),
    )
    op.create_index(op.f("ix_share_accesses_share_id"), "share_accesses", ["share_id"])


def downgrade() -> None:
    op.drop_table("regrade_results")
    op.drop_table("regrade_runs")
    op.drop_table("share_accesses")
    op.drop_table("share_links")
    op.drop_table("record_events")
    op.drop_table("programme_courses")
    op.drop_table("programmes")
