"""The handles one app holds (settings, store, queue, clock, rate limiters), kept in ``app.extensions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

from autograde.settings import Settings
from store import Store
from web.ratelimit import NoLimit, RateLimiter
from worker.queues import Enqueuer

EXTENSION = "autograde"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Handles:
    settings: Settings
    store: Store
    enqueuer: Enqueuer
    clock: Callable[[], datetime] = field(default=utc_now)  # the server's clock judges lateness
    limiter: RateLimiter = field(default_factory=NoLimit)  # submissions per caller
    login_limiter: RateLimiter = field(default_factory=NoLimit)  # password attempts per account name


def handles() -> Handles:
    found: Handles = current_app.extensions[EXTENSION]
    return found
