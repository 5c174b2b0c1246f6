"""A simulated LTI platform over real HTTP, registered with the real app, and helpers that log in and launch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from store import Store
from tests.lti.simulator import Platform, query_of
from tests.web.fakes import FakeClock
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes
from tests.web.reports import report

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
def platform(request: pytest.FixtureRequest) -> Iterator[Platform]:
    simulated = Platform(**getattr(request, "param", {})).start()
    yield simulated
    simulated.stop()


@pytest.fixture
def registered(client: FlaskClient, platform: Platform) -> dict[str, Any]:
    reply = client.post("/api/v1/lti/registrations", json=platform.registration(), headers=ADMIN)
    assert reply.status_code == 201, reply.json
    body: dict[str, Any] = reply.json
    return body


def log_in_from(client: FlaskClient, platform: Platform) -> dict[str, str]:
    """The platform's login call; the tool's answer is a redirect to the platform's auth endpoint."""
    reply = client.post("/lti/login", data=platform.login_params())
    assert reply.status_code == 302, reply.json
    assert reply.headers["Location"].startswith(platform.auth_login_url + "?")
    return query_of(reply.headers["Location"])


Launcher = Callable[..., TestResponse]


@pytest.fixture
def launch(
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    assignment: dict[str, Any],
) -> Launcher:
    """Log in, then post a launch of ``assignment`` as the platform would, with claims changed by ``overrides``."""

    def run(
        browser: FlaskClient | None = None,
        request: dict[str, str] | None = None,
        sign: Any = None,
        **overrides: Any,
    ) -> TestResponse:
        browser = browser or client
        request = request or log_in_from(browser, platform)
        overrides = {"custom": {"assignment_id": assignment["id"]}, **overrides}
        claims = platform.claims(request["nonce"], clock(), **overrides)
        token = sign(claims) if sign else platform.sign(claims)
        return browser.post("/lti/launch", data={"id_token": token, "state": request["state"]})

    return run


GradedSubmission = Callable[[str, float], str]


@pytest.fixture
def graded_submission(
    client: FlaskClient, store: Store, token: Callable[..., dict[str, str]], assignment: dict[str, Any]
) -> GradedSubmission:
    """``graded_submission(account, points)``: the learner ``account`` submits to ``assignment`` by the
    API and is graded ``points`` of 2; the submission's id. What the platform then gets is the test's."""

    def run(account: str, points: float) -> str:
        url = f"/api/v1/assignments/{assignment['id']}/submissions"
        reply = upload(client, url, token("learner", account, ["ds101"]), learner_bytes(), "hw.ipynb")
        assert reply.status_code == 202, reply.json
        sid = str(reply.json["id"])
        store.claim_submission(sid)
        assert store.save_grade(sid, report(points), "<p>feedback</p>", {})
        return sid

    return run
