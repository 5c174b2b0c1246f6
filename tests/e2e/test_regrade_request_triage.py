"""A learner's regrade request is triaged by grading the stored submission twice more through the
real worker and Docker: a test that draws unseeded random numbers is caught as nondeterministic
(both runs attached for staff), and a deterministic test beside it is not."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from service.settings import Settings
from store import Store
from tests.e2e.luck import luck_learner_copy, luck_source
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]


def wait_triaged(api: requests.Session, url: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = api.get(url, timeout=10).json()
        if body["triage_status"] != "queued":
            return body
        time.sleep(0.5)
    raise AssertionError(f"not triaged in time: {body}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unseeded_randomness_is_marked_nondeterministic_and_a_steady_test_is_not(
    settings: Settings, server: str, tmp_path: Path
) -> None:
    store = Store.from_url(settings.database_url)
    alice_token, _ = store.create_token("learner", "alice", ["intro"])
    staff = requests.Session()
    staff.headers["Authorization"] = f"Bearer {settings.admin_token}"
    alice = requests.Session()
    alice.headers["Authorization"] = f"Bearer {alice_token}"
    assignment = staff.post(
        f"{server}/api/v1/assignments",
        data={"course": "intro", "name": "luck"},
        files={"file": ("luck.ipynb", luck_source())},
    ).json()
    sid = alice.post(
        f"{server}/api/v1/assignments/{assignment['id']}/submissions",
        files={"file": ("luck.ipynb", luck_learner_copy())},
    ).json()["id"]
    # a generous cell timeout: a steady test that timed out on a busy machine would look nondeterministic
    worker_settings = settings.replace(warm_pool_size=1, warm_pool_reserve=0, cell_timeout=30)
    worker = start_worker(worker_settings, tmp_path / "worker.log")
    try:
        wait_graded(alice, f"{server}/api/v1/submissions/{sid}")
        urls = {}
        for grade_id in ("test_luck", "test_answer"):
            opened = alice.post(
                f"{server}/api/v1/submissions/{sid}/regrade-requests",
                json={"grade_id": grade_id, "reason": "I think the test misjudged me"},
            )
            assert opened.status_code == 201, opened.text
            urls[grade_id] = f"{server}/api/v1/regrade-requests/{opened.json()['id']}"
        luck = wait_triaged(staff, urls["test_luck"])
        steady = wait_triaged(staff, urls["test_answer"])
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    assert luck["triage_status"] == "nondeterministic", luck
    runs = luck["triage"]["runs"]
    scores = [luck["triage"]["stored"]["cell"]["score"], *(run["cell"]["score"] for run in runs)]
    assert len(runs) == 2 and len(set(scores)) == 3, scores  # three draws, three scores
    assert luck["triage"]["same_image"] and luck["triage"]["same_rubric"]
    assert all(run["report"]["cells"] for run in runs)  # both runs attached in full
    assert steady["triage_status"] == "consistent", steady
    assert [run["cell"]["status"] for run in steady["triage"]["runs"]] == ["passed", "passed"]
    queue = staff.get(f"{server}/api/v1/regrade-requests").json()["requests"]
    assert {r["grade_id"]: r["triage_status"] for r in queue} == {
        "test_luck": "nondeterministic",
        "test_answer": "consistent",
    }
    mine = alice.get(urls["test_luck"]).json()
    assert "triage" not in mine  # the runs may quote hidden tests: staff only
    after = alice.get(f"{server}/api/v1/submissions/{sid}").json()
    assert after["score"] == pytest.approx(scores[0] + 2, abs=1e-5)  # triage changes no grade
    store.dispose()
