"""Staff pages that change an assignment: its terms (preview first, then apply what was shown) and retiring it.

They call the same use cases as the API (``service.assignments``, ``Store.retire_assignment``);
each refused field is shown beside it on the assignment's page.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.errors import Conflict
from grader.terms import Terms, TermsChange, check_runtime, edit_terms
from service.assignments import change_terms, preview_terms
from store import AssignmentRecord
from web.auth import require
from web.handles import handles
from web.json_body import reason_field
from web.pages.fields import FieldErrors
from web.pages.teach import STAFF, render_assignment, staff_assignment

assignment_terms = Blueprint("assignment_terms", __name__, url_prefix="/teach/assignments")
TERMS_FORM = ("due", "late_policy", "runtime", "reason")
KEPT = "in the assignment's history"


def open_assignment(assignment_id: str) -> AssignmentRecord:
    """The staff's assignment, if it can still change: a retired one answers with a page saying so (409)."""
    record = staff_assignment(assignment_id)
    if record.retired_at is not None:
        raise Conflict(
            f"{record.name} was retired on {record.retired_at:%Y-%m-%d %H:%M} UTC: it no longer changes"
        )
    return record


def terms_form() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in TERMS_FORM}


def edit_of(form: dict[str, str]) -> dict[str, str]:
    return {name: form[name] for name in ("due", "late_policy", "runtime")}


def checked_plan(record: AssignmentRecord, form: dict[str, str], errors: FieldErrors) -> TermsChange | None:
    """The change the form asks for, or None with each problem kept beside its field."""
    errors.check("reason", lambda: reason_field(dict(form), KEPT))
    errors.check("due", lambda: edit_terms(Terms(), {"due": form["due"]}))
    errors.check("runtime", lambda: check_runtime(form["runtime"] or None))
    if errors:
        return None
    return errors.check("late_policy", lambda: preview_terms(handles().store, record.id, edit_of(form)))


def render_preview(
    record: AssignmentRecord, form: dict[str, str], plan: TermsChange, stale: str = ""
) -> ResponseReturnValue:
    """The preview; after a refused apply (``stale`` says why) the new one, answered 409."""
    page = render_template("teach/terms_preview.html", assignment=record, form=form, plan=plan, stale=stale)
    return page, (409 if stale else 200)


@assignment_terms.post("/<assignment_id>/terms/preview")
def preview(assignment_id: str) -> ResponseReturnValue:
    """What the change would do (whose lateness and score, old and new), with a form to apply exactly that."""
    record = open_assignment(assignment_id)
    form, errors = terms_form(), FieldErrors()
    plan = checked_plan(record, form, errors)
    if plan is None:
        return render_assignment(record, errors, form)
    return render_preview(record, form, plan)


@assignment_terms.post("/<assignment_id>/terms")
def apply(assignment_id: str) -> ResponseReturnValue:
    """Apply the previewed change; if the stored work changed since, show the new preview instead."""
    record = open_assignment(assignment_id)
    form, errors = terms_form(), FieldErrors()
    if checked_plan(record, form, errors) is None:
        return render_assignment(record, errors, form)
    h = handles()
    try:
        change_terms(
            h.store,
            h.enqueuer,
            record.id,
            edit_of(form),
            require(*STAFF).name,
            form["reason"].strip(),
            h.clock(),
            request.form.get("confirm") or None,
        )
    except Conflict as exc:
        return render_preview(record, form, preview_terms(h.store, record.id, edit_of(form)), exc.message)
    return redirect(url_for("pages.teach.assignment", assignment_id=record.id, _anchor="history"))


@assignment_terms.post("/<assignment_id>/retire")
def retire(assignment_id: str) -> ResponseReturnValue:
    """No new submissions from now on; the box must be ticked and a reason given."""
    record = open_assignment(assignment_id)
    errors = FieldErrors()
    reason = errors.check("retire-reason", lambda: reason_field(dict(request.form), KEPT))
    if request.form.get("confirm") != "yes":
        errors.add("retire-confirm", "tick the box to confirm that this assignment stops taking submissions")
    if errors or reason is None:
        return render_assignment(record, errors, {"retire-reason": request.form.get("reason", "")})
    h = handles()
    h.store.retire_assignment(record.id, require(*STAFF).name, reason, h.clock())
    return redirect(url_for("pages.teach.assignment", assignment_id=record.id, _anchor="history"))
