"""Staff pages for similar pairs: the ranked list, one pair's answers side by side, its review.

The same rules and steps as the API (``web/api/integrity.py``): staff of the pair's course
only (a learner gets 403), a reason to dismiss or confirm, the review written to both
learners' integrity histories by ``service.integrity.review_pair``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from integrity.compare import FLAG_AT
from service.integrity import review_pair
from store import IntegrityPairRecord
from store.rows import INTEGRITY_STATES
from web.api.integrity import STAFF, export_pairs, pair_detail, staff_pair, visible_pairs
from web.auth import require
from web.handles import handles
from web.pages.fields import FieldErrors

integrity_pages = Blueprint("integrity", __name__, url_prefix="/teach")


@integrity_pages.get("/integrity")
def pairs() -> ResponseReturnValue:
    caller = require(*STAFF)
    course = request.args.get("course") or None
    found = visible_pairs(caller, course, None)
    return render_template("teach/integrity.html", pairs=found, course=course, flag_at=FLAG_AT)


@integrity_pages.get("/integrity.csv")
def pairs_csv() -> ResponseReturnValue:
    return export_pairs()


@integrity_pages.get("/integrity/<int:pair_id>")
def pair(pair_id: int) -> ResponseReturnValue:
    return render_pair(staff_pair(pair_id)[1], FieldErrors(), {})


@integrity_pages.post("/integrity/<int:pair_id>/review")
def review(pair_id: int) -> ResponseReturnValue:
    caller, found = staff_pair(pair_id)
    form = {name: request.form.get(name, "") for name in ("state", "reason", "attempt_id")}
    errors = FieldErrors()
    h = handles()
    errors.check(
        "review-reason",
        lambda: review_pair(
            h.store,
            found.id,
            form["state"],
            form["reason"],
            caller.name,
            form["attempt_id"].strip() or None,
            h.clock(),
        ),
    )
    if errors:
        return render_pair(found, errors, form), 422
    return redirect(url_for("pages.integrity.pair", pair_id=pair_id))


def render_pair(found: IntegrityPairRecord, errors: FieldErrors, form: dict[str, str]) -> str:
    detail = pair_detail(found)
    answers = [{**answer, **highlighted(answer)} for answer in detail["answers"]]
    return render_template(
        "teach/integrity_pair.html",
        pair=detail,
        answers=answers,
        states=INTEGRITY_STATES,
        errors=errors.messages,
        form=form,
    )


def highlighted(answer: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each side's lines, those inside a matching span marked, so the page shows them aligned by colour."""
    sides = {}
    for side in ("a", "b"):
        hits = {n for s in answer["spans"] for n in range(s[f"{side}_first"], s[f"{side}_last"] + 1)}
        lines = answer[f"{side}_text"].splitlines()
        sides[f"{side}_lines"] = [
            {"n": i, "text": text, "match": i in hits} for i, text in enumerate(lines, start=1)
        ]
    return sides
