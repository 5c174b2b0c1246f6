"""Liveness and readiness (web/health.py): what an operator's probes see, on a real Redis (metrics: test_metrics.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.conftest import REDIS_URL
from tests.web.multipart import upload
from tests.web.notebook_builders import source_bytes
from web import create_app
from worker.liveness import Heartbeat

pytestmark = pytest.mark.redis
ADMIN = {"Authorization": "Bearer admin-secret"}
REPORT = {"score": 2.0, "max_score": 2.0, "cells": []}


@pytest.fixture
def live_settings(settings: Settings, redis_conn: Any) -> Settings:
    return settings.replace(redis_url=REDIS_URL, queue_prefix="health")


@pytest.fixture
def live(live_settings: Settings) -> FlaskClient:
    return create_app(live_settings).test_client()


@pytest.fixture
def live_store(live: FlaskClient) -> Store:
    found: Store = live.application.extensions["autograde"].store
    return found


@pytest.fixture
def assignment_id(live: FlaskClient) -> str:
    created = upload(
        live, "/api/v1/assignments", ADMIN, source_bytes(), "hw.ipynb", course="ds101", name="hw1"
    )
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["id"])


def test_liveness_answers_even_when_every_dependency_is_down(client: FlaskClient) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.get_json() == {"ok": True}


def test_not_ready_without_redis_names_it_with_retry_after(client: FlaskClient) -> None:
    reply = client.get("/readyz")
    body = reply.get_json()
    assert reply.status_code == 503 and reply.headers["Retry-After"].isdigit()
    assert body["error"] == "not_ready" and "redis" in body["message"]
    assert body["checks"]["database"]["ok"] and not body["checks"]["redis"]["ok"]


def test_ready_only_once_a_grading_worker_with_docker_beats(
    live: FlaskClient, live_settings: Settings, redis_conn: Any
) -> None:
    before = live.get("/readyz")
    assert before.status_code == 503 and before.get_json()["checks"]["workers"]["ok"] is False
    delivery_only = Heartbeat(
        redis_conn, "health", "courier", 30, describe=lambda: {"grades": False, "docker": None}
    )
    delivery_only.beat()
    assert live.get("/readyz").status_code == 503
    grader = Heartbeat(redis_conn, "health", "w1", 30, describe=lambda: {"grades": True, "docker": True})
    grader.beat()
    reply = live.get("/readyz")
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["checks"]["workers"] == {"ok": True, "count": 1}
    grader.stop()  # a clean stop removes its key at once
    assert live.get("/readyz").status_code == 503


def test_health_routes_stay_outside_the_versioned_api(live: FlaskClient) -> None:
    rules = {rule.rule for rule in live.application.url_map.iter_rules()}
    assert {"/healthz", "/readyz", "/metrics"} <= rules
    assert json.loads(live.get("/api/v1/health").data) == {"ok": True}
