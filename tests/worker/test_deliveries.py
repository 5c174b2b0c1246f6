"""The delivery job (worker/deliveries.py): one learner's pending results for one assignment sent oldest
first, each signed with the platform's secret; a failure stops the line and schedules the retry on
Redis (the receiver's Retry-After within the cap), a delivery out of retries is dead-lettered and the
line moves on, a line another sender holds is looked at again when its lease ends, and an LMS's
refusal for good is counted and never retried.

Real store, real Redis (where the job schedules its retries), a real HTTP receiver in a thread; the
LMS is the simulator of tests/lti/simulator.py. What the outcomes look like in the API and pages:
tests/web/lti/test_grade_status.py; with a real worker process: tests/e2e/test_callbacks.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from integrations.signing import DELIVERY_HEADER, verify
from service.settings import Settings
from store import DeliveryKey, DeliveryRecord, PlatformOrigin, Store
from tests.conftest import REDIS_URL
from tests.lti.outbox import JobContext, installed, quick_retries
from tests.lti.simulator import TEACHING_ASSISTANT, Platform
from tests.web.lti.conftest import GradedSubmission, Launcher
from tests.web.reports import grade
from worker import context
from worker.deliveries import EVENT_HEADER, deliver_results
from worker.queues import CALLBACKS, RQEnqueuer

PREFIX = "deliveries-test"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A platform's results endpoint: answers ``answers`` in turn (then 204s), and keeps what it got."""

    url: str = ""
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(Received(dict(self.headers.items()), body))
                status, headers = receiver.answers.pop(0) if receiver.answers else (204, {})
                self.send_response(status)
                for name, value in {**headers, "Content-Length": "0"}.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()  # a quick shutdown
    found.url = f"http://127.0.0.1:{server.server_address[1]}/results"
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def job(settings: Settings, redis_conn: Any) -> Iterator[Callable[..., context.WorkerContext]]:
    """``job(**settings)``: installs the real worker context (its retries on the tests' Redis)."""
    made: list[context.WorkerContext] = []

    def install(**overrides: Any) -> context.WorkerContext:
        fast = quick_retries(settings, attempts=3)  # overrides may change these
        changed = fast.replace(redis_url=REDIS_URL, queue_prefix=PREFIX, callback_timeout=5.0, **overrides)
        made.append(context.WorkerContext(changed))
        context.install(made[-1])
        return made[-1]

    yield install
    context.install(None)  # type: ignore[arg-type]
    for ctx in made:
        ctx.store.dispose()


@pytest.fixture
def line(store: Store, assignment: dict[str, Any], receiver: Receiver) -> Callable[[int], DeliveryKey]:
    """``line(n)``: alice sends ``n`` submissions through the platform, each graded: ``n`` results pending."""
    store.create_platform("lms", "The LMS", receiver.url, ["ds101"])

    def results(count: int) -> DeliveryKey:
        for n in range(count):
            origin = PlatformOrigin("lms", f"ext-{n}", "f" * 64)
            submission = store.add_submission(
                assignment["id"], "alice", "hw.ipynb", b"nb", datetime.now(UTC), True, 1.0, origin=origin
            )
            grade(store, submission.id, float(n))
        return DeliveryKey("lms", assignment["id"], "alice")

    return results


def scheduled(redis_conn: Any) -> list[tuple[tuple[Any, ...], datetime]]:
    """The delivery jobs waiting on Redis: their arguments and when they are due."""
    registry = RQEnqueuer(redis_conn, PREFIX).queue(CALLBACKS).scheduled_job_registry
    jobs = [registry.job_class.fetch(job_id, connection=redis_conn) for job_id in registry.get_job_ids()]
    return [(tuple(j.args), registry.get_scheduled_time(j)) for j in jobs]


def canonical(delivery: DeliveryRecord) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()


def test_pending_results_are_sent_oldest_first_each_signed_with_the_platforms_secret(
    job: Callable[..., Any],
    line: Callable[[int], DeliveryKey],
    store: Store,
    receiver: Receiver,
    redis_conn: Any,
) -> None:
    job()
    key = line(2)
    summary = deliver_results(key.platform_id, key.assignment_id, key.learner)
    assert summary == {
        "platform": "lms",
        "assignment": key.assignment_id,
        "learner": "alice",
        "sent": 2,
        "dead": 0,
        "refused": 0,
    }
    deliveries = store.list_deliveries()
    assert [r.body for r in receiver.received] == [canonical(d) for d in deliveries]  # oldest first
    secret = store.get_platform("lms").secret
    for delivery, request in zip(deliveries, receiver.received, strict=True):
        assert verify(secret, request.headers, request.body, time.time(), 60)
        assert (
            request.headers[DELIVERY_HEADER] == delivery.id and request.headers[EVENT_HEADER] == "grade.final"
        )
    assert [(d.status, d.attempts, d.last_status_code) for d in store.list_deliveries()] == [
        ("delivered", 1, 204)
    ] * 2
    assert scheduled(redis_conn) == []


