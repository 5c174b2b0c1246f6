"""The staff review queue: exam attempts waiting for an instructor's decision, oldest first.

Waiting means in ``second_review`` (a provider found something) or, on a proctored exam,
``graded`` and not yet verified (only a verified attempt earns credit there). Only attempts
of the person's own courses are listed; the decision itself is made on the attempt's page,
through the API's ``staff_attempt`` check.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from service.attempts import exam_spec
from store import ExamRecord
from web.auth import can_see_course, require
from web.handles import handles
from web.pages.exam_admin import attempt_row

review_queue = Blueprint("review_queue", __name__, url_prefix="/teach")
STAFF = ("admin", "instructor")


@review_queue.get("/review")
def queue() -> ResponseReturnValue:
    return render_template("teach/review_queue.html", waiting=waiting_attempts())


def waiting_attempts() -> list[dict[str, Any]]:
    """Each waiting attempt with its exam and the moment it began to wait (its last event), oldest first."""
    caller = require(*STAFF)
    store = handles().store
    waiting = []
    exams: dict[str, ExamRecord] = {}
    for state in ("second_review", "graded"):
        for attempt in store.list_attempts(state=state):
            exam = exams.get(attempt.exam_id) or exams.setdefault(
                attempt.exam_id, store.get_exam(attempt.exam_id)
            )
            if not can_see_course(caller, exam.course):
                continue
            if state == "graded" and not exam_spec(store, exam).requires_proctoring:
                continue
            events = store.attempt_events(attempt.id)
            since = events[-1].at if events else attempt.updated_at
            waiting.append(
                {
                    **attempt_row(attempt),
                    "exam": exam,
                    "waiting_since": since,
                    "reviews": len(store.attempt_reviews(attempt.id)),
                }
            )
    return sorted(waiting, key=lambda row: row["waiting_since"])
