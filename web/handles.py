"""The handles one app holds (settings, store, queue, clock, rate limiters), kept in ``app.extensions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

from service.lti import PlatformKeys
from service.lti_keys import ToolKeyring
from service.queue import Enqueuer
from service.settings import Settings
from service.status_lists import StatusListCache
from store import Store
from web.lti.framing import FrameAncestors
from web.ratelimit import FailureLimiter, NoLimit, RateLimiter
from web.record_key import RecordKeys

EXTENSION = "autograde"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Handles:
    settings: Settings
    store: Store
    enqueuer: Enqueuer
    record_keys: RecordKeys  # signs exported records; read at start so a host without its key never serves
    lti_keyring: ToolKeyring  # the LTI tool key, read (or made) on first use
    platform_keys: PlatformKeys  # LTI platforms' key sets, fetched and cached
    clock: Callable[[], datetime] = field(
        default=utc_now
    )  # judges lateness; the app's is the database's (service/clock.py)
    limiter: RateLimiter = field(default_factory=NoLimit)  # submissions per caller
    login_limiter: FailureLimiter = field(
        default_factory=NoLimit
    )  # failed logins per account name at one address
    login_address_limiter: FailureLimiter = field(default_factory=NoLimit)  # failed logins per client address
    learner_code_limiter: FailureLimiter = field(
        default_factory=NoLimit
    )  # wrong exam access codes per learner
    exam_code_limiter: FailureLimiter = field(
        default_factory=NoLimit
    )  # wrong access codes per exam, all learners
    frame_ancestors: FrameAncestors = field(default_factory=FrameAncestors)  # who may frame the pages
    status_lists: StatusListCache = field(
        default_factory=StatusListCache
    )  # the signed status lists, rebuilt when a status may have changed


def handles() -> Handles:
    found: Handles = current_app.extensions[EXTENSION]
    return found
