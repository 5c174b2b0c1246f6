"""Regrading an assignment: re-run every stored submission (optionally against a fixed
source), show old and new scores side by side, then accept (new grade versions, sent to
platforms and programme records) or discard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from grader.assignment import build_assignment, keep_notebook_name
from grader.errors import BadInput
from grader.uploads import unpack_upload
from service.regrades import accept_regrade, start_regrade
from store import AssignmentRecord
from web.auth import check_course, require
from web.forms import check_paths
from web.handles import handles

regrades = Blueprint("regrades", __name__)


def staff_run(run_id: str) -> dict[str, Any]:
    caller = require("admin", "instructor")
    run = handles().store.get_regrade(run_id)
    check_course(caller, handles().store.get_assignment(run["assignment_id"]).course)
    return run


@regrades.post("/assignments/<assignment_id>/regrades")
def open_regrade(assignment_id: str) -> tuple[Response, int]:
    """Multipart: ``reason`` (required) and optionally ``file``, the fixed source (.ipynb or .zip)."""
    caller = require("admin", "instructor")
    h = handles()
    assignment = h.store.get_assignment(assignment_id)
    check_course(caller, assignment.course)
    reason = regrade_reason(request.form.get("reason"))
    upload = request.files.get("file")
    fixed = (
        fixed_source(assignment, upload.filename or "source.ipynb", upload.read())
        if upload is not None
        else None
    )
    run_id = start_regrade(h.store, h.enqueuer, assignment.id, reason, caller.name, fixed, h.clock())
    return jsonify(h.store.get_regrade(run_id)), 202


def regrade_reason(value: str | None) -> str:
    reason = (value or "").strip()
    if not reason or len(reason) > 2000:
        raise BadInput(
            "a regrade needs a 'reason' of at most 2000 characters (it is kept with every new grade)"
        )
    return reason


def fixed_source(assignment: AssignmentRecord, filename: str, data: bytes) -> dict[str, bytes]:
    """The fixed source as the assignment's files (its notebook keeps the assignment's name); a broken fix is refused now."""
    h = handles()
    sent = unpack_upload(filename, data, h.settings.max_upload_bytes)
    fixed = keep_notebook_name(sent, assignment.notebooks)
    check_paths(fixed)
    build_assignment({**fixed, **h.store.assignment_files(assignment.id, "data")})
    return fixed


@regrades.get("/regrades/<run_id>")
def get_regrade(run_id: str) -> dict[str, Any]:
    """Old and new score of every stored submission, side by side, with how many are done."""
    return staff_run(run_id)


@regrades.post("/regrades/<run_id>/accept")
def accept(run_id: str) -> dict[str, Any]:
    staff_run(run_id)
    h = handles()
    changed = accept_regrade(h.store, h.enqueuer, run_id, require("admin", "instructor").name, h.clock())
    return {**h.store.get_regrade(run_id), "changed": changed}


@regrades.post("/regrades/<run_id>/discard")
def discard(run_id: str) -> dict[str, Any]:
    staff_run(run_id)
    h = handles()
    h.store.decide_regrade(run_id, "discarded", h.clock())
    return h.store.get_regrade(run_id)
