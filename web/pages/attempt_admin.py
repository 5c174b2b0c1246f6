"""One exam attempt for staff: its timing, proctoring reviews with their evidence, event history, and the actions.

Every action goes through the API's ``staff_attempt`` check (a learner gets 403, staff of
another course 403) and the same worker functions as the API: extend, interrupt, resume and
the review decision, each kept as an event with who, when and why. Bad input is shown
beside its field and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from service.attempts import decide, extend_attempt, interrupt_attempt, resume_attempt
from web.api.attempts import event_json, staff_attempt
from web.handles import handles
from web.json_body import reason_field
from web.pages.exam_admin import attempt_row
from web.pages.fields import FieldErrors, parse_number

attempt_admin = Blueprint("attempt_admin", __name__, url_prefix="/teach/attempts")
KEPT = "with the attempt"


@attempt_admin.get("/<attempt_id>")
def attempt(attempt_id: str) -> ResponseReturnValue:
    return render_attempt(attempt_id, FieldErrors(), {})


def render_attempt(attempt_id: str, errors: FieldErrors, form: dict[str, str]) -> ResponseReturnValue:
    record, _ = staff_attempt(attempt_id)
    store = handles().store
    exam = store.get_exam(record.exam_id)
    return render_template(
        "teach/attempt.html",
        attempt=attempt_row(record),
        exam=exam,
        events=[event_json(e) for e in store.attempt_events(record.id)],
        reviews=store.attempt_reviews(record.id),
        errors=errors.messages,
        form=form,
    ), (422 if errors else 200)


def form_reason(field: str, errors: FieldErrors) -> str | None:
    return errors.check(field, lambda: reason_field({"reason": request.form.get("reason")}, KEPT))


def answer(attempt_id: str, errors: FieldErrors, form: dict[str, str] | None = None) -> ResponseReturnValue:
    """The page again with each problem beside its field (nothing changed), or back to the attempt when done."""
    if errors:
        return render_attempt(attempt_id, errors, form or {})
    return redirect(url_for("pages.attempt_admin.attempt", attempt_id=attempt_id))


@attempt_admin.post("/<attempt_id>/extend")
def extend(attempt_id: str) -> ResponseReturnValue:
    record, caller = staff_attempt(attempt_id)
    h = handles()
    errors = FieldErrors()
    minutes = errors.check("extend-minutes", lambda: parse_number(request.form.get("minutes"), "minutes"))
    reason = form_reason("extend-reason", errors)
    if (
        minutes is not None and reason is not None
    ):  # the range and a finished attempt are the worker's to judge
        errors.check(
            "extend-minutes",
            lambda: extend_attempt(h.store, h.enqueuer, record.id, minutes, caller.name, reason, h.clock()),
        )
    return answer(attempt_id, errors, {k: request.form.get(k, "") for k in ("minutes", "reason")})


@attempt_admin.post("/<attempt_id>/interrupt")
def interrupt(attempt_id: str) -> ResponseReturnValue:
    record, caller = staff_attempt(attempt_id)
    h = handles()
    errors = FieldErrors()
    reason = form_reason("interrupt-reason", errors)
    if reason is not None:
        errors.check(
            "interrupt-reason", lambda: interrupt_attempt(h.store, record.id, caller.name, reason, h.clock())
        )
    return answer(attempt_id, errors)


@attempt_admin.post("/<attempt_id>/resume")
def resume(attempt_id: str) -> ResponseReturnValue:
    """An interrupted attempt starts again with the time it had left."""
    record, caller = staff_attempt(attempt_id)
    h = handles()
    errors = FieldErrors()
    errors.check("resume", lambda: resume_attempt(h.store, h.enqueuer, record.id, caller.name, h.clock()))
    return answer(attempt_id, errors)


@attempt_admin.post("/<attempt_id>/review")
def review(attempt_id: str) -> ResponseReturnValue:
    """Verify, reject or reopen, always with a reason; a decision the state does not allow is explained."""
    record, caller = staff_attempt(attempt_id)
    h = handles()
    errors = FieldErrors()
    reason = form_reason("review-reason", errors)
    decision = request.form.get("decision", "")
    if reason is not None:
        errors.check("decision", lambda: decide(h.store, record.id, decision, caller.name, reason, h.clock()))
    if (
        not errors and request.form.get("next") == "queue"
    ):  # decided from the queue: on to the next one waiting
        return redirect(url_for("pages.review_queue.queue"))
    return answer(attempt_id, errors, {"decision": decision, "review_reason": request.form.get("reason", "")})
