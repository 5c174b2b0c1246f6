"""Liveness, readiness and metrics: what an operator's probes and Prometheus see, on a real Redis."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from autograde.settings import Settings
from tests.conftest import REDIS_URL
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes, source_bytes
from web import create_app
from worker.liveness import Heartbeat
from worker.outcomes import count_outcome

pytestmark = pytest.mark.redis
ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
def live_settings(settings: Settings, redis_conn: Any) -> Settings:
    return settings.replace(redis_url=REDIS_URL, queue_prefix="health")


@pytest.fixture
def live(live_settings: Settings) -> FlaskClient:
    return create_app(live_settings).test_client()


def samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    reply = client.get("/metrics")
    assert reply.status_code == 200 and reply.content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.get_data(as_text=True))
        for sample in family.samples
    }


def test_liveness_answers_even_when_every_dependency_is_down(client: FlaskClient) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.get_json() == {"ok": True}


def test_not_ready_without_redis_names_it_with_retry_after(client: FlaskClient) -> None:
    reply = client.get("/readyz")
    body = reply.get_json()
    assert reply.status_code == 503 and reply.headers["Retry-After"].isdigit()
    assert body["error"] == "not_ready" and "redis" in body["message"]
    assert body["checks"]["database"]["ok"] and not body["checks"]["redis"]["ok"]


def test_ready_only_once_a_grading_worker_with_docker_beats(live: FlaskClient, live_settings: Settings,
                                                            redis_conn: Any) -> None:  # fmt: skip
    before = live.get("/readyz")
    assert before.status_code == 503 and before.get_json()["checks"]["workers"]["ok"] is False
    delivery_only = Heartbeat(redis_conn, "health", "courier", 30, describe=lambda: {"grades": False, "docker": None})
    delivery_only.beat()
    assert live.get("/readyz").status_code == 503
    grader = Heartbeat(redis_conn, "health", "w1", 30, describe=lambda: {"grades": True, "docker": True})
    grader.beat()
    reply = live.get("/readyz")
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["checks"]["workers"] == {"ok": True, "count": 1}
    grader.stop()  # a clean stop removes its key at once
    assert live.get("/readyz").status_code == 503


def test_metrics_show_queue_depth_outcomes_latency_and_workers(live: FlaskClient, redis_conn: Any) -> None:
    created = upload(live, "/api/v1/assignments", ADMIN, source_bytes(), "hw.ipynb", course="ds101", name="hw1")
    assert created.status_code == 201, created.get_json()
    url = f"/api/v1/assignments/{created.get_json()['id']}/submissions"
    for learner in ("alice", "bob"):
        sent = upload(live, url, ADMIN, learner_bytes(), "hw.ipynb", learner=learner)
        assert sent.status_code == 202, sent.get_json()
    count_outcome(redis_conn, "health", "graded", 3)
    count_outcome(redis_conn, "health", "infrastructure_retry")
    Heartbeat(redis_conn, "health", "w1", 30, describe=lambda: {"grades": True, "docker": False}).beat()
    found = samples(live)
    assert found[("autograde_queue_jobs", (("queue", "assignments"), ("state", "queued")))] == 2
    assert found[("autograde_queue_jobs", (("queue", "exams"), ("state", "queued")))] == 0
    assert found[("autograde_sandbox_outcomes_total", (("outcome", "graded"),))] == 3
    assert found[("autograde_sandbox_outcomes_total", (("outcome", "infrastructure_retry"),))] == 1
    assert found[("autograde_sandbox_outcomes_total", (("outcome", "abandoned"),))] == 0
    assert found[("autograde_submissions", (("status", "queued"),))] == 2
    assert found[("autograde_grading_latency_seconds_count", ())] == 0
    assert found[("autograde_workers_alive", (("docker", "false"), ("grades", "true")))] == 1
    assert found[("autograde_up", (("source", "redis"),))] == 1
    assert found[("autograde_up", (("source", "database"),))] == 1


def test_metrics_still_answer_from_the_database_when_redis_is_down(client: FlaskClient) -> None:
    found = samples(client)
    assert found[("autograde_up", (("source", "redis"),))] == 0
    assert found[("autograde_up", (("source", "database"),))] == 1
    assert ("autograde_grading_latency_seconds_count", ()) in found


def test_health_routes_stay_outside_the_versioned_api(live: FlaskClient) -> None:
    rules = {rule.rule for rule in live.application.url_map.iter_rules()}
    assert {"/healthz", "/readyz", "/metrics"} <= rules
    assert json.loads(live.get("/api/v1/health").data) == {"ok": True}
