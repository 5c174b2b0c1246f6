"""Fault: a worker is killed (``kill -9``) in the middle of a grade.

A real server and two real worker processes, both running before the submission arrives.
Whichever takes the job is killed by pid (with its RQ scheduler child) while the learner's
code runs; the other is the survivor, and is not restarted. It must notice its dead peer (heartbeat expired), hand
the job back to RQ, remove the victim's sandbox, and grade the submission once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq.job import Job

from service.settings import Settings
from store import Store
from tests.e2e.faults import (
    admin_session,
    gone,
    kill_worker,
    post_arrays,
    sandboxes_of,
    slow_notebook,
    stop_worker,
    wait_until,
)
from tests.e2e.services import start_worker, wait_graded
from worker.liveness import live_workers
from worker.outcomes import read_outcomes
from worker.queues import job_id_for

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Peers notice a dead worker within seconds, not the default half-minute; cells may sleep."""
    return settings.replace(
        warm_pool_size=1, warm_pool_reserve=0, worker_ttl=6, watch_interval=2, cell_timeout=30
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_worker_killed_mid_grade_is_rerun_by_a_live_peer_and_graded_once_without_leftovers(
    settings: Settings, server: str, docker_client: Any, redis_conn: Redis, tmp_path: Path
) -> None:
    admin = admin_session(settings)
    assignment = post_arrays(server, admin)
    store = Store.from_url(settings.database_url)
    workers = {name: start_worker(settings, tmp_path / f"{name}.log", name=name) for name in ("w1", "w2")}
    try:
        wait_until(
            lambda: set(workers) <= set(live_workers(redis_conn, settings.queue_prefix)), 120, "both workers"
        )
        reply = admin.post(
            f"{server}/api/v1/assignments/{assignment['id']}/submissions",
            data={"learner": "alice"},
            files={"file": ("arrays.ipynb", slow_notebook(8))},
        )
        assert reply.status_code == 202, reply.text
        sid = reply.json()["id"]
        wait_until(lambda: store.get_submission(sid).status == "running", 60, "a worker to start grading")
        victim_name = Job.fetch(job_id_for(sid), connection=redis_conn).worker_name
        assert victim_name in workers and sandboxes_of(docker_client, victim_name), "it grades in a sandbox"
        victim, survivor = workers[victim_name], next(p for name, p in workers.items() if name != victim_name)
        killed = kill_worker(victim)
        assert store.get_submission(sid).status == "running", (
            "the grade ended before the kill: nothing was tested"
        )
        wait_until(lambda: all(gone(pid) for pid in killed), 10, "the victim's children to die")

        body = wait_graded(admin, f"{server}/api/v1/submissions/{sid}", timeout=240)
        assert body["status"] == "graded", body
        assert body["score"] == body["max_score"] == 9
        assert len(store.report_history(sid)) == 1  # one grade, not two
        assert store.get_submission(sid).attempts == 2  # the victim's claim, then the survivor's
        wait_until(
            lambda: not sandboxes_of(docker_client, victim_name), 60, "the victim's sandboxes to be removed"
        )
        assert read_outcomes(redis_conn, settings.queue_prefix)["abandoned"] == 1
        assert survivor.poll() is None, "the survivor kept running"
    finally:
        for process in workers.values():
            stop_worker(process)
        store.dispose()