def test_a_failure_stops_the_line_until_its_retry_which_resends_the_same_result(
    job: Callable[..., Any],
    line: Callable[[int], DeliveryKey],
    store: Store,
    receiver: Receiver,
    redis_conn: Any,
) -> None:
    job(callback_backoff_base=0.4)  # the first retry 0.2 to 0.4 s later
    key = line(2)
    receiver.answers = [(500, {})]
    assert deliver_results(key.platform_id, key.assignment_id, key.learner)["sent"] == 0
    first, second = store.list_deliveries()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert second.attempts == 0 and len(receiver.received) == 1  # the newer result waits behind it
    [(args, due)] = scheduled(redis_conn)
    assert args == ("lms", key.assignment_id, "alice")
    assert abs(due - first.next_attempt_at) < timedelta(seconds=1)
    time.sleep(0.5)  # past the retry time
    assert deliver_results(key.platform_id, key.assignment_id, key.learner)["sent"] == 2
    failed, retried, newer = receiver.received
    assert retried.body == failed.body and retried.headers[DELIVERY_HEADER] == failed.headers[DELIVERY_HEADER]
    assert newer.headers[DELIVERY_HEADER] == second.id


@pytest.mark.parametrize(("asked", "waited"), [(3, 3.0), (17, 10.0)], ids=["within-cap", "over-cap"])
def test_the_receivers_retry_after_is_honoured_up_to_the_backoff_cap(
    job: Callable[..., Any],
    line: Callable[[int], DeliveryKey],
    store: Store,
    receiver: Receiver,
    asked: int,
    waited: float,
) -> None:
    ctx = job(callback_backoff_base=0.1, callback_backoff_cap=10.0)
    key = line(1)
    receiver.answers = [(429, {"Retry-After": str(asked)})]
    before = ctx.clock()
    deliver_results(key.platform_id, key.assignment_id, key.learner)
    [delivery] = store.list_deliveries()
    assert timedelta(seconds=waited) <= delivery.next_attempt_at - before < timedelta(seconds=waited + 2)


def test_out_of_retries_a_result_is_dead_lettered_and_the_line_moves_on(
    job: Callable[..., Any],
    line: Callable[[int], DeliveryKey],
    store: Store,
    receiver: Receiver,
    redis_conn: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job(callback_max_attempts=1)
    key = line(2)
    receiver.answers = [(500, {})]
    summary = deliver_results(key.platform_id, key.assignment_id, key.learner)
    assert (summary["sent"], summary["dead"], summary["refused"]) == (1, 1, 0)
    assert "is dead after 1 attempts: HTTP 500" in caplog.text
    dead, delivered = store.list_deliveries()
    # dead-lettered, then superseded by the newer result delivered after it (store/deliveries.py)
    assert (dead.status, dead.attempts, dead.last_status_code) == ("superseded", 1, 500)
    assert dead.last_error.startswith("HTTP 500") and delivered.status == "delivered"
    assert len(receiver.received) == 2 and scheduled(redis_conn) == []


def test_a_line_another_sender_holds_is_looked_at_again_when_its_lease_ends(
    job: Callable[..., Any],
    line: Callable[[int], DeliveryKey],
    store: Store,
    receiver: Receiver,
    redis_conn: Any,
) -> None:
    ctx = job()
    key = line(1)
    held = store.claim_next_delivery(key, ctx.clock(), 60)  # another worker is sending it
    assert held.delivery is not None
    assert deliver_results(key.platform_id, key.assignment_id, key.learner)["sent"] == 0
    assert receiver.received == []
    [(_, due)] = scheduled(redis_conn)
    assert timedelta(seconds=58) < due - datetime.now(UTC) <= timedelta(seconds=60)


def test_a_line_with_nothing_pending_sends_and_schedules_nothing(
    job: Callable[..., Any], store: Store, assignment: dict[str, Any], receiver: Receiver, redis_conn: Any
) -> None:
    job()
    summary = deliver_results("lms", assignment["id"], "alice")
    assert (summary["sent"], summary["dead"], summary["refused"]) == (0, 0, 0)
    assert receiver.received == [] and scheduled(redis_conn) == []


@pytest.mark.parametrize("platform", [{"profile": "brightspace"}], indirect=True)
def test_an_lms_refusing_a_score_for_good_is_counted_refused_and_never_retried(
    settings: Settings,
    app: Flask,
    client: FlaskClient,
    store: Store,
    platform: Platform,
    launch: Launcher,
    graded_submission: GradedSubmission,
) -> None:
    """Brightspace grades only learners: a score for a teaching assistant meets the same 403 every time."""
    assert launch(**platform.ags_claim()).status_code == 303
    platform.enrol("user-7", TEACHING_ASSISTANT)
    graded_submission("lti:lms:user-7", 1.0)
    with installed(JobContext(quick_retries(settings, attempts=3)), platform, client) as ctx:
        [(key, _)] = store.pending_delivery_keys()
        summary = deliver_results(key.platform_id, key.assignment_id, key.learner)
    assert (summary["sent"], summary["dead"], summary["refused"]) == (0, 0, 1)
    [refused] = store.list_deliveries(platform_id=key.platform_id)
    assert (refused.status, refused.attempts, refused.last_status_code) == ("refused", 1, 403)
    assert ctx.queued.deliveries == [] and platform.score_requests == 1
