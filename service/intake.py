"""Accepting a submission: validate it, store it durably, and only then enqueue it.

Lateness is judged here, at receipt, from the server's clock and the learner's deadline
ledger (extensions, late days: ``grader.deadline``): queue delay never costs a learner points. A failed enqueue loses nothing: the submission is already stored as queued
and the worker's start-up recovery enqueues every unfinished submission again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from grader.assignment import load_assignment
from grader.deadline import Verdict, judge
from grader.errors import AssignmentRetired, Forbidden
from grader.late import LatePolicy, parse_policy
from grader.pipeline import match_submission
from grader.uploads import unpack_upload
from service.deps import Deps
from service.queue import Enqueuer
from store import AssignmentRecord, PlatformOrigin, SubmissionRecord

log = logging.getLogger(__name__)
PRIORITY = "assignments"


def accept_submission(
    h: Deps,
    assignment: AssignmentRecord,
    learner: str,
    filename: str,
    data: bytes,
    received_at: datetime,
    origin: PlatformOrigin | None = None,
) -> SubmissionRecord:
    """Raise ``BadInput`` (storing nothing) for an upload that cannot be graded; else store and enqueue.

    Exam answers never come in this way: only through their attempt, where the exam clock
    judges them (``service/attempts.py``).
    """
    if assignment.exam_attempt_id is not None:
        raise Forbidden("this assignment holds an exam attempt's questions: submit through the attempt")
    if assignment.retired_at is not None:  # before the upload is read; the store checks again as it saves
        raise AssignmentRetired(assignment.name, assignment.retired_at)
    validate_submission(h, assignment, filename, data)
    verdict = judge_receipt(h, assignment, learner, received_at)
    submission = h.store.add_submission(
        assignment.id,
        learner,
        filename,
        data,
        received_at,
        verdict.on_time,
        verdict.credit,
        priority=PRIORITY,
        origin=origin,
        deadline=verdict.to_dict(),
    )
    enqueue(h.enqueuer, submission.id)
    return submission


def validate_submission(h: Deps, assignment: AssignmentRecord, filename: str, data: bytes) -> None:
    """The same checks the worker will make: size, notebook format, and a match with the assignment."""
    files = unpack_upload(filename, data, h.settings.max_upload_bytes)
    trusted = load_assignment(
        h.store.assignment_files(assignment.id, "source"), h.store.assignment_files(assignment.id, "data")
    )
    match_submission(trusted, files)


def judge_receipt(h: Deps, assignment: AssignmentRecord, learner: str, received_at: datetime) -> Verdict:
    """The learner's deadline (their ledger moves the assignment's), and late days spent if they cover it."""
    ledger = h.store.ledger_of(assignment.course, learner)
    return judge(ledger, assignment.id, late_policy_of(assignment), received_at, may_spend=True)


def late_policy_of(assignment: AssignmentRecord) -> LatePolicy:
    due = assignment.due_at.isoformat() if assignment.due_at else None
    return parse_policy(due, assignment.late_policy)


def enqueue(enqueuer: Enqueuer, submission_id: str, priority: str = PRIORITY) -> None:
    try:
        enqueuer.enqueue_grading(submission_id, priority)
    except Exception:  # any queue failure: the stored submission is the source of truth
        log.warning(
            "could not enqueue submission %s; it stays queued for recovery", submission_id, exc_info=True
        )
