"""Staff pages for learners' regrade requests: the queue (age, course, assignment, cell, triage),
one request with its triage's runs and the answer form, the step that widens it into the
assignment-wide regrade run, and each course's terms for requests.

The same checks and use cases as the API (``web/api/regrade_requests.py``,
``service.regrade_requests``); the learner's side is on the submission page
(``web/pages/submissions.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from service.regrade_requests import DECISIONS, answer_request, request_reason, widen_request
from web.api.regrade_requests import MAX_TOKENS, MAX_WINDOW_DAYS, course_name, staff_request, whole_number
from web.api.regrades import fixed_source
from web.auth import check_course, require
from web.handles import handles
from web.pages.fields import FieldErrors, parse_number

regrade_requests = Blueprint("regrade_requests", __name__, url_prefix="/teach")
STAFF = ("admin", "instructor")


@regrade_requests.get("/regrade-requests")
def queue() -> ResponseReturnValue:
    return render_queue(FieldErrors(), {})


def render_queue(errors: FieldErrors, typed: dict[str, str]) -> ResponseReturnValue:
    caller = require(*STAFF)
    store = handles().store
    courses = store.list_courses() if caller.role == "admin" else list(caller.courses or ())
    found = store.list_regrade_requests(courses)
    return render_template(
        "teach/regrade_requests.html",
        waiting=[r for r in found if r["status"] == "open"],
        answered=[r for r in found if r["status"] != "open"][-20:],
        policies=[store.regrade_policy(course) for course in courses],
        now=handles().clock(),
        age=age,
        errors=errors.messages,
        typed=typed,
    ), (422 if errors else 200)


def age(opened_at: str, now: datetime) -> str:
    """How long a request has waited, in the largest whole unit: "3 days", "5 hours", "12 minutes"."""
    seconds = max(0, int((now - datetime.fromisoformat(opened_at)).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "just now"


@regrade_requests.post("/courses/<course>/regrade-policy")
def set_policy(course: str) -> ResponseReturnValue:
    caller = require(*STAFF)
    check_course(caller, course)
    course_name(course)
    errors = FieldErrors()
    window = errors.check(
        f"window-{course}",
        lambda: whole_number(int_field("window_days"), "window_days", MAX_WINDOW_DAYS),
    )
    tokens = errors.check(f"tokens-{course}", lambda: whole_number(int_field("tokens"), "tokens", MAX_TOKENS))
    if errors or window is None or tokens is None:
        return render_queue(errors, {k: request.form.get(k, "") for k in ("window_days", "tokens")})
    handles().store.set_regrade_policy(course, window, tokens, caller.name, handles().clock())
    return redirect(url_for("pages.regrade_requests.queue"))


def int_field(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


@regrade_requests.get("/regrade-requests/<request_id>")
def one(request_id: str) -> ResponseReturnValue:
    return render_request(request_id, FieldErrors())


def render_request(request_id: str, errors: FieldErrors) -> ResponseReturnValue:
    found = staff_request(request_id)
    return render_template(
        "teach/regrade_request.html",
        req=found,
        errors=errors.messages,
        typed=dict(request.form) if errors else {},
    ), (422 if errors else 200)


@regrade_requests.get("/regrade-requests/<request_id>/triage")
def triage(request_id: str) -> ResponseReturnValue:
    """The triage part alone, which the request's page fetches while the re-runs are queued."""
    return render_template("teach/regrade_triage.html", req=staff_request(request_id))


@regrade_requests.post("/regrade-requests/<request_id>/answer")
def answer(request_id: str) -> ResponseReturnValue:
    """Upheld (with the cell's new score) or denied, with a reason; a bad one is shown beside its field."""
    staff_request(request_id)
    errors = FieldErrors()
    decision = request.form.get("decision")
    if decision not in DECISIONS:
        errors.add("answer-decision", "choose whether the request is upheld or denied")
    reason = errors.check("answer-reason", lambda: request_reason(request.form.get("reason")))
    score: Any = None
    if decision == "upheld":
        score = errors.check("answer-score", lambda: parse_number(request.form.get("score"), "the new score"))
    if not errors:  # what is left to refuse is the score (out of the cell's range) or a stale request
        author = require(*STAFF).name
        errors.check(
            "answer-score", lambda: answer_request(handles(), request_id, author, decision, reason, score)
        )
    if errors:
        return render_request(request_id, errors)
    return redirect(url_for("pages.regrade_requests.one", request_id=request_id))


@regrade_requests.post("/regrade-requests/<request_id>/regrade-run")
def widen(request_id: str) -> ResponseReturnValue:
    """Open the assignment-wide regrade run (optionally with a fixed source) and go to it."""
    found = staff_request(request_id)
    h = handles()
    errors = FieldErrors()
    upload = request.files.get("file")
    fixed = None
    if upload is not None and upload.filename:  # a browser sends an empty part when no file was chosen
        fixed = errors.check(
            "widen-file",
            lambda: fixed_source(
                h.store.get_assignment(found["assignment_id"]), upload.filename or "", upload.read()
            ),
        )
    run_id = (
        None
        if errors
        else errors.check("widen-file", lambda: widen_request(h, request_id, require(*STAFF).name, fixed))
    )
    if run_id is None:
        return render_request(request_id, errors)
    return redirect(url_for("pages.regrade_runs.run", run_id=run_id))
