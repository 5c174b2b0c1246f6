"""A worker's command thread ends at once when the worker stops (worker/prompt_stop.py).

The race that held workers for a minute, made certain: the thread has already seen its
unsubscribe confirmation and waits for a new subscription when the worker joins it.
RQ's own classes, put in place of ours here, hang in ``unsubscribe`` for 60 s and fail.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from rq import Queue

from worker.prompt_stop import ForkingWorker, InProcessWorker

pytestmark = pytest.mark.redis
STOP_BOUND = 15.0  # far beyond a one-second round, far below RQ's sixty


@pytest.mark.parametrize("kind", [ForkingWorker, InProcessWorker])
def test_a_worker_whose_command_thread_saw_its_unsubscribe_stops_at_once(kind: Any, redis_conn: Any) -> None:
    worker = kind([Queue("prompt-stop", connection=redis_conn)], connection=redis_conn)
    worker.subscribe()
    until = time.monotonic() + STOP_BOUND
    while not worker.pubsub.subscribed and time.monotonic() < until:
        time.sleep(0.05)
    assert worker.pubsub.subscribed, "the command thread never subscribed"
    worker.pubsub.unsubscribe()
    while worker.pubsub.subscribed and time.monotonic() < until:
        time.sleep(0.05)  # the thread reads the confirmation, then waits for a subscription
    assert not worker.pubsub.subscribed
    time.sleep(0.3)  # back inside get_message's wait

    stopping = threading.Thread(target=worker.unsubscribe, daemon=True)
    stopping.start()
    stopping.join(STOP_BOUND)

    assert not stopping.is_alive(), "unsubscribe waited on the command thread's long wait"
    assert not worker.pubsub_thread.is_alive()
