"""Building the Flask app: settings, store, queue and rate-limit handles, error handling and the API."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from redis import Redis

from autograde.settings import Settings
from store import Store
from web.api import api
from web.errors import register_error_handlers
from web.handles import EXTENSION, Handles, utc_now
from web.health import health
from web.ratelimit import NoLimit, RateLimiter, RedisRateLimiter
from worker.queues import Enqueuer, RQEnqueuer

log = logging.getLogger(__name__)
ENVELOPE_SLACK = 64 * 1024  # multipart boundaries and form fields around the file itself
REDIS_CONNECT_TIMEOUT = 2.0  # intake must not hang on a dead Redis: the submission is already stored
REDIS_SOCKET_TIMEOUT = 5.0


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    enqueuer: Enqueuer | None = None,
    clock: Callable[[], datetime] | None = None,
    limiter: RateLimiter | None = None,
) -> Flask:
    """The web app; a store, enqueuer or limiter passed in is used as is, otherwise built from ``settings``."""
    settings = settings or Settings.from_env()
    settings.log_startup()
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + ENVELOPE_SLACK
    enqueuer = enqueuer or open_enqueuer(settings)
    app.extensions[EXTENSION] = Handles(
        settings=settings,
        store=store or open_store(settings),
        enqueuer=enqueuer,
        clock=clock or utc_now,
        limiter=limiter or open_limiter(settings, enqueuer),
    )
    register_error_handlers(app)
    app.register_blueprint(api)
    app.register_blueprint(health)
    return app


def open_store(settings: Settings) -> Store:
    store = Store.from_url(settings.database_url)
    store.migrate()
    return store


def open_redis(settings: Settings) -> Redis:
    return Redis.from_url(
        settings.redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_SOCKET_TIMEOUT
    )


def open_enqueuer(settings: Settings) -> RQEnqueuer:
    return RQEnqueuer(open_redis(settings), prefix=settings.queue_prefix, job_timeout=settings.job_timeout)


def open_limiter(settings: Settings, enqueuer: Enqueuer) -> RateLimiter:
    """The submission limit, on the queue's Redis (its own connection if the queue has none)."""
    if settings.rate_limit_submissions == 0:
        return NoLimit()
    connection = enqueuer.connection if isinstance(enqueuer, RQEnqueuer) else open_redis(settings)
    return RedisRateLimiter(
        connection,
        settings.rate_limit_submissions,
        settings.rate_limit_window,
        prefix=f"{settings.queue_prefix}:ratelimit:submissions:",
    )
