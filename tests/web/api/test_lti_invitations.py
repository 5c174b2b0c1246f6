"""Dynamic Registration invitations through the API: admin only, the link shown once, revocable."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.settings import Settings
from web.app import create_app

ADMIN = {"Authorization": "Bearer admin-secret"}


def test_an_admin_makes_lists_and_revokes_an_invitation(client: FlaskClient) -> None:
    made = client.post(
        "/api/v1/lti/invitations", json={"courses": ["ds101"], "label": "Moodle"}, headers=ADMIN
    )
    assert made.status_code == 201, made.json
    body = made.json
    assert body["url"].startswith("http://localhost/lti/register/") and body["state"] == "open"
    token = body["url"].rsplit("/", 1)[1]
    listed = client.get("/api/v1/lti/invitations", headers=ADMIN)
    assert [item["id"] for item in listed.json] == [body["id"]] and token not in listed.get_data(as_text=True)
    revoked = client.post(f"/api/v1/lti/invitations/{body['id']}/revoke", headers=ADMIN)
    assert revoked.status_code == 200 and revoked.json["state"] == "revoked"
    assert client.post("/api/v1/lti/invitations/nope/revoke", headers=ADMIN).status_code == 404


def test_the_link_is_built_from_the_public_url_when_one_is_set(
    settings: Settings, enqueuer: Any, clock: Any
) -> None:
    app = create_app(replace(settings, public_url="https://g.example.edu"), enqueuer=enqueuer, clock=clock)
    made = app.test_client().post("/api/v1/lti/invitations", json={"courses": ["ds101"]}, headers=ADMIN)
    assert made.json["url"].startswith("https://g.example.edu/lti/register/")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"courses": []},
        {"courses": ["ds101"], "expires_in_hours": 0},
        {"courses": ["ds101"], "registration_id": "A"},
    ],
)
def test_a_bad_field_is_a_400_and_stores_nothing(
    client: FlaskClient, body: dict[str, Any], row_counts: Any
) -> None:
    before = row_counts()
    reply = client.post("/api/v1/lti/invitations", json=body, headers=ADMIN)
    assert reply.status_code == 400 and set(reply.json) == {"error", "message"}
    assert row_counts() == before


def test_only_an_admin_may(client: FlaskClient, token: Any) -> None:
    instructor = token("instructor", "prof", ["ds101"])
    assert (
        client.post("/api/v1/lti/invitations", json={"courses": ["ds101"]}, headers=instructor).status_code
        == 403
    )
    assert client.get("/api/v1/lti/invitations", headers=instructor).status_code == 403
    assert client.post("/api/v1/lti/invitations", json={"courses": ["ds101"]}).status_code == 401
