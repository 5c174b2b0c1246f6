"""Learner pages: my assignments with their deadlines, and submitting a notebook to one."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from grader.deadline import effective_due
from service.deadlines import what_submitting_means
from service.intake import accept_submission, late_policy_of
from store import AssignmentRecord, Store, SubmissionRecord
from web.api.assignments import readable_assignment
from web.api.submissions import check_submission_rate, rate_key
from web.auth import require
from web.forms import uploaded_file
from web.handles import handles
from web.pages.fields import FieldErrors

learn = Blueprint("learn", __name__, url_prefix="/learn")


@learn.get("/")
def my_assignments() -> ResponseReturnValue:
    """Every assignment of the learner's courses (all courses for an account without a list), soonest due first."""
    caller = require("learner")
    store = handles().store
    courses = caller.courses if caller.courses is not None else store.list_courses()
    assignments = [a for course in courses for a in store.list_assignments(course)]
    assignments.sort(key=lambda a: (a.due_at is None, a.due_at or a.created_at))
    mine = latest_by_assignment(store.list_submissions(learner=caller.name))
    return render_template(
        "learn/assignments.html", assignments=assignments, mine=mine, now=handles().clock()
    )


def latest_by_assignment(submissions: list[SubmissionRecord]) -> dict[str, SubmissionRecord]:
    latest: dict[str, SubmissionRecord] = {}
    for record in submissions:  # oldest first, so the last one written wins
        latest[record.assignment_id] = record
    return latest


@learn.get("/assignments/<assignment_id>")
def assignment(assignment_id: str) -> ResponseReturnValue:
    return render_assignment(readable_assignment(assignment_id), FieldErrors())


def render_assignment(record: AssignmentRecord, errors: FieldErrors) -> ResponseReturnValue:
    caller = require("learner")
    store, now = handles().store, handles().clock()
    mine = [s for s in store.list_submissions(assignment_id=record.id, learner=caller.name)]
    now_means = what_submitting_means(store, record, caller.name, now)
    return render_template(
        "learn/assignment.html",
        assignment=record,
        submissions=list(reversed(mine)),
        errors=errors.messages,
        now=now,
        now_means=now_means,
        my_due=my_deadline(store, record, caller.name),
    ), (422 if errors else 200)


def my_deadline(store: Store, record: AssignmentRecord, learner: str) -> datetime | None:
    """The learner's own deadline: the assignment's, moved by their extensions and late days spent."""
    return effective_due(store.ledger_of(record.course, learner), record.id, late_policy_of(record))


@learn.post("/assignments/<assignment_id>")
def submit(assignment_id: str) -> ResponseReturnValue:
    """The API's intake, as the logged-in learner; a refused upload is explained beside the file field."""
    h = handles()
    received_at = h.clock()  # first, as in the API: time spent validating never makes work late
    caller = require("learner")
    record = readable_assignment(assignment_id)
    errors = FieldErrors()
    errors.check("file", lambda: check_submission_rate(rate_key(caller)))
    upload = None if errors else errors.check("file", uploaded_file)
    submission = (
        errors.check("file", lambda: accept_submission(h, record, caller.name, *upload, received_at))
        if upload
        else None
    )
    if submission is None:
        return render_assignment(record, errors)
    return redirect(url_for("pages.submissions.submission", submission_id=submission.id))
