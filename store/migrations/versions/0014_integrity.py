"""The similarity index (issue 24): answer fingerprints per submission, similar pairs with their
review, and each learner's integrity history.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
STATES = "state IN ('unreviewed', 'dismissed', 'confirmed')"  # store.rows.INTEGRITY_STATES when written


def upgrade() -> None:
    op.create_table(
        "integrity_prints",
        sa.Column("submission_id", sa.String(32), nullable=False),
        sa.Column("pool", sa.String(300), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("prints", sa.JSON(), nullable=False),
        sa.Column("indexed_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_integrity_prints_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_integrity_prints")),
    )
    op.create_index(op.f("ix_integrity_prints_pool"), "integrity_prints", ["pool"])
    op.create_table(
        "integrity_pairs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pool", sa.String(300), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("submission_a", sa.String(32), nullable=False),
        sa.Column("submission_b", sa.String(32), nullable=False),
        sa.Column("learner_a", sa.String(200), nullable=False),
        sa.Column("learner_b", sa.String(200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("code_score", sa.Float(), nullable=False),
        sa.Column("text_score", sa.Float(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=True),
        sa.Column("reviewed_at", Timestamp, nullable=True),
        sa.Column("attempt_id", sa.String(32), nullable=True),
        sa.Column("found_at", Timestamp, nullable=False),
        sa.CheckConstraint(STATES, name=op.f("ck_integrity_pairs_state")),
        sa.ForeignKeyConstraint(
            ["submission_a"], ["submissions.id"], name=op.f("fk_integrity_pairs_submission_a_submissions")
        ),
        sa.ForeignKeyConstraint(
            ["submission_b"], ["submissions.id"], name=op.f("fk_integrity_pairs_submission_b_submissions")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["exam_attempts.id"], name=op.f("fk_integrity_pairs_attempt_id_exam_attempts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_pairs")),
        sa.UniqueConstraint(
            "submission_a", "submission_b", name=op.f("uq_integrity_pairs_submission_a_submission_b")
        ),
    )
    op.create_index(op.f("ix_integrity_pairs_pool"), "integrity_pairs", ["pool"])
    op.create_index(op.f("ix_integrity_pairs_course"), "integrity_pairs", ["course"])
    op.create_table(
        "integrity_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("attempt_id", sa.String(32), nullable=True),
        sa.Column("at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["integrity_pairs.id"], name=op.f("fk_integrity_events_pair_id_integrity_pairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_events")),
    )
    op.create_index(op.f("ix_integrity_events_learner"), "integrity_events", ["learner"])


def downgrade() -> None:
    op.drop_index(op.f("ix_integrity_events_learner"), table_name="integrity_events")
    op.drop_table("integrity_events")
    op.drop_index(op.f("ix_integrity_pairs_course"), table_name="integrity_pairs")
    op.drop_index(op.f("ix_integrity_pairs_pool"), table_name="integrity_pairs")
    op.drop_table("integrity_pairs")
    op.drop_index(op.f("ix_integrity_prints_pool"), table_name="integrity_prints")
    op.drop_table("integrity_prints")
