"""Deliveries: ``refused``, a result the receiver refused for good (an LMS that does not grade that user).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BEFORE = "status IN ('pending', 'delivered', 'dead', 'superseded')"
AFTER = "status IN ('pending', 'delivered', 'dead', 'superseded', 'refused')"


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("ck_deliveries_status"), type_="check")
        batch.create_check_constraint(op.f("ck_deliveries_status"), AFTER)


def downgrade() -> None:
    op.execute("UPDATE deliveries SET status = 'dead' WHERE status = 'refused'")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("ck_deliveries_status"), type_="check")
        batch.create_check_constraint(op.f("ck_deliveries_status"), BEFORE)
