"""One outbox row: pending and due at once, in its line, with the event its version and grade make it."""

from __future__ import annotations

from datetime import UTC, datetime

from store.models import DeliveryRow, GradeReportRow, SubmissionRow
from store.outbox import outbox_row

NOW = datetime(2030, 3, 1, 12, tzinfo=UTC)
SUBMISSION = SubmissionRow(id="s1", assignment_id="a1", learner="alice")
REPORT = GradeReportRow(id=7)


def row(version: int, report: GradeReportRow | None) -> DeliveryRow:
    return outbox_row("d1", "lms", SUBMISSION, report, version, "https://lms.example/cb", {"x": 1}, NOW)


def test_a_first_grade_is_final_pending_and_due_now() -> None:
    made = row(1, REPORT)
    assert (made.event, made.status, made.attempts, made.next_attempt_at) == (
        "grade.final",
        "pending",
        0,
        NOW,
    )
    assert (made.platform_id, made.submission_id, made.assignment_id, made.learner) == (
        "lms",
        "s1",
        "a1",
        "alice",
    )
    assert made.report_id == 7


def test_a_later_version_is_an_update_and_a_failure_points_at_no_report() -> None:
    assert row(2, REPORT).event == "grade.updated"
    failed = row(1, None)
    assert (failed.event, failed.report_id) == ("grade.failed", None)
