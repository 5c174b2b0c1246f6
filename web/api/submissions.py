"""Submissions: learners (or platforms on their behalf) submit; the grade and feedback come back."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from grader.errors import BadInput, Forbidden, NotFound
from service.intake import accept_submission
from service.lti_grade_status import lti_grade_status
from store import ReportRecord, SubmissionRecord
from web.auth import Caller, check_course, check_submission, current_caller, require
from web.forms import optional_text_field, uploaded_file
from web.handles import handles
from web.ratelimit import Quota

submissions = Blueprint("submissions", __name__)
# Feedback is learner-facing HTML built from notebook output: let it style itself, nothing more.
FEEDBACK_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def submission_summary(record: SubmissionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "assignment_id": record.assignment_id,
        "learner": record.learner,
        "status": record.status,
        "score": record.score,
        "max_score": record.max_score,
        "received_at": record.received_at.isoformat(),
        "graded_at": record.graded_at.isoformat() if record.graded_at else None,
        "on_time": record.on_time,
        "late_credit": record.late_credit,
        "deadline": record.deadline,  # what submitting then meant, as the learner was told
        "attempts": record.attempts,
        "sha256": record.sha256,
        "error": record.error,
        "url": url_for("api.submissions.get_submission", submission_id=record.id),
    }


def submission_json(
    record: SubmissionRecord, latest: ReportRecord | None, with_review: bool = True
) -> dict[str, Any]:
    """The summary plus the latest report's cells; before grading, no cells and no verdicts.

    Each value is the stored one (``None`` for a verdict the report predates), so a grade reads
    the same however old the version that wrote it.
    """
    report = latest.report if latest else None
    return {
        **submission_summary(record),
        "cells": [cell.to_dict(with_review) for cell in report.cells] if report else [],
        "needs_manual_grading": report.needs_manual_grading if report else None,
        "needs_review": report.needs_review if report else None,
        "judge": report.judge if report else None,
        "flags": list(report.flags) if report else [],
        "events": list(report.events) if report else [],
        "feedback_url": url_for("api.submissions.get_feedback", submission_id=record.id) if latest else None,
        "lti_deliveries": lti_grade_status(handles().store, record.id),  # did each grade reach the LMS?
    }


@submissions.post("/assignments/<assignment_id>/submissions")
def create_submission(assignment_id: str) -> tuple[Response, int, dict[str, str]]:
    h = handles()
    received_at = h.clock()  # first, so that time spent validating never makes work late
    caller = require("admin", "instructor", "platform", "learner")
    quota = check_submission_rate(rate_key(caller))  # before the upload is read: a flood costs little
    assignment = h.store.get_assignment(assignment_id)
    check_course(caller, assignment.course)
    learner = submitting_learner(caller, optional_text_field("learner"))
    filename, data = uploaded_file()
    record = accept_submission(h, assignment, learner, filename, data, received_at)
    body = {"id": record.id, "status": record.status, "url": submission_summary(record)["url"]}
    return jsonify(body), 202, {"Location": body["url"], **quota.headers()}


def rate_key(caller: Caller) -> str:
    """Whose budget a submission spends: the caller's identity, never the token itself."""
    return f"{caller.role}:{caller.name}"


def check_submission_rate(caller_key: str) -> Quota:
    """Spend one submission of ``caller_key`` (``role:name``); ``RateLimited`` (429) when over the limit.

    Every attempt counts, accepted or refused later on, because the limit protects the
    work of checking uploads; views that create submissions call it before reading them.
    """
    return handles().limiter.hit(caller_key)


def submitting_learner(caller: Caller, learner: str | None) -> str:
    """Learners submit as themselves only; everyone else must say for whom."""
    if caller.role == "learner":
        if learner not in (None, caller.name):
            raise Forbidden("a learner may only submit as themselves")
        return caller.name
    if learner is None:
        raise BadInput("the form needs a 'learner' field naming whose work this is")
    return learner


@submissions.get("/assignments/<assignment_id>/submissions")
def list_submissions(assignment_id: str) -> Response:
    caller = require("admin", "instructor", "platform")
    assignment = handles().store.get_assignment(assignment_id)
    check_course(caller, assignment.course)
    records = handles().store.list_submissions(assignment_id=assignment.id)
    return jsonify([submission_summary(record) for record in records])


@submissions.get("/submissions/<submission_id>")
def get_submission(submission_id: str) -> dict[str, Any]:
    """A learner's own view leaves out each cell's ``review`` note, which is for staff: it can
    say how tampering was detected, and that must not help the next attempt at it."""
    record = readable_submission(submission_id)
    return submission_view(record, handles().store.latest_report(record.id))


def submission_view(record: SubmissionRecord, latest: ReportRecord | None) -> dict[str, Any]:
    """What the caller may see of a readable submission and its ``latest`` report: the API's body
    and the pages' content."""
    return submission_json(record, latest, with_review=current_caller().role != "learner")


@submissions.get("/submissions/<submission_id>/feedback")
def get_feedback(submission_id: str) -> Response:
    record = readable_submission(submission_id)
    latest = handles().store.latest_report(record.id)
    if latest is None:
        raise NotFound(f"submission {record.id} has no feedback yet (status {record.status})")
    response = Response(latest.feedback_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FEEDBACK_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def readable_submission(submission_id: str) -> SubmissionRecord:
    store = handles().store
    record = store.get_submission(submission_id)
    check_submission(current_caller(), record, store.get_assignment(record.assignment_id).course)
    return record
