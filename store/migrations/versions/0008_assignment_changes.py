"""The history of every change to an assignment (its terms, its retirement), and when it was retired.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("retired_at", Timestamp, nullable=True))
    op.create_table(
        "assignment_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assignment_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("regraded", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_changes_assignment_id_assignments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_changes")),
    )
    op.create_index(op.f("ix_assignment_changes_assignment_id"), "assignment_changes", ["assignment_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_assignment_changes_assignment_id"), table_name="assignment_changes")
    op.drop_table("assignment_changes")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("retired_at")
