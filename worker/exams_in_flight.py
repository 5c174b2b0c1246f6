"""Which exam grades are running right now, across every worker sharing the queue's Redis.

A sorted set of submission ids, each scored with the time its mark expires. A worker adds
its exam while grading it and removes it after the grade is stored; ordinary grades yield
while the set holds a live mark (``worker.yielding``). Marks expire so that a worker
killed mid-exam leaves nothing that holds others back for long. It is a hint for
scheduling, never a lock: if Redis cannot answer, nobody waits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class ExamsInFlight:
    def __init__(self, connection: Redis, prefix: str, ttl: float) -> None:
        self.connection = connection
        self.key = f"{prefix}:exams-in-flight"
        self.ttl = ttl

    @contextmanager
    def grading(self, submission_id: str) -> Iterator[None]:
        """Marks one exam grade as running for the duration of the block."""
        try:
            self.connection.zadd(self.key, {submission_id: time.time() + self.ttl})
        except RedisError as exc:
            log.debug("could not mark exam %s in flight: %s", submission_id, exc)
        try:
            yield
        finally:
            try:
                self.connection.zrem(self.key, submission_id)
                self.connection.zremrangebyscore(self.key, "-inf", time.time())  # others' stale marks
            except RedisError as exc:
                log.debug("could not clear exam %s in flight: %s", submission_id, exc)

    def busy(self) -> bool:
        try:
            return int(self.connection.zcount(self.key, time.time(), "+inf")) > 0
        except RedisError:
            return False
