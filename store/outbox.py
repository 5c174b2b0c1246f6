"""One outbox row: what every delivery (a webhook callback, an LTI score) holds when it is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.payloads import event_for
from store.models import DeliveryRow, GradeReportRow, SubmissionRow


def outbox_row(
    delivery_id: str,
    line: str,
    submission: SubmissionRow,
    report: GradeReportRow | None,
    version: int,
    url: str,
    payload: dict[str, Any],
    now: datetime,
) -> DeliveryRow:
    """Pending and due now, in ``line`` (a platform's id, or ``lti:<registration>``) for this learner and assignment."""
    return DeliveryRow(
        id=delivery_id,
        platform_id=line,
        submission_id=submission.id,
        assignment_id=submission.assignment_id,
        learner=submission.learner,
        report_id=report.id if report is not None else None,
        version=version,
        event=event_for(version, report is not None),
        url=url,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
