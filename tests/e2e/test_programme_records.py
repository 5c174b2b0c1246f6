"""Grades through the queue feed the programme record; a regrade changes it again; a freeze
stops silent changes (real server, real worker, real Docker)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from service.settings import Settings
from tests.conftest import EXAMPLES
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
PROGRAMME = {
    "id": "mm-ds",
    "title": "MicroMasters in Data Science",
    "courses": [
        {
            "course": "intro",
            "required": True,
            "credits": 4,
            "weights": {"assignments": 1.0, "exam": 0.0},
            "pass_threshold": 60,
        }
    ],
    "policies": {"attempts": "latest", "rounding": 1},
}


def wait_for(check: Any, timeout: float = 120, then: Any = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out: {then() if then else ''}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_record_follows_grades_regrades_and_freezes(
    settings: Settings, server: str, tmp_path: Path
) -> None:
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {settings.admin_token}"
    spec = ("programme.yaml", yaml.safe_dump(PROGRAMME).encode())
    assert admin.post(f"{server}/api/v1/programmes", files={"spec": spec}).status_code == 201
    source = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
    assignment = admin.post(
        f"{server}/api/v1/assignments",
        data={"course": "intro", "name": "arrays"},
        files={"file": ("arrays.ipynb", source.read_bytes())},
    ).json()
    wrong = (EXAMPLES / "submissions" / "carol" / "arrays.ipynb").read_bytes()
    submitted = admin.post(
        f"{server}/api/v1/assignments/{assignment['id']}/submissions",
        data={"learner": "alice"},
        files={"file": ("arrays.ipynb", wrong)},
    ).json()
    record_url = f"{server}/api/v1/programmes/mm-ds/records/alice"
    history_url = f"{record_url}/history"
    worker = start_worker(settings.replace(warm_pool_size=1, warm_pool_reserve=0), tmp_path / "worker.log")
    try:
        graded = wait_graded(admin, server + submitted["url"])
        first = wait_for(
            lambda: admin.get(record_url).json()["record"]["courses"][0]["grade"],
            then=lambda: (admin.get(record_url).json(), admin.get(history_url).json()),
        )
        assert first == round(100 * graded["score"] / graded["max_score"], 1)

        # an instructor fixes a cell's score: a new grade version, a new event, a new grade
        cell = min(
            graded["cells"], key=lambda c: c["score"] - c["max_score"]
        )  # the one that lost most points
        changed = admin.put(
            f"{server}/api/v1/submissions/{submitted['id']}/cells/{cell['grade_id']}",
            json={"score": cell["max_score"], "reason": "test was too strict"},
        ).json()
        assert changed["score"] > graded["score"]
        second = wait_for(
            lambda: (g := admin.get(record_url).json()["record"]["courses"][0]["grade"]) != first and g,
            then=lambda: (changed, admin.get(record_url).json()),
        )
        assert second == round(100 * changed["score"] / changed["max_score"], 1)

        # after a freeze, a regrade without a reason changes nothing in the record
        assert admin.post(f"{record_url}/freeze", json={"reason": "degree conferred"}).status_code == 201
        assert admin.post(f"{server}/api/v1/submissions/{submitted['id']}/regrade").status_code == 202
        wait_for(
            lambda: sum(e["kind"] == "grade" for e in admin.get(history_url).json()["events"]) == 3,
            then=lambda: (admin.get(history_url).json(), (tmp_path / "worker.log").read_text()[-2000:]),
        )
        history = admin.get(history_url).json()
        assert history["intact"] and [e["kind"] for e in history["events"]] == [
            "grade",
            "grade",
            "freeze",
            "grade",
        ]
        assert [e["body"]["version"] for e in history["events"] if e["kind"] == "grade"] == [1, 2, 3]
        after = admin.get(record_url).json()
        assert after["record"]["courses"][0]["grade"] == second and after["record"]["frozen"] is True
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=60)
