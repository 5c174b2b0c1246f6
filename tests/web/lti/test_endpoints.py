"""LTI 1.3 launches against a simulated platform: every check of the id_token, state and nonce, and where people land."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.lti.simulator import DROP, INSTRUCTOR, OBSERVER, Platform, new_key
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import Launcher, log_in_from

SESSION = "autograde_session"


def assert_refused(reply: TestResponse, client: FlaskClient, status: int) -> None:
    """A 4xx with the JSON error body, and no session for anyone."""
    assert reply.status_code == status, (reply.status_code, reply.get_data(as_text=True))
    assert reply.mimetype == "application/json"
    assert set(reply.json) == {"error", "message"}
    assert client.get_cookie(SESSION) is None
    assert client.get("/learn/").status_code == 302  # still sent to the login page


def test_a_learner_launch_lands_on_the_assignment_page_logged_in(
    launch: Launcher, client: FlaskClient, assignment: dict[str, Any]
) -> None:
    reply = launch()
    assert reply.status_code == 303, reply.get_data(as_text=True)
    assert reply.headers["Location"] == f"/learn/assignments/{assignment['id']}"
    page = client.get(reply.headers["Location"])
    assert page.status_code == 200
    assert "hw1" in page.get_data(as_text=True)


def test_an_instructor_launch_lands_on_the_gradebook(
    launch: Launcher, client: FlaskClient, assignment: dict[str, Any]
) -> None:
    reply = launch(roles=[INSTRUCTOR], sub="teacher-1")
    assert reply.status_code == 303
    assert reply.headers["Location"] == f"/teach/assignments/{assignment['id']}/gradebook"
    assert client.get(reply.headers["Location"]).status_code == 200


def test_staff_somewhere_gets_no_staff_rights_in_a_course_they_take(
    launch: Launcher, client: FlaskClient, assignment: dict[str, Any], store: Any
) -> None:
    assert launch(sub="same-person").status_code == 303
    assert launch(sub="same-person", roles=[INSTRUCTOR]).status_code == 303
    names = {
        (name, role)
        for name, role in store.engine.connect().exec_driver_sql("SELECT name, role FROM accounts")
    }
    assert names == {("lti:lms:same-person", "learner"), ("lti-instructor:lms:same-person", "instructor")}


def later(seconds: int) -> Callable[[datetime], int]:
    return lambda now: int(now.timestamp()) + seconds


# (claim overrides, status): each breaks one rule the launch must check
REFUSED: dict[str, tuple[dict[str, Any], int]] = {
    "wrong issuer": ({"iss": "https://evil.example"}, 400),
    "wrong audience": ({"aud": "another-tool", "azp": DROP}, 400),
    "several audiences, no azp": ({"aud": ["tool-client-1", "another-tool"], "azp": DROP}, 400),
    "wrong azp": ({"azp": "another-tool"}, 400),
    "expired": ({"exp": later(-3600)}, 400),
    "issued in the future": ({"iat": later(3600)}, 400),
    "no exp": ({"exp": DROP}, 400),
    "unknown deployment": ({"deployment_id": "deployment-of-someone-else"}, 400),
    "no version": ({"version": DROP}, 400),
    "LTI 1.1 version": ({"version": "1.1"}, 400),
    "unsupported message type": ({"message_type": "LtiSubmissionReviewRequest"}, 400),
    "wrong nonce": ({"nonce": "a-nonce-of-another-login"}, 400),
    "no subject": ({"sub": DROP}, 400),
    "observer role": ({"roles": [OBSERVER]}, 403),
    "no resource link": ({"resource_link": DROP}, 400),
    "nothing to open": ({"custom": {}}, 400),
    "unknown assignment": ({"custom": {"assignment_id": "no-such-assignment"}}, 404),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_launch_breaking_one_rule_is_refused_without_a_session(
    case: str, launch: Launcher, client: FlaskClient, clock: FakeClock, row_counts: Any
) -> None:
    overrides, status = REFUSED[case]
    before = row_counts()["accounts"]
    now = clock()
    resolved = {name: value(now) if callable(value) else value for name, value in overrides.items()}
    assert_refused(launch(**resolved), client, status)
    assert row_counts()["accounts"] == before


def test_a_bad_signature_is_refused(launch: Launcher, client: FlaskClient, platform: Platform) -> None:
    forger = new_key()  # signs under the platform's own kid
    reply = launch(sign=lambda claims: platform.sign(claims, key=forger, kid=platform.signing.kid))
    assert_refused(reply, client, 401)
    assert reply.json["error"] == "bad_signature"


def test_an_unknown_kid_is_refused_after_one_refetch(launch: Launcher, app: Any, platform: Platform) -> None:
    assert launch(sub="first").status_code == 303
    fetched = platform.jwks_fetches
    stranger = new_key()
    for _ in range(3):
        browser = app.test_client()
        assert_refused(
            launch(browser=browser, sign=lambda claims: platform.sign(claims, key=stranger)), browser, 401
        )
    assert platform.jwks_fetches == fetched + 1  # refetched once, then throttled


def test_an_unsigned_or_hmac_token_is_refused(launch: Launcher, client: FlaskClient) -> None:
    import base64
    import json

    def unsigned(claims: dict[str, Any]) -> str:
        part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
        return f"{part({'alg': 'none', 'kid': 'platform-key-1'})}.{part(claims)}."

    assert_refused(launch(sign=unsigned), client, 400)


def test_a_replayed_launch_is_refused(
    launch: Launcher,
    client: FlaskClient,
    platform: Platform,
    clock: FakeClock,
    app: Any,
    assignment: dict[str, Any],
) -> None:
    request = log_in_from(client, platform)
    claims = platform.claims(request["nonce"], clock(), custom={"assignment_id": assignment["id"]})
    token = platform.sign(claims)
    assert client.post("/lti/launch", data={"id_token": token, "state": request["state"]}).status_code == 303
    again = app.test_client()  # same token and state from another browser: the state is spent
    assert_refused(again.post("/lti/launch", data={"id_token": token, "state": request["state"]}), again, 400)
    fresh = log_in_from(
        again, platform
    )  # a new login's state with the old token: its nonce is not this login's
    assert_refused(again.post("/lti/launch", data={"id_token": token, "state": fresh["state"]}), again, 400)


def test_a_state_from_another_browser_is_refused(launch: Launcher, app: Any, platform: Platform) -> None:
    victim, attacker = app.test_client(), app.test_client()
    log_in_from(victim, platform)  # the victim's browser holds its own login's state cookie
    planted = log_in_from(attacker, platform)
    assert_refused(launch(browser=victim, request=planted), victim, 400)


def test_a_launch_in_an_iframe_without_cookies_is_bound_by_the_server_side_state(
    launch: Launcher, app: Any, platform: Platform
) -> None:
    login_browser = app.test_client()
    request = log_in_from(login_browser, platform)
    cookieless = app.test_client()  # the iframe: the state cookie was withheld
    reply = launch(browser=cookieless, request=request)
    assert reply.status_code == 303


def test_a_login_left_too_long_is_refused(
    launch: Launcher, client: FlaskClient, platform: Platform, clock: FakeClock
) -> None:
    request = log_in_from(client, platform)
    clock.advance(seconds=601)
    assert_refused(launch(request=request), client, 400)


def test_a_login_for_an_unregistered_issuer_is_refused(
    client: FlaskClient, registered: dict[str, Any]
) -> None:
    reply = client.post(
        "/lti/login",
        data={"iss": "https://stranger.example", "login_hint": "x", "target_link_uri": "http://t/"},
    )
    assert reply.status_code == 400
    assert reply.json["error"] == "invalid_launch"


def test_the_platform_rotating_its_key_mid_run_keeps_launches_working(
    launch: Launcher, platform: Platform
) -> None:
    assert launch(sub="u1").status_code == 303
    assert platform.jwks_fetches == 1
    platform.rotate_key(keep_old=False)
    assert launch(sub="u2").status_code == 303  # the new kid: fetched once more
    assert launch(sub="u3").status_code == 303  # now cached
    assert platform.jwks_fetches == 2


def test_pages_may_be_framed_by_registered_platforms_only(client: FlaskClient, platform: Platform) -> None:
    before = client.get("/login").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self';" in before + ";"
    reply = client.post(
        "/api/v1/lti/registrations",
        json=platform.registration(),
        headers={"Authorization": "Bearer admin-secret"},
    )
    assert reply.status_code == 201
    after = client.get("/login").headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.issuer}" in after


def test_a_launch_to_a_course_the_platform_may_not_open_is_forbidden(
    client: FlaskClient, platform: Platform, clock: FakeClock, post_assignment: Any
) -> None:
    reply = client.post(
        "/api/v1/lti/registrations",
        json=platform.registration(courses=("ds999",)),
        headers={"Authorization": "Bearer admin-secret"},
    )
    assert reply.status_code == 201
    other = post_assignment().json
    request = log_in_from(client, platform)
    token = platform.sign(platform.claims(request["nonce"], clock(), custom={"assignment_id": other["id"]}))
    assert_refused(
        client.post("/lti/launch", data={"id_token": token, "state": request["state"]}), client, 403
    )


def test_the_login_redirect_carries_what_the_platform_needs(
    client: FlaskClient, platform: Platform, registered: dict[str, Any]
) -> None:
    request = log_in_from(client, platform)
    assert request["client_id"] == platform.client_id
    assert request["response_type"] == "id_token" and request["response_mode"] == "form_post"
    assert request["scope"] == "openid" and request["prompt"] == "none"
    assert request["login_hint"] == "hint-42"
    assert request["redirect_uri"].endswith("/lti/launch")
    assert len(request["state"]) >= 32 and len(request["nonce"]) >= 32
