"""The handles one app holds (settings, store, queue, clock), kept in ``app.extensions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

from autograde.settings import Settings
from store import Store
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


def handles() -> Handles:
    found: Handles = current_app.extensions[EXTENSION]
    return found
