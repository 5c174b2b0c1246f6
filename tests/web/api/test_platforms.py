"""Registering platforms (web/api/platforms.py): admin only, every field checked, the secret and token shown once."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.web.api.test_webhook import ADMIN, platform  # noqa: F401  (platform: a fixture)


def test_registering_shows_the_secret_and_token_once(client: FlaskClient, platform: dict[str, Any]) -> None:
    assert len(platform["secret"]) >= 32 and platform["token"]
    listed = client.get("/api/v1/platforms", headers=ADMIN).json
    assert listed == [{k: v for k, v in platform.items() if k not in ("secret", "token")}]
    own = client.get("/api/v1/platforms/lms", headers={"Authorization": f"Bearer {platform['token']}"})
    assert own.status_code == 200 and "secret" not in own.json


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"id": "Bad Id!", "courses": ["c"]}, "'id' must be"),
        ({"id": "x", "courses": []}, "'courses'"),
        ({"id": "x", "courses": ["c"], "callback_url": "ftp://x"}, "http://"),
        ({"id": "x", "courses": ["c"], "callback_url": "https://u:p@x"}, "password"),
    ],
)
def test_bad_registrations_are_400s(client: FlaskClient, body: dict[str, Any], message: str) -> None:
    reply = client.post("/api/v1/platforms", headers=ADMIN, json=body)
    assert reply.status_code == 400 and message in reply.json["message"]


def test_only_admins_register_platforms(client: FlaskClient, instructor: dict[str, str]) -> None:
    assert (
        client.post("/api/v1/platforms", headers=instructor, json={"id": "x", "courses": ["c"]}).status_code
        == 403
    )
