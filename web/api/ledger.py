"""Per-learner deadline ledgers: staff grant extensions, accommodations and late-day budgets (one
by one or by CSV, with a preview of the credit they move) and read any ledger of their course; a
learner reads their own, and anyone asks what submitting now would mean."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from grader.errors import BadInput, Forbidden, InvalidSpec
from grader.ledger_change import Grant, LedgerChange, grant_from_dict
from service.deadlines import grant, grants_from_csv, learner_deadlines, preview_grants, what_submitting_means
from web.api.assignment_changes import confirm_field, preview_flag
from web.auth import Caller, check_course, require
from web.forms import check_printable
from web.handles import handles
from web.json_body import json_object

ledger = Blueprint("ledger", __name__)
MAX_CSV_BYTES = 2 * 1024 * 1024


def preview_json(course: str, plan: LedgerChange) -> dict[str, Any]:
    return {
        "course": course,
        "entries": [
            {"learner": learner, "kind": e.kind, "assignment_id": e.assignment_id, **e.terms()}
            for learner, e in plan.entries
        ],
        "credit_changes": plan.credit_dicts(),
        "needs_confirmation": bool(plan.credit),
        "confirm": plan.confirm,
    }


def learner_arg() -> str | None:
    """``?learner=``, a printable name (or None when absent)."""
    learner = request.args.get("learner") or None
    if learner is not None:
        check_printable(learner, "learner")
    return learner


def staff_of(course: str) -> Caller:
    caller = require("admin", "instructor")
    check_course(caller, course)
    return caller


def apply(course: str, grants: list[Grant], confirm: str | None) -> dict[str, Any]:
    caller, h = staff_of(course), handles()
    if preview_flag():
        return preview_json(course, preview_grants(h.store, course, grants, caller.name, h.clock()))
    return grant(h.store, h.enqueuer, course, grants, caller.name, h.clock(), confirm).to_dict()


@ledger.post("/courses/<course>/ledger")
def post_entries(course: str) -> dict[str, Any]:
    """JSON ``{"entries": [{learner, kind, assignment_id, reason, ...}], "confirm"}``; ``?preview=true``."""
    staff_of(course)
    body = json_object()
    entries = body.get("entries")
    if not isinstance(entries, list) or not entries:
        raise BadInput("the JSON body needs 'entries': a non-empty list of ledger entries")
    return apply(
        course, [grant_from_dict(entry, row) for row, entry in enumerate(entries, 1)], confirm_field(body)
    )


@ledger.post("/courses/<course>/ledger/extensions.csv")
def post_csv(course: str) -> dict[str, Any]:
    """A CSV body (learner, assignment, extra_hours or due, reason); ``?confirm=`` the preview's code."""
    staff_of(course)
    data = request.get_data(cache=True)
    if len(data) > MAX_CSV_BYTES:
        raise BadInput(f"the CSV is over {MAX_CSV_BYTES} bytes: send it in parts")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidSpec("the CSV must be UTF-8 text") from None
    return apply(course, grants_from_csv(handles().store, course, text), request.args.get("confirm") or None)


@ledger.get("/courses/<course>/ledger")
def get_entries(course: str) -> dict[str, Any]:
    """Staff: the course's entries (``?learner=`` one learner's); a learner: their own only."""
    caller = require("admin", "instructor", "learner")
    check_course(caller, course)
    learner = learner_arg()
    if caller.role == "learner":
        if learner not in (None, caller.name):
            raise Forbidden("a learner may only read their own ledger")
        learner = caller.name
    store = handles().store
    body: dict[str, Any] = {
        "course": course,
        "entries": [e.to_dict() for e in store.ledger_entries(course, learner)],
    }
    if learner is not None:
        body |= {"learner": learner, **learner_deadlines(store, course, learner)}
    return body


@ledger.get("/assignments/<assignment_id>/deadline")
def get_deadline(assignment_id: str) -> dict[str, Any]:
    """What submitting now would mean (on time, late days, credit, not accepted), before uploading."""
    caller = require("admin", "instructor", "learner", "platform")
    h = handles()
    assignment = h.store.get_assignment(assignment_id)
    check_course(caller, assignment.course)
    learner = learner_arg()
    if caller.role == "learner":
        if learner not in (None, caller.name):
            raise Forbidden("a learner may only ask about their own deadline")
        learner = caller.name
    if learner is None:
        raise BadInput("name the learner: ?learner=NAME")
    return {
        "assignment_id": assignment.id,
        "learner": learner,
        **what_submitting_means(h.store, assignment, learner, h.clock()),
    }
