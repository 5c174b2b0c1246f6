"""Platforms, webhook submissions (idempotency by the platform's id) and the result outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platforms",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("callback_url", sa.Text(), nullable=True),
        sa.Column("courses", sa.JSON(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platforms")),
    )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("platform_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(200), nullable=True))
        batch.add_column(sa.Column("callback_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("request_sha256", sa.String(64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_submissions_platform_id_platforms"), "platforms", ["platform_id"], ["id"]
        )
        batch.create_unique_constraint(
            op.f("uq_submissions_platform_id_external_id"), ["platform_id", "external_id"]
        )
    create_deliveries()


def create_deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("platform_id", sa.String(64), nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=False),
        sa.Column("assignment_id", sa.String(32), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.Column("lease_until", Timestamp, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("delivered_at", Timestamp, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'dead', 'superseded')", name=op.f("ck_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_deliveries_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_deliveries_submission_id_submissions")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["grade_reports.id"], name=op.f("fk_deliveries_report_id_grade_reports")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("id", name=op.f("uq_deliveries_id")),
    )
    op.create_index(op.f("ix_deliveries_platform_id"), "deliveries", ["platform_id"])
    op.create_index(op.f("ix_deliveries_submission_id"), "deliveries", ["submission_id"])
    op.create_index(op.f("ix_deliveries_status"), "deliveries", ["status"])


def downgrade() -> None:
    op.drop_table("deliveries")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint(op.f("uq_submissions_platform_id_external_id"), type_="unique")
        batch.drop_constraint(op.f("fk_submissions_platform_id_platforms"), type_="foreignkey")
        batch.drop_column("request_sha256")
        batch.drop_column("callback_url")
        batch.drop_column("external_id")
        batch.drop_column("platform_id")
    op.drop_table("platforms")
