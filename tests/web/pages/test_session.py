"""Login, sessions, CSRF and who may open which page: the pages enforce the API's own rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from store import Store
from tests.web.conftest import PASSWORD
from tests.web.pages_client import csrf_of, log_in, post_form


@pytest.fixture
def submitted(people: None, assignment: dict[str, Any], post_submission: Callable[..., Any]) -> str:
    """alice's submission (made through the API with her token), by id."""
    reply = post_submission()
    assert reply.status_code == 202, reply.json
    return str(reply.json["id"])


def test_logged_out_visitors_are_sent_to_the_login_page_with_where_they_were_going(
    client: FlaskClient,
) -> None:
    for page in ("/learn/", "/teach/", "/submissions/abc", "/teach/assignments/x/gradebook"):
        reply = client.get(page)
        assert reply.status_code == 302
        assert reply.headers["Location"].startswith("/login?next=")
    assert client.get("/").headers["Location"] == "/login"


def test_the_right_password_logs_in_and_goes_to_the_role_home(client: FlaskClient, people: None) -> None:
    reply = log_in(client, "prof")
    assert reply.status_code == 302 and reply.headers["Location"] == "/teach/"
    assert "prof (instructor)" in client.get("/teach/").get_data(as_text=True)


def test_the_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, people: None) -> None:
    reply = log_in(client, "alice")
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_a_secure_cookie_when_configured(settings: Any, enqueuer: Any) -> None:
    from web import create_app

    app = create_app(settings.replace(session_cookie_secure=True), enqueuer=enqueuer)
    app.extensions["autograde"].store.create_account("learner", "alice", PASSWORD, None)
    reply = log_in(app.test_client(), "alice")
    assert "Secure" in reply.headers["Set-Cookie"]


@pytest.mark.parametrize(("name", "password"), [("alice", "wrong horse"), ("mallory", PASSWORD), ("", "")])
def test_a_wrong_name_or_password_is_refused_with_one_message(
    client: FlaskClient, people: None, name: str, password: str
) -> None:
    reply = log_in(client, name, password)
    assert reply.status_code == 401
    assert "wrong name or password" in reply.get_data(as_text=True)
    assert client.get("/learn/").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient, people: None) -> None:
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 403
    log_in(client, "prof")
    reply = client.post("/teach/assignments", data={"course": "ds101", "name": "hw"})
    assert reply.status_code == 403
    assert "reload the page" in reply.get_data(as_text=True)
    reply = client.post("/logout", data={"csrf_token": "forged"})
    assert reply.status_code == 403
    assert client.get("/teach/").status_code == 200  # still logged in


def test_logout_ends_the_session(client: FlaskClient, people: None) -> None:
    log_in(client, "alice")
    assert client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")}).status_code == 302
    assert client.get("/learn/").status_code == 302


def test_a_disabled_account_is_out_at_its_next_request(
    client: FlaskClient, store: Store, people: None
) -> None:
    log_in(client, "alice")
    store.disable_account("alice")
    assert client.get("/learn/").status_code == 302


def test_setting_a_password_ends_every_session_opened_before_it(
    app: Flask, store: Store, people: None
) -> None:
    """A copied or forgotten session cookie dies with the password it was opened with."""
    before, after = app.test_client(), app.test_client()
    log_in(before, "alice")
    assert before.get("/learn/").status_code == 200
    store.set_password("alice", "a new passphrase")
    assert before.get("/learn/").status_code == 302
    assert before.get("/learn/").status_code == 302  # the stale session was cleared, not just refused once
    assert log_in(after, "alice", "a new passphrase").status_code == 302
    assert after.get("/learn/").status_code == 200
    assert log_in(before, "alice", PASSWORD).status_code == 401


def test_a_learner_cannot_open_instructor_pages(
    client: FlaskClient, people: None, assignment: dict[str, Any]
) -> None:
    log_in(client, "alice")
    for page in (
        "/teach/",
        f"/teach/assignments/{assignment['id']}",
        f"/teach/assignments/{assignment['id']}/gradebook",
        f"/teach/assignments/{assignment['id']}/submissions",
        f"/teach/assignments/{assignment['id']}/source",
        f"/teach/assignments/{assignment['id']}/gradebook.csv",
    ):
        assert client.get(page).status_code == 403, page


def test_a_learner_cannot_read_another_learners_submission_or_feedback(
    client: FlaskClient, submitted: str, store: Store
) -> None:
    log_in(client, "bob")
    for page in (
        f"/submissions/{submitted}",
        f"/submissions/{submitted}/status",
        f"/submissions/{submitted}/feedback",
    ):
        reply = client.get(page)
        assert reply.status_code == 403, page
        assert "alice" not in reply.get_data(as_text=True)
    assert client.get("/submissions/no-such-id").status_code == 404


def test_an_instructor_cannot_open_another_courses_assignment(
    client: FlaskClient, people: None, assignment: dict[str, Any]
) -> None:
    log_in(client, "other-prof")
    assert client.get(f"/teach/assignments/{assignment['id']}").status_code == 403
    assert "ds101" not in client.get("/teach/").get_data(as_text=True)


def test_a_learner_may_not_post_staff_forms(client: FlaskClient, submitted: str) -> None:
    log_in(client, "alice")
    page = f"/submissions/{submitted}"
    assert post_form(client, page, f"/teach/submissions/{submitted}/regrade").status_code == 403
    reply = post_form(client, page, f"/teach/submissions/{submitted}/cells/q1", score="2", reason="because")
    assert reply.status_code == 403


def test_next_never_leads_off_the_site(client: FlaskClient, people: None) -> None:
    token = csrf_of(client, "/login")
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        reply = client.post(
            "/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token, "next": target}
        )
        assert reply.headers["Location"] == "/learn/"
        client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")})
        token = csrf_of(client, "/login")


@pytest.mark.redis
def test_logins_are_rate_limited_per_name(settings: Any, enqueuer: Any, redis_conn: Any) -> None:
    from tests.conftest import REDIS_URL
    from web import create_app

    app: Flask = create_app(
        settings.replace(redis_url=REDIS_URL, rate_limit_logins=3, queue_prefix="pages-test"),
        enqueuer=enqueuer,
    )
    app.extensions["autograde"].store.create_account("learner", "alice", PASSWORD, None)
    client = app.test_client()
    assert [log_in(client, "alice", "wrong horse").status_code for _ in range(3)] == [401, 401, 401]
    refused = log_in(client, "alice", PASSWORD)
    assert refused.status_code == 429 and "too many attempts" in refused.get_data(as_text=True)


def test_pages_are_not_cached_and_refuse_foreign_framing(client: FlaskClient, people: None) -> None:
    log_in(client, "alice")
    reply = client.get("/learn/")
    assert reply.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'self'" in reply.headers["Content-Security-Policy"]
