"""Staff pages for the assignment-wide regrade run: open it (optionally with a fixed source),
watch old and new scores side by side, then accept or discard it.

The same steps as the API (``web/api/regrades.py``): its checks of the reason and the fixed
source, and the use cases in ``service.regrades``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from service.regrades import accept_regrade, start_regrade
from web.api.regrades import fixed_source, regrade_reason, staff_run
from web.auth import require
from web.handles import handles
from web.pages.fields import FieldErrors
from web.pages.teach import STAFF, render_assignment, staff_assignment

regrade_runs = Blueprint("regrade_runs", __name__, url_prefix="/teach")


@regrade_runs.post("/assignments/<assignment_id>/regrades")
def open_run(assignment_id: str) -> ResponseReturnValue:
    record = staff_assignment(assignment_id)
    errors = FieldErrors()
    reason = errors.check("regrade-reason", lambda: regrade_reason(request.form.get("reason")))
    upload = request.files.get("file")
    fixed = None
    if upload is not None and upload.filename:  # a browser sends an empty part when no file was chosen
        fixed = errors.check(
            "regrade-file", lambda: fixed_source(record, upload.filename or "", upload.read())
        )
    if errors or reason is None:
        return render_assignment(record, errors, {"regrade-reason": request.form.get("reason", "")})
    h = handles()
    run_id = start_regrade(h.store, h.enqueuer, record.id, reason, require(*STAFF).name, fixed, h.clock())
    return redirect(url_for("pages.regrade_runs.run", run_id=run_id))


@regrade_runs.get("/regrades/<run_id>")
def run(run_id: str) -> ResponseReturnValue:
    found = staff_run(run_id)
    assignment = handles().store.get_assignment(found["assignment_id"])
    return render_template("teach/regrade_run.html", run=found, assignment=assignment, ready=ready(found))


@regrade_runs.get("/regrades/<run_id>/rows")
def rows(run_id: str) -> ResponseReturnValue:
    """The comparison's rows alone, which the run's page fetches while submissions are re-running."""
    return render_template("teach/regrade_rows.html", run=staff_run(run_id))


def ready(found: dict[str, Any]) -> bool:
    return bool(found["status"] == "open" and found["done"] == found["total"])


@regrade_runs.post("/regrades/<run_id>/accept")
def accept(run_id: str) -> ResponseReturnValue:
    """Every changed grade becomes a new version with the run's reason (a run still re-running is refused)."""
    staff_run(run_id)
    h = handles()
    accept_regrade(h.store, h.enqueuer, run_id, require(*STAFF).name, h.clock())
    return redirect(url_for("pages.regrade_runs.run", run_id=run_id))


@regrade_runs.post("/regrades/<run_id>/discard")
def discard(run_id: str) -> ResponseReturnValue:
    staff_run(run_id)
    h = handles()
    h.store.decide_regrade(run_id, "discarded", h.clock())
    return redirect(url_for("pages.regrade_runs.run", run_id=run_id))
