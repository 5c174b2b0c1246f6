"""The real app on a real SQLite store, with an in-memory queue and a settable clock."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.conftest import TEST_PASSWORD_HASH, migrated_template  # noqa: F401  (fixture)
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.reused_app import ReusedApp

MAX_UPLOAD = 100_000
PASSWORD = "correct horse"  # every page-test account's
START = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path) -> Settings:
    shutil.copyfile(migrated_template, tmp_path / "autograde.db")
    return Settings(
        data_dir=str(tmp_path),
        admin_token="admin-secret",
        max_upload_bytes=MAX_UPLOAD,
        redis_url="redis://127.0.0.1:1/0",
        password_hash_method=TEST_PASSWORD_HASH,
    )


@pytest.fixture
def enqueuer() -> FakeEnqueuer:
    return FakeEnqueuer()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def app(reused_app: ReusedApp, settings: Settings, enqueuer: FakeEnqueuer, clock: FakeClock) -> Flask:
    """What ``create_app`` gives, on the test process's one routed app (tests/web/reused_app.py)."""
    return reused_app.configured(settings, enqueuer=enqueuer, clock=clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def store(app: Flask) -> Store:
    found: Store = app.extensions["autograde"].store
    return found


@pytest.fixture
def token(store: Store) -> Callable[..., dict[str, str]]:
    """``token("learner", "alice")`` -> headers carrying a fresh token of that role."""

    def make(role: str, name: str, courses: list[str] | None = None) -> dict[str, str]:
        plaintext, _ = store.create_token(role, name, courses)
        return {"Authorization": f"Bearer {plaintext}"}

    return make


@pytest.fixture
def people(store: Store) -> None:
    """Accounts for the pages: prof teaches ds101, other-prof ds999; alice and bob are learners in ds101."""
    for role, name, courses in (
        ("instructor", "prof", ["ds101"]),
        ("instructor", "other-prof", ["ds999"]),
        ("learner", "alice", ["ds101"]),
        ("learner", "bob", ["ds101"]),
    ):
        store.create_account(role, name, PASSWORD, courses)


@pytest.fixture
def instructor(token: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token("instructor", "prof", ["ds101"])


@pytest.fixture
def alice(token: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token("learner", "alice", ["ds101"])  # a member: exams need explicit membership


@pytest.fixture
def bob(token: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token("learner", "bob", ["ds101"])


@pytest.fixture
def post_assignment(client: FlaskClient, instructor: dict[str, str]) -> Callable[..., Any]:
    """Upload an assignment (by default a one-notebook source worth 2 points) to ds101."""

    def post(
        content: bytes | None = None,
        filename: str = "hw.ipynb",
        headers: dict[str, str] | None = None,
        **form: Any,
    ) -> Any:
        form = {"course": "ds101", "name": "hw1", **form}
        body = source_bytes() if content is None else content
        return upload(client, "/api/v1/assignments", headers or instructor, body, filename, **form)

    return post


@pytest.fixture
def assignment(post_assignment: Callable[..., Any]) -> dict[str, Any]:
    response = post_assignment()
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json
    return body


@pytest.fixture
def dated_assignment(post_assignment: Callable[..., Any]) -> dict[str, Any]:
    """Due 2030-03-08 12:00 UTC; work more than a day late keeps half its credit."""
    body: dict[str, Any] = post_assignment(
        name="due",
        due="2030-03-08T12:00:00+00:00",
        late_policy='[{"after": "2030-03-09T12:00:00Z", "credit": 50}]',
    ).json
    return body


@pytest.fixture
def post_submission(
    client: FlaskClient, assignment: dict[str, Any], alice: dict[str, str]
) -> Callable[..., Any]:
    """Submit to the default assignment (by default alice's correct notebook, as alice)."""

    def post(
        content: bytes | None = None,
        filename: str = "hw.ipynb",
        headers: dict[str, str] | None = None,
        assignment_id: str | None = None,
        **form: Any,
    ) -> Any:
        body = learner_bytes() if content is None else content
        url = f"/api/v1/assignments/{assignment_id or assignment['id']}/submissions"
        return upload(client, url, headers or alice, body, filename, **form)

    return post
