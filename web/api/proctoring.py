"""Proctoring review outcomes, posted by a provider and signed like the submission webhook.

``POST /api/v1/proctoring/<platform>/reviews`` with ``{review_id, attempt_id, outcome:
clean | suspicious | violation, evidence: [...], comments}``. A clean review verifies a
graded attempt; a suspicious one or a violation sends it to second review, where an
instructor decides (a provider alone never rejects). A review of an attempt not yet graded
is kept and applies when the grade is stored. The provider's ``review_id`` makes a repeat
harmless.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from grader.errors import BadInput, Forbidden
from service.attempts import apply_review
from store.rows import REVIEW_OUTCOMES
from web.api.platforms import signed_by_platform
from web.auth import public
from web.handles import handles
from web.json_body import json_object, name_field

proctoring = Blueprint("proctoring", __name__)
MAX_EVIDENCE = 100


@proctoring.post("/proctoring/<platform_id>/reviews")
@public
def post_review(platform_id: str) -> tuple[Response, int]:
    h = handles()
    now = h.clock()
    platform, body = signed_by_platform(platform_id, now)
    fields = json_object(body)
    review_id = name_field(fields, "review_id") or ""
    attempt_id = name_field(fields, "attempt_id") or ""
    outcome = fields.get("outcome")
    if outcome not in REVIEW_OUTCOMES:
        raise BadInput(f"outcome must be one of {', '.join(REVIEW_OUTCOMES)}")
    evidence = evidence_of(fields.get("evidence", []))
    comments = fields.get("comments", "")
    if not isinstance(comments, str) or len(comments) > 10_000:
        raise BadInput("comments must be a string of at most 10000 characters")
    attempt = h.store.get_attempt(attempt_id)
    if h.store.get_exam(attempt.exam_id).course not in platform.courses:
        raise Forbidden(f"platform {platform.id!r} may not review attempts in this course")
    review, created = h.store.add_review(
        attempt.id, platform.id, review_id, str(outcome), evidence, comments, now
    )
    if created:
        attempt = apply_review(h.store, attempt, review.id, review.outcome, platform.id, comments, now)
    reply: dict[str, Any] = {
        "review_id": review.review_id,
        "attempt_id": attempt.id,
        "outcome": review.outcome,
        "attempt_state": h.store.get_attempt(attempt.id).state,
        "repeat": not created,
    }
    return jsonify(reply), 202 if created else 200


def evidence_of(value: Any) -> list[dict[str, Any]]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_EVIDENCE
        or not all(isinstance(v, dict) for v in value)
    ):
        raise BadInput(f"evidence must be a list of at most {MAX_EVIDENCE} objects")
    return [dict(item) for item in value]
