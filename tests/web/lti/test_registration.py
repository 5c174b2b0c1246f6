"""LTI Dynamic Registration end to end against the simulated platform: an admin's invitation link, the
platform's configuration and registration endpoint, then a real launch through what was registered;
and every way it must refuse, each leaving nothing stored and the invitation open."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.lti.simulator import (
    BRIGHTSPACE_AUDIENCE,
    DROP,
    PLATFORM_CONFIGURATION,
    SCORE_SCOPE,
    TOOL_CONFIGURATION,
    Platform,
)
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import ADMIN, log_in_from

HTML = {"Accept": "text/html,application/xhtml+xml"}
Invite = Callable[..., dict[str, Any]]


@pytest.fixture
def invite(client: FlaskClient) -> Invite:
    def make(**fields: Any) -> dict[str, Any]:
        reply = client.post("/api/v1/lti/invitations", json={"courses": ["ds101"], **fields}, headers=ADMIN)
        assert reply.status_code == 201, reply.json
        body: dict[str, Any] = reply.json
        return body

    return make


def open_link(
    client: FlaskClient,
    invitation: dict[str, Any],
    platform: Platform,
    headers: dict[str, str] | None = None,
    **query: str,
) -> TestResponse:
    """What the LMS's browser does with the pasted link: add its configuration URL and token, open it."""
    params = {"openid_configuration": platform.openid_configuration_url, **query}
    path = urlsplit(invitation["url"]).path
    return client.get(f"{path}?{urlencode(params)}", headers=headers or HTML)


def invitation_state(client: FlaskClient, invitation: dict[str, Any]) -> str:
    listed = client.get("/api/v1/lti/invitations", headers=ADMIN).json
    return str(next(item["state"] for item in listed if item["id"] == invitation["id"]))


