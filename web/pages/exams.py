"""The learner's exam pages: the exams of my courses, and the exam room with a countdown to the server's deadline.

The room shows the API's ``attempt_json`` of the learner's own attempt (``readable_attempt``
answers 404 for anyone else's), and every action goes through the same functions as the API:
starting, saving an answer, submitting. The countdown starts from the server's clock at the
moment the page was made, so a wrong clock on the learner's device changes nothing, and asks
the room's ``clock`` every little while, so an extension granted during the attempt shows
without a reload. At zero the room says that time is up and how much of the exam's grace is
left for submitting; the page made by the server says the same, for a learner without
JavaScript. Submitting cannot be undone, so the room's button leads to a confirmation page
first (a page, not a script's dialog, so it works everywhere).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.errors import RateLimited
from service.attempts import exam_spec, submit_attempt
from store import AttemptRecord
from web.api.attempts import (
    attempt_json,
    check_code_limits,
    get_question,
    own_attempt,
    readable_attempt,
    start_counting_wrong_codes,
    store_answer,
)
from web.api.exams import exam_json
from web.auth import check_member, require
from web.forms import optional_text_field, uploaded_file
from web.handles import handles
from web.pages.attempt_words import learner_words, spoken_duration
from web.pages.fields import FieldErrors

exam_pages = Blueprint("exams", __name__, url_prefix="/learn")


@exam_pages.get("/exams")
def my_exams() -> ResponseReturnValue:
    return render_exams(FieldErrors())


def render_exams(
    errors: FieldErrors, status: int | None = None, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    caller = require("learner")
    store = handles().store
    courses = caller.courses or ()  # exams need explicit membership: no list, no exams
    exams = [
        exam_json(record, exam_spec(store, record), staff=False)
        for c in courses
        for record in store.list_exams(c)
    ]
    attempts = {
        e["id"]: [
            attempt_json(a, staff=False) for a in store.list_attempts(exam_id=e["id"], learner=caller.name)
        ]
        for e in exams
    }
    page = render_template(
        "learn/exams.html", exams=exams, attempts=attempts, errors=errors.messages, words=learner_words
    )
    return page, status or (422 if errors else 200), headers or {}


@exam_pages.post("/exams/<exam_id>/start")
def start(exam_id: str) -> ResponseReturnValue:
    """A wrong access code, a closed window or no attempts left are shown beside the start button."""
    caller = require("learner")
    h = handles()
    now = h.clock()  # first: time spent checking is the learner's, not lost
    exam = h.store.get_exam(exam_id)
    check_member(caller, exam.course)
    errors = FieldErrors()
    code = optional_text_field("access_code")
    try:
        check_code_limits(h, exam.id, caller.name)
    except RateLimited as exc:
        errors.add(f"start-{exam_id}", exc.message)
        return render_exams(errors, 429, {"Retry-After": str(exc.retry_after)})
    attempt = errors.check(
        f"start-{exam_id}",
        lambda: start_counting_wrong_codes(h, exam, caller.name, code, request.remote_addr, now),
        refusals=True,
    )
    if attempt is None:
        return render_exams(errors)
    return redirect(url_for("pages.exams.room", attempt_id=attempt.id))


@exam_pages.get("/attempts/<attempt_id>")
def room(attempt_id: str) -> ResponseReturnValue:
    return render_room(attempt_id, FieldErrors())


def render_room(attempt_id: str, errors: FieldErrors) -> ResponseReturnValue:
    attempt, _ = own_attempt(attempt_id)
    return render_template("learn/room.html", **room_context(attempt), errors=errors.messages), (
        422 if errors else 200
    )


def room_context(attempt: AttemptRecord) -> dict[str, Any]:
    """What the room and its confirmation page show: the attempt in the learner's words, the clock and its grace.

    ``auto_submitted`` is told apart from a learner's own submit by the attempt's events: the
    sweeper's submit is received "at the deadline", and showing that as the learner's submit
    time would be a time they never submitted at.
    """
    h = handles()
    exam = h.store.get_exam(attempt.exam_id)
    spec = exam_spec(h.store, exam)
    now, deadline = h.clock(), attempt.deadline_at
    grace_ends = deadline + spec.grace if deadline else None
    return {
        "attempt": attempt_json(attempt, staff=False),
        "exam": exam_json(exam, spec, staff=False),
        "state_words": learner_words(attempt.state, spec.requires_proctoring),
        "deadline": deadline,
        "now": now,
        "grace": spec.grace,
        "grace_ends": grace_ends,
        "grace_left": spoken_duration(max(grace_ends - now, timedelta(0)).total_seconds())
        if grace_ends
        else "",
        "time_up": deadline is not None and now >= deadline,
        "grace_over": grace_ends is not None and now > grace_ends,
        "auto_submitted": any(event.event == "auto_submit" for event in h.store.attempt_events(attempt.id)),
        "spoken_duration": spoken_duration,
    }


@exam_pages.get("/attempts/<attempt_id>/clock")
def clock(attempt_id: str) -> ResponseReturnValue:
    """The deadline as it stands now (staff may have extended it) and the server's time."""
    attempt, _ = own_attempt(attempt_id)
    deadline = attempt.deadline_at
    return jsonify(
        state=attempt.state,
        deadline=deadline.isoformat() if deadline else None,
        now=handles().clock().isoformat(),
    )


@exam_pages.get("/attempts/<attempt_id>/questions/<name>")
def question(attempt_id: str, name: str) -> ResponseReturnValue:
    readable_attempt(attempt_id)
    return get_question(attempt_id, name)


@exam_pages.post("/attempts/<attempt_id>/answers/<name>")
def save(attempt_id: str, name: str) -> ResponseReturnValue:
    errors = FieldErrors()
    upload = errors.check(f"answer-{name}", uploaded_file)
    if upload is not None:
        errors.check(f"answer-{name}", lambda: store_answer(attempt_id, name, upload[1]), refusals=True)
    if errors:
        return render_room(attempt_id, errors)
    return redirect(url_for("pages.exams.room", attempt_id=attempt_id))


@exam_pages.get("/attempts/<attempt_id>/submit")
def confirm_submit(attempt_id: str) -> ResponseReturnValue:
    """Asks before handing in, with what is saved; an attempt no longer running has nothing to confirm."""
    attempt, _ = own_attempt(attempt_id)
    if attempt.state != "started":
        return redirect(url_for("pages.exams.room", attempt_id=attempt_id))
    return render_template("learn/submit.html", **room_context(attempt))


@exam_pages.post("/attempts/<attempt_id>/submit")
def submit(attempt_id: str) -> ResponseReturnValue:
    """Judged when it arrives, on the server's clock: too late is explained in the room, not a bare error."""
    attempt, caller = own_attempt(attempt_id)
    h = handles()
    errors = FieldErrors()
    errors.check(
        "submit",
        lambda: submit_attempt(h.store, h.enqueuer, attempt.id, caller.name, h.clock()),
        refusals=True,
    )
    if errors:
        return render_room(attempt_id, errors)
    return redirect(url_for("pages.exams.room", attempt_id=attempt_id))
