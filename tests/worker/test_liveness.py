"""Worker liveness: a key per worker that lives only ``ttl``, says what the worker told it, and goes at a clean stop."""

from __future__ import annotations

from typing import Any

import pytest

from worker.liveness import Heartbeat, alive_key, live_workers

pytestmark = pytest.mark.redis


def test_a_beating_worker_is_listed_with_what_it_said_and_its_key_expires(redis_conn: Any) -> None:
    heartbeat = Heartbeat(redis_conn, "fleet", "w1", ttl=30, describe=lambda: {"docker": True})
    heartbeat.beat()
    [(name, said)] = live_workers(redis_conn, "fleet").items()
    assert name == "w1" and said["docker"] is True and isinstance(said["pid"], int)
    assert 0 < redis_conn.pttl(alive_key("fleet", "w1")) <= 30_000  # a killed worker's key dies with its TTL


def test_a_worker_that_stops_cleanly_is_gone_at_once(redis_conn: Any) -> None:
    heartbeat = Heartbeat(redis_conn, "fleet", "w1", ttl=30).start()
    assert "w1" in live_workers(redis_conn, "fleet")
    heartbeat.stop()
    assert live_workers(redis_conn, "fleet") == {}


def test_fleets_sharing_a_redis_see_only_their_own_workers(redis_conn: Any) -> None:
    Heartbeat(redis_conn, "fleet", "w1", ttl=30).beat()
    Heartbeat(redis_conn, "fleet-b", "w2", ttl=30).beat()
    Heartbeat(redis_conn, "fle", "w3", ttl=30).beat()
    assert list(live_workers(redis_conn, "fleet")) == ["w1"]
