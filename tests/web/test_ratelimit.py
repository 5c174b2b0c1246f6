"""Per-token submission limits: a 429 with Retry-After, counted atomically in a real Redis."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import ConnectionPool, Redis

from grader.errors import BadInput, RateLimited
from service.settings import Settings
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes, source_bytes
from web import create_app
from web.ratelimit import NoLimit, Quota, RedisRateLimiter
from worker.queues import RQEnqueuer

ADMIN = {"Authorization": "Bearer admin-secret"}
PREFIX = "test:ratelimit:"
LIMIT = 3
WINDOW = 60
Post = Callable[..., Any]
Counts = Callable[[], dict[str, int]]
Token = Callable[..., dict[str, str]]


class Seconds:
    """A settable clock in seconds since the epoch, for the limiter's window."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0  # a real epoch value: the Lua side must keep its precision

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.fixture
def app(
    settings: Settings, enqueuer: FakeEnqueuer, clock: FakeClock, redis_conn: Redis, seconds: Seconds
) -> Flask:
    """The conftest's app, with a real limiter of 3 submissions per 60 s on Redis db 13."""
    limiter = RedisRateLimiter(redis_conn, LIMIT, WINDOW, prefix=PREFIX, clock=seconds)
    return create_app(settings, enqueuer=enqueuer, clock=clock, limiter=limiter)


def use_up(post_submission: Post, seconds: Seconds, step: float = 10) -> None:
    """Three accepted submissions, ``step`` seconds apart."""
    for _ in range(LIMIT):
        assert post_submission().status_code == 202
        seconds.now += step


@pytest.mark.redis
def test_the_fourth_submission_in_the_window_is_refused_with_429_and_retry_after(
    post_submission: Post, seconds: Seconds
) -> None:
    remaining = []
    for _ in range(LIMIT):
        response = post_submission()
        assert response.status_code == 202
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
        seconds.now += 10
    refused = post_submission()
    assert remaining == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.json["error"] == "rate_limited"
    assert refused.json["message"] == "at most 3 submissions per 60 s for this token; try again in 30 s"
    assert refused.headers["Retry-After"] == "30"  # the first submission leaves the window at +60 s


@pytest.mark.redis
def test_a_refused_submission_stores_and_enqueues_nothing(
    post_submission: Post, seconds: Seconds, row_counts: Counts, enqueuer: FakeEnqueuer
) -> None:
    use_up(post_submission, seconds)
    before = row_counts()
    assert post_submission().status_code == 429
    assert row_counts() == before
    assert len(enqueuer.calls) == LIMIT


@pytest.mark.redis
def test_a_flood_is_refused_before_its_upload_is_read(
    post_submission: Post, seconds: Seconds, assignment: dict[str, Any]
) -> None:
    use_up(post_submission, seconds)
    assert post_submission(b"not a notebook").status_code == 429
    assert post_submission(assignment_id="no-such-assignment").status_code == 429


@pytest.mark.redis
def test_another_identity_keeps_its_own_budget_but_a_second_token_for_alice_does_not(
    post_submission: Post, seconds: Seconds, bob: dict[str, str], token: Token
) -> None:
    use_up(post_submission, seconds)
    assert post_submission(headers=bob).status_code == 202
    assert post_submission(headers=token("learner", "alice")).status_code == 429


@pytest.mark.redis
def test_the_admin_token_is_limited_like_any_other(post_submission: Post, seconds: Seconds) -> None:
    for learner in ("alice", "bob", "carol"):
        assert post_submission(headers=ADMIN, learner=learner).status_code == 202
    refused = post_submission(headers=ADMIN, learner="dave")
    assert refused.status_code == 429
    assert post_submission().status_code == 202  # alice's own token is another budget


@pytest.mark.redis
def test_submissions_are_accepted_again_once_the_oldest_leaves_the_window(
    post_submission: Post, seconds: Seconds
) -> None:
    use_up(post_submission, seconds)
    retry_after = int(post_submission().headers["Retry-After"])
    seconds.now += retry_after - 1
    assert post_submission().status_code == 429
    seconds.now += 1
    accepted = post_submission()
    assert accepted.status_code == 202
    assert accepted.headers["X-RateLimit-Remaining"] == "0"  # the other two are still in the window


@pytest.mark.redis
def test_keys_name_the_caller_not_the_token_and_expire_by_themselves(
    post_submission: Post, redis_conn: Redis, alice: dict[str, str]
) -> None:
    assert post_submission().status_code == 202
    keys = [key.decode() for key in redis_conn.keys("*")]
    assert keys == [f"{PREFIX}learner:alice"]
    assert alice["Authorization"].split()[1] not in keys[0]
    assert 0 < redis_conn.pttl(keys[0]) <= WINDOW * 1000


