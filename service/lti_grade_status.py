"""Whether each grade of a submission reached the LMS, and why not: its LTI score deliveries, for people.

The outbox already keeps every score sent to a platform's line item (one per grade version
and linked platform course). This reads them back for one submission, newest grade first,
with what a learner or an instructor needs to act: when it arrived, how many attempts it
took, the platform's last refusal, and whether it is dead-lettered or refused for good
(only an admin's redelivery sends it again). Webhook callbacks are left out: they are the platforms' own
integrations, not a gradebook a person looks at.
"""

from __future__ import annotations

from typing import Any

from integrations.lti_scores import registration_of
from store import DeliveryRecord, Store

SUMMARIES = {
    "delivered": "in the LMS gradebook",
    "pending": "waiting to be sent",
    "retrying": "not accepted yet; retried automatically",
    "dead": "not delivered: out of retries (an admin can redeliver it)",
    "superseded": "replaced by a newer grade",
    "refused": (
        "refused by the LMS, not retried: it stores scores only for people enrolled there in a gradable "
        "(learner) role, and for line items that still exist; an admin can redeliver it once fixed there"
    ),
}


def lti_grade_status(store: Store, submission_id: str) -> list[dict[str, Any]]:
    """The submission's LTI score deliveries, newest grade version first."""
    found = [
        delivery
        for delivery in store.list_deliveries(submission_id=submission_id)
        if registration_of(delivery.platform_id) is not None
    ]
    return [delivery_status(delivery) for delivery in reversed(found)]


def state_of(delivery: DeliveryRecord) -> str:
    if delivery.status == "pending" and delivery.attempts:
        return "retrying"
    return delivery.status


def delivery_status(delivery: DeliveryRecord) -> dict[str, Any]:
    state = state_of(delivery)
    return {
        "delivery_id": delivery.id,
        "registration": registration_of(delivery.platform_id),
        "version": delivery.version,
        "state": state,
        "summary": SUMMARIES[state],
        "score_given": delivery.payload.get("scoreGiven"),
        "grading_progress": delivery.payload.get("gradingProgress"),
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at.isoformat() if state in ("pending", "retrying") else None,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "dead_lettered": delivery.status == "dead",
        "redeliverable": delivery.status in ("dead", "refused"),
    }
