"""LTI Deep Linking: the items placed into each platform course, so a line item is asked for only once.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_deep_links",
        sa.Column("registration_id", sa.String(64), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("line_items_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registrations.id"],
            name=op.f("fk_lti_deep_links_registration_id_lti_registrations"),
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", "context_id", "resource_id", name=op.f("pk_lti_deep_links")
        ),
    )
    op.create_index(op.f("ix_lti_deep_links_target"), "lti_deep_links", ["target"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lti_deep_links_target"), table_name="lti_deep_links")
    op.drop_table("lti_deep_links")
