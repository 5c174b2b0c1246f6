from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grader.errors import (
    AutogradeError,
    BadInput,
    Conflict,
    CorruptData,
    Forbidden,
    InvalidAssignment,
    InvalidNotebook,
    InvalidSubmission,
    NotFound,
    SandboxError,
    StorageError,
    Unauthenticated,
    UploadTooLarge,
)
from service.settings import Settings
from store import Store
from tests.web.fakes import FakeClock, FakeEnqueuer
from web import create_app

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
def app(settings: Settings, enqueuer: FakeEnqueuer, clock: FakeClock) -> Flask:
    """An app of this test's own: tests here add a route that raises, which the shared one refuses."""
    return create_app(settings, enqueuer=enqueuer, clock=clock)


def test_health_answers_without_a_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert (response.status_code, response.json) == (200, {"ok": True})


def test_an_unknown_route_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here", headers=ADMIN)
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(client: FlaskClient) -> None:
    response = client.delete("/api/v1/health")
    assert (response.status_code, response.json["error"]) == (405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BadInput("x"), 400),
        (InvalidNotebook("x"), 422),
        (InvalidAssignment("x"), 422),
        (InvalidSubmission("x"), 422),
        (UploadTooLarge("x"), 413),
        (NotFound("x"), 404),
        (Unauthenticated("x"), 401),
        (Forbidden("x"), 403),
        (Conflict("x"), 409),
        (StorageError("x"), 503),
        (CorruptData("x"), 500),
        (SandboxError("x"), 503),
        (AutogradeError("x"), 500),
    ],
)
def test_each_error_class_has_one_status_and_one_json_shape(
    app: Flask, error: AutogradeError, status: int
) -> None:
    @app.get("/raise")
    def raise_it() -> Any:
        raise error

    response = app.test_client().get("/raise")
    assert response.status_code == status
    assert response.json == {"error": error.code, "message": "x"}


def test_a_database_outage_is_a_503_that_says_when_to_retry(
    client: FlaskClient, store: Store, monkeypatch: pytest.MonkeyPatch, assignment: dict[str, Any]
) -> None:
    def refuse(_id: str) -> None:
        raise StorageError("the database failed: connection refused")

    monkeypatch.setattr(store, "get_assignment", refuse)
    response = client.get(f"/api/v1/assignments/{assignment['id']}", headers=ADMIN)
    assert (response.status_code, response.json["error"]) == (503, "storage_error")
    assert int(response.headers["Retry-After"]) > 0


def test_a_corrupt_stored_document_is_a_500_with_no_retry_promised(app: Flask) -> None:
    @app.get("/corrupt")
    def corrupt() -> Any:
        raise CorruptData("stored grade report 7.score is not a number: 'two'")

    response = app.test_client().get("/corrupt")
    assert (response.status_code, response.json["error"]) == (500, "corrupt_data")
    assert "Retry-After" not in response.headers  # a retry would read the same row


def test_an_unexpected_exception_is_a_json_500_without_details(app: Flask) -> None:
    @app.get("/crash")
    def crash() -> Any:
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/crash")
    assert response.status_code == 500
    assert response.json["error"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)


def test_an_unauthenticated_answer_names_the_bearer_scheme(client: FlaskClient) -> None:
    response = client.get("/api/v1/assignments/x")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