@pytest.mark.redis
def test_retry_after_rounds_up_to_whole_seconds(redis_conn: Redis, seconds: Seconds) -> None:
    limiter = RedisRateLimiter(redis_conn, 1, WINDOW, prefix=PREFIX, clock=seconds)
    assert limiter.hit("learner:alice") == Quota(limit=1, remaining=0)
    seconds.now += 30.5
    with pytest.raises(RateLimited) as refused:
        limiter.hit("learner:alice")
    assert refused.value.retry_after == 30  # 29.5 s: a caller who waits 29 s would be refused again


@pytest.mark.redis
def test_without_a_clock_the_window_runs_on_the_redis_servers_clock(redis_conn: Redis) -> None:
    limiter = RedisRateLimiter(redis_conn, 1, 0.3, prefix=PREFIX)
    limiter.hit("learner:alice")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("learner:alice")
    assert refused.value.retry_after == 1
    threading.Event().wait(0.35)
    assert limiter.hit("learner:alice") == Quota(limit=1, remaining=0)


@pytest.mark.redis
def test_concurrent_workers_never_let_more_than_the_limit_through(redis_conn: Redis) -> None:
    """Forty threads, each with its own connection like separate gunicorn workers, hit at once.

    Five rounds, one key each: a limiter that reads and then writes in two steps lets too
    many through in at least one of them.
    """
    threads, limit, keys = 40, 5, [f"platform:lms{round_}" for round_ in range(5)]
    start = threading.Barrier(threads)
    accepted: list[str] = []

    def worker() -> None:
        own = Redis(connection_pool=ConnectionPool(**redis_conn.connection_pool.connection_kwargs))
        limiter = RedisRateLimiter(own, limit, WINDOW, PREFIX)
        for key in keys:
            start.wait()
            with contextlib.suppress(RateLimited):
                limiter.hit(key)
                accepted.append(key)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert {key: accepted.count(key) for key in keys} == dict.fromkeys(keys, limit)
    assert [redis_conn.zcard(PREFIX + key) for key in keys] == [limit] * len(keys)


def test_with_redis_unreachable_the_limiter_fails_open_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter(Redis.from_url("redis://127.0.0.1:1/0"), 1, WINDOW)
    with caplog.at_level(logging.WARNING, logger="web.ratelimit"):
        assert [limiter.hit("learner:alice") for _ in range(3)] == [Quota()] * 3
    assert "rate limiter unavailable" in caplog.text


def test_with_redis_unreachable_submissions_are_still_accepted_and_stored(
    settings: Settings, enqueuer: FakeEnqueuer
) -> None:
    """A limit of 1 from the settings, on the settings' Redis at port 1: nobody is refused."""
    app = create_app(settings.replace(rate_limit_submissions=1), enqueuer=enqueuer)
    client = app.test_client()
    created = upload(
        client, "/api/v1/assignments", ADMIN, source_bytes(), "hw.ipynb", course="ds101", name="hw1"
    )
    url = f"/api/v1/assignments/{created.json['id']}/submissions"
    accepted = [upload(client, url, ADMIN, learner_bytes(), "hw.ipynb", learner="alice") for _ in range(3)]
    assert [response.status_code for response in accepted] == [202] * 3
    assert "X-RateLimit-Remaining" not in accepted[0].headers  # unknown, so not claimed
    assert len(enqueuer.calls) == 3


def test_a_limit_of_zero_in_the_environment_turns_limits_off(tmp_path: Path) -> None:
    settings = Settings.from_env({"AUTOGRADE_RATE_LIMIT_SUBMISSIONS": "0"}, data_dir=str(tmp_path))
    assert settings.rate_limit_submissions == 0
    app = create_app(settings, enqueuer=FakeEnqueuer())
    assert isinstance(app.extensions["autograde"].limiter, NoLimit)


def test_a_positive_limit_is_built_on_the_queues_redis_from_the_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"AUTOGRADE_RATE_LIMIT_SUBMISSIONS": "7", "AUTOGRADE_RATE_LIMIT_WINDOW": "30"},
        data_dir=str(tmp_path),
        redis_url="redis://127.0.0.1:1/0",
    )
    app = create_app(settings)
    handles = app.extensions["autograde"]
    limiter = handles.limiter
    assert isinstance(limiter, RedisRateLimiter) and isinstance(handles.enqueuer, RQEnqueuer)
    assert (limiter.limit, limiter.window) == (7, 30)
    assert limiter.script.registered_client is handles.enqueuer.connection


def test_a_negative_limit_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="RATE_LIMIT_SUBMISSIONS"):
        Settings.from_env({"AUTOGRADE_RATE_LIMIT_SUBMISSIONS": "-1"}, data_dir=str(tmp_path))
