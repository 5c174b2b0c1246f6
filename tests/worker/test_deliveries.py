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
from collections.abc import Iterator
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
from worker.queue_names import CALLBACKS
from worker.queues import RQEnqueuer

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


@dataclass
class Outbox:
    """alice's line of results for ``assignment`` on the webhook platform ``lms``, and the job that sends it."""

    settings: Settings
    store: Store
    receiver: Receiver
    redis: Any
    key: DeliveryKey
    contexts: list[context.WorkerContext] = field(default_factory=list)

    def install(self, **overrides: Any) -> context.WorkerContext:
        """The real worker context as the job's, its retries scheduled on the tests' Redis."""
        fast = quick_retries(self.settings, attempts=3)  # overrides may change these
        changed = fast.replace(redis_url=REDIS_URL, queue_prefix=PREFIX, callback_timeout=5.0, **overrides)
        self.contexts.append(context.WorkerContext(changed))
        context.install(self.contexts[-1])
        return self.contexts[-1]

    def add(self, count: int) -> None:
        """``count`` submissions through the platform, each graded: as many results pending, oldest first."""
        for n in range(count):
            origin = PlatformOrigin("lms", f"ext-{n}", "f" * 64)
            submission = self.store.add_submission(
                self.key.assignment_id,
                "alice",
                "hw.ipynb",
                b"nb",
                datetime.now(UTC),
                True,
                1.0,
                origin=origin,
            )
            grade(self.store, submission.id, float(n))

    def send(self) -> dict[str, Any]:
        return deliver_results(self.key.platform_id, self.key.assignment_id, self.key.learner)

    def deliveries(self) -> list[DeliveryRecord]:
        return self.store.list_deliveries()

    def scheduled(self) -> list[tuple[tuple[Any, ...], datetime]]:
        """The delivery jobs waiting on Redis: their arguments and when they are due."""
        registry = RQEnqueuer(self.redis, PREFIX).queue(CALLBACKS).scheduled_job_registry
        jobs = [registry.job_class.fetch(job_id, connection=self.redis) for job_id in registry.get_job_ids()]
        return [(tuple(j.args), registry.get_scheduled_time(j)) for j in jobs]


@pytest.fixture
def outbox(
    settings: Settings, store: Store, assignment: dict[str, Any], receiver: Receiver, redis_conn: Any
) -> Iterator[Outbox]:
    store.create_platform("lms", "The LMS", receiver.url, ["ds101"])
    made = Outbox(settings, store, receiver, redis_conn, DeliveryKey("lms", assignment["id"], "alice"))
    made.install()
    yield made
    context.install(None)  # type: ignore[arg-type]
    for ctx in made.contexts:
        ctx.store.dispose()


def canonical(delivery: DeliveryRecord) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()


def test_pending_results_are_sent_oldest_first_each_signed_with_the_platforms_secret(
    outbox: Outbox, receiver: Receiver
) -> None:
    outbox.add(2)
    assert outbox.send() == {
        "platform": "lms",
        "assignment": outbox.key.assignment_id,
        "learner": "alice",
        "sent": 2,
        "dead": 0,
        "refused": 0,
    }
    deliveries = outbox.deliveries()
    assert [r.body for r in receiver.received] == [canonical(d) for d in deliveries]  # oldest first
    secret = outbox.store.get_platform("lms").secret
    for delivery, request in zip(deliveries, receiver.received, strict=True):
        assert verify(secret, request.headers, request.body, time.time(), 60)
        assert (request.headers[DELIVERY_HEADER], request.headers[EVENT_HEADER]) == (
            delivery.id,
            "grade.final",
        )
    assert [(d.status, d.attempts, d.last_status_code) for d in deliveries] == [("delivered", 1, 204)] * 2
    assert outbox.scheduled() == []


def test_a_failure_stops_the_line_until_its_retry_which_resends_the_same_result(
    outbox: Outbox, receiver: Receiver
) -> None:
    outbox.install(callback_backoff_base=0.4)  # the first retry 0.2 to 0.4 s later
    outbox.add(2)
    receiver.answers = [(500, {})]
    assert outbox.send()["sent"] == 0
    first, second = outbox.deliveries()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert second.attempts == 0 and len(receiver.received) == 1  # the newer result waits behind it
    [(args, due)] = outbox.scheduled()
    assert args == ("lms", outbox.key.assignment_id, "alice")
    assert abs(due - first.next_attempt_at) < timedelta(seconds=1)
    time.sleep(0.5)  # past the retry time
    assert outbox.send()["sent"] == 2
    failed, retried, newer = receiver.received
    assert retried.body == failed.body and retried.headers[DELIVERY_HEADER] == failed.headers[DELIVERY_HEADER]
    assert newer.headers[DELIVERY_HEADER] == second.id


@pytest.mark.parametrize(("asked", "waited"), [(3, 3.0), (17, 10.0)], ids=["within-cap", "over-cap"])
def test_the_receivers_retry_after_is_honoured_up_to_the_backoff_cap(
    outbox: Outbox, receiver: Receiver, asked: int, waited: float
) -> None:
    ctx = outbox.install(callback_backoff_base=0.1, callback_backoff_cap=10.0)
    outbox.add(1)
    receiver.answers = [(429, {"Retry-After": str(asked)})]
    before = ctx.clock()
    outbox.send()
    [delivery] = outbox.deliveries()
    assert timedelta(seconds=waited) <= delivery.next_attempt_at - before < timedelta(seconds=waited + 2)


def test_out_of_retries_a_result_is_dead_lettered_and_the_line_moves_on(
    outbox: Outbox, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    outbox.install(callback_max_attempts=1)
    outbox.add(2)
    receiver.answers = [(500, {})]
    summary = outbox.send()
    assert (summary["sent"], summary["dead"], summary["refused"]) == (1, 1, 0)
    assert "is dead after 1 attempts: HTTP 500" in caplog.text
    dead, delivered = outbox.deliveries()
    # dead-lettered, then superseded by the newer result delivered after it (store/deliveries.py)
    assert (dead.status, dead.attempts, dead.last_status_code) == ("superseded", 1, 500)
    assert dead.last_error.startswith("HTTP 500") and delivered.status == "delivered"
    assert len(receiver.received) == 2 and outbox.scheduled() == []


def test_a_line_another_sender_holds_is_looked_at_again_when_its_lease_ends(
    outbox: Outbox, receiver: Receiver
) -> None:
    outbox.add(1)
    held = outbox.store.claim_next_delivery(outbox.key, datetime.now(UTC), 60)  # another worker sends it
    assert held.delivery is not None
    assert outbox.send()["sent"] == 0
    assert receiver.received == []
    [(_, due)] = outbox.scheduled()
    assert timedelta(seconds=58) < due - datetime.now(UTC) <= timedelta(seconds=60)


def test_a_line_with_nothing_pending_sends_and_schedules_nothing(outbox: Outbox, receiver: Receiver) -> None:
    summary = outbox.send()
    assert (summary["sent"], summary["dead"], summary["refused"]) == (0, 0, 0)
    assert receiver.received == [] and outbox.scheduled() == []


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
