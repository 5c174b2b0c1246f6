"""Fault: Redis is killed and comes back empty (it keeps nothing on disk) while work is queued.

The test runs its own redis-server (never the shared one), points the app and a real worker
at it, posts signed submissions from a platform, kills Redis by pid with jobs queued and
one being graded, accepts more submissions while it is down, then starts a fresh, empty
Redis on the same port. The worker is not restarted: its watchdog notices that Redis lost
its data and re-enqueues from the database. Every submission is graded once and its signed
result reaches the platform once.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from rq import Worker

from integrations.signing import signed_headers
from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES
from tests.e2e.faults import (
    RedisServer,
    admin_session,
    post_arrays,
    stop_worker,
    wait_outbox_settled,
    wait_until,
)
from tests.e2e.services import start_worker, wait_graded
from tests.e2e.test_callbacks import Receiver

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
COURSE = "c"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def settings(settings: Settings, own_redis: RedisServer) -> Settings:
    return settings.replace(
        redis_url=own_redis.url,
        warm_pool_size=1,
        warm_pool_reserve=0,
        worker_ttl=6,
        watch_interval=2,
        callback_backoff_base=0.5,
        callback_backoff_cap=2.0,
    )


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(tmp_path)
    yield found
    found.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_nothing_is_lost_when_redis_restarts_empty_and_results_still_reach_the_platform(
    settings: Settings, server: str, own_redis: RedisServer, receiver: Receiver, tmp_path: Path
) -> None:
    admin = admin_session(settings)
    platform = admin.post(
        f"{server}/api/v1/platforms", json={"id": "lms", "callback_url": receiver.url, "courses": [COURSE]}
    ).json()
    receiver.start(platform["secret"], refuse=0)
    assignment = post_arrays(server, admin, COURSE)
    notebook = json.loads((EXAMPLES / "submissions" / "bob" / "arrays.ipynb").read_text())

    def submit(n: int) -> str:
        body = json.dumps(
            {
                "external_id": f"x{n}",
                "assignment_id": assignment["id"],
                "learner": f"l{n}",
                "notebook": notebook,
            }
        ).encode()
        reply = requests.post(
            f"{server}/api/v1/platforms/lms/submissions",
            data=body,
            timeout=30,
            headers={
                **signed_headers(platform["secret"], int(time.time()), body),
                "Content-Type": "application/json",
            },
        )
        assert reply.status_code == 202, reply.text
        return str(reply.json()["id"])

    store = Store.from_url(settings.database_url)
    worker = start_worker(settings, tmp_path / "worker.log", name="w")
    try:
        client = own_redis_client(own_redis)
        wait_until(lambda: "w" in {w.name for w in Worker.all(connection=client)}, 120, "the worker to serve")
        before = [submit(n) for n in range(6)]
        own_redis.kill()  # jobs queued, one running: all of Redis's state is gone
        during = [submit(n) for n in range(6, 8)]  # stored, though they cannot be enqueued
        time.sleep(2)
        own_redis.start()  # empty, on the same port
        ids = before + during
        assert sum(store.get_submission(sid).status == "graded" for sid in before) < len(before), (
            "nothing was queued"
        )

        for sid in ids:
            body = wait_graded(admin, f"{server}/api/v1/submissions/{sid}", timeout=240)
            assert body["status"] == "graded", body
            assert len(store.report_history(sid)) == 1  # once, not twice
        receiver.wait_for(lambda got: {e["payload"]["submission"]["id"] for e in got} >= set(ids), 120)
        # Every id has arrived; a duplicate would come later, from a delivery still
        # pending (sent, but not yet recorded as delivered) or re-enqueued after the restart.
        # So count only once the outbox has nothing left to send for these submissions.
        outbox = wait_outbox_settled(store, ids, 120)
        statuses = {sid: [d.status for d in deliveries] for sid, deliveries in outbox.items()}
        assert statuses == {sid: ["delivered"] for sid in ids}, statuses  # one delivery each, delivered
        received = receiver.entries()
        assert all(e["accepted"] for e in received), [e for e in received if not e["accepted"]]
        per_submission = Counter(e["payload"]["submission"]["id"] for e in received)
        assert per_submission == Counter(ids), f"a result was not received exactly once: {per_submission}"
        per_delivery = Counter(e["delivery"] for e in received)
        assert per_delivery == Counter(d.id for ds in outbox.values() for d in ds), per_delivery
        assert worker.poll() is None, "the worker died with Redis"
    finally:
        stop_worker(worker)
        store.dispose()


def own_redis_client(server: RedisServer) -> Any:
    from redis import Redis

    return Redis.from_url(server.url, socket_timeout=5)
