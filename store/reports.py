"""Grade reports: an append-only history per submission, the submission pointing at its newest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from store.models import GradeReportRow, SubmissionRow, utcnow
from store.records import ReportRecord
from store.sessions import SessionScope
from store.submissions import change_status, load_submission


def to_report_record(row: GradeReportRow) -> ReportRecord:
    return ReportRecord(
        id=row.id,
        submission_id=row.submission_id,
        report=dict(row.report),
        feedback_html=row.feedback_html,
        provenance=dict(row.provenance),
        created_at=row.created_at,
    )


class ReportStore(SessionScope):
    def save_grade(
        self, submission_id: str, report: Mapping[str, Any], feedback_html: str, provenance: Mapping[str, Any]
    ) -> bool:
        """Record a grade only if the submission is running; False (nothing written) otherwise.

        The status check and the insert share one transaction, so a duplicate job that
        finishes second finds the submission graded and adds no second report.
        """
        now = utcnow()
        with self.transaction(write=True) as session:
            graded = change_status(
                session,
                submission_id,
                ("running",),
                status="graded",
                score=report["score"],
                max_score=report["max_score"],
                graded_at=now,
                error=None,
            )
            if not graded:
                return False
            row = GradeReportRow(
                submission_id=submission_id,
                created_at=now,
                report=dict(report),
                feedback_html=feedback_html,
                provenance=dict(provenance),
            )
            session.add(row)
            session.flush()
            session.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == submission_id)
                .values(latest_report_id=row.id)
                .execution_options(synchronize_session=False)
            )
            return True

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
