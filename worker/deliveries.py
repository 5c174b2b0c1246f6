"""The delivery job: send one learner's pending results for one assignment, oldest first.

Each result is signed with the platform's secret when it is sent (a fresh timestamp per
attempt, the same body and delivery id every time). A failure stops the line: the next
attempt is scheduled with backoff and jitter, and nothing newer for that learner and
assignment is sent before it, so a platform never sees an older grade after a newer one.
Out of retries, the delivery goes to the dead-letter list and the line moves on; a result
the receiver refuses for good (an answer marked ``final``) is marked refused at once, and the
line moves on too.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from integrations.backoff import RetryPolicy
from integrations.lti_scores import registration_of
from integrations.signing import DELIVERY_HEADER, signed_headers
from store import DeliveryKey, DeliveryRecord
from worker import context
from worker.callback_http import Answer, post_result

log = logging.getLogger(__name__)
LEASE_SLACK = 30.0  # seconds beyond the HTTP timeout before another sender may take over
EVENT_HEADER = "X-Autograde-Event"


def deliver_results(platform_id: str, assignment_id: str, learner: str) -> dict[str, Any]:
    ctx = context.current()
    settings, store = ctx.settings, ctx.store
    key = DeliveryKey(platform_id, assignment_id, learner)
    policy = RetryPolicy(
        settings.callback_backoff_base, settings.callback_backoff_cap, settings.callback_max_attempts
    )
    sent, dead, refused = 0, 0, 0
    while True:
        now = ctx.clock()  # leases and retry times on the database's clock, as every host reads them
        claim = store.claim_next_delivery(key, now, settings.callback_timeout + LEASE_SLACK)
        if claim.wait_until is not None:
            ctx.enqueuer.enqueue_delivery(key, claim.wait_until)
            break
        if claim.delivery is None:
            break
        delivery = claim.delivery
        answer = send(ctx, delivery)
        if answer.ok:
            store.record_delivered(delivery.id, answer.status_code or 200, ctx.clock())
            sent += 1
            continue
        if answer.final:  # refused for good (worker/lti_scores.py): retrying would get the same answer
            store.record_refused(delivery.id, answer.error, answer.status_code)
            log.info("delivery %s to %s refused by the receiver: %s", delivery.id, platform_id, answer.error)
            refused += 1
            continue
        delay = policy.delay(delivery.attempts + 1)
        if delay is not None and answer.retry_after is not None:  # the receiver's own wish, within our cap
            delay = max(delay, min(answer.retry_after, settings.callback_backoff_cap))
        retry_at = ctx.clock() + timedelta(seconds=delay) if delay is not None else None
        store.record_failed_attempt(delivery.id, answer.error, answer.status_code, retry_at)
        if retry_at is None:
            log.warning(
                "delivery %s to %s is dead after %d attempts: %s",
                delivery.id,
                platform_id,
                delivery.attempts + 1,
                answer.error,
            )
            dead += 1
            continue
        log.info("delivery %s failed (%s); retry at %s", delivery.id, answer.error, retry_at.isoformat())
        ctx.enqueuer.enqueue_delivery(key, retry_at)
        break
    return {
        "platform": platform_id,
        "assignment": assignment_id,
        "learner": learner,
        "sent": sent,
        "dead": dead,
        "refused": refused,
    }


def send(ctx: context.WorkerContext, delivery: DeliveryRecord) -> Answer:
    """A callback signed with the platform's secret, or an LTI score with an access token."""
    timeout = ctx.settings.callback_timeout
    registration_id = registration_of(delivery.platform_id)
    if registration_id is not None:
        registration = ctx.store.get_lti_registration(registration_id)
        return ctx.score_sender.send(registration, delivery.url, body_of(delivery), timeout)
    return post_result(delivery.url, body_of(delivery), headers_for(ctx, delivery), timeout)


def body_of(delivery: DeliveryRecord) -> bytes:
    """The same bytes on every attempt: the payload frozen in the outbox, canonically encoded."""
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()


def headers_for(ctx: context.WorkerContext, delivery: DeliveryRecord) -> dict[str, str]:
    secret = ctx.store.get_platform(delivery.platform_id).secret
    timestamp = int(ctx.clock().timestamp())  # the platform checks it against its window
    return {
        **signed_headers(secret, timestamp, body_of(delivery)),
        DELIVERY_HEADER: delivery.id,
        EVENT_HEADER: delivery.event,
    }
