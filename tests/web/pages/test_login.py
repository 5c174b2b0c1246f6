"""``next`` at login leads only to a same-site relative path, whatever a browser would strip (issue 18)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD
from tests.web.pages_client import csrf_of


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "/%20/evil.example",
        "/%00/evil.example",
        "%09//evil.example",
    ],
)
def test_a_next_with_whitespace_or_control_characters_goes_home(
    client: FlaskClient, people: None, target: str
) -> None:
    form = client.get(f"/login?next={target}").get_data(as_text=True)
    assert "evil.example" not in form
    data = {
        "name": "alice",
        "password": PASSWORD,
        "csrf_token": csrf_of(client, "/login"),
        "next": unquote(target),
    }
    reply = client.post("/login", data=data)
    assert reply.headers["Location"] == "/learn/"


def test_a_same_site_next_is_kept(client: FlaskClient, people: None) -> None:
    data = {
        "name": "alice",
        "password": PASSWORD,
        "csrf_token": csrf_of(client, "/login"),
        "next": "/learn/exams?x=1",
    }
    assert client.post("/login", data=data).headers["Location"] == "/learn/exams?x=1"
