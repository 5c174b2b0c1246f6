"""Per-caller rate limits: a sliding window counted atomically in Redis, failing open.

Keys are caller identities (``role:name``, e.g. ``learner:alice``, ``platform:lms``),
never bearer tokens: a token must not sit in plain text in Redis, and two tokens minted
for the same identity share one budget, so minting a fresh token does not reset it. The
admin token is limited too, at the same rate: it is a bearer token like the others, the
one whose leak would hurt most, and a bulk import can pace itself or raise the setting.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis import Redis, RedisError

from grader.errors import RateLimited

log = logging.getLogger(__name__)

# One round trip, run atomically by Redis: concurrent web workers cannot both see room for
# one more hit and both take it. KEYS[1] is a sorted set of the caller's accepted hits,
# scored by time in milliseconds (13 digits, inside the 14 that Lua prints exactly).
# ARGV: limit, window (ms), a unique member for this hit, now (ms; "" = the Redis server's
# clock, one clock for every web process), and "0" to only look (record nothing; absent: record).
# Refused hits are not recorded, so hammering
# on a closed door does not keep it closed. The key expires once its newest hit is a
# window old. Returns {1, remaining} or {0, milliseconds until the oldest hit leaves}.
SLIDING_WINDOW = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < limit then
  if ARGV[5] == '0' then
    return {1, limit - used}
  end
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - used - 1}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
"""


@dataclass(frozen=True)
class Quota:
    """What is left after an accepted hit; ``None`` when unknown (no limit, or Redis down)."""

    limit: int | None = None
    remaining: int | None = None

    def headers(self) -> dict[str, str]:
        if self.limit is None or self.remaining is None:
            return {}
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}


class RateLimiter(Protocol):
    """What the web layer needs: count one hit for ``key``, raising ``RateLimited`` when over."""

    def hit(self, key: str) -> Quota: ...


class FailureLimiter(RateLimiter, Protocol):
    """A limit on failures (wrong guesses): ``check`` before trying, ``hit`` only when it failed.

    Checking first matters: were only failures refused, a right guess past the limit would
    still get through, and the limit would be no limit.
    """

    def check(self, key: str) -> Quota: ...


class NoLimit:
    """The limiter when its setting (``AUTOGRADE_RATE_LIMIT_SUBMISSIONS`` and the like) is 0."""

    def hit(self, key: str) -> Quota:
        return Quota()

    def check(self, key: str) -> Quota:
        return Quota()


class RedisRateLimiter:
    """At most ``limit`` hits per key in any ``window`` seconds (a sliding log, exact).

    It fails open: when Redis is unreachable or errors, the hit is allowed and a warning
    logged. The limit protects the service from floods; it is not what keeps learners'
    work safe. A submission is stored in the database before it is queued, so intake
    works without Redis, and a dead Redis must not turn into refused coursework near a
    deadline. ``clock`` (seconds since the epoch) is for tests; by default the Redis
    server's clock is used.
    """

    def __init__(
        self,
        connection: Redis,
        limit: int,
        window: float,
        prefix: str = "autograde:ratelimit:",
        clock: Callable[[], float] | None = None,
        what: str = "submissions",
        per: str = "this token",
    ) -> None:
        if limit <= 0 or window <= 0:
            raise ValueError("a rate limit needs a positive limit and window; use NoLimit for none")
        self.limit = limit
        self.window = window
        self.prefix = prefix
        self.clock = clock
        self.what = what
        self.per = per
        self.script = connection.register_script(SLIDING_WINDOW)  # EVALSHA, loading it when Redis lacks it

    def hit(self, key: str) -> Quota:
        return self.run(key, record=True)

    def check(self, key: str) -> Quota:
        """Raise ``RateLimited`` if ``key`` has no room left, recording nothing."""
        return self.run(key, record=False)

    def run(self, key: str, record: bool) -> Quota:
        try:
            allowed, value = self.script(keys=[self.prefix + key], args=self.script_args(record))
        except RedisError as exc:
            log.warning("rate limiter unavailable, allowing %s for %s: %s", self.what, key, exc)
            return Quota()
        if not allowed:
            raise self.refusal(int(value))
        return Quota(self.limit, int(value))

    def script_args(self, record: bool = True) -> list[int | str]:
        now = "" if self.clock is None else str(round(self.clock() * 1000))
        return [self.limit, math.ceil(self.window * 1000), uuid.uuid4().hex, now, "1" if record else "0"]

    def refusal(self, wait_ms: int) -> RateLimited:
        """Retry-After in whole seconds, rounded up so that a caller who waits is let in."""
        retry_after = max(1, math.ceil(wait_ms / 1000))
        return RateLimited(
            f"at most {self.limit} {self.what} per {self.window:g} s for {self.per}; "
            f"try again in {retry_after} s",
            retry_after,
        )
