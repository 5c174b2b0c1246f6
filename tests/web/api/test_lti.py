"""Registering LTI platforms through the API: admin only, every field checked, one registration per issuer and client."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

ADMIN = {"Authorization": "Bearer admin-secret"}
FIELDS = {
    "id": "moodle",
    "issuer": "https://moodle.example.edu",
    "client_id": "abc123",
    "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
    "token_url": "https://moodle.example.edu/mod/lti/token.php",
    "jwks_url": "https://moodle.example.edu/mod/lti/certs.php",
    "deployment_ids": ["1"],
    "courses": ["ds101"],
}


def test_an_admin_registers_a_platform_and_gets_the_tool_urls(client: FlaskClient) -> None:
    reply = client.post("/api/v1/lti/registrations", json=FIELDS, headers=ADMIN)
    assert reply.status_code == 201, reply.json
    body = reply.json
    assert body["issuer"] == FIELDS["issuer"] and body["deployment_ids"] == ["1"] and body["name"] == "moodle"
    assert body["tool"]["login_url"].endswith("/lti/login")
    assert body["tool"]["launch_url"].endswith("/lti/launch")
    assert body["tool"]["jwks_url"].endswith("/lti/jwks")
    assert client.get("/api/v1/lti/registrations/moodle", headers=ADMIN).json == body
    assert client.get("/api/v1/lti/registrations", headers=ADMIN).json == [body]
    added = client.post(
        "/api/v1/lti/registrations/moodle/deployments", json={"deployment_id": "2"}, headers=ADMIN
    )
    assert added.status_code == 200 and added.json["deployment_ids"] == ["1", "2"]
    again = client.post(
        "/api/v1/lti/registrations/moodle/deployments", json={"deployment_id": "2"}, headers=ADMIN
    )
    assert again.json["deployment_ids"] == ["1", "2"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"id": "Not An Id"}, 400),
        ({"issuer": ""}, 400),
        ({"client_id": 7}, 400),
        ({"jwks_url": "file:///etc/passwd"}, 400),
        ({"token_url": "https://user:pw@lms.example/token"}, 400),
        ({"auth_login_url": "http://[::1"}, 400),
        ({"deployment_ids": []}, 400),
        ({"courses": "ds101"}, 400),
    ],
)
def test_a_bad_field_is_refused_and_nothing_is_stored(
    client: FlaskClient, change: dict[str, Any], status: int, row_counts: Any
) -> None:
    before = row_counts()
    reply = client.post("/api/v1/lti/registrations", json={**FIELDS, **change}, headers=ADMIN)
    assert reply.status_code == status and reply.json["error"] == "bad_input"
    assert row_counts() == before


def test_the_same_issuer_and_client_twice_is_a_conflict(client: FlaskClient) -> None:
    assert client.post("/api/v1/lti/registrations", json=FIELDS, headers=ADMIN).status_code == 201
    twice = client.post("/api/v1/lti/registrations", json={**FIELDS, "id": "moodle-2"}, headers=ADMIN)
    assert twice.status_code == 409
    same_id = client.post("/api/v1/lti/registrations", json={**FIELDS, "client_id": "other"}, headers=ADMIN)
    assert same_id.status_code == 409


def test_only_an_admin_may_register_or_read(client: FlaskClient, instructor: dict[str, str]) -> None:
    assert client.post("/api/v1/lti/registrations", json=FIELDS, headers=instructor).status_code == 403
    assert client.get("/api/v1/lti/registrations", headers=instructor).status_code == 403
    assert client.get("/api/v1/lti/registrations/moodle", headers=ADMIN).status_code == 404


def test_an_admin_sets_and_clears_a_registration_s_token_audience(client: FlaskClient) -> None:
    """A registration made before the field existed (or without it) can be given one, and lose it."""
    created = client.post("/api/v1/lti/registrations", json=FIELDS, headers=ADMIN).json
    url = "/api/v1/lti/registrations/moodle"
    audience = "https://api.brightspace.com/auth/token"
    given = client.patch(url, json={"token_audience": audience}, headers=ADMIN)
    assert given.status_code == 200, given.json
    assert given.json["token_audience"] == audience and given.json["tool"]["jwks_url"].endswith("/lti/jwks")
    assert client.get(url, headers=ADMIN).json["token_audience"] == audience
    assert client.patch(url, json={"token_audience": None}, headers=ADMIN).json["token_audience"] is None
    assert client.get(url, headers=ADMIN).json == created  # the token URL again, nothing else touched


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"token_audience": "bad\nline"}, 400, "'token_audience'"),
        ({"token_audience": "x" * 2001}, 400, "'token_audience'"),
        ({"token_audience": 7}, 400, "'token_audience'"),
        ({}, 400, "'token_audience'"),
        (
            {"token_audience": "https://a.example", "token_url": "https://evil.example/token"},
            400,
            "'token_url'",
        ),
        ({"token_audience": "https://a.example", "issuer": "https://evil.example"}, 400, "'issuer'"),
    ],
    ids=["newline", "long", "number", "missing", "token_url too", "issuer too"],
)
def test_a_bad_change_to_a_registration_is_refused_and_changes_nothing(
    client: FlaskClient, body: dict[str, Any], status: int, named: str
) -> None:
    assert client.post("/api/v1/lti/registrations", json=FIELDS, headers=ADMIN).status_code == 201
    before = client.get("/api/v1/lti/registrations/moodle", headers=ADMIN).json
    reply = client.patch("/api/v1/lti/registrations/moodle", json=body, headers=ADMIN)
    assert reply.status_code == status and reply.json["error"] == "bad_input", reply.json
    assert named in reply.json["message"]
    assert client.get("/api/v1/lti/registrations/moodle", headers=ADMIN).json == before


def test_changing_an_unknown_registration_is_not_found(
    client: FlaskClient, instructor: dict[str, str]
) -> None:
    body = {"token_audience": "https://a.example"}
    assert client.patch("/api/v1/lti/registrations/nope", json=body, headers=ADMIN).status_code == 404
    assert client.post("/api/v1/lti/registrations", json=FIELDS, headers=ADMIN).status_code == 201
    assert client.patch("/api/v1/lti/registrations/moodle", json=body, headers=instructor).status_code == 403
    assert client.get("/api/v1/lti/registrations/moodle", headers=ADMIN).json["token_audience"] is None
