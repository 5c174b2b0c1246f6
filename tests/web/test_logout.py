"""Logging out ends the session on the server: a copy of the cookie dies with it (issue 18, item 13).

The cookie is signed, not secret from whoever holds it: a copy taken before logout (a shared
computer, a stolen backup, a proxy's log) must not outlive the logout. Run on SQLite and on
PostgreSQL, since the end of a session is a database write.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.web.conftest import PASSWORD
from tests.web.fakes import FakeEnqueuer
from tests.web.pages_client import csrf_of, log_in
from web import create_app

COOKIE = "autograde_session"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, settings: Settings, enqueuer: FakeEnqueuer) -> Iterator[Flask]:
    """The real app on SQLite or on a fresh PostgreSQL database, with alice's learner account."""
    if request.param == "postgres":
        settings = settings.replace(database_url=request.getfixturevalue("postgres_url"))
    app = create_app(settings, enqueuer=enqueuer)
    store: Store = app.extensions["autograde"].store
    store.create_account("learner", "alice", PASSWORD, ["ds101"])
    yield app
    store.dispose()


def copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding the same session cookie, as a thief with a copy would."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "not logged in"
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def log_out(client: FlaskClient) -> None:
    assert client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")}).status_code == 302


def test_a_cookie_copied_before_logout_is_refused_after_it(site: Flask) -> None:
    alice = site.test_client()
    log_in(alice, "alice")
    thief = copy_of(alice, site)
    assert thief.get("/learn/").status_code == 200  # the copy works while the session lives
    log_out(alice)
    answer = thief.get("/learn/")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_logout_ends_the_accounts_other_sessions_and_a_new_login_works(site: Flask) -> None:
    laptop, phone = site.test_client(), site.test_client()
    log_in(laptop, "alice")
    log_in(phone, "alice")
    log_out(laptop)
    assert phone.get("/learn/").status_code == 302
    assert log_in(laptop, "alice").status_code == 302
    assert laptop.get("/learn/").status_code == 200


def test_a_cookie_copied_before_the_account_was_disabled_is_refused(site: Flask) -> None:
    alice = site.test_client()
    log_in(alice, "alice")
    thief = copy_of(alice, site)
    site.extensions["autograde"].store.disable_account("alice")
    assert thief.get("/learn/").status_code == 302


def test_a_cookie_copied_before_a_password_change_is_refused(site: Flask) -> None:
    alice = site.test_client()
    log_in(alice, "alice")
    thief = copy_of(alice, site)
    site.extensions["autograde"].store.set_password("alice", "a new passphrase")
    assert thief.get("/learn/").status_code == 302
