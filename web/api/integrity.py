"""Similar pairs for staff to review: ranked, with each answer side by side, review, history, CSV.

Only admins and instructors of the pair's course: a learner's token is refused (403) on every
route, and a pair of another course is refused too. A pair's answers are read from the
similarity index, so reviewing reads no notebook again. What a score means and what it
does not prove: ``docs/integrity.md``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from grader.errors import BadInput
from integrations.exports import write_csv
from service.integrity import review_pair
from store import IntegrityEventRecord, IntegrityPairRecord
from store.rows import INTEGRITY_STATES
from web.auth import Caller, check_course, require
from web.downloads import export_filename, private_attachment
from web.handles import handles
from web.json_body import json_object

integrity = Blueprint("integrity", __name__)
STAFF = ("admin", "instructor")
CSV_HEADER = (
    "pair",
    "score",
    "code_score",
    "text_score",
    "course",
    "pool",
    "learner_a",
    "submission_a",
    "learner_b",
    "submission_b",
    "state",
    "reason",
    "reviewer",
    "reviewed_at",
    "attempt_id",
    "found_at",
)


def staff_pair(pair_id: int) -> tuple[Caller, IntegrityPairRecord]:
    caller = require(*STAFF)
    pair = handles().store.get_pair(pair_id)
    check_course(caller, pair.course)
    return caller, pair


def visible_pairs(caller: Caller, course: str | None, state: str | None) -> list[IntegrityPairRecord]:
    """The caller's courses' pairs (an admin's: all), by score, optionally of one course and state."""
    if state is not None and state not in INTEGRITY_STATES:
        raise BadInput(f"state must be one of {', '.join(INTEGRITY_STATES)}")
    if course is not None:
        check_course(caller, course)
    courses = (
        [course] if course is not None else (None if caller.role == "admin" else list(caller.courses or ()))
    )
    return handles().store.list_pairs(courses=courses, state=state)


def pair_summary(pair: IntegrityPairRecord) -> dict[str, Any]:
    return {
        "id": pair.id,
        "score": pair.score,
        "code_score": pair.code_score,
        "text_score": pair.text_score,
        "course": pair.course,
        "pool": pair.pool,
        "a": {"learner": pair.learner_a, "submission_id": pair.submission_a},
        "b": {"learner": pair.learner_b, "submission_id": pair.submission_b},
        "state": pair.state,
        "reason": pair.reason,
        "reviewer": pair.reviewer,
        "reviewed_at": pair.reviewed_at.isoformat() if pair.reviewed_at else None,
        "attempt_id": pair.attempt_id,
        "found_at": pair.found_at.isoformat(),
    }


def pair_detail(pair: IntegrityPairRecord) -> dict[str, Any]:
    """The summary, and each compared answer with both texts and the matching line spans."""
    store = handles().store
    texts = []
    for side in (pair.submission_a, pair.submission_b):
        found = store.find_prints(side)
        texts.append({key: cell["text"] for key, cell in (found.prints if found else {}).items()})
    answers = [
        {
            "key": cell["key"],
            "kind": cell["kind"],
            "score": cell["score"],
            "a_text": texts[0].get(cell["key"], ""),
            "b_text": texts[1].get(cell["key"], ""),
            "spans": [dict(span) for span in cell["spans"]],
        }
        for cell in sorted(pair.report["cells"], key=lambda c: (-c["score"], c["key"]))
    ]
    return {**pair_summary(pair), "answers": answers}


def event_view(event: IntegrityEventRecord) -> dict[str, Any]:
    return {
        "id": event.id,
        "learner": event.learner,
        "course": event.course,
        "pair_id": event.pair_id,
        "state": event.state,
        "reason": event.reason,
        "author": event.author,
        "attempt_id": event.attempt_id,
        "at": event.at.isoformat(),
    }


@integrity.get("/integrity/pairs")
def list_pairs() -> Response:
    caller = require(*STAFF)
    found = visible_pairs(caller, request.args.get("course"), request.args.get("state"))
    return jsonify({"pairs": [pair_summary(p) for p in found]})


@integrity.get("/integrity/pairs.csv")
def export_pairs() -> Response:
    caller = require(*STAFF)
    course = request.args.get("course")
    rows = [CSV_HEADER, *(csv_row(p) for p in visible_pairs(caller, course, request.args.get("state")))]
    name = f"{export_filename(course or 'all-courses')}-similar-pairs.csv"
    return private_attachment(write_csv(rows).encode("utf-8"), name, "text/csv")


def csv_row(pair: IntegrityPairRecord) -> tuple[str | float | None, ...]:
    return (
        str(pair.id),
        pair.score,
        pair.code_score,
        pair.text_score,
        pair.course,
        pair.pool,
        pair.learner_a,
        pair.submission_a,
        pair.learner_b,
        pair.submission_b,
        pair.state,
        pair.reason,
        pair.reviewer,
        pair.reviewed_at.isoformat() if pair.reviewed_at else None,
        pair.attempt_id,
        pair.found_at.isoformat(),
    )


@integrity.get("/integrity/pairs/<int:pair_id>")
def get_pair(pair_id: int) -> Response:
    return jsonify(pair_detail(staff_pair(pair_id)[1]))


@integrity.post("/integrity/pairs/<int:pair_id>/review")
def post_review(pair_id: int) -> Response:
    """JSON ``{state: unreviewed | dismissed | confirmed, reason, attempt_id?}``."""
    caller, pair = staff_pair(pair_id)
    fields = json_object()
    state, reason, attempt = fields.get("state"), fields.get("reason", ""), fields.get("attempt_id")
    if not isinstance(state, str) or not isinstance(reason, str) or not isinstance(attempt, str | None):
        raise BadInput("state and reason must be strings, attempt_id a string or null")
    h = handles()
    reviewed = review_pair(h.store, pair.id, state, reason, caller.name, attempt or None, h.clock())
    return jsonify(pair_detail(reviewed))


@integrity.get("/integrity/learners/<learner>/history")
def learner_history(learner: str) -> Response:
    """A learner's integrity history in the caller's courses (an admin's: every course)."""
    caller = require(*STAFF)
    courses = None if caller.role == "admin" else list(caller.courses or ())
    events = handles().store.integrity_history(learner, courses)
    return jsonify({"learner": learner, "events": [event_view(e) for e in events]})
