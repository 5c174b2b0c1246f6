"""The session cookie crosses sites only for a session an LTI launch opened, and only over HTTPS.

The LMS frames the tool on the LMS's own site: a ``SameSite=Lax`` cookie is never sent there,
so the learner would be logged out at their first click after the launch. A launched session
gets ``SameSite=None; Secure; Partitioned`` (kept in a jar of the LMS's site alone); a person
who logs in on our pages keeps ``Lax``; without HTTPS nothing may be ``None``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.web.lti.conftest import Launcher, launch, platform, registered  # noqa: F401  (fixtures)
from tests.web.pages_client import log_in

SESSION = "autograde_session"


def session_cookie(reply: Any) -> str:
    [cookie] = [value for value in reply.headers.getlist("Set-Cookie") if value.startswith(SESSION + "=")]
    return str(cookie)


def attributes(cookie: str) -> set[str]:
    """``{"httponly", "samesite=none", ...}``: each attribute's name, and SameSite's value."""
    found = set()
    for part in cookie.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        found.add(f"samesite={value.lower()}" if name.lower() == "samesite" else name.lower())
    return found


@pytest.fixture(params=[True, False], ids=["https", "plain http"])
def settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    return settings.replace(session_cookie_secure=request.param)


def test_a_launched_session_crosses_sites_only_over_https_and_still_needs_csrf(
    launch: Launcher, client: FlaskClient, settings: Settings, assignment: dict[str, Any]
) -> None:
    reply = launch()
    assert reply.status_code == 303, reply.get_data(as_text=True)
    cookie = attributes(session_cookie(reply))
    if settings.https:
        assert {"samesite=none", "partitioned", "secure", "httponly"} <= cookie
    else:
        assert "samesite=lax" in cookie and "partitioned" not in cookie and "secure" not in cookie
    page = f"/learn/assignments/{assignment['id']}"
    landed = client.get(page, base_url="https://localhost" if settings.https else "http://localhost")
    assert landed.status_code == 200 and 'name="csrf_token"' in landed.get_data(as_text=True)
    forged = client.post(
        page, data={}, base_url="https://localhost" if settings.https else "http://localhost"
    )
    assert forged.status_code == 403  # another site may make the browser send the cookie; not the token


def test_a_session_opened_on_our_own_login_page_stays_lax(
    client: FlaskClient, store: Store, settings: Settings
) -> None:
    store.create_account("learner", "alice", "correct horse", None)
    reply = log_in(client, "alice")
    assert reply.status_code == 302
    cookie = attributes(session_cookie(reply))
    assert "samesite=lax" in cookie and "samesite=none" not in cookie and "partitioned" not in cookie
