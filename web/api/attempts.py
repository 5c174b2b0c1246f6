"""Exam attempts over HTTP: a learner starts, reads their questions, saves work and submits;
staff extend, interrupt, resume and review. Every change is an event with who, when and why.

The server's clock decides: the deadline is fixed at the start, a submit is judged when it
arrives. A learner sees only their own attempts, their own questions as released (never
another variant, never a source), and never the seed.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from exam_bank.states import counts_for_credit
from grader.errors import BadInput, Forbidden, NotFound, RateLimited, WrongAccessCode
from grader.notebooks import parse_notebook
from service.attempts import (
    attempt_summary,
    decide,
    exam_spec,
    extend_attempt,
    interrupt_attempt,
    question_names,
    resume_attempt,
    save_answer,
    start_attempt,
    submit_attempt,
)
from store import AttemptEventRecord, AttemptRecord, ExamRecord
from web.api.exams import is_staff
from web.auth import Caller, check_member, current_caller, require
from web.downloads import send_files
from web.handles import Handles, handles
from web.json_body import json_object, reason_field
from web.ratelimit import FailureLimiter

attempts = Blueprint("attempts", __name__)


def attempt_json(attempt: AttemptRecord, staff: bool) -> dict[str, Any]:
    h = handles()
    spec = exam_spec(h.store, h.store.get_exam(attempt.exam_id))
    saved = h.store.attempt_answers(attempt.id)
    body: dict[str, Any] = {
        "id": attempt.id,
        "exam_id": attempt.exam_id,
        "learner": attempt.learner,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": iso(attempt.started_at),
        "deadline_at": iso(attempt.deadline_at),
        **attempt_summary(attempt, h.clock()),
        "submitted_at": iso(attempt.submitted_at),
        "on_time": attempt.on_time,
        "submission_id": attempt.submission_id,
        "counts_for_credit": counts_for_credit(attempt.state, spec.requires_proctoring),
        "questions": [
            {
                "name": name,
                "url": url_for("api.attempts.get_question", attempt_id=attempt.id, name=name),
                "saved_at": iso(saved[name][1]) if name in saved else None,
            }
            for name in question_names(h.store, attempt)
        ],
        "url": url_for("api.attempts.get_attempt", attempt_id=attempt.id),
    }
    if staff:
        body.update(
            seed=attempt.seed,
            variant=attempt.variant,
            accommodation=attempt.accommodation,
            extension_seconds=attempt.extension_seconds,
            remaining_when_interrupted=attempt.remaining_seconds,
            client_ip=attempt.client_ip,
            events_url=url_for("api.attempts.attempt_events", attempt_id=attempt.id),
        )
    return body


def iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def readable_attempt(attempt_id: str) -> tuple[AttemptRecord, Caller]:
    """The attempt, if it is the caller's own (a learner) or in the caller's course (staff)."""
    h = handles()
    caller = current_caller()
    attempt = h.store.get_attempt(attempt_id)
    if caller.role == "learner":
        if attempt.learner != caller.name:
            raise NotFound(f"no exam attempt with id {attempt_id!r}")  # not even whether it exists
        return attempt, caller
    if not is_staff(caller):
        raise Forbidden(f"a {caller.role} token may not read exam attempts")
    check_member(caller, h.store.get_exam(attempt.exam_id).course)
    return attempt, caller


def staff_attempt(attempt_id: str) -> tuple[AttemptRecord, Caller]:
    attempt, caller = readable_attempt(attempt_id)
    if not is_staff(caller):
        raise Forbidden("only an instructor or an admin may do this")
    return attempt, caller


def own_attempt(attempt_id: str) -> tuple[AttemptRecord, Caller]:
    attempt, caller = readable_attempt(attempt_id)
    if caller.role != "learner":
        raise Forbidden("only the learner taking the attempt may do this")
    return attempt, caller


@attempts.post("/exams/<exam_id>/attempts")
def start(exam_id: str) -> tuple[Response, int, dict[str, str]]:
    """A learner starts an attempt (optional JSON ``{"access_code": "..."}``): the clock starts now."""
    caller = require("learner")
    h = handles()
    now = h.clock()  # first: time spent checking is the learner's, not lost
    exam = h.store.get_exam(exam_id)
    check_member(caller, exam.course)
    body = json_object() if request.get_data(cache=True).strip() else {}
    code = body.get("access_code")
    if code is not None and not isinstance(code, str):
        raise BadInput("access_code must be a string")
    check_code_limits(h, exam.id, caller.name)
    attempt = start_counting_wrong_codes(h, exam, caller.name, code, request.remote_addr, now)
    reply = attempt_json(attempt, staff=False)
    return jsonify(reply), 201, {"Location": reply["url"]}


def code_limit_keys(h: Handles, exam_id: str, learner: str) -> list[tuple[FailureLimiter, str]]:
    return [(h.learner_code_limiter, f"learner:{learner}"), (h.exam_code_limiter, f"exam:{exam_id}")]


def check_code_limits(h: Handles, exam_id: str, learner: str) -> None:
    """Past the limit of wrong codes no code is compared at all: a right guess then is no oracle."""
    for limiter, key in code_limit_keys(h, exam_id, learner):
        limiter.check(key)


def start_counting_wrong_codes(
    h: Handles, exam: ExamRecord, learner: str, code: str | None, client_ip: str | None, now: datetime
) -> AttemptRecord:
    """``start_attempt``, counting a wrong access code against the learner and the exam."""
    try:
        return start_attempt(h.store, h.enqueuer, exam, learner, code, client_ip, now)
    except WrongAccessCode:
        for limiter, key in code_limit_keys(h, exam.id, learner):
            with contextlib.suppress(RateLimited):  # a race to the last slot: the wrong code is the answer
                limiter.hit(key)
        raise


@attempts.get("/exams/<exam_id>/attempts")
def exam_attempts(exam_id: str) -> Response:
    caller = current_caller()
    h = handles()
    exam = h.store.get_exam(exam_id)
    check_member(caller, exam.course)
    if caller.role == "learner":
        found = h.store.list_attempts(exam_id=exam.id, learner=caller.name)
    elif is_staff(caller):
        found = h.store.list_attempts(exam_id=exam.id)
    else:
        raise Forbidden(f"a {caller.role} token may not read exam attempts")
    return jsonify([attempt_json(a, is_staff(caller)) for a in found])


@attempts.get("/attempts/<attempt_id>")
def get_attempt(attempt_id: str) -> dict[str, Any]:
    attempt, caller = readable_attempt(attempt_id)
    return attempt_json(attempt, is_staff(caller))


@attempts.get("/attempts/<attempt_id>/questions/<name>")
def get_question(attempt_id: str, name: str) -> Response:
    """One question as released to this learner: their variant, solutions stubbed, hidden tests out."""
    attempt, caller = readable_attempt(attempt_id)
    if caller.role == "learner" and attempt.state in ("created",):
        raise Forbidden("the attempt has not started")
    if attempt.assignment_id is None or name not in question_names(handles().store, attempt):
        raise NotFound(f"the attempt has no question {name!r}")
    release = handles().store.assignment_files(attempt.assignment_id, "release")
    return send_files({name: release[name]}, name, as_zip=False)


@attempts.put("/attempts/<attempt_id>/answers/<name>")
def put_answer(attempt_id: str, name: str) -> dict[str, Any]:
    """The body is the question's notebook as the learner has it now; the last save wins."""
    return store_answer(attempt_id, name, request.get_data(cache=True))


