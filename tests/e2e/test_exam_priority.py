"""An exam submitted behind a backlog of assignment jobs is graded first (real worker, real queues).

Everything is queued before the worker starts, so the order the worker takes jobs in is
the queues' order alone: exams ahead of assignments. The attempt then moves to graded.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import requests

from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES
from tests.e2e.services import start_worker, wait_graded
from tests.exam_bank.bank import as_yaml
from tests.exam_bank.bank import question as param_question

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
BACKLOG = 12


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_exam_is_graded_before_a_backlog_of_assignments(
    settings: Settings, server: str, tmp_path: Path
) -> None:
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {settings.admin_token}"
    source = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
    assignment = admin.post(
        f"{server}/api/v1/assignments",
        data={"course": "ds", "name": "arrays"},
        files={"file": ("arrays.ipynb", source.read_bytes())},
    ).json()
    notebook = (EXAMPLES / "submissions" / "alice" / "arrays.ipynb").read_bytes()
    backlog = []
    for n in range(BACKLOG):
        reply = admin.post(
            f"{server}/api/v1/assignments/{assignment['id']}/submissions",
            data={"learner": f"l{n}"},
            files={"file": ("arrays.ipynb", notebook)},
        )
        assert reply.status_code == 202, reply.text
        backlog.append(reply.json()["id"])

    now = time.time()
    spec = {
        "title": "Final",
        "time_limit_minutes": 60,
        "requires_proctoring": False,
        "window": {
            "opens": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60)),
            "closes": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 7200)),
        },
        "pools": [
            {
                "name": "only",
                "draw": 1,
                "questions": [{"file": "q1.ipynb", "params": {"k": {"choices": [3]}}}],
            }
        ],
    }
    exam = admin.post(
        f"{server}/api/v1/exams",
        data={"course": "ds", "name": "final"},
        files=[
            ("spec", ("exam.yaml", as_yaml(spec).encode())),
            ("questions", ("q1.ipynb", io.BytesIO(param_question(2)).read())),
        ],
    ).json()
    store = Store.from_url(settings.database_url)
    plaintext, _ = store.create_token("learner", "eve", ["ds"])
    eve = requests.Session()
    eve.headers["Authorization"] = f"Bearer {plaintext}"
    attempt = eve.post(f"{server}/api/v1/exams/{exam['id']}/attempts").json()
    submitted = eve.post(f"{server}{attempt['url']}/submit")
    assert submitted.status_code == 202, submitted.text

    worker = start_worker(settings.replace(warm_pool_size=1, warm_pool_reserve=0), tmp_path / "worker.log")
    try:
        exam_grade = wait_graded(admin, f"{server}/api/v1/submissions/{submitted.json()['submission_id']}")
        assert exam_grade["status"] == "graded", (tmp_path / "worker.log").read_text()[-3000:]
        first_assignment = wait_graded(admin, f"{server}/api/v1/submissions/{backlog[0]}")
        assert exam_grade["graded_at"] < first_assignment["graded_at"]
        graded_before = [
            s
            for s in backlog
            if store.get_submission(s).graded_at
            and store.get_submission(s).graded_at.isoformat() < exam_grade["graded_at"]
        ]  # type: ignore[union-attr]
        assert graded_before == [], "an assignment job was graded before the exam"
        deadline = time.monotonic() + 30
        while store.get_attempt(attempt["id"]).state != "graded" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert store.get_attempt(attempt["id"]).state == "graded"
        assert eve.get(f"{server}{attempt['url']}").json()["counts_for_credit"] is True
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        store.dispose()
