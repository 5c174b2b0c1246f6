"""The per-learner deadline ledger (append-only: triggers refuse UPDATE and DELETE), and the
deadline statement each submission was received with.

A ledger entry is evidence of a grant or a spend a grade depends on; changing one in place
would change grades with no trace, so the database itself refuses it, whatever code runs.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
REFUSAL = "deadline_ledger is append-only: add an entry instead"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER deadline_ledger_no_{verb.lower()} BEFORE {verb} ON deadline_ledger "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGER = [
    "CREATE FUNCTION deadline_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER deadline_ledger_append_only BEFORE UPDATE OR DELETE ON deadline_ledger "
    "FOR EACH ROW EXECUTE FUNCTION deadline_ledger_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "deadline_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("assignment_id", sa.String(32), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=True),
        sa.CheckConstraint(
            "kind IN ('extension', 'late_days', 'accommodation', 'policy')",
            name=op.f("ck_deadline_ledger_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_deadline_ledger_assignment_id_assignments")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_deadline_ledger_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_ledger")),
    )
    op.create_index(op.f("ix_deadline_ledger_course"), "deadline_ledger", ["course"])
    late_days_only = sa.text("kind = 'late_days'")
    op.create_index(
        "uq_deadline_ledger_late_days",
        "deadline_ledger",
        ["course", "learner", "assignment_id"],
        unique=True,
        sqlite_where=late_days_only,
        postgresql_where=late_days_only,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGER:
        op.execute(statement)
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("deadline", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_index("uq_deadline_ledger_late_days", table_name="deadline_ledger")
    op.drop_index(op.f("ix_deadline_ledger_course"), table_name="deadline_ledger")
    op.drop_table("deadline_ledger")  # its triggers go with it
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION deadline_ledger_append_only()")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("deadline")
