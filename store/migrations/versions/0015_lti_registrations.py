"""LTI 1.3: platform registrations, their deployments, and the state and nonce of each login.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lti_registrations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("auth_login_url", sa.Text(), nullable=False),
        sa.Column("token_url", sa.Text(), nullable=False),
        sa.Column("jwks_url", sa.Text(), nullable=False),
        sa.Column("courses", sa.JSON(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_registrations")),
        sa.UniqueConstraint("issuer", "client_id", name=op.f("uq_lti_registrations_issuer_client_id")),
    )
    op.create_table(
        "lti_deployments",
        sa.Column("registration_id", sa.String(64), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registrations.id"],
            name=op.f("fk_lti_deployments_registration_id_lti_registrations"),
        ),
        sa.PrimaryKeyConstraint("registration_id", "deployment_id", name=op.f("pk_lti_deployments")),
    )
    op.create_table(
        "lti_logins",
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("registration_id", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["lti_registrations.id"],
            name=op.f("fk_lti_logins_registration_id_lti_registrations"),
        ),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_lti_logins")),
        sa.UniqueConstraint("nonce", name=op.f("uq_lti_logins_nonce")),
    )
    op.create_index(op.f("ix_lti_logins_registration_id"), "lti_logins", ["registration_id"])
    op.create_index(op.f("ix_lti_logins_expires_at"), "lti_logins", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lti_logins_expires_at"), table_name="lti_logins")
    op.drop_index(op.f("ix_lti_logins_registration_id"), table_name="lti_logins")
    op.drop_table("lti_logins")
    op.drop_table("lti_deployments")
    op.drop_table("lti_registrations")
