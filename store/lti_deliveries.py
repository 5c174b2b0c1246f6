"""Outbox rows for LTI line items: a score per grade version, for each platform course the assignment is linked to.

Written in the grade's own transaction, next to the webhook callback (store/deliveries.py),
so no grade is ever stored without its passback. The line is ``lti:<registration>``, so
the sender keeps one learner's scores for one assignment in order, as it does callbacks.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.lti_scores import learner_of, line_of, score_payload, scores_url
from integrations.payloads import event_for
from store.models import DeliveryRow, GradeReportRow, LtiLineItemRow, SubmissionRow


def add_score_deliveries(
    session: Session, submission: SubmissionRow, report: GradeReportRow | None, version: int, now: datetime
) -> list[DeliveryRow]:
    """One score row per line item linked to the submission's assignment on its learner's platform."""
    learner = learner_of(submission.learner)
    if learner is None:
        return []
    registration_id, subject = learner
    line_items = session.scalars(
        select(LtiLineItemRow)
        .where(
            LtiLineItemRow.registration_id == registration_id,
            LtiLineItemRow.assignment_id == submission.assignment_id,
        )
        .order_by(LtiLineItemRow.context_id)
    )
    graded_at = (report.created_at if report is not None else now).isoformat()
    rows = [
        DeliveryRow(
            id=uuid.uuid4().hex,
            platform_id=line_of(registration_id),
            submission_id=submission.id,
            assignment_id=submission.assignment_id,
            learner=submission.learner,
            report_id=report.id if report is not None else None,
            version=version,
            event=event_for(version, report is not None),
            url=scores_url(line_item.url),
            payload=score_payload(subject, report.report if report is not None else None, graded_at),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for line_item in line_items
    ]
    session.add_all(rows)
    session.flush()
    return rows
