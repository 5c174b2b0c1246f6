"""LTI registrations: the audience the platform's token endpoint expects, when it is not the token URL.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lti_registrations") as batch:
        batch.add_column(sa.Column("token_audience", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lti_registrations") as batch:
        batch.drop_column("token_audience")
