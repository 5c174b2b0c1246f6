"""Liveness, readiness and metrics for operators, outside the versioned API and without a token.

``/healthz`` says the web process answers, nothing more: restarting it cannot fix a
database outage, so liveness never looks at dependencies. ``/readyz`` checks what a
submission needs to be stored, queued and graded: the database, Redis, and at least one
live grading worker whose Docker engine answers (workers say so in their heartbeat, so the
web process never talks to Docker). Any of them down: 503 with ``Retry-After``, naming it.
``/metrics`` is Prometheus's text format (``web/metrics.py``); it carries counts only, no
learner data.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST
from redis import Redis

from web.errors import RETRY_AFTER_SECONDS
from web.handles import Handles, handles
from web.metrics import render
from worker.liveness import live_workers
from worker.queues import RQEnqueuer

health = Blueprint("health", __name__)


def redis_of(h: Handles) -> Redis:
    """The queue's own connection; a test app with a fake queue gets one from the settings."""
    if isinstance(h.enqueuer, RQEnqueuer):
        return h.enqueuer.connection
    from web.app import open_redis

    return open_redis(h.settings)


@health.get("/healthz")
def healthz() -> dict[str, bool]:
    return {"ok": True}


@health.get("/readyz")
def readyz() -> Response:
    h = handles()
    checks = {
        "database": check(h.store.ping),
        "redis": check(redis_of(h).ping),
        "workers": check(lambda: graders(h)),
    }
    ready = all(result["ok"] for result in checks.values())
    if ready:
        return jsonify({"ready": True, "checks": checks})
    down = ", ".join(name for name, result in checks.items() if not result["ok"])
    response = jsonify(
        {"error": "not_ready", "message": f"not ready: {down}", "ready": False, "checks": checks}
    )
    response.status_code = 503
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


@health.get("/metrics")
def metrics() -> Response:
    h = handles()
    return Response(render(h.store, redis_of(h), h.settings.queue_prefix), content_type=CONTENT_TYPE_LATEST)


def graders(h: Handles) -> int:
    """Live workers that grade and whose Docker engine answered their last heartbeat; 0 fails."""
    found = [
        w
        for w in live_workers(redis_of(h), h.settings.queue_prefix).values()
        if w.get("grades") and w.get("docker")
    ]
    if not found:
        raise RuntimeError("no live grading worker with a Docker engine")
    return len(found)


def check(probe: Any) -> dict[str, Any]:
    try:
        value = probe()
    except Exception as exc:
        return {
            "ok": False,
            "detail": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
        }
    return {
        "ok": True,
        **({"count": value} if isinstance(value, int) and not isinstance(value, bool) else {}),
    }
