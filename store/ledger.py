"""Deadline ledgers: entries added (never changed: the table's triggers refuse it), read, folded.

A grant is planned (``grader.ledger_change.plan_grants``) from the course's ledgers and stored
work read in the transaction that applies it, so what is applied is what the preview showed;
each grade whose credit it moves is restated as a new version (``store.assignment_changes.restate``,
the path a change of terms takes), with its delivery and programme record events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.late import LatePolicy
from grader.ledger import Ledger
from grader.ledger_change import EVERYONE, Grant, LedgerChange, plan_grants
from store.assignment_changes import check_confirmation, restate, stored_work, terms_of
from store.ledger_entries import course_ledgers, ledger_rows, to_entry, to_ledger_record
from store.models import AssignmentRow, LedgerEntryRow
from store.rows import LedgerGrantRecord, LedgerRecord
from store.sessions import SessionScope


def course_terms(session: Session, course: str) -> dict[str, LatePolicy]:
    """The late policy of each of the course's assignments (not exam attempts' questions)."""
    query = select(AssignmentRow).where(
        AssignmentRow.course == course, AssignmentRow.exam_attempt_id.is_(None)
    )
    return {row.id: terms_of(row).policy for row in session.scalars(query)}


def plan_in(
    session: Session, course: str, grants: Sequence[Grant], author: str, at: datetime
) -> LedgerChange:
    learners = None if any(g.learner == EVERYONE for g in grants) else {g.learner for g in grants}
    existing = [to_entry(row) for row in ledger_rows(session, course, learners)]
    policies = course_terms(session, course)
    work = {assignment_id: stored_work(session, assignment_id, learners) for assignment_id in policies}
    return plan_grants(existing, grants, author, at, policies, work)


class LedgerStore(SessionScope):
    def ledger_of(self, course: str, learner: str) -> Ledger:
        """The learner's ledger in the course, folded (course-wide entries included)."""
        with self.transaction() as session:
            return course_ledgers(session, course, [learner])[learner]

    def course_ledgers(self, course: str, learners: Sequence[str]) -> dict[str, Ledger]:
        """Each named learner's ledger in the course, folded, in one read."""
        with self.transaction() as session:
            return course_ledgers(session, course, learners)

    def ledger_entries(self, course: str, learner: str | None = None) -> list[LedgerRecord]:
        """The course's entries oldest first; a learner's own and the course-wide ones when named."""
        with self.transaction() as session:
            rows = ledger_rows(session, course, None if learner is None else [learner])
            return [to_ledger_record(row) for row in rows]

    def plan_ledger_grants(
        self, course: str, grants: Sequence[Grant], author: str, at: datetime
    ) -> LedgerChange:
        """What ``grants`` would add and whose credit they would move, without changing anything."""
        with self.transaction() as session:
            return plan_in(session, course, grants, author, at)

    def grant_ledger_entries(
        self,
        course: str,
        grants: Sequence[Grant],
        author: str,
        at: datetime,
        confirm: str | None = None,
    ) -> LedgerGrantRecord:
        """Add the entries and restate every grade whose credit they move, all or nothing.

        Like a change of terms, one that moves credit needs its preview's ``confirm`` code and
        is refused (Conflict) if the ledgers or the stored work changed since that preview.
        """
        with self.transaction(write=True) as session:
            plan = plan_in(session, course, grants, author, at)
            check_confirmation(plan, confirm)
            rows = [
                LedgerEntryRow(
                    course=course,
                    learner=learner,
                    kind=entry.kind,
                    assignment_id=entry.assignment_id,
                    terms=entry.terms(),
                    author=author,
                    reason=entry.reason,
                    at=at,
                )
                for learner, entry in plan.entries
            ]
            session.add_all(rows)
            reasons = {row.learner: row.reason for row in rows}
            for _, change in plan.credit:
                reason = reasons.get(change.learner) or reasons[EVERYONE]
                restate(session, change, author, reason, at, kind="ledger")
            session.flush()
            return LedgerGrantRecord([to_ledger_record(row) for row in rows], plan.credit_dicts())
