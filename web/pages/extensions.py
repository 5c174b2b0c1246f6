"""Staff pages for a course's deadline ledgers: grant an extension (or many, by CSV), preview the
credit it moves, apply exactly that; and the ledger of the course, entry by entry.

They call the same use cases as the API (``service.deadlines``); a refused row is listed beside
the field it came from, and nothing is kept until every row is good.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.errors import Conflict, InvalidSpec
from grader.ledger_change import Grant, LedgerChange, grant_from_dict
from service.deadlines import grant, grants_from_csv, preview_grants
from web.auth import check_course, require
from web.forms import uploaded_file
from web.handles import handles
from web.pages.fields import FieldErrors
from web.pages.teach import STAFF

extensions = Blueprint("extensions", __name__, url_prefix="/teach/courses")
FORM = ("learner", "assignment_id", "extra_hours", "due", "reason")


def staff_course(course: str) -> str:
    check_course(require(*STAFF), course)
    return course


@extensions.get("/<course>/extensions")
def ledger_page(course: str) -> ResponseReturnValue:
    return render_ledger(staff_course(course), FieldErrors(), {})


def render_ledger(course: str, errors: FieldErrors, form: dict[str, str]) -> ResponseReturnValue:
    store = handles().store
    assignments = store.list_assignments(course)
    page = render_template(
        "teach/extensions.html",
        course=course,
        assignments=assignments,
        names={a.id: a.name for a in assignments},
        entries=store.ledger_entries(course),
        errors=errors.messages,
        problems=errors.problems,
        form=form,
    )
    return page, (422 if errors else 200)


def one_grant(form: dict[str, str]) -> list[Grant]:
    """The single-extension form as one grant: the same checks as a JSON entry or a CSV row."""
    terms: dict[str, Any] = {}
    if form["due"].strip():
        terms["due"] = form["due"].strip()
    if form["extra_hours"].strip():
        try:
            terms["extra_hours"] = float(form["extra_hours"])
        except ValueError:
            raise InvalidSpec(f"row 1: extra_hours: {form['extra_hours']!r} is not a number") from None
    return [Grant(form["learner"].strip(), "extension", form["assignment_id"] or None, terms, form["reason"])]


def read_csv_upload() -> str:
    try:
        return uploaded_file("csv")[1].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidSpec("the CSV must be UTF-8 text") from None


def asked_grants(course: str, errors: FieldErrors) -> tuple[list[Grant] | None, str, dict[str, str]]:
    """The grants the form asks for (a CSV file if one came, else the single form), the field to
    blame for a refusal, and the form as typed."""
    form = {name: request.form.get(name, "") for name in FORM}
    if request.form.get("grants"):  # the apply step: the preview's grants, checked again
        field = "grants"
        return errors.check(field, lambda: previewed_grants(request.form["grants"])), field, form
    upload = request.files.get("csv")
    if upload is not None and upload.filename:
        field = "csv"
        text = errors.check(field, read_csv_upload)
        return (
            errors.check(field, lambda: grants_from_csv(handles().store, course, text or "")),
            field,
            form,
        )
    return errors.check("learner", lambda: one_grant(form)), "learner", form


def previewed_grants(text: str) -> list[Grant]:
    """The grants a preview page carries to its apply form (``Grant.to_row`` each)."""
    try:
        rows = json.loads(text)
    except ValueError:
        raise InvalidSpec("the previewed grants are not readable: preview again") from None
    if not isinstance(rows, list):
        raise InvalidSpec("the previewed grants are not readable: preview again")
    return [grant_from_dict(row, n) for n, row in enumerate(rows, 1)]


@extensions.post("/<course>/extensions/preview")
def preview(course: str) -> ResponseReturnValue:
    """Whose credit the extensions would move (old and new), with a form to apply exactly that."""
    staff_course(course)
    errors = FieldErrors()
    grants, field, form = asked_grants(course, errors)
    h = handles()
    plan = (
        errors.check(field, lambda: preview_grants(h.store, course, grants, require(*STAFF).name, h.clock()))
        if grants is not None
        else None
    )
    if plan is None or grants is None:
        return render_ledger(course, errors, form)
    return render_preview(course, grants, plan)


def render_preview(
    course: str, grants: list[Grant], plan: LedgerChange, stale: str = ""
) -> ResponseReturnValue:
    names = {a.id: a.name for a in handles().store.list_assignments(course)}
    rows = json.dumps([g.to_row() for g in grants])
    page = render_template(
        "teach/extensions_preview.html", course=course, plan=plan, names=names, rows=rows, stale=stale
    )
    return page, (409 if stale else 200)


@extensions.post("/<course>/extensions")
def apply(course: str) -> ResponseReturnValue:
    """Keep the previewed entries; if the ledgers or the stored work changed since, preview again."""
    staff_course(course)
    errors = FieldErrors()
    grants, field, form = asked_grants(course, errors)
    if grants is None:
        return render_ledger(course, errors, form)
    h = handles()
    author = require(*STAFF).name
    if errors.check(field, lambda: preview_grants(h.store, course, grants, author, h.clock())) is None:
        return render_ledger(course, errors, form)  # a row refused: nothing kept
    try:
        grant(h.store, h.enqueuer, course, grants, author, h.clock(), request.form.get("confirm") or None)
    except Conflict as exc:
        return render_preview(
            course, grants, preview_grants(h.store, course, grants, author, h.clock()), exc.message
        )
    return redirect(url_for("pages.extensions.ledger_page", course=course, _anchor="ledger"))
