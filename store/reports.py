"""Grade reports: an append-only history per submission, the submission pointing at its newest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.errors import Conflict
from grader.late_credit import restate_lateness
from grader.manual import keep_hand_grades
from grader.stored_report import StoredReport
from store.deliveries import add_delivery
from store.models import GradeReportRow, SubmissionRow, utcnow
from store.programmes import record_grade
from store.rows import ReportRecord
from store.sessions import SessionScope
from store.submissions import change_status, load_submission


def to_report_record(row: GradeReportRow) -> ReportRecord:
    return ReportRecord(
        id=row.id,
        submission_id=row.submission_id,
        report=row.read_report(),
        feedback_html=row.feedback_html,
        provenance=dict(row.provenance),
        created_at=row.created_at,
    )


def typed_report(report: Mapping[str, Any] | StoredReport, where: str = "new grade report") -> StoredReport:
    """A report handed to the store, as it will be read back: one no reader could read is refused
    here (``CorruptData``), before anything is written."""
    return report if isinstance(report, StoredReport) else StoredReport.from_json(report, where)


def add_version(
    session: Session,
    submission: SubmissionRow,
    now: datetime,
    report: StoredReport,
    feedback_html: str,
    provenance: Mapping[str, Any],
) -> GradeReportRow:
    """Append a report, point the submission at it, and write its delivery (the outbox) and its
    programme record events alongside: one transaction, so neither can be lost."""
    row = GradeReportRow(
        submission_id=submission.id,
        created_at=now,
        report=report.to_dict(),
        feedback_html=feedback_html,
        provenance=dict(provenance),
    )
    session.add(row)
    session.flush()
    submission.latest_report_id, submission.updated_at = row.id, now
    add_delivery(session, submission, row, now)
    record_grade(session, submission, row, now)
    return row


def report_in_force(session: Session, submission_id: str) -> StoredReport | None:
    """The submission's newest report, None before its first grade (or for an unknown submission)."""
    submission = session.get(SubmissionRow, submission_id)
    if submission is None or submission.latest_report_id is None:
        return None
    row = session.get(GradeReportRow, submission.latest_report_id)
    return row.read_report() if row else None


def in_force_form(
    session: Session, submission_id: str, report: StoredReport, feedback_html: str
) -> tuple[StoredReport, str]:
    """A machine's new report as it is stored: every score a person gave in the grade it
    replaces kept, and the submission's lateness as it stands now.

    A grader read the lateness when it claimed the work; if staff changed the assignment's
    due date or late policy since, the submission's row has the new one, and it wins.
    """
    previous = report_in_force(session, submission_id)
    report, feedback_html = keep_hand_grades(report, feedback_html, previous)
    submission = load_submission(session, submission_id)
    return restate_lateness(report, feedback_html, submission.on_time, submission.late_credit)


def change_grade(
    session: Session,
    submission_id: str,
    based_on: int,
    now: datetime,
    report: StoredReport,
    feedback_html: str,
    provenance: Mapping[str, Any],
) -> GradeReportRow:
    """A person's new version of a graded submission's grade, inside the caller's transaction.

    Refused (Conflict) when the grade in force is no longer ``based_on``: the change was made
    to a version another change or regrade has replaced, and must not silently undo it.
    """
    submission = load_submission(session, submission_id)
    if submission.status != "graded" or submission.latest_report_id != based_on:
        raise Conflict(
            f"submission {submission_id} changed meanwhile (status {submission.status}, latest report "
            f"{submission.latest_report_id}); read it again and redo the change"
        )
    report, feedback_html = restate_lateness(
        report, feedback_html, submission.on_time, submission.late_credit
    )
    submission.score = report.score
    return add_version(session, submission, now, report, feedback_html, provenance)


class ReportStore(SessionScope):
    def save_grade(
        self,
        submission_id: str,
        report: Mapping[str, Any] | StoredReport,
        feedback_html: str,
        provenance: Mapping[str, Any],
    ) -> bool:
        """Record a grade only if the submission is running; False (nothing written) otherwise.

        The status check and the insert share one transaction, so a duplicate job that
        finishes second finds the submission graded and adds no second report. A platform's
        submission gets its result delivery in that transaction too (the outbox). A regrade
        keeps every score a person gave in the grade it replaces, and every grade takes the
        submission's lateness as it stands (``in_force_form``).
        """
        now = utcnow()
        with self.transaction(write=True) as session:
            stored, feedback_html = in_force_form(session, submission_id, typed_report(report), feedback_html)
            graded = change_status(
                session,
                submission_id,
                ("running",),
                status="graded",
                score=stored.score,
                max_score=stored.max_score,
                graded_at=now,
                error=None,
            )
            if not graded:
                return False
            add_version(
                session, load_submission(session, submission_id), now, stored, feedback_html, provenance
            )
            return True

    def save_changed_grade(
        self,
        submission_id: str,
        based_on: int,
        report: Mapping[str, Any] | StoredReport,
        feedback_html: str,
        provenance: Mapping[str, Any],
    ) -> ReportRecord:
        """A new version of a graded submission's grade (an instructor's change), with its delivery.

        ``based_on`` is the report the change was made to: if another version was stored
        meanwhile, the change is refused (Conflict) rather than silently undo that one.
        """
        now = utcnow()
        with self.transaction(write=True) as session:
            row = change_grade(
                session, submission_id, based_on, now, typed_report(report), feedback_html, provenance
            )
            return to_report_record(row)

    def latest_report(self, submission_id: str) -> ReportRecord | None:
        """The newest report, or None before the first grade; NotFound for an unknown submission."""
        with self.transaction() as session:
            submission = load_submission(session, submission_id)
            if submission.latest_report_id is None:
                return None
            row = session.get(GradeReportRow, submission.latest_report_id)
            return to_report_record(row) if row else None

    def report_history(self, submission_id: str) -> list[ReportRecord]:
        """Every report ever saved for the submission, oldest first."""
        query = select(GradeReportRow).where(GradeReportRow.submission_id == submission_id)
        with self.transaction() as session:
            load_submission(session, submission_id)
            return [to_report_record(row) for row in session.scalars(query.order_by(GradeReportRow.id))]
