"""Result deliveries through the API (web/api/deliveries.py): each platform sees and redelivers its own only,
and only a dead delivery is sent again, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import DeliveryKey, Store
from tests.web.api.test_webhook import ADMIN, platform, send  # noqa: F401  (platform, send: fixtures)
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.test_openapi import grade


@pytest.fixture
def other(client: FlaskClient) -> dict[str, str]:
    """A second platform of the same course, with a token of its own."""
    reply = client.post("/api/v1/platforms", headers=ADMIN, json={"id": "other", "courses": ["ds101"]})
    assert reply.status_code == 201, reply.json
    return {"Authorization": f"Bearer {reply.json['token']}"}


@pytest.fixture
def lms(platform: dict[str, Any]) -> dict[str, str]:  # noqa: F811  (the fixture imported above)
    return {"Authorization": f"Bearer {platform['token']}"}


@pytest.fixture
def delivery(send: Callable[..., Any], store: Store) -> dict[str, Any]:  # noqa: F811
    """The result of alice's graded webhook submission, waiting to be sent to the LMS."""
    submitted = send()
    assert submitted.status_code == 202, submitted.json
    grade(store, submitted.json["id"])
    [record] = store.list_deliveries()
    return {"id": record.id, "submission_id": submitted.json["id"], "assignment_id": record.assignment_id}


def kill(store: Store, clock: FakeClock, delivery: dict[str, Any]) -> None:
    """The delivery's last allowed attempt fails: it is dead-lettered."""
    claim = store.claim_next_delivery(
        DeliveryKey("lms", delivery["assignment_id"], "alice"), clock(), lease=60
    )
    assert claim.delivery is not None and claim.delivery.id == delivery["id"]
    store.record_failed_attempt(delivery["id"], "HTTP 503", 503, None)


def test_a_platform_lists_its_own_deliveries_and_admins_list_all(
    client: FlaskClient, delivery: dict[str, Any], lms: dict[str, str], other: dict[str, str]
) -> None:
    assert [d["id"] for d in client.get("/api/v1/deliveries", headers=lms).json] == [delivery["id"]]
    assert client.get("/api/v1/deliveries", headers=other).json == []
    assert client.get("/api/v1/deliveries?platform=other", headers=ADMIN).json == []
    assert [d["id"] for d in client.get("/api/v1/deliveries?platform=lms", headers=ADMIN).json] == [
        delivery["id"]
    ]


def test_a_platform_cannot_list_or_read_another_platforms_deliveries(
    client: FlaskClient, delivery: dict[str, Any], other: dict[str, str]
) -> None:
    assert client.get("/api/v1/deliveries?platform=lms", headers=other).status_code == 403
    assert client.get(f"/api/v1/deliveries/{delivery['id']}", headers=other).status_code == 403
    theirs = client.get(f"/api/v1/submissions/{delivery['submission_id']}/deliveries", headers=other)
    assert theirs.status_code in (403, 404)


def test_people_cannot_list_deliveries(
    client: FlaskClient, delivery: dict[str, Any], alice: dict[str, str], instructor: dict[str, str]
) -> None:
    for headers in (alice, instructor):
        assert client.get("/api/v1/deliveries", headers=headers).status_code == 403
    assert client.get("/api/v1/deliveries").status_code == 401
    mine = client.get(f"/api/v1/submissions/{delivery['submission_id']}/deliveries", headers=alice)
    assert mine.status_code == 403
    staff = client.get(f"/api/v1/submissions/{delivery['submission_id']}/deliveries", headers=instructor)
    assert [d["id"] for d in staff.json] == [delivery["id"]]


@pytest.mark.parametrize("status", ["bogus", "DEAD", "dead' OR 1=1 --"])
def test_an_unknown_status_filter_is_a_400_naming_the_choices(
    client: FlaskClient, delivery: dict[str, Any], status: str
) -> None:
    reply = client.get("/api/v1/deliveries", headers=ADMIN, query_string={"status": status})
    assert reply.status_code == 400 and "dead" in reply.json["message"]


def test_an_unknown_delivery_is_a_404(client: FlaskClient, delivery: dict[str, Any]) -> None:
    assert client.get("/api/v1/deliveries/no-such-id", headers=ADMIN).status_code == 404
    assert client.post("/api/v1/deliveries/no-such-id/redeliver", headers=ADMIN).status_code == 404


def test_a_pending_delivery_is_not_sent_twice(
    client: FlaskClient, delivery: dict[str, Any], lms: dict[str, str], enqueuer: FakeEnqueuer
) -> None:
    queued = list(enqueuer.deliveries)
    reply = client.post(f"/api/v1/deliveries/{delivery['id']}/redeliver", headers=lms)
    assert reply.status_code == 409 and "still being retried" in reply.json["message"]
    assert enqueuer.deliveries == queued


def test_a_dead_delivery_is_redelivered_once_with_a_fresh_budget_by_its_own_platform_only(
    client: FlaskClient,
    delivery: dict[str, Any],
    store: Store,
    clock: FakeClock,
    lms: dict[str, str],
    other: dict[str, str],
    enqueuer: FakeEnqueuer,
) -> None:
    kill(store, clock, delivery)
    assert [d["id"] for d in client.get("/api/v1/deliveries?status=dead", headers=lms).json] == [
        delivery["id"]
    ]
    queued = list(enqueuer.deliveries)
    assert client.post(f"/api/v1/deliveries/{delivery['id']}/redeliver", headers=other).status_code == 403
    assert store.get_delivery(delivery["id"]).status == "dead" and enqueuer.deliveries == queued
    reply = client.post(f"/api/v1/deliveries/{delivery['id']}/redeliver", headers=lms)
    assert reply.status_code == 202 and (reply.json["status"], reply.json["attempts"]) == ("pending", 0)
    assert enqueuer.deliveries == [*queued, (DeliveryKey("lms", delivery["assignment_id"], "alice"), None)]
    assert client.post(f"/api/v1/deliveries/{delivery['id']}/redeliver", headers=lms).status_code == 409


def test_a_redelivery_is_kept_pending_when_the_queue_is_down(
    client: FlaskClient, delivery: dict[str, Any], store: Store, clock: FakeClock, enqueuer: FakeEnqueuer
) -> None:
    kill(store, clock, delivery)
    enqueuer.down = True
    reply = client.post(f"/api/v1/deliveries/{delivery['id']}/redeliver", headers=ADMIN)
    assert reply.status_code == 202 and store.get_delivery(delivery["id"]).status == "pending"
