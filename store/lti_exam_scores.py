"""Outbox rows for an exam's LTI line item: the learner's standing, whenever it changes.

An exam's score in the LMS is not one submission's grade: it is the best (or the latest,
by the spec's ``lms_score``) of the learner's attempts that count for credit, and an
attempt counts only once graded, and, for a proctored exam, once a proctor verified it.
So the standing is sent when an attempt starts or stops counting (graded, verified,
rejected, reopened: ``store/exams.py``'s ``apply_event``) and when a counting attempt is
graded again (``store/lti_deliveries.py``), in that change's own transaction.

A standing with no counting attempt (the one that counted was rejected) clears the score
(an AGS score with no ``scoreGiven``). Every score carries the time of the change, so the
platform, which keeps the newest by timestamp, ends with the latest standing whichever
order its attempts' rows are delivered in. An exam reaches the line item a launch into it
named (the AGS claim's ``lineitem``: Open edX's declarative line item, a Canvas or Moodle
graded link) and, in platform courses nobody launched it from yet, the one deep linking made.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exam_bank.lms_rules import LmsRules, lms_rules
from exam_bank.states import counts_for_credit
from integrations.lti_scores import learner_of, line_of, score_payload, scores_url
from store.lti_deep_links import placed_line_items
from store.models import AttemptRow, DeliveryRow, ExamRow, GradeReportRow, LtiExamLineItemRow, SubmissionRow
from store.outbox import outbox_row


def rules_of(session: Session, exam_id: str) -> LmsRules:
    exam = session.get(ExamRow, exam_id)
    assert exam is not None  # a foreign key
    return lms_rules(exam.spec_name, exam.spec_text)


def counts(attempt: AttemptRow, state: str, rules: LmsRules) -> bool:
    return attempt.submission_id is not None and counts_for_credit(state, rules.requires_proctoring)


def on_state_change(session: Session, attempt: AttemptRow, before: str, now: datetime) -> list[DeliveryRow]:
    """The standing, if the attempt's move from ``before`` made it start or stop counting."""
    rules = rules_of(session, attempt.exam_id)
    if counts(attempt, before, rules) == counts(attempt, attempt.state, rules):
        return []
    return send_standing(session, attempt, rules, now)


def on_regrade(session: Session, submission: SubmissionRow, now: datetime) -> list[DeliveryRow]:
    """The standing, if the newly graded submission is a counting attempt's."""
    attempt = session.scalars(select(AttemptRow).where(AttemptRow.submission_id == submission.id)).first()
    if attempt is None:
        return []
    rules = rules_of(session, attempt.exam_id)
    if not counts(attempt, attempt.state, rules):
        return []
    return send_standing(session, attempt, rules, now)


def launched_line_items(session: Session, registration_id: str, exam_id: str) -> dict[str, str]:
    """Per platform course, the scores URL of the line item a launch into the exam named."""
    rows = session.scalars(
        select(LtiExamLineItemRow).where(
            LtiExamLineItemRow.registration_id == registration_id, LtiExamLineItemRow.exam_id == exam_id
        )
    )
    return {row.context_id: scores_url(row.url) for row in rows}


def send_standing(session: Session, attempt: AttemptRow, rules: LmsRules, now: datetime) -> list[DeliveryRow]:
    learner = learner_of(attempt.learner)
    if learner is None:
        return []  # not a learner from an LMS
    registration_id, subject = learner
    urls = placed_line_items(session, registration_id, "exam", attempt.exam_id) | launched_line_items(
        session, registration_id, attempt.exam_id
    )  # a launch's line item wins over a deep link's search by resourceId, as for assignments
    if not urls:
        return []
    chosen = standing(session, attempt, rules)
    anchor = chosen[0] if chosen else session.get(SubmissionRow, attempt.submission_id)
    assert anchor is not None  # an attempt that counted, or counts, was submitted
    report = chosen[1] if chosen else None
    stamp = now.isoformat()
    payload = score_payload(subject, report.read_report(), stamp) if report else cleared(subject, stamp)
    rows = [
        outbox_row(uuid.uuid4().hex, line_of(registration_id), anchor, report, 1, urls[context], payload, now)
        for context in sorted(urls)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def standing(
    session: Session, attempt: AttemptRow, rules: LmsRules
) -> tuple[SubmissionRow, GradeReportRow] | None:
    """The counting attempt whose grade is the learner's score: the best (ties to the later) or the latest."""
    candidates = []
    for other in session.scalars(
        select(AttemptRow).where(AttemptRow.exam_id == attempt.exam_id, AttemptRow.learner == attempt.learner)
    ):
        if not counts(other, other.state, rules):
            continue
        submission = session.get(SubmissionRow, other.submission_id)
        report = session.get(GradeReportRow, submission.latest_report_id) if submission else None
        if submission is not None and report is not None:
            candidates.append((other.number, submission, report))
    if not candidates:
        return None
    if rules.lms_score == "latest":
        _, submission, report = max(candidates, key=lambda c: c[0])
    else:
        _, submission, report = max(candidates, key=lambda c: (float(c[2].read_report().score), c[0]))
    return submission, report


def cleared(subject: str, stamp: str) -> dict[str, Any]:
    """No attempt counts any more: the platform's score is removed (AGS: a score without ``scoreGiven``)."""
    return {
        "userId": subject,
        "activityProgress": "Completed",
        "gradingProgress": "NotReady",
        "timestamp": stamp,
        "comment": "No attempt at this exam counts for credit now (a proctoring review or a reopening).",
    }
