"""LTI grade passback: the line items launches name, and deliveries that go to an LTI platform.

An outbox row's ``platform_id`` is now either a webhook platform's id or ``lti:<registration
id>`` (a colon no platform id may hold), so the foreign key to ``platforms`` goes: scores
for LTI line items travel through the same ordered, retried, dead-lettered outbox.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("fk_deliveries_platform_id_platforms"), type_="foreignkey")
    op.create_table(
        "lti_line_items",
        sa.Column("registration_id", sa.String(64), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("assignment_id", sa.String(32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registrations.id"],
            name=op.f("fk_lti_line_items_registration_id_lti_registrations"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_lti_line_items_assignment_id_assignments")
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", "context_id", "assignment_id", name=op.f("pk_lti_line_items")
        ),
    )


def downgrade() -> None:
    op.drop_table("lti_line_items")
    with op.batch_alter_table("deliveries") as batch:
        batch.create_foreign_key(
            op.f("fk_deliveries_platform_id_platforms"), "platforms", ["platform_id"], ["id"]
        )
