"""The similarity check as an RQ job on a real Redis: on its own queue, served last, recording pairs."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from rq import SimpleWorker

from grader.notebooks import dump_notebook
from service.settings import Settings
from tests.conftest import REDIS_URL
from tests.integrity.corpus import NOTEBOOK, notebook
from tests.service.test_integrity import NOW, TRUSTED, add_assignment, solutions
from worker import context
from worker.queue_names import INTEGRITY, PRIORITIES, QUEUE_NAMES
from worker.queues import RQEnqueuer

pytestmark = pytest.mark.redis


def test_the_integrity_queue_is_served_after_every_grading_queue() -> None:
    assert QUEUE_NAMES[-1] == INTEGRITY
    assert all(QUEUE_NAMES.index(name) < QUEUE_NAMES.index(INTEGRITY) for name in PRIORITIES)


def test_similarity_jobs_run_through_rq_and_record_the_pair(tmp_path: Path, redis_conn: Any) -> None:
    settings = Settings(data_dir=str(tmp_path), redis_url=REDIS_URL, queue_prefix="integrity-test")
    ctx = context.WorkerContext(settings, worker_name="integrity-test")
    context.install(ctx)
    store = ctx.store
    store.migrate()
    record = add_assignment(store)
    alice = solutions(1)[0]
    data = dump_notebook(notebook(TRUSTED.releases[NOTEBOOK], alice, random.Random(1)))
    ids = [
        store.add_submission(record.id, who, NOTEBOOK, data, NOW, True, 1.0).id
        for who in ("alice", "mallory")
    ]
    enqueuer = RQEnqueuer(redis_conn, "integrity-test")
    jobs = [enqueuer.enqueue_similarity(sid) for sid in ids]
    assert jobs == [f"integrity-{sid}" for sid in ids]
    assert enqueuer.queue(INTEGRITY).count == 2
    assert all(enqueuer.queue(name).count == 0 for name in PRIORITIES)
    SimpleWorker([enqueuer.queue(INTEGRITY)], connection=redis_conn).work(burst=True)
    (pair,) = store.list_pairs()
    assert (pair.submission_a, pair.submission_b, pair.score) == (ids[0], ids[1], 1.0)
