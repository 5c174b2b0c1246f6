"""One submission's page, for its learner and for staff: status (live until graded), score, per-test feedback.

What it shows is the API's ``submission_view`` of the submission, after the API's
``readable_submission`` check: a learner sees only their own, without staff notes.

A learner asks for a regrade of one cell here, within the course's window, and sees each
request's answer; staff answer on the request's own page (``web/pages/regrade_requests.py``).

Staff grade by hand here. The cells a person is meant to grade (the rubric's manual answers
and tasks) come first; overriding an autograded test's score is the exception, so those
forms wait one step away, folded, and open by themselves when one of them was refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.stored_report import StoredCell
from service.regrade_requests import open_request, window_closes
from store import SubmissionRecord
from web.api.assignments import get_release, readable_assignment
from web.api.regrade_requests import shown_to
from web.api.submissions import get_feedback, readable_submission, submission_view
from web.auth import current_caller, require
from web.handles import handles
from web.pages.fields import FieldErrors

submissions = Blueprint("submissions", __name__)


@submissions.get("/submissions/<submission_id>")
def submission(submission_id: str) -> ResponseReturnValue:
    return render_submission(submission_id, FieldErrors())


def render_submission(submission_id: str, errors: FieldErrors) -> ResponseReturnValue:
    record = readable_submission(submission_id)
    latest = handles().store.latest_report(record.id)
    body = submission_view(record, latest)
    cells = latest.report.cells if latest else ()  # the forms and the request list read them typed
    assignment = handles().store.get_assignment(record.assignment_id)
    staff = current_caller().role in ("admin", "instructor")
    by_hand, autograded = split_by_grader(cells, assignment.rubric)
    override_refused = any(
        f"{field}-{cell.grade_id}" in errors.messages for cell in autograded for field in ("score", "reason")
    )
    return render_template(
        "submission.html",
        submission=body,
        assignment=assignment,
        staff=staff,
        errors=errors.messages,
        by_hand=by_hand,
        autograded=autograded,
        override_refused=override_refused,
        asking=regrade_context(record, cells),
        typed=dict(request.form) if errors else {},
    ), (422 if errors else 200)


def regrade_context(record: SubmissionRecord, cells: Sequence[StoredCell]) -> dict[str, Any]:
    """The submission's regrade requests as the caller may see them, and what its learner may still ask."""
    caller = current_caller()
    store = handles().store
    found = [shown_to(caller, r) for r in store.list_regrade_requests(submission_id=record.id)]
    context: dict[str, Any] = {"requests": found, "open": False}
    if caller.role != "learner" or record.status != "graded":
        return context
    course = store.get_assignment(record.assignment_id).course
    closes = window_closes(store, record, course)
    asked = {r["grade_id"] for r in found if r["status"] == "open"}
    return {
        **context,
        "open": closes is not None and handles().clock() <= closes,
        "closes": closes,
        "cells": [c for c in cells if c.grade_id not in asked],
        "tokens": store.regrade_policy(course)["tokens"],
        "tokens_left": store.tokens_left(course, caller.name),
    }


@submissions.post("/submissions/<submission_id>/regrade-requests")
def ask_regrade(submission_id: str) -> ResponseReturnValue:
    """The learner's request on one cell; a refusal (window closed, no token left) is shown beside the form."""
    caller = require("learner")
    record = readable_submission(submission_id)
    errors = FieldErrors()
    errors.check(
        "request-reason",
        lambda: open_request(
            handles(), record, caller.name, request.form.get("grade_id"), request.form.get("reason")
        ),
    )
    if errors:
        return render_submission(submission_id, errors)
    return redirect(
        url_for("pages.submissions.submission", submission_id=submission_id) + "#regrade-requests"
    )


def split_by_grader(
    cells: Iterable[StoredCell], rubric: Iterable[Mapping[str, Any]]
) -> tuple[list[StoredCell], list[StoredCell]]:
    """The cells a person grades (the rubric's manual answers and tasks), then those the tests grade.

    A cell the rubric does not name (a grade stored under an older rubric) counts as a
    person's when it waits for one or a person already graded it.
    """
    kinds = {(cell["notebook"], cell["grade_id"]): cell["kind"] for cell in rubric}

    def by_hand(cell: StoredCell) -> bool:
        kind = kinds.get(cell.key)
        if kind is None:
            return cell.status in ("needs_manual_grading", "graded_by_instructor")
        return kind != "test"

    cells = list(cells)
    return [c for c in cells if by_hand(c)], [c for c in cells if not by_hand(c)]


@submissions.get("/submissions/<submission_id>/status")
def status(submission_id: str) -> ResponseReturnValue:
    """A small fragment the submission page polls while the work is queued or running."""
    record = readable_submission(submission_id)
    return render_template("status.html", submission=record)


@submissions.get("/submissions/<submission_id>/feedback")
def feedback(submission_id: str) -> ResponseReturnValue:
    """The API's feedback response, with its sandboxing CSP, framed by the submission page."""
    return get_feedback(submission_id)


@submissions.get("/assignments/<assignment_id>/release")
def release(assignment_id: str) -> ResponseReturnValue:
    readable_assignment(assignment_id)
    return get_release(assignment_id)
