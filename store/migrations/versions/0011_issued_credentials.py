"""Issued standard credentials (OB 3.0 / CLR 2.0): their status list positions and claims.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_credentials",
        sa.Column("position", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("credential_id", sa.String(800), nullable=False),
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_issued_credentials_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_issued_credentials")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_issued_credentials_credential_id")),
    )
    op.create_index(op.f("ix_issued_credentials_programme_id"), "issued_credentials", ["programme_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_issued_credentials_programme_id"), table_name="issued_credentials")
    op.drop_table("issued_credentials")