def store_answer(attempt_id: str, name: str, data: bytes) -> dict[str, Any]:
    """The learner's own attempt only; a body that is not a notebook is refused before it is kept."""
    attempt, _ = own_attempt(attempt_id)
    h = handles()
    now = h.clock()
    if len(data) > h.settings.max_upload_bytes:
        raise BadInput(f"the notebook is over the upload limit of {h.settings.max_upload_bytes} bytes")
    parse_notebook(data, name)  # a notebook, or a clear 4xx now rather than a failed grade later
    save_answer(h.store, attempt, name, data, now)
    return {"name": name, "saved_at": now.isoformat(), "bytes": len(data)}


@attempts.post("/attempts/<attempt_id>/submit")
def submit(attempt_id: str) -> tuple[Response, int]:
    attempt, caller = own_attempt(attempt_id)
    h = handles()
    submitted = submit_attempt(h.store, h.enqueuer, attempt.id, caller.name, h.clock())
    return jsonify(attempt_json(submitted, staff=False)), 202


@attempts.post("/attempts/<attempt_id>/extend")
def extend(attempt_id: str) -> dict[str, Any]:
    """``{"minutes": 15, "reason": "..."}``: more time for this learner, during the attempt."""
    attempt, caller = staff_attempt(attempt_id)
    body = json_object()
    minutes, reason = body.get("minutes"), body.get("reason", "")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        raise BadInput("minutes must be a number")
    if not isinstance(reason, str):
        raise BadInput("reason must be a string")
    h = handles()
    return attempt_json(
        extend_attempt(h.store, h.enqueuer, attempt.id, float(minutes), caller.name, reason, h.clock()), True
    )


@attempts.post("/attempts/<attempt_id>/interrupt")
def interrupt(attempt_id: str) -> dict[str, Any]:
    """``{"reason": "..."}``: the attempt stops with the time it had left, to be resumed."""
    attempt, caller = staff_attempt(attempt_id)
    reason = reason_field(json_object(), "with the attempt")
    h = handles()
    return attempt_json(interrupt_attempt(h.store, attempt.id, caller.name, reason, h.clock()), True)


@attempts.post("/attempts/<attempt_id>/resume")
def resume(attempt_id: str) -> dict[str, Any]:
    attempt, caller = readable_attempt(attempt_id)
    h = handles()
    resumed = resume_attempt(h.store, h.enqueuer, attempt.id, caller.name, h.clock())
    return attempt_json(resumed, is_staff(caller))


@attempts.post("/attempts/<attempt_id>/review")
def review(attempt_id: str) -> dict[str, Any]:
    """``{"decision": "verify" | "reject" | "reopen", "reason": "..."}``; only a verified attempt earns credit."""
    attempt, caller = staff_attempt(attempt_id)
    body = json_object()
    decision = body.get("decision")
    if not isinstance(decision, str):
        raise BadInput("decision must be one of verify, reject, reopen")
    h = handles()
    return attempt_json(
        decide(h.store, attempt.id, decision, caller.name, reason_field(body, "with the attempt"), h.clock()),
        True,
    )


@attempts.get("/attempts/<attempt_id>/events")
def attempt_events(attempt_id: str) -> Response:
    attempt, _ = staff_attempt(attempt_id)
    return jsonify([event_json(e) for e in handles().store.attempt_events(attempt.id)])


def event_json(event: AttemptEventRecord) -> dict[str, Any]:
    return {
        "event": event.event,
        "from": event.from_state,
        "to": event.to_state,
        "actor": event.actor,
        "reason": event.reason,
        "at": event.at.isoformat(),
        "data": event.data,
    }
