from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from web import create_app
from web.auth import Caller, can_see_course

ROUTES = [
    ("post", "/api/v1/assignments"),
    ("get", "/api/v1/assignments/{a}"),
    ("get", "/api/v1/assignments/{a}/release"),
    ("get", "/api/v1/assignments/{a}/source"),
    ("post", "/api/v1/assignments/{a}/submissions"),
    ("get", "/api/v1/assignments/{a}/submissions"),
    ("get", "/api/v1/submissions/{s}"),
    ("get", "/api/v1/submissions/{s}/feedback"),
]
BAD_HEADERS = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": "Basic YWRtaW46YWRtaW4="},
    {"Authorization": "admin-secret"},
]


@pytest.fixture
def ids(post_submission: Callable[..., Any], assignment: dict[str, Any]) -> dict[str, str]:
    return {"a": assignment["id"], "s": post_submission().json["id"]}


@pytest.mark.parametrize(("method", "route"), ROUTES)
@pytest.mark.parametrize(
    "headers", BAD_HEADERS, ids=["none", "empty", "no-token", "wrong", "basic", "no-scheme"]
)
def test_every_api_call_needs_a_valid_bearer_token(
    client: FlaskClient,
    ids: dict[str, str],
    row_counts: Callable[[], dict[str, int]],
    method: str,
    route: str,
    headers: dict[str, str],
) -> None:
    before = row_counts()
    response = getattr(client, method)(route.format(**ids), headers=headers)
    assert (response.status_code, response.json["error"]) == (401, "unauthenticated")
    assert row_counts() == before


def test_a_revoked_token_is_refused(client: FlaskClient, store: Store, assignment: dict[str, Any]) -> None:
    plaintext, record = store.create_token("instructor", "prof2", ["ds101"])
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get(f"/api/v1/assignments/{assignment['id']}", headers=headers).status_code == 200
    store.revoke_token(record.id)
    assert client.get(f"/api/v1/assignments/{assignment['id']}", headers=headers).status_code == 401


def test_without_an_admin_token_setting_no_token_is_admin(tmp_path: Any) -> None:
    app: Flask = create_app(Settings(data_dir=str(tmp_path), admin_token=""), enqueuer=object())  # type: ignore[arg-type]
    client = app.test_client()
    for header in ("Bearer ", "Bearer  ", 'Bearer ""'):
        assert client.get("/api/v1/assignments/x", headers={"Authorization": header}).status_code == 401


def test_the_admin_token_sees_any_course(client: FlaskClient, assignment: dict[str, Any]) -> None:
    response = client.get(
        f"/api/v1/assignments/{assignment['id']}", headers={"Authorization": "Bearer admin-secret"}
    )
    assert response.status_code == 200


def test_a_store_token_with_the_admin_role_is_an_admin(
    client: FlaskClient, token: Callable[..., dict[str, str]], assignment: dict[str, Any]
) -> None:
    headers = token("admin", "ops")
    assert client.get(f"/api/v1/assignments/{assignment['id']}/source", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("caller", "course", "allowed"),
    [
        (Caller("admin", "root"), "ds101", True),
        (Caller("instructor", "prof", ("ds101",)), "ds101", True),
        (Caller("instructor", "prof", ("ds101",)), "ds102", False),
        (Caller("instructor", "prof", None), "ds101", False),
        (Caller("platform", "lms", ("ds101", "ds102")), "ds102", True),
        (Caller("platform", "lms", ()), "ds101", False),
        (Caller("learner", "alice", None), "ds101", True),
        (Caller("learner", "alice", ("ds102",)), "ds101", False),
    ],
)
def test_course_scope_by_role(caller: Caller, course: str, allowed: bool) -> None:
    assert can_see_course(caller, course) is allowed
