"""Login limits count failures only, per client address and per account at that address (issue 18).

A stranger who knows a learner's name can fail as often as the limit allows from their own
address; the learner, logging in from theirs, is never locked out by it.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from service.settings import Settings
from tests.conftest import REDIS_URL
from tests.web.conftest import PASSWORD
from tests.web.fakes import FakeEnqueuer
from tests.web.pages_client import csrf_of
from web import create_app

STRANGER = "203.0.113.9"
LEARNER = "198.51.100.7"


@pytest.fixture
def app(settings: Settings, enqueuer: FakeEnqueuer, redis_conn: Redis) -> Flask:
    """3 failures per name at one address, 5 per address, on a real Redis."""
    limited = settings.replace(
        redis_url=REDIS_URL, queue_prefix="login-test", rate_limit_logins=3, rate_limit_login_addresses=5
    )
    app = create_app(limited, enqueuer=enqueuer)
    app.extensions["autograde"].store.create_account("learner", "alice", PASSWORD, ["ds101"])
    return app


def attempt(client: FlaskClient, name: str, password: str, address: str) -> Any:
    token = csrf_of(client, "/login")
    data = {"name": name, "password": password, "csrf_token": token}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})


def test_successful_logins_never_count_toward_the_limit(client: FlaskClient) -> None:
    assert [attempt(client, "alice", PASSWORD, LEARNER).status_code for _ in range(6)] == [302] * 6


def test_a_stranger_failing_for_a_learners_name_cannot_lock_the_learner_out(app: Flask) -> None:
    stranger, learner = app.test_client(), app.test_client()
    assert [attempt(stranger, "alice", "wrong horse", STRANGER).status_code for _ in range(3)] == [401] * 3
    assert attempt(stranger, "alice", PASSWORD, STRANGER).status_code == 429  # the stranger is stopped
    assert attempt(learner, "alice", PASSWORD, LEARNER).status_code == 302  # the learner is not


def test_one_address_guessing_many_names_is_limited(client: FlaskClient) -> None:
    statuses = [attempt(client, f"name{i}", "wrong horse", STRANGER).status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    assert "try again in" in attempt(client, "alice", PASSWORD, STRANGER).get_data(as_text=True)
