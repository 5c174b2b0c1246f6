"""Learners' regrade requests: a learner asks about one graded cell of their own submission,
the service triages it by re-running the submission twice, staff answer it (upheld with a new
score, or denied) or widen it into the assignment-wide regrade run; and each course's terms.

Learners read their own requests (the triage's runs, which may quote hidden tests, are
staff-only); staff read and answer those of their courses. The use cases are in
``service.regrade_requests``; the pages call the same ones.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from grader.errors import BadInput, Forbidden
from service.regrade_requests import answer_request, open_request, widen_request
from web.api.regrades import fixed_source
from web.api.submissions import readable_submission
from web.auth import Caller, can_see_course, check_course, current_caller, require
from web.forms import MAX_NAME_LENGTH, check_printable
from web.handles import handles
from web.json_body import json_object

regrade_requests = Blueprint("regrade_requests", __name__)
STAFF = ("admin", "instructor")
MAX_WINDOW_DAYS = 365
MAX_TOKENS = 100


def shown_to(caller: Caller, found: dict[str, Any]) -> dict[str, Any]:
    """A request as ``caller`` may see it: a learner never sees the triage's runs."""
    if caller.role == "learner":
        return {k: v for k, v in found.items() if k != "triage"}
    return found


def readable_request(request_id: str) -> dict[str, Any]:
    """Its learner may read it (after it is answered too); staff of its course may."""
    caller = current_caller()
    found = handles().store.get_regrade_request(request_id)
    if caller.role == "learner":
        if found["learner"] != caller.name:
            raise Forbidden("a learner may only see their own regrade requests")
    else:
        require(*STAFF)
        check_course(caller, found["course"])
    return shown_to(caller, found)


def staff_request(request_id: str) -> dict[str, Any]:
    caller = require(*STAFF)
    found = handles().store.get_regrade_request(request_id)
    check_course(caller, found["course"])
    store = handles().store
    affects = store.learners_below_full(found["assignment_id"], found["notebook"], found["grade_id"])
    return {**found, "affects": affects}


@regrade_requests.post("/submissions/<submission_id>/regrade-requests")
def create(submission_id: str) -> tuple[Response, int]:
    """``{"grade_id": "...", "reason": "..."}``: the learner's request on one cell of their graded submission."""
    caller = require("learner")
    record = readable_submission(submission_id)
    body = json_object()
    created = open_request(handles(), record, caller.name, body.get("grade_id"), body.get("reason"))
    return jsonify(shown_to(caller, created)), 201


@regrade_requests.get("/submissions/<submission_id>/regrade-requests")
def of_submission(submission_id: str) -> dict[str, Any]:
    record = readable_submission(submission_id)
    caller = current_caller()
    found = handles().store.list_regrade_requests(submission_id=record.id)
    return {"requests": [shown_to(caller, r) for r in found]}


@regrade_requests.get("/regrade-requests")
def queue() -> dict[str, Any]:
    """Staff's queue, oldest first: ``?status=open`` (the default), ``upheld``, ``denied`` or ``all``."""
    caller = require(*STAFF)
    status = request.args.get("status", "open")
    if status not in ("open", "upheld", "denied", "all"):
        raise BadInput("'status' must be open, upheld, denied or all")
    courses = None if caller.role == "admin" else list(caller.courses or ())
    found = handles().store.list_regrade_requests(courses, None if status == "all" else status)
    return {"requests": found}


@regrade_requests.get("/regrade-requests/<request_id>")
def get_one(request_id: str) -> dict[str, Any]:
    if current_caller().role == "learner":
        return readable_request(request_id)
    return staff_request(request_id)


@regrade_requests.post("/regrade-requests/<request_id>/answer")
def answer(request_id: str) -> dict[str, Any]:
    """``{"decision": "upheld", "score": 2, "reason": "..."}`` or ``{"decision": "denied", "reason": "..."}``."""
    staff_request(request_id)
    body = json_object()
    h = handles()
    author = require(*STAFF).name
    answer_request(h, request_id, author, body.get("decision"), body.get("reason"), body.get("score"))
    return staff_request(request_id)


@regrade_requests.post("/regrade-requests/<request_id>/regrade-run")
def widen(request_id: str) -> tuple[Response, int]:
    """Multipart, optionally ``file``: the fixed source. Opens the assignment-wide regrade run."""
    found = staff_request(request_id)
    h = handles()
    upload = request.files.get("file")
    fixed = None
    if upload is not None and upload.filename:
        fixed = fixed_source(h.store.get_assignment(found["assignment_id"]), upload.filename, upload.read())
    run_id = widen_request(h, request_id, require(*STAFF).name, fixed)
    return jsonify(h.store.get_regrade(run_id)), 202


@regrade_requests.get("/courses/<course>/regrade-policy")
def get_policy(course: str) -> dict[str, Any]:
    """The course's window and tokens; a learner also sees the tokens they have left."""
    caller = current_caller()
    if not can_see_course(caller, course):
        raise Forbidden(f"this token does not give access to course {course!r}")
    store = handles().store
    policy = store.regrade_policy(course)
    if caller.role == "learner":
        policy["tokens_left"] = store.tokens_left(course, caller.name)
    return policy


@regrade_requests.put("/courses/<course>/regrade-policy")
def put_policy(course: str) -> dict[str, Any]:
    """``{"window_days": 7, "tokens": 2}``: days after a grade is released, tokens per learner (0: none asked)."""
    caller = require(*STAFF)
    check_course(caller, course)
    course_name(course)
    body = json_object()
    window = whole_number(body.get("window_days"), "window_days", MAX_WINDOW_DAYS)
    tokens = whole_number(body.get("tokens"), "tokens", MAX_TOKENS)
    h = handles()
    return h.store.set_regrade_policy(course, window, tokens, caller.name, h.clock())


def course_name(course: str) -> str:
    """A course's terms are kept under its name: one no course could have is refused, not stored."""
    if len(course) > MAX_NAME_LENGTH:
        raise BadInput(f"a course name is at most {MAX_NAME_LENGTH} characters")
    check_printable(course, "the course name")
    return course


def whole_number(value: Any, field: str, most: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise BadInput(f"'{field}' must be a whole number from 0 to {most}")
    return value
