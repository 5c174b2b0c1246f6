"""Changing a grade: regrade a submission, or set one cell's score by hand with a reason.

Either way a new grade version is stored next to the old ones (never an edit in place), and
a platform's submission gets the new version as a ``grade.updated`` result.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from grader.errors import BadInput, Conflict
from grader.manual import amend_feedback, change_cell_score
from service.intake import enqueue
from service.queue import send_results_of
from store import SubmissionRecord
from web.api.submissions import readable_submission, submission_json
from web.auth import require
from web.handles import handles
from web.json_body import json_object

grades = Blueprint("grades", __name__)
MAX_REASON = 2000


@grades.post("/submissions/<submission_id>/regrade")
def regrade(submission_id: str) -> tuple[Response, int]:
    record = regrade_submission(submission_id)
    return jsonify({"id": record.id, "status": record.status, "priority": record.priority}), 202


def regrade_submission(submission_id: str) -> SubmissionRecord:
    """Staff only: queue the submission again, at the priority it first had."""
    require("admin", "instructor")
    h = handles()
    record = h.store.reopen_for_regrade(readable_submission(submission_id).id)
    enqueue(h.enqueuer, record.id, record.priority)
    return record


@grades.put("/submissions/<submission_id>/cells/<grade_id>")
def put_cell(submission_id: str, grade_id: str) -> dict[str, Any]:
    """``{"score": 1.5, "reason": "..."}``: the cell's new score, kept as a new version."""
    body = json_object()
    return change_cell(submission_id, grade_id, body.get("score"), body.get("reason"))


def change_cell(submission_id: str, grade_id: str, score: Any, reason: Any) -> dict[str, Any]:
    """Staff only: store a new grade version with one cell's score set by hand, and tell the platform."""
    caller = require("admin", "instructor")
    h = handles()
    record = readable_submission(submission_id)
    latest = h.store.latest_report(record.id)
    if record.status != "graded" or latest is None:
        raise Conflict(f"submission {record.id} is {record.status}; only a graded submission can be changed")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise BadInput(f"'reason' must be a string of at most {MAX_REASON} characters")
    report, change = change_cell_score(latest.report.to_grade_report(), grade_id, score, caller.name, reason)
    provenance = {**latest.provenance, "change": change, "based_on_report": latest.id}
    stored = h.store.save_changed_grade(
        record.id,
        latest.id,
        {**report.to_dict(), "change": change},
        amend_feedback(latest.feedback_html, report, change),
        provenance,
    )
    send_results_of(h.enqueuer, record)
    return submission_json(h.store.get_submission(record.id), stored)