def test_a_platform_registers_by_the_link_and_then_launches_work(
    client: FlaskClient, platform: Platform, invite: Invite, clock: FakeClock, assignment: dict[str, Any]
) -> None:
    platform.registration_token = "reg-token-1"
    invitation = invite(registration_id="sim", label="Simulated Moodle")
    reply = open_link(client, invitation, platform, registration_token="reg-token-1")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200, page
    assert '{subject: "org.imsglobal.lti.close"}' in page and "window.opener || window.parent" in page
    nonce = re.search(r'<script nonce="([^"]+)">', page)
    assert nonce and f"'nonce-{nonce.group(1)}'" in reply.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.issuer}" in reply.headers["Content-Security-Policy"]
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert "sim" in page and platform.client_id in page

    [sent] = platform.tool_registrations
    assert sent["redirect_uris"] == ["http://localhost/lti/launch"]
    assert sent["initiate_login_uri"] == "http://localhost/lti/login"
    assert sent["jwks_uri"] == "http://localhost/lti/jwks"
    assert sent["grant_types"] == ["implicit", "client_credentials"] and SCORE_SCOPE in sent["scope"].split()
    assert {m["type"] for m in sent[TOOL_CONFIGURATION]["messages"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }

    stored = client.get("/api/v1/lti/registrations/sim", headers=ADMIN).json
    assert stored["issuer"] == platform.issuer and stored["client_id"] == platform.client_id
    assert stored["deployment_ids"] == [platform.deployment_id] and stored["courses"] == ["ds101"]
    assert stored["token_url"] == platform.token_url and stored["name"] == "Simulated Moodle"
    assert invitation_state(client, invitation) == "used"

    launched = launch_from(client, platform, clock, assignment)  # through the platform just registered
    assert launched.status_code == 303, launched.get_data(as_text=True)
    assert launched.headers["Location"] == f"/learn/assignments/{assignment['id']}"

    again = open_link(client, invitation, platform, headers={"Accept": "application/json"})
    assert again.status_code == 410 and again.json["error"] == "invitation_spent"
    assert len(platform.tool_registrations) == 1  # a used link makes us fetch nothing


def launch_from(
    client: FlaskClient, platform: Platform, clock: FakeClock, assignment: dict[str, Any]
) -> TestResponse:
    """The existing launch helpers' path: the platform's login, then its signed id_token."""
    request = log_in_from(client, platform)
    claims = platform.claims(request["nonce"], clock(), custom={"assignment_id": assignment["id"]})
    return client.post("/lti/launch", data={"id_token": platform.sign(claims), "state": request["state"]})


def test_a_platform_that_names_no_deployment_is_kept_without_one_and_launches_wait_for_it(
    client: FlaskClient, platform: Platform, invite: Invite, clock: FakeClock, assignment: dict[str, Any]
) -> None:
    platform.registration_answer_deployment = None
    reply = open_link(client, invite(), platform)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert "none yet" in reply.get_data(as_text=True)
    [stored] = client.get("/api/v1/lti/registrations", headers=ADMIN).json
    assert stored["id"] == "127-0-0-1" and stored["deployment_ids"] == []
    assert launch_from(client, platform, clock, assignment).status_code == 400  # no deployment known yet
    added = client.post(
        "/api/v1/lti/registrations/127-0-0-1/deployments",
        json={"deployment_id": platform.deployment_id},
        headers=ADMIN,
    )
    assert added.status_code == 200
    assert launch_from(client, platform, clock, assignment).status_code == 303


def spoil(**changes: Any) -> Callable[[Platform], None]:
    def apply(platform: Platform) -> None:
        for name, value in changes.items():
            setattr(platform, name, value)

    return apply


def configure(**overrides: Any) -> Callable[[Platform], None]:
    """Configuration fields changed; a callable value is given the platform (for its own address)."""

    def apply(platform: Platform) -> None:
        platform.openid_overrides = {
            name: value(platform) if callable(value) else value for name, value in overrides.items()
        }

    return apply


# (what to do to the platform, query changes, status): each must store nothing and leave the link open
REFUSED: dict[str, tuple[Callable[[Platform], None], dict[str, str], int]] = {
    "no openid_configuration": (spoil(), {"openid_configuration": ""}, 400),
    "http configuration URL off this machine": (
        spoil(),
        {"openid_configuration": "http://lms.example.edu/.well-known/openid-configuration"},
        400,
    ),
    "file URL": (spoil(), {"openid_configuration": "file:///etc/passwd"}, 400),
    "URL with credentials": (spoil(), {"openid_configuration": "https://u:p@lms.example.edu/x"}, 400),
    "issuer of another origin": (configure(issuer="https://lms.example.edu"), {}, 502),
    "issuer on another port": (configure(issuer="http://127.0.0.1:1"), {}, 502),
    "issuer with a path the URL is not under": (
        configure(issuer=lambda platform: platform.issuer + "/tenant-b"),
        {},
        502,
    ),
    "no registration_endpoint": (configure(registration_endpoint=DROP), {}, 502),
    "no jwks_uri": (configure(jwks_uri=DROP), {}, 502),
    "no token_endpoint": (configure(token_endpoint=DROP), {}, 502),
    "no authorization_endpoint": (configure(authorization_endpoint=DROP), {}, 502),
    "no LTI platform configuration": (configure(**{PLATFORM_CONFIGURATION: DROP}), {}, 502),
    "http endpoint off this machine": (configure(token_endpoint="http://lms.example.edu/token"), {}, 502),
    "no private_key_jwt": (configure(token_endpoint_auth_methods_supported=["client_secret_basic"]), {}, 502),
    "authorization_server not text": (configure(authorization_server=["x"]), {}, 502),
    "configuration 404": (spoil(config_fault="404"), {}, 502),
    "configuration 500": (spoil(config_fault="500"), {}, 502),
    "configuration not JSON": (spoil(config_fault="not-json"), {}, 502),
    "configuration too big": (spoil(config_fault="huge"), {}, 502),
    "registration endpoint 400": (spoil(registration_fault="400"), {}, 502),
    "registration endpoint 500": (spoil(registration_fault="500"), {}, 502),
    "registration answer not JSON": (spoil(registration_fault="not-json"), {}, 502),
    "registration answer too big": (spoil(registration_fault="huge"), {}, 502),
    "registration answer without client_id": (spoil(registration_fault="no-client-id"), {}, 502),
    "wrong registration token": (spoil(registration_token="right"), {"registration_token": "wrong"}, 502),
    "no registration token": (spoil(registration_token="right"), {}, 502),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_registration_stores_nothing_and_leaves_the_link_open(
    client: FlaskClient, platform: Platform, invite: Invite, row_counts: Any, case: str
) -> None:
    change, query, status = REFUSED[case]
    change(platform)
    invitation = invite()
    before = row_counts()
    reply = open_link(client, invitation, platform, headers={"Accept": "application/json"}, **query)
    assert reply.status_code == status, reply.get_data(as_text=True)
    assert set(reply.json) == {"error", "message"}
    assert row_counts() == before
    assert invitation_state(client, invitation) == "open"
    if status == 400:
        assert platform.tool_registrations == [] and platform.registration_refusals == []


@pytest.mark.parametrize("case", ["unknown", "expired", "revoked", "used"])
def test_only_an_open_invitation_makes_the_tool_fetch_anything(
    client: FlaskClient,
    platform: Platform,
    invite: Invite,
    clock: FakeClock,
    row_counts: Any,
    case: str,
) -> None:
    invitation = invite(expires_in_hours=2)
    if case == "unknown":
        invitation = {**invitation, "url": f"http://localhost/lti/register/{uuid.uuid4().hex}"}
    elif case == "expired":
        clock.advance(hours=2)
    elif case == "revoked":
        assert (
            client.post(f"/api/v1/lti/invitations/{invitation['id']}/revoke", headers=ADMIN).status_code
            == 200
        )
    else:
        assert open_link(client, invitation, platform).status_code == 200
    before = row_counts()
    fetched = list(platform.tool_registrations)
    platform.openid_overrides = {"issuer": "https://would-be-refused.example"}  # proves no fetch happens
    reply = open_link(client, invitation, platform, headers={"Accept": "application/json"})
    assert reply.status_code == (404 if case == "unknown" else 410), reply.json
    assert row_counts() == before and platform.tool_registrations == fetched


def test_no_token_at_all_is_not_a_registration_route(client: FlaskClient) -> None:
    assert client.get("/lti/register/").status_code == 404


def test_a_refusal_is_a_page_for_a_browser_and_a_taken_client_a_409(
    client: FlaskClient, platform: Platform, invite: Invite, row_counts: Any
) -> None:
    assert (
        client.post("/api/v1/lti/registrations", json=platform.registration(), headers=ADMIN).status_code
        == 201
    )
    invitation = invite()
    before = row_counts()
    reply = open_link(client, invitation, platform)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 409 and reply.mimetype == "text/html"
    assert "already registered" in page and "<script" not in page
    assert "script-src 'none'" in reply.headers["Content-Security-Policy"]
    assert row_counts() == before and invitation_state(client, invitation) == "open"


def test_a_platform_s_error_body_is_not_echoed_back(
    client: FlaskClient, platform: Platform, invite: Invite
) -> None:
    platform.config_fault = "not-json"
    reply = open_link(client, invite(), platform, headers={"Accept": "application/json"})
    assert reply.status_code == 502 and "maintenance" not in reply.json["message"]


@pytest.mark.parametrize("platform", [{"profile": "brightspace"}], indirect=True)
def test_a_platform_s_authorization_server_becomes_the_audience_of_the_tool_s_token_requests(
    client: FlaskClient, platform: Platform, invite: Invite
) -> None:
    """LTI DR's ``authorization_server``: Brightspace's token endpoint wants it as ``aud``, not its URL."""
    platform.registration_token = "reg-token-1"
    reply = open_link(client, invite(registration_id="d2l"), platform, registration_token="reg-token-1")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    stored = client.get("/api/v1/lti/registrations/d2l", headers=ADMIN).json
    assert stored["token_audience"] == BRIGHTSPACE_AUDIENCE != stored["token_url"]
