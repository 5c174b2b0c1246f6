"""LTI Names and Role Provisioning: each platform course launched into one of ours, and its roster URL.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_contexts",
        sa.Column("registration_id", sa.String(64), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("memberships_url", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registrations.id"],
            name=op.f("fk_lti_contexts_registration_id_lti_registrations"),
        ),
        sa.PrimaryKeyConstraint("registration_id", "context_id", name=op.f("pk_lti_contexts")),
    )


def downgrade() -> None:
    op.drop_table("lti_contexts")
