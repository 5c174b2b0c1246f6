"""Exports for existing tooling: CSV gradebooks for staff, Gradescope's ``results.json`` per submission."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Response, jsonify

from grader.errors import NotFound
from grader.stored_report import StoredReport
from integrations.exports import (
    assignment_gradebook,
    counted_submissions,
    course_gradebook,
    gradescope_results,
)
from store import SubmissionRecord
from web.api.submissions import readable_submission
from web.auth import check_course, require
from web.downloads import export_filename, private_attachment
from web.handles import handles

exports = Blueprint("exports", __name__)
CSV_TYPE = "text/csv"  # werkzeug adds "; charset=utf-8" to text types, and we encode as UTF-8
STAFF = ("admin", "instructor", "platform")


@exports.get("/assignments/<assignment_id>/gradebook.csv")
def get_assignment_gradebook(assignment_id: str) -> Response:
    caller = require(*STAFF)
    store = handles().store
    assignment = store.get_assignment(assignment_id)
    check_course(caller, assignment.course)
    submissions = store.list_submissions(assignment_id=assignment.id)
    text = assignment_gradebook(assignment, submissions, counted_reports(submissions))
    return csv_attachment(text, assignment.course, assignment.name)


def counted_reports(submissions: Iterable[SubmissionRecord]) -> dict[str, StoredReport]:
    """The latest report of each learner's counted submission only: one query per learner, not per submission."""
    store = handles().store
    reports: dict[str, StoredReport] = {}
    for record in counted_submissions(submissions).values():
        latest = store.latest_report(record.id) if record.status == "graded" else None
        if latest is not None:
            reports[record.id] = latest.report
    return reports


@exports.get("/courses/<course>/gradebook.csv")
def get_course_gradebook(course: str) -> Response:
    """Scope is checked before existence, so another course's staff cannot probe for course names."""
    check_course(require(*STAFF), course)
    store = handles().store
    assignments = store.list_assignments(course)
    if not assignments:
        raise NotFound(f"course {course!r} has no assignments")
    submissions = [s for a in assignments for s in store.list_submissions(assignment_id=a.id)]
    return csv_attachment(course_gradebook(assignments, submissions), course)


@exports.get("/submissions/<submission_id>/results.json")
def get_results(submission_id: str) -> Response:
    """Whoever may read the submission may read its results (a learner, only their own)."""
    record = readable_submission(submission_id)
    store = handles().store
    latest = store.latest_report(record.id)
    if latest is None:
        raise NotFound(f"submission {record.id} has no grade yet (status {record.status})")
    return jsonify(gradescope_results(latest, record, store.get_assignment(record.assignment_id)))


def csv_attachment(text: str, *name_parts: str) -> Response:
    """A download named ``<parts>-gradebook.csv``; grades are personal data, so nothing caches them."""
    return private_attachment(text.encode("utf-8"), f"{export_filename(*name_parts)}-gradebook.csv", CSV_TYPE)
