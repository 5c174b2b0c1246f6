"""Changing an assignment after upload: its terms (due date, late policy, runtime) and its history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service.assignments import change_terms
from store import AssignmentChangeRecord, AssignmentRecord
from web.api.assignments import assignment_json
from web.auth import check_course, require
from web.handles import handles
from web.json_body import json_object, reason_field

assignment_changes = Blueprint("assignment_changes", __name__)
CONTROL = ("reason",)  # fields of the body that are not terms


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


@assignment_changes.patch("/assignments/<assignment_id>")
def patch_assignment(assignment_id: str) -> dict[str, Any]:
    """JSON: any of ``due``, ``late_policy``, ``runtime``, with the ``reason`` kept in the history."""
    record = staff_assignment(assignment_id)
    body = json_object()
    edit = {key: value for key, value in body.items() if key not in CONTROL}
    reason = reason_field(body, "in the assignment's history")
    h = handles()
    change = change_terms(h.store, h.enqueuer, record.id, edit, require("admin", "instructor").name, reason, h.clock())
    return {
        "assignment": assignment_json(h.store.get_assignment(record.id)),
        "change": change_json(change) if change else None,
    }


@assignment_changes.get("/assignments/<assignment_id>/history")
def history(assignment_id: str) -> list[dict[str, Any]]:
    """Every change, oldest first: who, when, why, each field's old and new value, the grades restated."""
    record = staff_assignment(assignment_id)
    return [change_json(change) for change in handles().store.assignment_history(record.id)]
