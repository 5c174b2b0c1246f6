"""An instructor fixes a rubric and regrades an assignment: every stored submission is re-run,
old and new scores are shown side by side, and only accepting changes the grades, which then
reach the programme record as new versions (real server, real worker, real Docker)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
import yaml

from service.settings import Settings
from tests.conftest import EXAMPLES
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
LEARNERS = ("alice", "bob", "carol")
PROGRAMME = {
    "id": "mm",
    "title": "MicroMasters",
    "courses": [
        {
            "course": "intro",
            "required": True,
            "credits": 4,
            "weights": {"assignments": 1.0, "exam": 0.0},
            "pass_threshold": 50,
        }
    ],
}


def with_points(source: bytes, grade_id: str, points: float) -> bytes:
    notebook = json.loads(source)
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            cell["metadata"]["nbgrader"]["points"] = points
    return json.dumps(notebook).encode()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_rubric_fix_is_reviewed_side_by_side_then_accepted(
    settings: Settings, server: str, tmp_path: Path
) -> None:
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {settings.admin_token}"
    assert (
        admin.post(
            f"{server}/api/v1/programmes", files={"spec": ("p.yaml", yaml.safe_dump(PROGRAMME).encode())}
        ).status_code
        == 201
    )
    source = (EXAMPLES / "assignments" / "arrays" / "arrays.ipynb").read_bytes()
    assignment = admin.post(
        f"{server}/api/v1/assignments",
        data={"course": "intro", "name": "arrays"},
        files={"file": ("arrays.ipynb", source)},
    ).json()
    ids = {}
    for learner in LEARNERS:
        body = (EXAMPLES / "submissions" / learner / "arrays.ipynb").read_bytes()
        ids[learner] = admin.post(
            f"{server}/api/v1/assignments/{assignment['id']}/submissions",
            data={"learner": learner},
            files={"file": ("arrays.ipynb", body)},
        ).json()["id"]
    worker = start_worker(settings.replace(warm_pool_size=1, warm_pool_reserve=0), tmp_path / "worker.log")
    try:
        before = {
            learner: wait_graded(admin, f"{server}/api/v1/submissions/{sid}") for learner, sid in ids.items()
        }
        fixed = with_points(source, "test_zscores", 1)  # the z-scores test was worth too much
        opened = admin.post(
            f"{server}/api/v1/assignments/{assignment['id']}/regrades",
            data={"reason": "z-scores overweighted"},
            files={"file": ("arrays.ipynb", fixed)},
        )
        assert opened.status_code == 202, opened.text
        run_url = f"{server}/api/v1/regrades/{opened.json()['id']}"
        deadline = time.monotonic() + 180
        while (run := admin.get(run_url).json())["done"] < run["total"] and time.monotonic() < deadline:
            time.sleep(0.5)
        assert run["total"] == 3 and run["done"] == 3, run
        side = {r["learner"]: r for r in run["results"]}
        for learner in LEARNERS:
            assert side[learner]["old_score"] == before[learner]["score"]
            zscores = next(c for c in before[learner]["cells"] if c["grade_id"] == "test_zscores")
            expected = before[learner]["score"] - (
                zscores["score"] - zscores["score"] / 4
            )  # 4 points became 1
            assert side[learner]["new_score"] == pytest.approx(expected), (learner, side[learner])
        unchanged = admin.get(f"{server}/api/v1/submissions/{ids['alice']}").json()
        assert unchanged["score"] == before["alice"]["score"], "nothing changes before acceptance"

        accepted = admin.post(f"{run_url}/accept").json()
        assert accepted["status"] == "accepted"
        assert accepted["changed"] == sum(r["new_score"] != r["old_score"] for r in run["results"]) >= 1
        after = admin.get(f"{server}/api/v1/submissions/{ids['alice']}").json()
        assert (
            after["score"] == side["alice"]["new_score"]
            and after["max_score"] == before["alice"]["max_score"]
        )
        history = admin.get(f"{server}/api/v1/programmes/mm/records/alice/history").json()["events"]
        assert [e["body"]["version"] for e in history] == [1, 2] and history[1]["body"][
            "reason"
        ] == "z-scores overweighted"
        assert (
            admin.get(f"{server}/api/v1/assignments/{assignment['id']}").json()["max_score"] == 6.0
        )  # later work uses the fix
        assert admin.post(f"{run_url}/accept").status_code == 409
    finally:
        worker.terminate()
        worker.wait(timeout=60)
