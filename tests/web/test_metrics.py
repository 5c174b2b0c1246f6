"""Prometheus metrics (web/metrics.py): queue depth, outcomes, latency, workers, deliveries, read from the database and a real Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from service.lti_registrations import register_platform
from store import DeliveryKey, PlatformOrigin, Store
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.test_health import ADMIN, REPORT, assignment_id, live, live_settings, live_store  # noqa: F401  (fixtures)
from worker.liveness import Heartbeat
from worker.outcomes import count_outcome

pytestmark = pytest.mark.redis


def graded(
    store: Store, assignment_id: str, learner: str, seconds_ago: float, origin: PlatformOrigin | None = None
) -> str:
    """A submission received ``seconds_ago`` and graded now, through the store as a worker would."""
    received = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    record = store.add_submission(
        assignment_id, learner, "hw.ipynb", learner_bytes(), received, True, 1.0, origin=origin
    )
    assert store.claim_submission(record.id) is not None
    assert store.save_grade(record.id, REPORT, "", {})
    return record.id


def samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    reply = client.get("/metrics")
    assert reply.status_code == 200 and reply.content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.get_data(as_text=True))
        for sample in family.samples
    }


def test_metrics_show_queue_depth_outcomes_latency_and_workers(live: FlaskClient, redis_conn: Any) -> None:
    created = upload(
        live, "/api/v1/assignments", ADMIN, source_bytes(), "hw.ipynb", course="ds101", name="hw1"
    )
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


def test_metrics_show_delivery_retries_beyond_each_first_attempt_and_deliveries_by_status(
    live: FlaskClient, live_store: Store, assignment_id: str
) -> None:
    live_store.create_platform("lms", "The LMS", "https://lms.example/results", ["ds101"])
    graded(live_store, assignment_id, "alice", 1, PlatformOrigin("lms", "ext-1", "f" * 64))
    [delivery] = live_store.list_deliveries()
    key = DeliveryKey("lms", assignment_id, "alice")

    def fail_once(retry: bool = True) -> None:
        """One attempt of a sender, refused by the platform; without ``retry`` the last one allowed."""
        now = datetime.now(UTC)
        claim = live_store.claim_next_delivery(key, now, lease=60)
        assert claim.delivery is not None and claim.delivery.id == delivery.id, claim
        live_store.record_failed_attempt(delivery.id, "HTTP 503", 503, now if retry else None)

    def scrape() -> tuple[float, dict[str, float]]:
        """The retries gauge, and the deliveries per status (a status with none is left out)."""
        found = samples(live)
        statuses = {
            dict(labels)["status"]: value
            for (name, labels), value in found.items()
            if name == "autograde_deliveries"
        }
        return found[("autograde_delivery_retries", ())], statuses

    assert scrape() == (0, {"pending": 1})
    fail_once()
    assert scrape() == (0, {"pending": 1}), "a first attempt that failed is not a retry"
    fail_once()
    assert scrape() == (1, {"pending": 1})
    fail_once(retry=False)  # out of retries: dead-lettered
    assert scrape() == (2, {"dead": 1})
    live_store.redeliver(delivery.id, datetime.now(UTC))
    assert scrape() == (0, {"pending": 1}), "a redelivery starts its attempts again (hence a gauge)"
    fail_once()
    fail_once()
    assert live_store.claim_next_delivery(key, datetime.now(UTC), lease=60).delivery is not None
    live_store.record_delivered(delivery.id, 200, datetime.now(UTC))
    assert scrape() == (2, {"delivered": 1}), "two refusals, then delivered by the third attempt"


def test_metrics_show_lti_scores_by_status_beside_the_callbacks(
    live: FlaskClient, live_store: Store, assignment_id: str
) -> None:
    register_platform(
        live_store,
        {
            "id": "lms",
            "issuer": "https://lms.example",
            "client_id": "tool",
            "auth_login_url": "https://lms.example/auth",
            "token_url": "https://lms.example/token",
            "jwks_url": "https://lms.example/jwks",
            "deployment_ids": ["1"],
            "courses": ["ds101"],
        },
    )
    live_store.record_line_item("lms", "context-1", assignment_id, "https://lms.example/lineitems/1")
    graded(live_store, assignment_id, "lti:lms:user-7", 1)
    found = samples(live)
    assert found[("autograde_lti_deliveries", (("status", "pending"),))] == 1
    assert found[("autograde_deliveries", (("status", "pending"),))] == 1


def test_metrics_latency_histogram_counts_graded_submissions_per_bucket(
    live: FlaskClient, live_store: Store, assignment_id: str
) -> None:
    for learner, seconds in (("alice", 3), ("bob", 100), ("carol", 4000)):
        graded(live_store, assignment_id, learner, seconds)
    queued = datetime.now(UTC)
    live_store.add_submission(assignment_id, "dave", "hw.ipynb", learner_bytes(), queued, True, 1.0)
    found = samples(live)
    buckets = {
        float(dict(labels)["le"]): value
        for (name, labels), value in found.items()
        if name == "autograde_grading_latency_seconds_bucket"
    }
    expected = {
        0.25: 0,
        0.5: 0,
        1: 0,
        2: 0,
        5: 1,
        10: 1,
        30: 1,
        60: 1,
        120: 2,
        300: 2,
        600: 2,
        1800: 2,
        3600: 2,
        float("inf"): 3,
    }
    assert buckets == expected, "cumulative counts per upper bound; dave's queued one has no latency yet"
    assert found[("autograde_grading_latency_seconds_count", ())] == 3
    assert 4103 <= found[("autograde_grading_latency_seconds_sum", ())] < 4113


def test_metrics_still_answer_from_the_database_when_redis_is_down(client: FlaskClient) -> None:
    found = samples(client)
    assert found[("autograde_up", (("source", "redis"),))] == 0
    assert found[("autograde_up", (("source", "database"),))] == 1
    assert ("autograde_grading_latency_seconds_count", ()) in found
