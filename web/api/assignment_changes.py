"""Changing an assignment after upload: its terms (due date, late policy, runtime) and its history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from grader.errors import BadInput
from grader.terms import TermsChange
from service.assignments import change_terms, preview_terms
from store import AssignmentChangeRecord, AssignmentRecord
from web.api.assignments import assignment_json
from web.auth import check_course, require
from web.handles import handles
from web.json_body import json_object, reason_field

assignment_changes = Blueprint("assignment_changes", __name__)
CONTROL = ("reason", "confirm")  # fields of the body that are not terms
FLAGS = {"true": True, "1": True, "false": False, "0": False}


def change_json(change: AssignmentChangeRecord) -> dict[str, Any]:
    return {
        "id": change.id,
        "assignment_id": change.assignment_id,
        "kind": change.kind,
        "author": change.author,
        "reason": change.reason,
        "at": change.at.isoformat(),
        "fields": change.fields,
        "regraded": change.regraded,
    }


def staff_assignment(assignment_id: str) -> AssignmentRecord:
    """Only the course's staff change an assignment or read its history."""
    caller = require("admin", "instructor")
    record = handles().store.get_assignment(assignment_id)
    check_course(caller, record.course)
    return record


def preview_json(assignment_id: str, plan: TermsChange) -> dict[str, Any]:
    return {
        "assignment_id": assignment_id,
        "fields": plan.fields,
        "credit_changes": [change.to_dict() for change in plan.credit],
        "needs_confirmation": bool(plan.credit),
        "confirm": plan.confirm,
    }


def preview_flag() -> bool:
    value = request.args.get("preview", "false").strip().lower()
    if value not in FLAGS:
        raise BadInput(f"preview must be true or false, not {value!r}")
    return FLAGS[value]


def confirm_field(body: dict[str, Any]) -> str | None:
    confirm = body.get("confirm")
    if confirm is not None and not isinstance(confirm, str):
        raise BadInput("confirm must be the 'confirm' text of the change's preview")
    return confirm


@assignment_changes.patch("/assignments/<assignment_id>")
def patch_assignment(assignment_id: str) -> dict[str, Any]:
    """JSON: any of ``due``, ``late_policy``, ``runtime``, with the ``reason`` kept in the history.

    ``?preview=true`` changes nothing and answers what the change would do; a change that moves
    credit is applied only with that preview's ``confirm`` value.
    """
    record = staff_assignment(assignment_id)
    body = json_object()
    edit = {key: value for key, value in body.items() if key not in CONTROL}
    confirm = confirm_field(body)
    h = handles()
    if preview_flag():
        return preview_json(record.id, preview_terms(h.store, record.id, edit))
    reason = reason_field(body, "in the assignment's history")
    author = require("admin", "instructor").name
    change = change_terms(h.store, h.enqueuer, record.id, edit, author, reason, h.clock(), confirm)
    return {
        "assignment": assignment_json(h.store.get_assignment(record.id)),
        "change": change_json(change) if change else None,
    }


@assignment_changes.post("/assignments/<assignment_id>/retire")
def retire(assignment_id: str) -> dict[str, Any]:
    """JSON ``{"reason": ...}``: no new submissions from now on (410); the grades stay as they are."""
    record = staff_assignment(assignment_id)
    reason = reason_field(json_object(), "in the assignment's history")
    h = handles()
    change = h.store.retire_assignment(record.id, require("admin", "instructor").name, reason, h.clock())
    return {"assignment": assignment_json(h.store.get_assignment(record.id)), "change": change_json(change)}


@assignment_changes.get("/assignments/<assignment_id>/history")
def history(assignment_id: str) -> list[dict[str, Any]]:
    """Every change, oldest first: who, when, why, each field's old and new value, the grades restated."""
    record = staff_assignment(assignment_id)
    return [change_json(change) for change in handles().store.assignment_history(record.id)]
