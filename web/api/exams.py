"""The exam bank over HTTP: instructors upload an exam (a spec and its question notebooks) and
set accommodations; learners read an exam's rules, never its questions or sources."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from exam_bank.spec import ExamSpec, parse_exam
from grader.errors import BadInput, Forbidden
from service.attempts import exam_spec
from store import ExamRecord
from web.auth import Caller, check_course, check_member, current_caller, require
from web.forms import MAX_NAME_LENGTH, check_printable, text_field, uploaded_file
from web.handles import handles
from web.json_body import json_object

exams = Blueprint("exams", __name__)
MAX_MULTIPLIER = 10.0
MAX_NOTE = 2000


def is_staff(caller: Caller) -> bool:
    return caller.role in ("admin", "instructor")


def exam_json(record: ExamRecord, spec: ExamSpec, staff: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "course": record.course,
        "name": record.name,
        "title": spec.title,
        "time_limit_minutes": spec.time_limit_minutes,
        "window": {"opens": spec.window.opens.isoformat(), "closes": spec.window.closes.isoformat()},
        "attempts_allowed": spec.attempts_allowed,
        "grace_seconds": spec.grace_seconds,
        "requires_proctoring": spec.requires_proctoring,
        "access_code_required": spec.access.code is not None,
        "total_points": spec.total_points,
        "questions": sum(pool.draw for pool in spec.pools),
        "created_at": record.created_at.isoformat(),
        "url": url_for("api.exams.get_exam", exam_id=record.id),
        "attempts_url": url_for("api.attempts.exam_attempts", exam_id=record.id),
    }
    if staff:  # the bank itself: which files, how many drawn from each pool, where from
        body["pools"] = [
            {"name": p.name, "draw": p.draw, "points": p.points, "questions": [q.file for q in p.questions]}
            for p in spec.pools
        ]
        body["networks"] = [str(network) for network in spec.access.networks]
    return body


@exams.post("/exams")
def create_exam() -> tuple[Response, int, dict[str, str]]:
    """Multipart: ``course``, ``name``, ``spec`` (exam.yaml or .json) and one ``questions`` file per notebook.

    Every problem is reported at once (422 ``invalid_exam`` with ``problems``), each naming
    its file and field; nothing is stored unless the whole exam is valid.
    """
    caller = require("admin", "instructor")
    course, name = text_field("course"), text_field("name")
    check_course(caller, course)
    spec_name, spec_bytes = uploaded_file("spec")
    record, spec = store_exam(course, name, spec_name, spec_bytes, question_uploads())
    body = exam_json(record, spec, staff=True)
    return jsonify(body), 201, {"Location": body["url"]}


def store_exam(
    course: str, name: str, spec_name: str, spec_bytes: bytes, questions: dict[str, bytes]
) -> tuple[ExamRecord, ExamSpec]:
    """Parse the whole exam (``InvalidExam`` lists every problem), then keep it; shared with the upload page."""
    try:
        spec_text = spec_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{spec_name}: the spec must be UTF-8 text") from None
    spec = parse_exam(spec_name, spec_text, questions)
    return handles().store.add_exam(course, name, spec.title, spec_name, spec_text, questions), spec


def question_uploads() -> dict[str, bytes]:
    limit = handles().settings.max_upload_bytes
    files: dict[str, bytes] = {}
    for upload in request.files.getlist("questions"):
        name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        check_printable(name, "file name")
        if not name:
            raise BadInput("every 'questions' file needs a file name")
        if name in files:
            raise BadInput(f"{name}: sent twice")
        files[name] = upload.read()
        if sum(len(data) for data in files.values()) > limit:
            raise BadInput(f"the question notebooks are over the upload limit of {limit} bytes")
    if not files:
        raise BadInput("send the question notebooks as 'questions' files (one per notebook)")
    return files


@exams.get("/exams")
def list_exams() -> Response:
    caller = current_caller()
    course = request.args.get("course") or ""
    if not course:
        raise BadInput("give the course: /api/v1/exams?course=<course>")
    check_member(caller, course)
    store = handles().store
    return jsonify(
        [exam_json(record, exam_spec(store, record), is_staff(caller)) for record in store.list_exams(course)]
    )


@exams.get("/exams/<exam_id>")
def get_exam(exam_id: str) -> dict[str, Any]:
    caller = current_caller()
    store = handles().store
    record = store.get_exam(exam_id)
    check_member(caller, record.course)
    return exam_json(record, exam_spec(store, record), is_staff(caller))


@exams.put("/courses/<course>/accommodations/<learner>")
def set_accommodation(course: str, learner: str) -> dict[str, Any]:
    """``{"time_multiplier": 1.5, "note": "..."}``: this learner's exam time limits in the course, multiplied."""
    body = json_object()
    return save_accommodation(course, learner, body.get("time_multiplier"), body.get("note", ""))


def save_accommodation(course: str, learner: str, multiplier: Any, note: Any) -> dict[str, Any]:
    """Staff of the course only; every value checked before anything is kept (the page uses it too)."""
    caller = require("admin", "instructor")
    check_course(caller, course)
    for value, what in ((course, "course"), (learner, "learner")):
        check_printable(value, what)
        if len(value) > MAX_NAME_LENGTH:
            raise BadInput(f"{what} is longer than {MAX_NAME_LENGTH} characters")
    if (
        isinstance(multiplier, bool)
        or not isinstance(multiplier, int | float)
        or not 0 < multiplier <= MAX_MULTIPLIER
    ):
        raise BadInput(f"time_multiplier must be a number above 0 and at most {MAX_MULTIPLIER:g}")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise BadInput(f"note must be a string of at most {MAX_NOTE} characters")
    h = handles()
    h.store.set_accommodation(course, learner, float(multiplier), note, caller.name, h.clock())
    return {"course": course, "learner": learner, "time_multiplier": float(multiplier), "note": note}


@exams.get("/courses/<course>/accommodations/<learner>")
def get_accommodation(course: str, learner: str) -> dict[str, Any]:
    caller = current_caller()
    if caller.role == "learner" and caller.name != learner:
        raise Forbidden("a learner may only read their own accommodation")
    if caller.role not in ("learner", "instructor", "admin"):
        raise Forbidden(
            f"a {caller.role} token may not read accommodations: they are the learner's and the course staff's"
        )
    check_course(caller, course)
    return {
        "course": course,
        "learner": learner,
        "time_multiplier": handles().store.accommodation(course, learner),
    }
