"""One submission's page, for its learner and for staff: status (live until graded), score, per-test feedback.

What it shows is the API's ``submission_view`` of the submission, after the API's
``readable_submission`` check: a learner sees only their own, without staff notes.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from web.api.assignments import get_release, readable_assignment
from web.api.submissions import get_feedback, readable_submission, submission_view
from web.auth import current_caller
from web.handles import handles
from web.pages.fields import FieldErrors

submissions = Blueprint("submissions", __name__)


@submissions.get("/submissions/<submission_id>")
def submission(submission_id: str) -> ResponseReturnValue:
    return render_submission(submission_id, FieldErrors())


def render_submission(submission_id: str, errors: FieldErrors) -> ResponseReturnValue:
    record = readable_submission(submission_id)
    body = submission_view(record)
    assignment = handles().store.get_assignment(record.assignment_id)
    staff = current_caller().role in ("admin", "instructor")
    return render_template(
        "submission.html", submission=body, assignment=assignment, staff=staff, errors=errors.messages
    ), (422 if errors else 200)


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
