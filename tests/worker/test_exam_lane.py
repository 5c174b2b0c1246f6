"""An exam lane (``autograde worker --queues exams``) takes exams and never an assignment job."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REDIS_URL
from tests.worker.test_tasks import install, stored_submission
from worker import context
from worker.queues import RQEnqueuer
from worker.run import pool_status_key, run_worker

pytestmark = pytest.mark.docker


def test_an_exam_lane_grades_exams_and_leaves_assignments_queued(
    tmp_path: Path, docker_client: Any, redis_conn: Any
) -> None:
    store = install(
        tmp_path, redis_url=REDIS_URL, queue_prefix="lane-test", warm_pool_size=1, warm_pool_reserve=1
    )
    settings = context.current().settings
    enqueuer = RQEnqueuer(redis_conn, settings.queue_prefix)
    homework = stored_submission(store, learner="alice")
    first = store.get_submission(homework)
    exam = store.add_submission(
        first.assignment_id,
        "bob",
        "arrays.ipynb",
        store.submission_content(homework),
        datetime.now(UTC),
        True,
        1.0,
        priority="exams",
    ).id
    enqueuer.enqueue_grading(homework, "assignments")
    enqueuer.enqueue_grading(exam, "exams")

    run_worker(settings, burst=True, name="lane-test-exams", queues=["exams"])

    assert store.get_submission(exam).status == "graded"
    assert store.get_submission(homework).status == "queued"
    assert enqueuer.queue("assignments").count == 1 and enqueuer.queue("exams").count == 0
    report = store.latest_report(exam)
    assert report is not None and report.provenance["warm"] is True
    assert not redis_conn.exists(pool_status_key("lane-test", "lane-test-exams"))


def test_a_general_worker_can_give_way_by_lowering_its_own_priority() -> None:
    """``--nice``: measured to matter next to an exam lane; any process may lower its own priority."""
    import subprocess
    import sys

    code = "import os; from worker.run import lower_priority; before = os.nice(0); lower_priority(7); print(os.nice(0) - before)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "7"
