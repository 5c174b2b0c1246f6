"""Start-up recovery of similarity checks lost with Redis: the database says which graded
submissions were never checked (real Redis, real SQLite, the check run by an RQ worker)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rq import SimpleWorker

from grader.notebooks import dump_notebook
from service.settings import Settings
from store import Store
from tests.builders import report_cell, report_dict
from tests.conftest import REDIS_URL
from tests.integrity.corpus import NOTEBOOK, notebook
from tests.service.test_integrity import NOW, TRUSTED, add_assignment, solutions
from worker import context
from worker.queue_names import INTEGRITY
from worker.queues import RQEnqueuer
from worker.recovery import recover, reenqueue_similarity

pytestmark = pytest.mark.redis
PREFIX = "similarity-recovery-test"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[context.WorkerContext]:
    settings = Settings(data_dir=str(tmp_path), redis_url=REDIS_URL, queue_prefix=PREFIX)
    made = context.WorkerContext(settings, worker_name=PREFIX)
    context.install(made)
    made.store.migrate()
    yield made
    made.store.dispose()


def graded(store: Store, record_id: str, learner: str, solution: Any) -> str:
    """A submission graded and stored, its similarity check queued (``worker/tasks.py``)."""
    data = dump_notebook(notebook(TRUSTED.releases[NOTEBOOK], solution, random.Random(1)))
    submission = store.add_submission(record_id, learner, NOTEBOOK, data, NOW, True, 1.0)
    store.claim_submission(submission.id)
    assert store.save_grade(submission.id, report_dict(report_cell("t", 1.0, 1.0, "passed")), "", {})
    return submission.id


def test_checks_lost_with_a_redis_flush_are_queued_again_at_start_up(
    ctx: context.WorkerContext, redis_conn: Any
) -> None:
    store = ctx.store
    record = add_assignment(store)
    alice = solutions(1)[0]
    ids = [graded(store, record.id, who, alice) for who in ("alice", "mallory")]
    enqueuer = RQEnqueuer(redis_conn, PREFIX)
    for sid in ids:
        enqueuer.enqueue_similarity(sid)
    redis_conn.flushdb()  # Redis lost: the queued checks with it
    recover(store, enqueuer)  # a worker starting
    SimpleWorker([enqueuer.queue(INTEGRITY)], connection=redis_conn).work(burst=True)
    assert all(store.find_prints(sid) is not None for sid in ids)
    (pair,) = store.list_pairs()
    assert (pair.submission_a, pair.submission_b, pair.score) == (ids[0], ids[1], 1.0)


def test_recovery_queues_each_unchecked_submission_once_the_latest_first_and_never_the_checked(
    ctx: context.WorkerContext, redis_conn: Any
) -> None:
    store = ctx.store
    record = add_assignment(store)
    alice, bob, carol = solutions(3)
    checked, older, newer = (
        graded(store, record.id, who, work) for who, work in (("ann", alice), ("bo", bob), ("cy", carol))
    )
    enqueuer = RQEnqueuer(redis_conn, PREFIX)
    enqueuer.enqueue_similarity(checked)
    SimpleWorker([enqueuer.queue(INTEGRITY)], connection=redis_conn).work(burst=True)
    assert reenqueue_similarity(store, enqueuer, batch=1) == 1  # a bounded start-up: the latest graded
    assert enqueuer.queue(INTEGRITY).job_ids == [f"integrity-{newer}"]
    assert reenqueue_similarity(store, enqueuer) == 2
    assert reenqueue_similarity(store, enqueuer) == 2  # a second worker starting: live jobs left alone
    assert enqueuer.queue(INTEGRITY).job_ids == [f"integrity-{newer}", f"integrity-{older}"]
