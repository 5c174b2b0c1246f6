"""Revoke the API tokens of accounts disabled before disabling revoked them.

Until now ``account disable`` ended a person's page sessions but left their bearer tokens
working. From this revision on, disabling revokes them in the same transaction; this data
migration does the same for the accounts disabled earlier: every unrevoked token of a
person's role (admin, instructor, learner) named like a disabled account is revoked now.
Platform tokens are left alone: a platform's id is not a person's name.

The downgrade changes nothing: a revoked token must not come back to life.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PERSON_ROLES = ("admin", "instructor", "learner")  # as in store/rows.py when this was written
accounts = sa.table(
    "accounts", sa.column("name", sa.String), sa.column("disabled_at", sa.DateTime(timezone=True))
)
tokens = sa.table(
    "tokens",
    sa.column("name", sa.String),
    sa.column("role", sa.String),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # the store keeps naive UTC on SQLite (store.models.UTCDateTime)
    disabled = sa.select(accounts.c.name).where(accounts.c.disabled_at.is_not(None))
    op.execute(
        tokens.update()
        .where(tokens.c.revoked_at.is_(None), tokens.c.role.in_(PERSON_ROLES), tokens.c.name.in_(disabled))
        .values(revoked_at=now)
    )


def downgrade() -> None:
    pass
