"""Building the Flask app: settings, store, queue and rate-limit handles, error handling, the API and the pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask, Response, request
from redis import Redis
from werkzeug.middleware.proxy_fix import ProxyFix

from service.clock import DatabaseClock
from service.lti_keys import ToolKeyring
from service.queue import Enqueuer
from service.settings import Settings
from service.status_lists import StatusListCache
from store import Store
from web.api import api
from web.did import did
from web.errors import register_error_handlers
from web.handles import EXTENSION, Handles, handles
from web.health import health
from web.lti.deep_linking import deep_linking
from web.lti.endpoints import lti
from web.lti.framing import FrameAncestors
from web.lti.platform_keys import CachedPlatformKeys
from web.lti.registration import dynamic_registration
from web.pages import configure_pages, register_pages
from web.ratelimit import FailureLimiter, NoLimit, RateLimiter, RedisRateLimiter
from web.record_key import load_record_keys
from worker.queues import RQEnqueuer

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
    return configure(routed_app(), settings, store=store, enqueuer=enqueuer, clock=clock, limiter=limiter)


def routed_app() -> Flask:
    """The app's routes, hooks and error handlers: all that is the same whatever the settings.

    Kept apart from ``configure`` so that the two stay honest about what depends on a deployment
    (and a test process can route one app once, then configure it for each test).
    """
    app = Flask(__name__, static_folder=None)
    register_error_handlers(app)
    app.after_request(api_headers)
    app.register_blueprint(api)
    register_pages(app)
    app.register_blueprint(lti)
    app.register_blueprint(deep_linking)
    app.register_blueprint(dynamic_registration)
    app.register_blueprint(health)
    app.register_blueprint(did)
    return app


def configure(
    app: Flask,
    settings: Settings,
    *,
    store: Store | None = None,
    enqueuer: Enqueuer | None = None,
    clock: Callable[[], datetime] | None = None,
    limiter: RateLimiter | None = None,
) -> Flask:
    """Give a routed app what the settings decide: its store, queue, limiters, keys, cookie and proxy."""
    settings.log_startup()
    record_keys = load_record_keys(settings)  # first: a host without its shared keys touches nothing
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + ENVELOPE_SLACK
    enqueuer = enqueuer or open_enqueuer(settings)
    store = store or open_store(settings)
    app.extensions[EXTENSION] = Handles(
        settings=settings,
        store=store,
        enqueuer=enqueuer,
        record_keys=record_keys,
        lti_keyring=ToolKeyring(settings),
        platform_keys=CachedPlatformKeys(settings.lti_jwks_cache_seconds),
        clock=clock or DatabaseClock(store.now),  # every web host judges lateness on the database's time
        limiter=limiter or open_limiter(settings, enqueuer),
        login_limiter=open_login_limiter(settings, enqueuer),
        login_address_limiter=redis_limiter(
            settings,
            enqueuer,
            "login-addresses",
            settings.rate_limit_login_addresses,
            settings.rate_limit_login_window,
            what="failed logins",
            per="this address",
        ),
        **open_code_limiters(settings, enqueuer),
        frame_ancestors=FrameAncestors(),
        status_lists=StatusListCache(),
    )
    configure_pages(app, settings)
    if settings.proxy_hops:  # only what the configured number of balancers appended is believed
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)  # type: ignore[method-assign]
    return app


def api_headers(response: Response) -> Response:
    """API answers hold grades, tokens and records: no cache may keep them, no browser may sniff them.

    App-wide rather than on the API blueprint, so the JSON 404 of an unknown ``/api/`` path gets them too.
    """
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if handles().settings.https:  # browsers that once came by HTTPS never fall back to HTTP
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def open_store(settings: Settings) -> Store:
    store = Store.from_url(settings.database_url, settings.password_hash_method)
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
    return redis_limiter(
        settings, enqueuer, "submissions", settings.rate_limit_submissions, settings.rate_limit_window
    )


def open_login_limiter(settings: Settings, enqueuer: Enqueuer) -> FailureLimiter:
    """Failed logins per account name at one address: a stranger elsewhere cannot use it to lock a learner out."""
    return redis_limiter(
        settings,
        enqueuer,
        "logins",
        settings.rate_limit_logins,
        settings.rate_limit_login_window,
        what="failed logins",
        per="this name from this address",
    )


def open_code_limiters(settings: Settings, enqueuer: Enqueuer) -> dict[str, FailureLimiter]:
    """Wrong exam access codes: per learner, and per exam against many learners guessing together."""
    window = settings.rate_limit_access_code_window
    return {
        "learner_code_limiter": redis_limiter(
            settings,
            enqueuer,
            "access-codes",
            settings.rate_limit_access_codes,
            window,
            what="wrong access codes",
            per="this learner",
        ),
        "exam_code_limiter": redis_limiter(
            settings,
            enqueuer,
            "exam-access-codes",
            settings.rate_limit_access_codes_per_exam,
            window,
            what="wrong access codes",
            per="this exam",
        ),
    }


def redis_limiter(
    settings: Settings,
    enqueuer: Enqueuer,
    name: str,
    limit: int,
    window: int,
    what: str = "",
    per: str = "this token",
) -> NoLimit | RedisRateLimiter:
    if limit == 0:
        return NoLimit()
    connection = enqueuer.connection if isinstance(enqueuer, RQEnqueuer) else open_redis(settings)
    prefix = f"{settings.queue_prefix}:ratelimit:{name}:"
    return RedisRateLimiter(connection, limit, window, prefix=prefix, what=what or name, per=per)
