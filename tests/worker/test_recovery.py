"""Start-up recovery of regrade request triages: the database says which still need one, and a
triage already queued in Redis is never queued twice (real Redis, real SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from store import Store
from tests.builders import report_cell, report_dict
from worker.queues import RQEnqueuer
from worker.recovery import reenqueue_triages

pytestmark = pytest.mark.redis
NOW = datetime(2030, 3, 2, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store.from_url(f"sqlite:///{tmp_path / 'autograde.db'}")
    opened.migrate()
    yield opened
    opened.dispose()


def open_request(store: Store, learner: str) -> str:
    """A request opened while Redis refused its triage: stored, its triage still queued."""
    if not store.list_courses():
        store.add_assignment(
            "ds101", "hw1", {"hw.ipynb": b"{}"}, {"hw.ipynb": b"{}"}, {}, [], "v1", 2.0, None, [], False
        )
    assignment = store.list_assignments("ds101")[0]
    submission = store.add_submission(assignment.id, learner, "hw.ipynb", b"nb", NOW, True, 1.0)
    store.claim_submission(submission.id)
    report = report_dict(report_cell("test_answer", 0.0, 2.0, "failed"), score=0.0, max_score=2.0)
    assert store.save_grade(submission.id, report, "", {})
    latest = store.latest_report(submission.id)
    assert latest is not None
    return str(store.open_regrade_request(submission.id, latest.report.cells[0], "why", latest.id, NOW)["id"])


def test_each_request_waiting_for_triage_gets_one_job_however_often_recovery_runs(
    store: Store, redis_conn: Any
) -> None:
    waiting = open_request(store, "alice")
    triaged = open_request(store, "bob")
    store.save_triage(triaged, "consistent", {})
    enqueuer = RQEnqueuer(redis_conn, prefix="recovery-test")
    assert reenqueue_triages(store, enqueuer) == 1
    assert reenqueue_triages(store, enqueuer) == 1  # a second worker starting: the job is live, left alone
    queue = enqueuer.queue("regrades")
    assert queue.job_ids == [f"triage-{waiting}"]
