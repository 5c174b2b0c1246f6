"""A share link is built from the configured public address, never from the request's Host header."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.web.api.test_records import graded  # noqa: F401  (the fixture)
from tests.web.conftest import settings as base_settings
from tests.web.pages_client import csrf_of, log_in

PUBLIC = "https://grades.example.edu"
settings_without_address = base_settings


@pytest.fixture
def settings(settings_without_address: Settings) -> Settings:
    return dataclasses.replace(settings_without_address, public_url=PUBLIC)


def test_a_share_link_uses_the_public_address_not_the_host_the_request_named(
    client: FlaskClient,
    store: Store,
    graded: Callable[[float], str],
) -> None:
    store.create_account("learner", "alice", "correct horse", None)
    graded(2.0)
    log_in(client, "alice")
    data = {"label": "admissions", "csrf_token": csrf_of(client, "/learn/records")}
    made = client.post("/learn/records/mm-ds/shares", data=data)  # the request names Host: localhost
    url = re.search(r'id="new-link-url" readonly value="([^"]+)"', made.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert url.startswith(f"{PUBLIC}/api/v1/shared/") and "localhost" not in url
