"""Staff programme records: programmes, a programme's learners and their records, one record with its
explanation and hash-chained history, overrides and freezes with a reason, and the exports;
for an admin, uploading a programme spec (every problem of an invalid one listed beside it).

Reads and changes go through the API's functions (``readable_record``/``check_teaches``,
``get_record``, ``get_history``, ``add_override``, ``add_freeze``, the export views): an
instructor sees only programmes with a course they teach. A history that fails verification
is shown as broken, with no record computed from it, as the API refuses one (409).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.errors import Conflict, Forbidden
from records.programme import Programme
from web.api.records import (
    add_freeze,
    add_override,
    check_teaches,
    export_csv,
    export_json,
    get_history,
    get_record,
    programme_json,
    programme_of,
    record_for,
    store_programme,
)
from web.auth import require
from web.forms import uploaded_file
from web.handles import handles
from web.pages.fields import FieldErrors, parse_number

programme_admin = Blueprint("programme_admin", __name__, url_prefix="/teach/programmes")
STAFF = ("admin", "instructor")


def taught_programme(programme_id: str) -> Programme:
    programme = programme_of(programme_id)
    check_teaches(require(*STAFF), programme)
    return programme


@programme_admin.get("/")
def programmes() -> ResponseReturnValue:
    return render_programmes(FieldErrors())


@programme_admin.post("/")
def upload_programme() -> ResponseReturnValue:
    """The API's programme upload, for admins: nothing is stored unless the whole spec is valid."""
    require("admin")
    errors = FieldErrors()
    spec = errors.check("spec", lambda: uploaded_file("spec"))
    stored = errors.check("spec", lambda: store_programme(*spec)) if spec is not None else None
    if stored is None:
        return render_programmes(errors)
    return redirect(url_for("pages.programme_admin.programme", programme_id=stored.id))


def render_programmes(errors: FieldErrors) -> ResponseReturnValue:
    caller = require(*STAFF)
    shown = []
    for programme_id in handles().store.list_programmes():
        programme = programme_of(programme_id)
        try:
            check_teaches(caller, programme)
        except Forbidden:
            continue
        shown.append(programme_json(programme))
    return render_template(
        "teach/programmes.html",
        programmes=shown,
        admin=caller.role == "admin",
        errors=errors.messages,
        problems=errors.problems,
    ), (422 if errors else 200)


@programme_admin.get("/<programme_id>")
def programme(programme_id: str) -> ResponseReturnValue:
    found = taught_programme(programme_id)
    learners = [summary(found, learner) for learner in handles().store.programme_learners(programme_id)]
    return render_template("teach/programme.html", programme=programme_json(found), learners=learners)


def summary(programme: Programme, learner: str) -> dict[str, Any]:
    """One learner's record for the programme's table, or why there is none (a broken history)."""
    try:
        return {"learner": learner, "record": record_for(programme, learner).to_dict(), "broken": None}
    except Conflict as exc:
        return {"learner": learner, "record": None, "broken": exc.message}


@programme_admin.get("/<programme_id>/records/<learner>")
def record(programme_id: str, learner: str) -> ResponseReturnValue:
    return render_record(programme_id, learner, FieldErrors(), {})


def render_record(
    programme_id: str, learner: str, errors: FieldErrors, form: dict[str, str]
) -> ResponseReturnValue:
    found = taught_programme(programme_id)
    try:
        current, broken = get_record(programme_id, learner), None
    except Conflict as exc:
        current, broken = None, exc.message
    return render_template(
        "teach/record.html",
        programme=programme_json(found),
        learner=learner,
        current=current,
        broken=broken,
        history=get_history(programme_id, learner),
        errors=errors.messages,
        form=form,
    ), (422 if errors else 200)


@programme_admin.post("/<programme_id>/records/<learner>/overrides")
def override(programme_id: str, learner: str) -> ResponseReturnValue:
    """A course grade set by hand, with its reason; bad input is shown beside its field and nothing is kept."""
    taught_programme(programme_id)
    errors = FieldErrors()
    form = {k: request.form.get(k, "") for k in ("course", "value", "reason")}
    value = errors.check("override-value", lambda: parse_number(form["value"], "the grade"))
    if value is not None:
        field = "override-reason" if not form["reason"].strip() else "override-value"
        errors.check(field, lambda: add_override(programme_id, learner, form["course"], value, form))
    if errors:
        return render_record(programme_id, learner, errors, form)
    return redirect(url_for("pages.programme_admin.record", programme_id=programme_id, learner=learner))


@programme_admin.post("/<programme_id>/records/<learner>/freeze")
def freeze(programme_id: str, learner: str) -> ResponseReturnValue:
    taught_programme(programme_id)
    errors = FieldErrors()
    errors.check("freeze-reason", lambda: add_freeze(programme_id, learner, dict(request.form)))
    if errors:
        return render_record(programme_id, learner, errors, {})
    return redirect(url_for("pages.programme_admin.record", programme_id=programme_id, learner=learner))


@programme_admin.get("/<programme_id>/records/<learner>/export.json")
def record_json(programme_id: str, learner: str) -> ResponseReturnValue:
    taught_programme(programme_id)
    return export_json(programme_id, learner)


@programme_admin.get("/<programme_id>/records/<learner>/export.csv")
def record_csv(programme_id: str, learner: str) -> ResponseReturnValue:
    taught_programme(programme_id)
    return export_csv(programme_id, learner)
