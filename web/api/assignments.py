"""Assignments: instructors upload nbgrader sources; everyone with access reads the release."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from grader.assignment import Assignment, build_assignment
from grader.errors import BadInput, NotFound
from grader.late import LatePolicy, parse_policy
from grader.notebooks import dump_notebook
from grader.terms import check_runtime
from grader.uploads import ZIP_MAGIC, unpack_upload
from store import AssignmentRecord
from web.auth import Caller, can_see_course, check_course, current_caller, require
from web.downloads import send_files
from web.forms import check_paths, optional_text_field, text_field, uploaded_file
from web.handles import handles

assignments = Blueprint("assignments", __name__)


def assignment_json(record: AssignmentRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "course": record.course,
        "name": record.name,
        "max_score": record.max_score,
        "grade_cells": record.rubric,
        "notebooks": record.notebooks,
        "rubric_version": record.rubric_version,
        "due": record.due_at.isoformat() if record.due_at else None,
        "late_policy": record.late_policy,
        "runtime": record.sandbox_runtime,
        "created_at": record.created_at.isoformat(),
        "retired_at": record.retired_at.isoformat() if record.retired_at else None,
        "url": url_for("api.assignments.get_assignment", assignment_id=record.id),
        "release_url": url_for("api.assignments.get_release", assignment_id=record.id),
        "submissions_url": url_for("api.submissions.list_submissions", assignment_id=record.id),
    }


@assignments.post("/assignments")
def create_assignment() -> tuple[Response, int, dict[str, str]]:
    """Validate the upload completely (metadata, release) before storing any of it."""
    caller = require("admin", "instructor")
    course, name = text_field("course"), text_field("name")
    check_course(caller, course)
    policy = parse_policy(optional_text_field("due"), request.form.get("late_policy"))
    runtime = check_runtime(optional_text_field("runtime"))
    filename, data = uploaded_file()
    files, assignment = build_upload(filename, data)
    record = store_assignment(course, name, files, assignment, policy, data.startswith(ZIP_MAGIC), runtime)
    body = assignment_json(record)
    return jsonify(body), 201, {"Location": body["url"]}


def build_upload(filename: str, data: bytes) -> tuple[dict[str, bytes], Assignment]:
    """The uploaded files and the assignment they make; raises for anything that cannot be graded."""
    files = unpack_upload(filename, data, handles().settings.max_upload_bytes)
    check_paths(files)
    return files, build_assignment(files)


def store_assignment(
    course: str,
    name: str,
    files: dict[str, bytes],
    assignment: Assignment,
    policy: LatePolicy,
    is_zip: bool,
    runtime: str | None = None,
) -> AssignmentRecord:
    """Sources are kept as uploaded (their hash is what the instructor sent); releases as rendered."""
    return handles().store.add_assignment(
        course=course,
        name=name,
        sources={path: files[path] for path in assignment.sources},
        releases={path: dump_notebook(notebook) for path, notebook in assignment.releases.items()},
        data_files=dict(assignment.files),
        rubric=[cell.to_dict() for cell in assignment.rubric.cells],
        rubric_version=assignment.rubric.version,
        max_score=assignment.rubric.max_score,
        due_at=policy.due,
        late_policy=policy.to_dict()["late_policy"],
        is_zip=is_zip,
        sandbox_runtime=runtime,
    )


@assignments.get("/assignments")
def list_assignments() -> Response:
    """The assignments of every course the caller may read (``?course=`` for one), by course then age.

    Assignments built for exam attempts are an attempt's questions, not the course's, and
    are never listed.
    """
    caller = current_caller()
    store = handles().store
    courses = [course_filter(caller)] if "course" in request.args else visible_courses(caller)
    return jsonify(
        [assignment_json(record) for course in courses for record in store.list_assignments(course)]
    )


def course_filter(caller: Caller) -> str:
    course = request.args.get("course", "").strip()
    if not course:
        raise BadInput("course: give a course name, or leave the parameter out for every course")
    check_course(caller, course)
    return course


def visible_courses(caller: Caller) -> list[str]:
    """The caller's courses, in name order; every course for an admin or a learner without a list."""
    return [course for course in handles().store.list_courses() if can_see_course(caller, course)]


@assignments.get("/assignments/<assignment_id>")
def get_assignment(assignment_id: str) -> dict[str, Any]:
    return assignment_json(readable_assignment(assignment_id))


@assignments.get("/assignments/<assignment_id>/release")
def get_release(assignment_id: str) -> Response:
    """What a learner downloads: solutions replaced by stubs, hidden tests removed."""
    record = readable_assignment(assignment_id)
    store = handles().store
    files = {**store.assignment_files(record.id, "release"), **store.assignment_files(record.id, "data")}
    return send_files(files, record.name, record.is_zip)


@assignments.get("/assignments/<assignment_id>/source")
def get_source(assignment_id: str) -> Response:
    """The instructor's sources, with solutions and hidden tests: never for learners or platforms."""
    caller = require("admin", "instructor")
    store = handles().store
    record = store.get_assignment(assignment_id)
    check_course(caller, record.course)
    files = {**store.assignment_files(record.id, "source"), **store.assignment_files(record.id, "data")}
    return send_files(files, f"{record.name}-source", record.is_zip)


def readable_assignment(assignment_id: str) -> AssignmentRecord:
    """An assignment the caller may read; one built for an exam attempt only by staff.

    An attempt's questions are the learner's variant: learners read them through their own
    attempt, so no learner can fetch another's variant by its assignment id.
    """
    record = handles().store.get_assignment(assignment_id)
    caller = current_caller()
    if record.exam_attempt_id is not None and caller.role not in ("admin", "instructor"):
        raise NotFound(f"no assignment with id {assignment_id!r}")
    check_course(caller, record.course)
    return record
