"""Reading deadline ledger rows as the pure core's entries, and the one write a submission makes:
the late days it spends. The table is append-only; nothing here (or anywhere) changes a row.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.errors import Conflict
from grader.ledger import Ledger, LedgerEntry, make_entry
from grader.ledger_change import EVERYONE, ledgers_of
from store.models import LedgerEntryRow, SubmissionRow
from store.rows import LedgerRecord

MAX_NAMED = 500  # learners named in one IN (...); SQLite allows 32,766 parameters, a course may hold more


def to_ledger_record(row: LedgerEntryRow) -> LedgerRecord:
    return LedgerRecord(
        id=row.id,
        course=row.course,
        learner=row.learner,
        kind=row.kind,
        assignment_id=row.assignment_id,
        terms=dict(row.terms),
        author=row.author,
        reason=row.reason,
        at=row.at,
        submission_id=row.submission_id,
    )


def to_entry(row: LedgerEntryRow) -> tuple[str, LedgerEntry]:
    entry = make_entry(row.id, row.kind, row.at, row.author, row.reason, row.assignment_id, row.terms)
    return row.learner, entry


def ledger_rows(
    session: Session, course: str, learners: Collection[str] | None = None
) -> list[LedgerEntryRow]:
    """The course's entries, oldest first; with ``learners``, theirs and the course-wide ones."""
    query = select(LedgerEntryRow).where(LedgerEntryRow.course == course)
    if learners is None:
        return list(session.scalars(query.order_by(LedgerEntryRow.id)))
    if len(learners) > MAX_NAMED:  # read the course's and keep theirs: a query has only so many parameters
        wanted = {*learners, EVERYONE}
        return [row for row in session.scalars(query.order_by(LedgerEntryRow.id)) if row.learner in wanted]
    query = query.where(LedgerEntryRow.learner.in_([*learners, EVERYONE]))
    return list(session.scalars(query.order_by(LedgerEntryRow.id)))


def course_ledgers(session: Session, course: str, learners: Collection[str]) -> dict[str, Ledger]:
    """The ledger of each of ``learners`` in the course, and the course-wide one under ``*``."""
    entries = [to_entry(row) for row in ledger_rows(session, course, learners)]
    return ledgers_of(entries, [*learners, EVERYONE])


def spend_late_days(
    session: Session, submission: SubmissionRow, course: str, days: int, at: datetime
) -> None:
    """Record the late days a submission spends, once per assignment: a second spend is refused
    (the learner submits again and is told what that means now)."""
    spent = select(LedgerEntryRow.id).where(
        LedgerEntryRow.course == course,
        LedgerEntryRow.learner == submission.learner,
        LedgerEntryRow.kind == "late_days",
        LedgerEntryRow.assignment_id == submission.assignment_id,
    )
    if session.scalars(spent).first() is not None:
        raise Conflict("late days were just spent on this assignment by another submission: submit again")
    session.add(
        LedgerEntryRow(
            course=course,
            learner=submission.learner,
            kind="late_days",
            assignment_id=submission.assignment_id,
            terms={"days": days},
            author=submission.learner,
            reason=f"spent by submission {submission.id}",
            at=at,
            submission_id=submission.id,
        )
    )
