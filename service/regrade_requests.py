"""Learners' regrade requests: open one on a graded cell, answer it, or widen it into a regrade run.

Opening checks what only the owner may ask (their own graded submission, a cell of the grade
in force, inside the course's window) and queues the triage: two re-runs of the stored
submission on the regrades queue (``worker/triage.py``). Answering "upheld" is an
instructor's change to the cell (``grader.manual.change_cell_score``) stored as a new grade
version with the request's id, so platforms, records and a later regrade treat it as any
hand grade. Widening opens the assignment-wide run that already exists (``service.regrades``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from grader.errors import BadInput, Conflict, Forbidden, NotFound, RequestWindowClosed
from grader.manual import amend_feedback, change_cell_score
from grader.stored_report import StoredCell
from service.deps import Deps
from service.queue import send_results_of
from service.regrades import start_regrade
from store import ReportRecord, Store, SubmissionRecord

log = logging.getLogger(__name__)
MAX_REASON = 2000
DECISIONS = ("upheld", "denied")


def request_reason(value: Any) -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if not reason or len(reason) > MAX_REASON:
        raise BadInput(f"a regrade request needs a 'reason' of 1 to {MAX_REASON} characters")
    return reason


def window_closes(store: Store, submission: SubmissionRecord, course: str) -> datetime | None:
    """When the learner's window to ask about this grade ends (None before a grade is released)."""
    if submission.graded_at is None:
        return None
    return submission.graded_at + timedelta(days=store.regrade_policy(course)["window_days"])


def open_request(
    deps: Deps, submission: SubmissionRecord, learner: str, grade_id: Any, reason: Any
) -> dict[str, Any]:
    """An open request on the learner's own graded cell, its triage queued; the request as stored."""
    if submission.learner != learner:
        raise Forbidden("a learner may only ask for a regrade of their own submission")
    latest = graded_report(deps.store, submission)
    cell = find_cell(latest, grade_id)
    reason = request_reason(reason)
    course = deps.store.get_assignment(submission.assignment_id).course
    now = deps.clock()
    closes = window_closes(deps.store, submission, course)
    if closes is None or now > closes:
        raise RequestWindowClosed(
            f"the window for regrade requests on this grade closed at {closes:%Y-%m-%d %H:%M} UTC"
            if closes
            else "this grade has not been released"
        )
    created = deps.store.open_regrade_request(submission.id, cell, reason, latest.id, now)
    try:
        deps.enqueuer.enqueue_triage(created["id"])
    except Exception:  # the request stands; staff see its triage still queued and can answer anyway
        log.warning("could not enqueue the triage of regrade request %s", created["id"], exc_info=True)
    return created


def graded_report(store: Store, submission: SubmissionRecord) -> ReportRecord:
    latest = store.latest_report(submission.id)
    if submission.status != "graded" or latest is None:
        raise Conflict(
            f"submission {submission.id} is {submission.status}; only a graded one can be regraded"
        )
    return latest


def find_cell(latest: ReportRecord, grade_id: Any) -> StoredCell:
    if not isinstance(grade_id, str) or not grade_id:
        raise BadInput("a regrade request needs the 'grade_id' of one cell of the grade")
    cell = latest.report.find_cell(grade_id)
    if cell is None:
        raise NotFound(f"the grade has no cell with grade id {grade_id!r}")
    return cell


def answer_request(
    deps: Deps, request_id: str, author: str, decision: Any, answer: Any, score: Any
) -> dict[str, Any]:
    """Staff's answer: ``upheld`` with the cell's new score (a new grade version, the token back) or ``denied``."""
    if decision not in DECISIONS:
        raise BadInput(f"'decision' must be one of {', '.join(DECISIONS)}")
    answer = request_reason(answer)
    store, now = deps.store, deps.clock()
    if decision == "denied":
        return store.deny_regrade_request(request_id, author, answer, now)
    request = store.get_regrade_request(request_id)
    if request["status"] != "open":
        raise Conflict(f"regrade request {request_id} was already answered ({request['status']})")
    submission = store.get_submission(request["submission_id"])
    latest = graded_report(store, submission)
    report, change = change_cell_score(
        latest.report.to_grade_report(), request["grade_id"], score, author, answer
    )
    change = {**change, "request": request_id}
    grade = (
        {**report.to_dict(), "change": change},
        amend_feedback(latest.feedback_html, report, change),
        {**latest.provenance, "change": change, "based_on_report": latest.id},
    )
    answered = store.uphold_regrade_request(request_id, author, answer, latest.id, grade, now)
    send_results_of(deps.enqueuer, submission)
    return answered


def widen_request(deps: Deps, request_id: str, author: str, fixed: Mapping[str, bytes] | None) -> str:
    """Open the assignment-wide regrade run for what a request showed; the run's id, kept on the request."""
    request = deps.store.get_regrade_request(request_id)
    if request["run_id"] is not None:
        raise Conflict(f"regrade request {request_id} already started regrade run {request['run_id']}")
    reason = f"regrade request on {request['grade_id']}: {request['reason']}"[:MAX_REASON]
    run_id = start_regrade(
        deps.store, deps.enqueuer, request["assignment_id"], reason, author, fixed, deps.clock()
    )
    deps.store.link_regrade_run(request_id, run_id)
    return run_id
