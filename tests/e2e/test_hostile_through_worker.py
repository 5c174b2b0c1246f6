"""Hostile submissions through the real service: the worker survives and keeps serving.

Bombs and attacks go through HTTP, Redis and a real worker process; an honest submission
queued behind them is still graded in full, and no sandbox is left on the engine.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
import requests

from grader.assignment import build_assignment
from service.settings import Settings
from tests.builders import learner_files, make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
RIGHT = "def square(x):\n    return x * x"
HOSTILE = {
    "forkbomb": RIGHT
    + "\nimport os\nfor _ in range(500):\n    if os.fork() == 0:\n        import time; time.sleep(120)",
    "membomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 1024 * 1024))",
    "spinner": "while True:\n    pass",
    # a wrong answer that lies to the check, and silences tracebacks for good measure
    "forger": (
        "class Liar(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
        "def square(x):\n    return Liar(x + 1)\n"
        "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"
    ),
}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'autograde.db'}"


def test_bombs_and_attacks_leave_the_worker_serving(
    settings: Settings, server: str, tmp_path: Path, docker_client: Any
) -> None:
    source = make_notebook(
        make_answer_cell("square", RIGHT), make_test_cell("t", "assert square(3) == 9", points=2)
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(source)})
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {settings.admin_token}"
    created = api.post(
        f"{server}/api/v1/assignments",
        data={"course": "sec", "name": "square"},
        files={"file": ("hw.ipynb", to_bytes(source))},
    ).json()

    def submit(learner: str, answer: str) -> str:
        ((name, data),) = learner_files(assignment, {"square": answer}).items()
        reply = api.post(
            f"{server}/api/v1/assignments/{created['id']}/submissions",
            data={"learner": learner},
            files={"file": (name, data)},
        )
        assert reply.status_code == 202, reply.text
        return server + reply.json()["url"]

    urls = {learner: submit(learner, answer) for learner, answer in HOSTILE.items()}
    honest = submit("honest", RIGHT)
    name = f"hostile-{secrets.token_hex(3)}"
    worker = start_worker(settings, tmp_path / "worker.log", name)
    try:
        results = {learner: wait_graded(api, url, timeout=300) for learner, url in urls.items()}
        assert all(body["status"] == "graded" for body in results.values()), results
        assert results["membomb"]["score"] == 0.0 and results["spinner"]["score"] == 0.0
        assert results["forger"]["score"] == 0.0 and results["forger"]["needs_review"]
        assert wait_graded(api, honest)["score"] == 2.0
        assert worker.poll() is None, "the worker died"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert docker_client.containers.list(all=True, filters={"label": f"autograde.worker={name}"}) == []
