"""Instructor pages: courses and assignments, upload with its rubric, the live submission table, the gradebook.

Downloads and exports call the API's own views, so their access checks are the API's.
"""

from __future__ import annotations

import json

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.late import LatePolicy, parse_policy
from grader.terms import check_runtime
from grader.uploads import ZIP_MAGIC
from integrations.exports import counted_submissions
from service.deadlines import deadlines_on
from store import AssignmentRecord
from web.api.assignments import build_upload, get_source, store_assignment
from web.api.exports import counted_reports, get_assignment_gradebook, get_course_gradebook
from web.api.grades import change_cell, regrade_submission
from web.auth import Caller, can_see_course, check_course, require
from web.forms import optional_text_field, text_field, uploaded_file
from web.handles import handles
from web.pages.fields import FieldErrors, parse_number
from web.pages.gradebook import CHART_HEIGHT, CHART_WIDTH, histogram, pass_rates
from web.pages.submissions import render_submission

teach = Blueprint("teach", __name__, url_prefix="/teach")
STAFF = ("admin", "instructor")


def courses_of(caller: Caller) -> list[str]:
    """The courses on the person's account, or every course for an account without a list (an admin)."""
    return list(caller.courses) if caller.courses is not None else handles().store.list_courses()


def staff_assignment(assignment_id: str) -> AssignmentRecord:
    caller = require(*STAFF)
    record = handles().store.get_assignment(assignment_id)
    check_course(caller, record.course)
    return record


@teach.get("/")
def courses() -> ResponseReturnValue:
    return render_courses(FieldErrors(), {})


def render_courses(errors: FieldErrors, form: dict[str, str]) -> ResponseReturnValue:
    caller = require(*STAFF)
    store = handles().store
    listing = {course: store.list_assignments(course) for course in courses_of(caller)}
    return render_template("teach/courses.html", courses=listing, errors=errors.messages, form=form), (
        422 if errors else 200
    )


def late_policy(errors: FieldErrors) -> LatePolicy | None:
    """The due date's own problems beside it first; only then the late policy's, beside that field."""
    due = errors.check("due", lambda: optional_text_field("due"))
    if "due" in errors.messages or errors.check("due", lambda: parse_policy(due, None)) is None:
        return None
    return errors.check("late_policy", lambda: parse_policy(due, request.form.get("late_policy")))


@teach.post("/assignments")
def upload_assignment() -> ResponseReturnValue:
    """The API's upload, with each problem shown next to its field; nothing is stored unless all is well."""
    caller = require(*STAFF)
    errors = FieldErrors()
    course = errors.check("course", lambda: text_field("course"))
    if course is not None and not can_see_course(caller, course):
        errors.add("course", f"your account does not give access to course {course!r}")
    name = errors.check("name", lambda: text_field("name"))
    policy = late_policy(errors)
    runtime = errors.check("runtime", lambda: check_runtime(optional_text_field("runtime")))
    upload = errors.check("file", uploaded_file)
    built = errors.check("file", lambda: build_upload(*upload)) if upload else None
    if errors or course is None or name is None or policy is None or upload is None or built is None:
        return render_courses(
            errors, {k: request.form.get(k, "") for k in ("course", "name", "due", "late_policy")}
        )
    files, assignment = built
    is_zip = upload[1].startswith(ZIP_MAGIC)
    record = errors.check(
        "name", lambda: store_assignment(course, name, files, assignment, policy, is_zip, runtime)
    )
    if record is None:
        return render_courses(errors, {"course": course, "name": name})
    return redirect(url_for("pages.teach.assignment", assignment_id=record.id))


@teach.get("/assignments/<assignment_id>")
def assignment(assignment_id: str) -> ResponseReturnValue:
    return render_assignment(staff_assignment(assignment_id), FieldErrors(), {})


def render_assignment(
    record: AssignmentRecord, errors: FieldErrors, form: dict[str, str]
) -> ResponseReturnValue:
    """The assignment with its forms (terms, regrade, retire), each refused field's message beside it."""
    store = handles().store
    terms = {
        "due": record.due_at.isoformat() if record.due_at else "",
        "late_policy": json.dumps(record.late_policy) if record.late_policy else "",
        "runtime": record.sandbox_runtime or "",
        **form,
    }
    return render_template(
        "teach/assignment.html",
        assignment=record,
        history=store.assignment_history(record.id),
        runs=store.list_regrades(record.id),
        form=terms,
        errors=errors.messages,
    ), (422 if errors else 200)


@teach.get("/assignments/<assignment_id>/submissions")
def submission_rows(assignment_id: str) -> ResponseReturnValue:
    """The table's body alone, which the assignment page fetches every few seconds."""
    record = staff_assignment(assignment_id)
    rows = handles().store.list_submissions(assignment_id=record.id)
    return render_template("teach/submission_rows.html", submissions=list(reversed(rows)))


@teach.get("/assignments/<assignment_id>/gradebook")
def gradebook(assignment_id: str) -> ResponseReturnValue:
    record = staff_assignment(assignment_id)
    submissions = handles().store.list_submissions(assignment_id=record.id)
    counted = counted_submissions(submissions)
    reports = counted_reports(submissions)
    scores = [s.score for s in counted.values() if s.status == "graded" and s.score is not None]
    return render_template(
        "teach/gradebook.html",
        assignment=record,
        counted=counted,
        scores=scores,
        bars=histogram(scores, record.max_score),
        rates=pass_rates(record.rubric, reports.values()),
        deadlines=deadlines_on(handles().store, record),
        chart_width=CHART_WIDTH,
        chart_height=CHART_HEIGHT,
    )


@teach.get("/assignments/<assignment_id>/source")
def source(assignment_id: str) -> ResponseReturnValue:
    return get_source(assignment_id)


@teach.get("/assignments/<assignment_id>/gradebook.csv")
def gradebook_csv(assignment_id: str) -> ResponseReturnValue:
    return get_assignment_gradebook(assignment_id)


@teach.get("/courses/<course>/gradebook.csv")
def course_csv(course: str) -> ResponseReturnValue:
    return get_course_gradebook(course)


@teach.post("/submissions/<submission_id>/regrade")
def regrade(submission_id: str) -> ResponseReturnValue:
    require(*STAFF)
    regrade_submission(submission_id)
    return redirect(url_for("pages.submissions.submission", submission_id=submission_id))


@teach.post("/submissions/<submission_id>/cells/<grade_id>")
def grade_cell(submission_id: str, grade_id: str) -> ResponseReturnValue:
    """A manual score with its reason; a bad one is shown beside that cell's form."""
    require(*STAFF)
    errors = FieldErrors()
    score = errors.check(f"score-{grade_id}", lambda: parse_number(request.form.get("score"), "the score"))
    reason = request.form.get("reason", "")
    if not reason.strip():
        errors.add(f"reason-{grade_id}", "a score change needs a reason (it is kept in the grade's history)")
    if score is not None and not errors:
        errors.check(f"score-{grade_id}", lambda: change_cell(submission_id, grade_id, score, reason))
    if errors:
        return render_submission(submission_id, errors)
    return redirect(url_for("pages.submissions.submission", submission_id=submission_id))
