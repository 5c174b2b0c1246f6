"""Outbox rows for LTI line items: a score per grade version, for each platform course the assignment is linked to.

Linked means a launch named the line item, or deep linking placed the assignment there (the
platform then made the line item; the score's URL is a container query by ``resourceId``
that the sender resolves, integrations/lti_scores.py).

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
from store.lti_deep_links import placed_line_items
from store.lti_exam_scores import on_regrade
from store.models import DeliveryRow, GradeReportRow, LtiLineItemRow, SubmissionRow
from store.outbox import outbox_row


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
    urls = {line_item.context_id: scores_url(line_item.url) for line_item in line_items}
    placed = placed_line_items(session, registration_id, "assignment", submission.assignment_id)
    urls = placed | urls  # deep-linked, not launched yet: asked for by resourceId; a launch's URL wins
    graded_at = (report.created_at if report is not None else now).isoformat()
    rows = [
        outbox_row(
            uuid.uuid4().hex,
            line_of(registration_id),
            submission,
            report,
            version,
            urls[context_id],
            score_payload(subject, report.read_report() if report is not None else None, graded_at),
            now,
        )
        for context_id in sorted(urls)
    ]
    session.add_all(rows)
    session.flush()
    return rows + on_regrade(session, submission, now)  # an exam attempt's: the exam's standing
