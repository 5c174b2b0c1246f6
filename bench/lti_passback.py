"""Scores for many learners through the LTI simulator: the rate and the time from grade to LMS.

    .venv/bin/python -m bench.lti_passback --learners 2000 --senders 4

Each learner's grade is stored as the worker stores it (claim, save: the outbox row is
written in the grade's transaction), and the delivery job (worker/deliveries.py, the
production code) runs for that learner's line on one of ``--senders`` threads, as RQ
workers would. Two rows, side by side in one run:

- **callbacks**: the baseline, each grade as an HMAC-signed webhook result to a plain
  receiver on the same in-process HTTP server;
- **lti scores**: each grade as an AGS score to the simulator's line item, with the OAuth 2
  token (client credentials, signed JWT assertion) fetched once and cached.

For each: deliveries per second over the whole run, and the median and p95 of
``delivered_at - graded_at`` (grade to receiver). SQLite in a temporary directory; the
figures are only ever compared within one run.
"""

from __future__ import annotations

import argparse
import logging
import queue
import statistics
import tempfile
import threading
import time
from pathlib import Path

from service.lti_registrations import register_platform
from service.settings import Settings
from store import DeliveryKey, PlatformOrigin, Store
from tests.lti.outbox import JobContext, drain
from tests.lti.simulator import Platform
from tests.web.fakes import FakeEnqueuer
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.reports import report
from web import create_app
from worker import context
from worker.deliveries import deliver_results

COURSE = "ds101"


def prepare(folder: Path, platform: Platform) -> tuple[Settings, Store, str]:
    settings = Settings(data_dir=str(folder), admin_token="bench", redis_url="redis://127.0.0.1:1/0")
    app = create_app(settings, enqueuer=FakeEnqueuer())
    client = app.test_client()
    admin = {"Authorization": "Bearer bench"}
    reply = upload(
        client, "/api/v1/assignments", admin, source_bytes(), "hw.ipynb", course=COURSE, name="hw1"
    )
    assert reply.status_code == 201, reply.json
    platform.tool_keys = client.get("/lti/jwks").json
    store: Store = app.extensions["autograde"].store
    register_platform(store, {**platform.registration(), "courses": [COURSE]})
    store.create_platform("hooks", "Webhook receiver", platform.issuer + "/results", [COURSE])
    assignment_id = str(reply.json["id"])
    store.record_line_item("lms", "context-1", assignment_id, platform.line_item())
    return settings, store, assignment_id


def run(store: Store, assignment_id: str, learners: int, senders: int, lti: bool) -> dict[str, float]:
    keys: queue.Queue[DeliveryKey | None] = queue.Queue()

    def send() -> None:
        while (key := keys.get()) is not None:
            deliver_results(key.platform_id, key.assignment_id, key.learner)

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    for n in range(learners):
        learner = f"lti:lms:bench-{n}" if lti else f"hook-learner-{n}"
        origin = None if lti else PlatformOrigin("hooks", f"ext-{n}", "f" * 64)
        record = store.add_submission(
            assignment_id, learner, "hw.ipynb", learner_bytes(), store.now(), True, 1.0, origin=origin
        )
        store.claim_submission(record.id)
        store.save_grade(record.id, report(2.0), "", {})
        keys.put(DeliveryKey("lti:lms" if lti else "hooks", assignment_id, learner))
    for _ in threads:
        keys.put(None)
    for thread in threads:
        thread.join()
    drain(store, limit=600.0)  # retries a flaky platform asked for
    elapsed = time.monotonic() - started
    rows = store.list_deliveries(platform_id="lti:lms" if lti else "hooks", limit=learners + 10)
    graded = {r.submission_id: r.created_at for r in rows}
    waits = sorted((r.delivered_at - graded[r.submission_id]).total_seconds() for r in rows if r.delivered_at)
    return {
        "delivered": len(waits),
        "per_second": len(waits) / elapsed,
        "median_s": statistics.median(waits),
        "p95_s": waits[int(0.95 * (len(waits) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--profile", default="standard", choices=["standard", "flaky"])
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    platform = Platform(profile=args.profile).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings, store, assignment_id = prepare(Path(folder), platform)
            fast = settings.replace(callback_backoff_base=0.05, callback_backoff_cap=2.0)
            context.install(JobContext(fast))
            print(f"{args.learners} learners, {args.senders} senders, platform profile {args.profile}")
            print(f"{'':14}{'delivered':>10}{'per second':>12}{'median s':>10}{'p95 s':>8}")
            for name, lti in (("callbacks", False), ("lti scores", True)):
                row = run(store, assignment_id, args.learners, args.senders, lti)
                print(
                    f"{name:14}{row['delivered']:>10.0f}{row['per_second']:>12.1f}"
                    f"{row['median_s']:>10.3f}{row['p95_s']:>8.3f}"
                )
            print(f"token requests: {platform.token_requests}, score requests: {platform.score_requests}")
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
