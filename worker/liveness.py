"""Which workers are alive: a short-lived key per worker in Redis, refreshed by a heartbeat thread.

RQ's own worker key is no use for this. A non-forking worker (ours, with the warm pool) sets
it to live for the whole job timeout (30 minutes by default) before a job and does not beat
during it, so a worker killed mid-grade looks alive for half an hour. This key lives
``worker_ttl`` seconds and is refreshed three times in that span by a thread of the worker
process itself: ``kill -9`` stops the beat, and the peers know within ``worker_ttl``.

The beat also says whether the worker's Docker engine answers, so that the web process can
report readiness without talking to Docker itself.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from redis import Redis

log = logging.getLogger(__name__)


def alive_key(prefix: str, worker_name: str) -> str:
    return f"{prefix}:alive:{worker_name}"


def live_workers(connection: Redis, prefix: str) -> dict[str, dict[str, Any]]:
    """Every worker of this fleet that beat within its TTL, with what it last said about itself."""
    keys = list(connection.scan_iter(match=alive_key(prefix, "*"), count=500))
    if not keys:
        return {}
    found: dict[str, dict[str, Any]] = {}
    start = len(alive_key(prefix, ""))
    for key, value in zip(keys, connection.mget(keys), strict=True):
        if value is not None:  # expired between SCAN and MGET
            found[key.decode()[start:]] = json.loads(value)
    return found


class Heartbeat:
    """A daemon thread that keeps ``alive_key`` set while the process lives."""

    def __init__(
        self,
        connection: Redis,
        prefix: str,
        worker_name: str,
        ttl: float,
        describe: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        self.connection = connection
        self.key = alive_key(prefix, worker_name)
        self.ttl = ttl
        self.describe = describe
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def beat(self) -> None:
        body = {"pid": os.getpid(), **self.describe()}
        self.connection.set(self.key, json.dumps(body), px=int(self.ttl * 1000))

    def _run(self) -> None:
        while not self._stopped.wait(self.ttl / 3):
            try:
                self.beat()
            except Exception:  # Redis restarting: the next beat puts the key back
                log.warning("worker heartbeat failed; retrying", exc_info=True)

    def stop(self) -> None:
        """A clean exit says so at once, instead of waiting for the key to expire."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        try:
            self.connection.delete(self.key)
        except Exception:
            log.warning("could not remove the heartbeat key %s", self.key, exc_info=True)
