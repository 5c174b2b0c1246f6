"""Wrong exam access codes are limited per learner and per exam: past the limit a 429, and no code checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from service.settings import Settings
from tests.conftest import REDIS_URL
from tests.web.api.test_exams import spec, upload
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.pages_client import log_in, post_form
from web import create_app

CODE = "owl-42"
Token = Callable[..., dict[str, str]]


@pytest.fixture
def app(settings: Settings, enqueuer: FakeEnqueuer, clock: FakeClock, redis_conn: Redis) -> Flask:
    """The conftest's app with its limiters on a real Redis: 3 wrong codes per learner, 5 per exam."""
    limited = settings.replace(
        redis_url=REDIS_URL,
        queue_prefix="codes-test",
        rate_limit_access_codes=3,
        rate_limit_access_codes_per_exam=5,
    )
    return create_app(limited, enqueuer=enqueuer, clock=clock)


@pytest.fixture
def coded(client: FlaskClient, instructor: dict[str, str]) -> str:
    reply = upload(client, instructor, spec(access={"code": CODE}, attempts_allowed=3), name="coded")
    assert reply.status_code == 201, reply.json
    return str(reply.json["id"])


def guess(client: FlaskClient, exam_id: str, headers: dict[str, str], code: str) -> Any:
    return client.post(f"/api/v1/exams/{exam_id}/attempts", headers=headers, json={"access_code": code})


def test_past_the_limit_of_wrong_codes_a_learner_gets_429_even_with_the_right_code(
    client: FlaskClient, coded: str, token: Token
) -> None:
    learner = token("learner", "mallory", ["ds101"])
    assert [guess(client, coded, learner, f"guess-{i}").status_code for i in range(3)] == [403, 403, 403]
    refused = guess(client, coded, learner, CODE)
    assert (refused.status_code, refused.json["error"]) == (429, "rate_limited")
    assert int(refused.headers["Retry-After"]) >= 1


def test_right_codes_do_not_count_against_the_limit(client: FlaskClient, coded: str, token: Token) -> None:
    learner = token("learner", "alice", ["ds101"])
    assert guess(client, coded, learner, "typo").status_code == 403
    assert [guess(client, coded, learner, CODE).status_code for _ in range(3)][0] == 201


def test_many_learners_guessing_one_exam_are_limited_together(
    client: FlaskClient, coded: str, token: Token
) -> None:
    statuses = [
        guess(client, coded, token("learner", f"sybil{i}", ["ds101"]), "guess").status_code for i in range(6)
    ]
    assert statuses == [403] * 5 + [429]


def test_the_start_page_refuses_past_the_limit_with_429(
    app: Flask, client: FlaskClient, coded: str, store: Any
) -> None:
    store.create_account("learner", "mallory", "correct horse", ["ds101"])
    log_in(client, "mallory")
    for _ in range(3):
        assert (
            post_form(client, "/learn/exams", f"/learn/exams/{coded}/start", access_code="nope").status_code
            == 422
        )
    refused = post_form(client, "/learn/exams", f"/learn/exams/{coded}/start", access_code=CODE)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert store.list_attempts(exam_id=coded) == []
