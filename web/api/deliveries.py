"""Result deliveries: their status, the dead-letter list, and redelivery from it."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from grader.errors import BadInput
from store import DeliveryRecord
from store.deliveries import key_of
from store.rows import DELIVERY_STATUSES
from web.api.platforms import check_platform
from web.api.submissions import readable_submission
from web.auth import current_caller, require
from web.handles import handles

deliveries = Blueprint("deliveries", __name__)
log = logging.getLogger(__name__)


def delivery_json(record: DeliveryRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "platform": record.platform_id,
        "submission_id": record.submission_id,
        "assignment_id": record.assignment_id,
        "learner": record.learner,
        "version": record.version,
        "event": record.event,
        "url": record.url,
        "status": record.status,
        "attempts": record.attempts,
        "next_attempt_at": record.next_attempt_at.isoformat() if record.status == "pending" else None,
        "last_status_code": record.last_status_code,
        "last_error": record.last_error,
        "created_at": record.created_at.isoformat(),
        "delivered_at": record.delivered_at.isoformat() if record.delivered_at else None,
    }


@deliveries.get("/deliveries")
def list_deliveries() -> Response:
    """Admins: all (``?platform=`` to narrow); a platform token: its own. ``?status=dead`` is the dead-letter list."""
    caller = require("admin", "platform")
    status = request.args.get("status") or None
    if status is not None and status not in DELIVERY_STATUSES:
        raise BadInput(f"status must be one of {', '.join(DELIVERY_STATUSES)}")
    platform = request.args.get("platform") or None
    if caller.role == "platform":
        check_platform(caller, platform or caller.name)
        platform = caller.name
    records = handles().store.list_deliveries(platform_id=platform, status=status)
    return jsonify([delivery_json(record) for record in records])


@deliveries.get("/deliveries/<delivery_id>")
def get_delivery(delivery_id: str) -> dict[str, Any]:
    record = handles().store.get_delivery(delivery_id)
    check_platform(current_caller(), record.platform_id)
    return delivery_json(record)


@deliveries.post("/deliveries/<delivery_id>/redeliver")
def redeliver(delivery_id: str) -> tuple[Response, int]:
    """A dead or refused delivery gets a fresh retry budget and is sent again (same id, same body)."""
    h = handles()
    check_platform(current_caller(), h.store.get_delivery(delivery_id).platform_id)
    record = h.store.redeliver(delivery_id, h.clock())
    try:
        h.enqueuer.enqueue_delivery(key_of(record))
    except Exception:  # stored as pending: worker start-up recovery sends it
        log.warning("could not enqueue redelivery %s; recovery will", delivery_id, exc_info=True)
    return jsonify(delivery_json(record)), 202


@deliveries.get("/submissions/<submission_id>/deliveries")
def submission_deliveries(submission_id: str) -> Response:
    caller = require("admin", "instructor", "platform")
    record = readable_submission(submission_id)
    if caller.role == "platform":
        check_platform(caller, record.platform_id or "")
    return jsonify([delivery_json(d) for d in handles().store.list_deliveries(submission_id=record.id)])
