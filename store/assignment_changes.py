"""Changing an assignment's terms after upload, and the history that keeps every change.

An edit is planned (``grader.terms.plan_change``) from the assignment and its stored work
read in the same transaction that applies it, so what is applied is what was planned. A
change to lateness restates each graded submission's grade as a new version (with its
delivery and programme record events, through ``add_version``), never in place.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sized
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.errors import Conflict, NotFound
from grader.late import parse_policy
from grader.late_credit import CreditChange, StoredWork, restate_lateness
from grader.ledger_change import under_ledgers
from grader.terms import Terms, TermsChange, plan_change
from store.ledger_entries import MAX_NAMED, course_ledgers
from store.models import AssignmentChangeRow, AssignmentRow, GradeReportRow, SubmissionRow
from store.reports import add_version
from store.rows import AssignmentChangeRecord
from store.sessions import SessionScope
from store.submissions import load_submission, select_submissions


def to_change_record(row: AssignmentChangeRow) -> AssignmentChangeRecord:
    return AssignmentChangeRecord(
        id=row.id,
        assignment_id=row.assignment_id,
        kind=row.kind,
        author=row.author,
        reason=row.reason,
        at=row.at,
        fields=dict(row.fields),
        regraded=list(row.regraded),
    )


def terms_of(row: AssignmentRow) -> Terms:
    due = row.due_at.isoformat() if row.due_at else None
    return Terms(parse_policy(due, list(row.late_policy)), row.sandbox_runtime)


def stored_work(
    session: Session, assignment_id: str, learners: Collection[str] | None = None
) -> list[StoredWork]:
    """Every submission of the assignment (of ``learners`` only, if named), oldest first, with
    the grade in force of the graded ones."""
    query = select_submissions().where(SubmissionRow.assignment_id == assignment_id)
    if learners is not None and len(learners) <= MAX_NAMED:
        query = query.where(SubmissionRow.learner.in_(learners))
    rows = list(session.scalars(query.order_by(SubmissionRow.received_at, SubmissionRow.id)))
    if learners is not None and len(learners) > MAX_NAMED:  # too many to name in one query
        rows = [row for row in rows if row.learner in learners]
    in_force = select(GradeReportRow).join(SubmissionRow, SubmissionRow.latest_report_id == GradeReportRow.id)
    reports = {
        r.id: r.read_report()
        for r in session.scalars(in_force.where(SubmissionRow.assignment_id == assignment_id))
    }
    return [
        StoredWork(
            row.id,
            row.learner,
            row.received_at,
            row.status,
            row.on_time,
            row.late_credit,
            reports.get(row.latest_report_id) if row.latest_report_id is not None else None,
        )
        for row in rows
    ]


def changeable(session: Session, assignment_id: str) -> AssignmentRow:
    row = session.get(AssignmentRow, assignment_id)
    if row is None:
        raise NotFound(f"no assignment with id {assignment_id!r}")
    if row.exam_attempt_id is not None:
        raise Conflict("this assignment holds an exam attempt's questions: the exam's own rules set its time")
    if row.retired_at is not None:
        raise Conflict(
            f"assignment {row.name!r} is already retired ({row.retired_at:%Y-%m-%d %H:%M} UTC): it no longer changes"
        )
    return row


def restate(
    session: Session, change: CreditChange, author: str, reason: str, at: datetime, kind: str = "terms"
) -> None:
    """The submission's new lateness; a graded one gets its grade restated as a new version.

    ``kind`` names what moved it: the assignment's terms, or a learner's deadline ledger.
    """
    submission = load_submission(session, change.submission_id)
    submission.on_time, submission.late_credit = change.new_on_time, change.new_credit
    if submission.status != "graded" or submission.latest_report_id is None:
        return  # graded later, with the lateness it has now
    latest = session.get(GradeReportRow, submission.latest_report_id)
    assert latest is not None  # a foreign key
    previous = latest.read_report()
    report, feedback = restate_lateness(previous, latest.feedback_html, change.new_on_time, change.new_credit)
    note = {
        "kind": kind,
        "author": author,
        "reason": reason,
        "previous_score": previous.score,
        "score": report.score,
    }
    submission.score = report.score
    provenance = {**latest.provenance, "change": note, "based_on_report": latest.id}
    add_version(session, submission, at, report.amended(change=note), feedback, provenance)


class Previewed(Protocol):
    """A planned change as its preview showed it: the digest to confirm, and the credit it moves."""

    @property
    def confirm(self) -> str: ...

    @property
    def credit(self) -> Sized: ...

    def learners(self) -> list[str]: ...


def check_confirmation(plan: Previewed, confirm: str | None) -> None:
    if confirm is not None and confirm != plan.confirm:
        raise Conflict(
            "the assignment or its stored work changed since that preview: preview again and confirm that"
        )
    if confirm is None and plan.credit:
        count = len(plan.credit)
        learners = plan.learners()
        named = ", ".join(learners[:5]) + (f" and {len(learners) - 5} more" if len(learners) > 5 else "")
        raise Conflict(
            f"this change moves the credit of {count} submission{'s' if count != 1 else ''} ({named}): "
            "preview it first (?preview=true) and send the preview's 'confirm' value to apply it"
        )


def plan_in(session: Session, row: AssignmentRow, edit: Mapping[str, Any]) -> TermsChange:
    """The change, judging each learner's stored work with their deadline ledger in the course."""
    work = stored_work(session, row.id)
    ledgers = course_ledgers(session, row.course, {item.learner for item in work})
    return plan_change(terms_of(row), edit, work, lambda policy: under_ledgers(policy, row.id, ledgers))


