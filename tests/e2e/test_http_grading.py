"""End to end over HTTP: a real server, real Redis, a real RQ worker process, real Docker,
on SQLite and on PostgreSQL.

The queue is emptied after the submissions are stored and before the worker starts, so the
grades can only come from the worker's start-up recovery reading the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
MANIFEST = json.loads((EXAMPLES / "course.json").read_text())
LEARNERS = ("alice", "dave", "carol")


def expected(learner: str) -> dict[str, Any]:
    return next(
        s["expect"]
        for s in MANIFEST["submissions"]
        if s["learner"] == learner and s["assignment"] == "arrays"
    )


@pytest.mark.parametrize("pool_size", [2, 0], ids=["warm-pool", "forking-cold"])
def test_submissions_are_graded_through_the_queue(
    settings: Settings, server: str, redis_conn: Any, tmp_path: Path, pool_size: int
) -> None:
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {settings.admin_token}"
    source = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
    reply = api.post(
        f"{server}/api/v1/assignments",
        data={"course": "intro-data-science", "name": "arrays"},
        files={"file": ("arrays.ipynb", source.read_bytes())},
    )
    assert reply.status_code == 201, reply.text
    assignment = reply.json()
    release = api.get(f"{server}/api/v1/assignments/{assignment['id']}/release")
    assert release.status_code == 200 and b"BEGIN HIDDEN TESTS" not in release.content

    urls = {}
    for learner in LEARNERS:
        path = EXAMPLES / "submissions" / learner / "arrays.ipynb"
        reply = api.post(
            f"{server}/api/v1/assignments/{assignment['id']}/submissions",
            data={"learner": learner},
            files={"file": (path.name, path.read_bytes())},
        )
        assert reply.status_code == 202, reply.text
        assert reply.json()["status"] == "queued"
        urls[learner] = server + reply.json()["url"]

    redis_conn.flushdb()  # the queue is lost: only the database knows what to grade
    worker = start_worker(settings.replace(warm_pool_size=pool_size), tmp_path / "worker.log")
    try:
        results = {learner: wait_graded(api, url) for learner, url in urls.items()}
        for learner, body in results.items():
            assert body["status"] == "graded", (learner, body, (tmp_path / "worker.log").read_text()[-3000:])
            assert (body["score"], body["max_score"]) == (
                expected(learner)["score"],
                expected(learner)["max_score"],
            )
            assert {c["grade_id"] for c in body["cells"]} == {
                c["grade_id"] for c in assignment["grade_cells"]
            }
        assert "timeout" in {c["status"] for c in results["dave"]["cells"]}
        assert worker.poll() is None, "the worker died"
        store = Store.from_url(settings.database_url)
        provenance = [store.latest_report(body["id"]).provenance for body in results.values()]  # type: ignore[union-attr]
        store.dispose()
        assert {p["warm"] for p in provenance} == {pool_size > 0}
        assert len({p["container"] for p in provenance}) == len(LEARNERS), "a sandbox graded two submissions"
        assert all(p["timings"]["cells"] > 0 for p in provenance)

        feedback = api.get(urls["carol"] + "/feedback")
        assert feedback.status_code == 200 and "BEGIN HIDDEN TESTS" not in feedback.text
    finally:
        worker.terminate()
        worker.wait(timeout=30)
