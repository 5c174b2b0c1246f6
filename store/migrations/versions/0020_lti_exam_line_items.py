"""LTI: where an exam's standing goes, recorded from a launch's AGS claim as an assignment's line item is.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_exam_line_items",
        sa.Column("registration_id", sa.String(64), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("exam_id", sa.String(32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registrations.id"],
            name=op.f("fk_lti_exam_line_items_registration_id_lti_registrations"),
        ),
        sa.ForeignKeyConstraint(["exam_id"], ["exams.id"], name=op.f("fk_lti_exam_line_items_exam_id_exams")),
        sa.PrimaryKeyConstraint(
            "registration_id", "context_id", "exam_id", name=op.f("pk_lti_exam_line_items")
        ),
    )


def downgrade() -> None:
    op.drop_table("lti_exam_line_items")