class AssignmentChangeStore(SessionScope):
    def plan_terms_change(self, assignment_id: str, edit: Mapping[str, Any]) -> TermsChange:
        """What ``edit`` would change, without changing anything (the preview)."""
        with self.transaction() as session:
            return plan_in(session, changeable(session, assignment_id), edit)

    def change_terms(
        self,
        assignment_id: str,
        edit: Mapping[str, Any],
        author: str,
        reason: str,
        at: datetime,
        confirm: str | None = None,
    ) -> AssignmentChangeRecord | None:
        """Apply ``edit`` and record it; None (nothing written) when it changes nothing.

        A change that moves any submission's lateness needs ``confirm``, the preview's code
        (``TermsChange.confirm``), and is refused (Conflict) unless it applies exactly what
        that preview showed: work that arrived or was graded since makes the preview stale.
        """
        with self.transaction(write=True) as session:
            row = changeable(session, assignment_id)
            plan = plan_in(session, row, edit)
            check_confirmation(plan, confirm)
            if not plan.fields:
                return None
            policy = plan.terms.policy.to_dict()
            row.due_at, row.late_policy, row.sandbox_runtime = (
                plan.terms.policy.due,
                policy["late_policy"],
                plan.terms.runtime,
            )
            for change in plan.credit:
                restate(session, change, author, reason, at)
            entry = AssignmentChangeRow(
                assignment_id=assignment_id,
                kind="terms",
                author=author,
                reason=reason,
                at=at,
                fields=plan.fields,
                regraded=[change.to_dict() for change in plan.credit],
            )
            session.add(entry)
            session.flush()
            return to_change_record(entry)

    def retire_assignment(
        self, assignment_id: str, author: str, reason: str, at: datetime
    ) -> AssignmentChangeRecord:
        """No new submissions from now on (``insert_submission`` refuses them); every grade stays."""
        with self.transaction(write=True) as session:
            row = changeable(session, assignment_id)
            row.retired_at = at
            entry = AssignmentChangeRow(
                assignment_id=assignment_id,
                kind="retire",
                author=author,
                reason=reason,
                at=at,
                fields={"retired": {"old": None, "new": at.isoformat()}},
                regraded=[],
            )
            session.add(entry)
            session.flush()
            return to_change_record(entry)

    def assignment_history(self, assignment_id: str) -> list[AssignmentChangeRecord]:
        """Every change to the assignment, oldest first; NotFound for an unknown assignment."""
        query = select(AssignmentChangeRow).where(AssignmentChangeRow.assignment_id == assignment_id)
        with self.transaction() as session:
            if session.get(AssignmentRow, assignment_id) is None:
                raise NotFound(f"no assignment with id {assignment_id!r}")
            return [to_change_record(row) for row in session.scalars(query.order_by(AssignmentChangeRow.id))]
