"""Similarity postings (issue 24): per pool, answer and fingerprint, the learners' latest submissions
holding it, so a check reads only the submissions that share something with the new one.

Existing prints are posted here: each learner's latest submission in each pool, as the check
counts them (by arrival, then id).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PRINTS = sa.table(
    "integrity_prints",
    sa.column("submission_id", sa.String),
    sa.column("pool", sa.String),
    sa.column("learner", sa.String),
    sa.column("received_at", sa.DateTime),
    sa.column("prints", sa.JSON),
)
BATCH = 5_000  # postings inserted per statement while posting the prints already stored


def upgrade() -> None:
    postings = op.create_table(
        "integrity_postings",
        sa.Column("pool", sa.String(300), nullable=False),
        sa.Column("answer_key", sa.String(300), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_integrity_postings_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint(
            "pool", "answer_key", "hash", "submission_id", name=op.f("pk_integrity_postings")
        ),
    )
    op.create_index(op.f("ix_integrity_postings_submission_id"), "integrity_postings", ["submission_id"])
    op.create_index("ix_integrity_prints_pool_learner", "integrity_prints", ["pool", "learner"])
    _post_latest(postings)


def _post_latest(postings: sa.Table | None) -> None:
    """Post each learner's latest submission per pool from the prints already stored."""
    assert postings is not None
    bind = op.get_bind()
    latest: dict[tuple[str, str], str] = {}
    order = (PRINTS.c.received_at, PRINTS.c.submission_id)
    for sid, pool, learner in bind.execute(
        sa.select(PRINTS.c.submission_id, PRINTS.c.pool, PRINTS.c.learner).order_by(*order)
    ):
        latest[(pool, learner)] = sid
    rows: list[dict[str, object]] = []
    for pool, sid in sorted((pool, sid) for (pool, _), sid in latest.items()):
        data = bind.execute(sa.select(PRINTS.c.prints).where(PRINTS.c.submission_id == sid)).scalar_one()
        for key, cell in sorted(data.items()):
            for digest in sorted({int(p[0]) for p in cell["prints"]}):
                rows.append({"pool": pool, "answer_key": key, "hash": digest, "submission_id": sid})
        if len(rows) >= BATCH:
            bind.execute(sa.insert(postings), rows)
            rows = []
    if rows:
        bind.execute(sa.insert(postings), rows)


def downgrade() -> None:
    op.drop_index("ix_integrity_prints_pool_learner", table_name="integrity_prints")
    op.drop_index(op.f("ix_integrity_postings_submission_id"), table_name="integrity_postings")
    op.drop_table("integrity_postings")
