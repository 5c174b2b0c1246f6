"""One clock for every host: the database's, so a worker whose clock runs fast closes no exam early.

Deadlines, lateness at receipt, exam sweeps and webhook windows compare times written by
different hosts. Each host's own clock may be minutes off (a worker 10 minutes fast once
auto-submitted a 5-minute exam 7 s after it started); the database is the one server they
all talk to. Asking it on every call would add a round trip to every request, so the clock
measures this host's offset from the database at most every ``refresh`` seconds and adds
it to the local time in between. If the database cannot be asked, the last offset stands
(zero before the first answer): a clock must always answer, and the database being away
stops the work that needs the time anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from grader.errors import StorageError

log = logging.getLogger(__name__)


def host_now() -> datetime:
    return datetime.now(UTC)


class DatabaseClock:
    """Callable like ``datetime.now(UTC)``, but on the database's time."""

    def __init__(
        self,
        database_now: Callable[[], datetime],
        local: Callable[[], datetime] | None = None,
        refresh: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database_now = database_now
        self._local = local or (lambda: host_now())  # looked up at each call: a test skews this host
        self._refresh = refresh
        self._monotonic = monotonic
        self._offset: timedelta | None = None
        self._measured_at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            if self._offset is None or self._monotonic() - self._measured_at >= self._refresh:
                self._measure()
            offset = self._offset or timedelta(0)
        return self._local() + offset

    @property
    def offset(self) -> timedelta:
        """How far the database's time is ahead of this host's (negative: this host is fast)."""
        self()
        return self._offset or timedelta(0)

    def _measure(self) -> None:
        self._measured_at = self._monotonic()
        before = self._local()
        try:
            database = self._database_now()
        except StorageError as exc:
            log.warning("could not read the database's clock; keeping the last offset: %s", exc.message)
            return
        after = self._local()
        self._offset = database - (before + (after - before) / 2)  # the answer was read about halfway
