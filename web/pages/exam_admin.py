"""Instructor exam pages: a course's exams and the upload form, one exam's rules, pools and attempts, accommodations.

The pages call the API's own functions after its own checks: ``check_course`` on the exam's
course, ``store_exam`` (every ``problems`` entry of an invalid exam shown beside the spec
field), ``save_accommodation`` and the staff ``exam_json``/``attempt_json`` views.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from service.attempts import exam_spec
from store import AttemptRecord, ExamRecord
from web.api.attempts import attempt_json
from web.api.exams import exam_json, question_uploads, save_accommodation, store_exam
from web.auth import check_course, require
from web.forms import text_field, uploaded_file
from web.handles import handles
from web.pages.fields import FieldErrors, parse_number

exam_admin = Blueprint("exam_admin", __name__, url_prefix="/teach")
STAFF = ("admin", "instructor")


def staff_course(course: str) -> None:
    check_course(require(*STAFF), course)


def staff_exam(exam_id: str) -> ExamRecord:
    caller = require(*STAFF)
    exam = handles().store.get_exam(exam_id)
    check_course(caller, exam.course)
    return exam


@exam_admin.get("/courses/<course>/exams")
def course_exams(course: str) -> ResponseReturnValue:
    return render_course_exams(course, FieldErrors(), {})


def render_course_exams(course: str, errors: FieldErrors, form: dict[str, str]) -> ResponseReturnValue:
    staff_course(course)
    store = handles().store
    exams = [exam_json(record, exam_spec(store, record), staff=True) for record in store.list_exams(course)]
    return render_template(
        "teach/exams.html",
        course=course,
        exams=exams,
        accommodations=store.list_accommodations(course),
        errors=errors.messages,
        problems=errors.problems,
        form=form,
    ), (422 if errors else 200)


@exam_admin.post("/courses/<course>/exams")
def upload_exam(course: str) -> ResponseReturnValue:
    """The API's exam upload; nothing is stored unless the name, the spec and every notebook are good."""
    staff_course(course)
    errors = FieldErrors()
    name = errors.check("exam-name", lambda: text_field("name"))
    spec = errors.check("spec", lambda: uploaded_file("spec"))
    questions = errors.check("questions", question_uploads)
    if errors or name is None or spec is None or questions is None:
        return render_course_exams(course, errors, {"name": request.form.get("name", "")})
    stored = errors.check("spec", lambda: store_exam(course, name, spec[0], spec[1], questions))
    if stored is None:
        return render_course_exams(course, errors, {"name": name})
    return redirect(url_for("pages.exam_admin.exam", exam_id=stored[0].id))


@exam_admin.post("/courses/<course>/accommodations")
def accommodate(course: str) -> ResponseReturnValue:
    """A learner's time multiplier with its note; a bad multiplier is shown beside its field."""
    staff_course(course)
    errors = FieldErrors()
    learner = errors.check("learner", lambda: text_field("learner"))
    multiplier = errors.check(
        "multiplier", lambda: parse_number(request.form.get("time_multiplier"), "the multiplier")
    )
    note = request.form.get("note", "")
    if learner is not None and multiplier is not None:
        errors.check("multiplier", lambda: save_accommodation(course, learner, multiplier, note))
    form = {k: request.form.get(k, "") for k in ("learner", "time_multiplier", "note")}
    if errors:
        return render_course_exams(course, errors, form)
    return redirect(url_for("pages.exam_admin.course_exams", course=course) + "#accommodations")


@exam_admin.get("/exams/<exam_id>")
def exam(exam_id: str) -> ResponseReturnValue:
    record = staff_exam(exam_id)
    store = handles().store
    attempts = [attempt_row(a) for a in store.list_attempts(exam_id=record.id)]
    return render_template(
        "teach/exam.html", exam=exam_json(record, exam_spec(store, record), staff=True), attempts=attempts
    )


def attempt_row(attempt: AttemptRecord) -> dict[str, Any]:
    """The staff view of an attempt with the score of its graded submission, if it has one."""
    body = attempt_json(attempt, staff=True)
    submission = handles().store.find_submission(attempt.submission_id) if attempt.submission_id else None
    body["score"] = submission.score if submission is not None else None
    body["max_score"] = submission.max_score if submission is not None else None
    return body
