"""The grading job: claim a stored submission, grade it in a fresh sandbox, store the report.

Idempotent by design: ``claim_submission`` only moves a queued or running submission to
running, and ``save_grade`` only stores a report for a running one, so a duplicate or
retried job grades a submission once. Infrastructure faults put the submission back in the
queue (RQ retries the job) and are never recorded as a score.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from typing import Any

from grader.errors import BadInput, InfrastructureError, StorageError
from service.attempts import attempt_graded
from service.queue import check_similarity_of, send_results_of
from store import SubmissionRecord
from worker import context
from worker.outcomes import count_outcome
from worker.queues import RETRY_INTERVALS
from worker.stored import grade_stored, trusted_assignment

MAX_ATTEMPTS = len(RETRY_INTERVALS) + 1
log = logging.getLogger(__name__)


def grade_submission(submission_id: str) -> dict[str, Any]:
    ctx = context.current()
    store = ctx.store
    try:
        submission = store.claim_submission(submission_id)
    except StorageError:  # the database is away: RQ retries the job later
        tally(ctx, "infrastructure_retry")
        raise
    if submission is None:
        log.info("submission %s is already finished; nothing to do", submission_id)
        tally(ctx, "duplicate")
        attempt_graded(store, submission_id, ctx.clock())  # a retry after the step below failed
        return {"submission": submission_id, "skipped": True}
    exam = submission.priority == "exams"
    with ctx.exams_in_flight.grading(submission_id) if exam else nullcontext():  # others step aside
        return _grade_claimed(submission, exam)


def _grade_claimed(submission: SubmissionRecord, exam: bool) -> dict[str, Any]:
    ctx = context.current()
    store = ctx.store
    submission_id = submission.id
    record = store.get_assignment(submission.assignment_id)
    try:
        result = grade_stored(ctx, submission, record, trusted_assignment(store, record.id), exam=exam)
    except BadInput as exc:
        store.mark_failed(submission_id, f"the submission could not be graded: {exc.message}")
        tally(ctx, "could_not_grade")
        send_results_of(context.current().enqueuer, submission)
        return {"submission": submission_id, "failed": exc.message}
    except Exception as exc:  # our fault, never the learner's: retried, then failed without a score
        message = exc.message if isinstance(exc, InfrastructureError) else f"internal error: {exc!r}"
        if submission.attempts >= MAX_ATTEMPTS:
            store.mark_failed(submission_id, f"grading failed {submission.attempts} times: {message}")
            tally(ctx, "infrastructure_failed")
            send_results_of(context.current().enqueuer, submission)
            return {"submission": submission_id, "failed": message}
        log.warning(
            "grading %s hit an infrastructure fault (attempt %d); it will be retried: %s",
            submission_id,
            submission.attempts,
            message,
        )
        tally(ctx, "infrastructure_retry")
        store.requeue(submission_id)
        raise
    provenance = {**result.provenance, "attempt": submission.attempts}
    report = result.graded.report
    stored = store.save_grade(submission_id, report.to_dict(), result.graded.feedback_html, provenance)
    tally(ctx, "graded" if stored else "duplicate")
    if stored:
        send_results_of(context.current().enqueuer, submission)
        if exam:
            attempt_graded(store, submission_id, ctx.clock())
        check_similarity_of(ctx.enqueuer, submission)  # after the grade, never before it
    return {"submission": submission_id, "score": report.score, "stored": stored}


def tally(ctx: context.WorkerContext, outcome: str) -> None:
    count_outcome(ctx.enqueuer.connection, ctx.settings.queue_prefix, outcome)
