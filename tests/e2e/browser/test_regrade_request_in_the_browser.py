"""In a real browser against the real app, a real worker and Docker: a learner asks for a regrade of
a test that scores an unseeded random draw, the instructor sees the triage mark it nondeterministic
with both re-runs, upholds the request, and the learner sees the new score on the feedback page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from service.settings import Settings
from store import Store
from tests.e2e.browser.helpers import PHONE, log_in, log_out, overflow, screenshot
from tests.e2e.luck import luck_learner_copy, luck_source
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
COURSE = "intro-data-science"


def test_request_triage_upheld_and_the_learner_sees_the_new_score(
    browser: Any, server: str, settings: Settings, accounts: Store, tmp_path: Path
) -> None:
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {settings.admin_token}"
    assignment = api.post(
        f"{server}/api/v1/assignments",
        data={"course": COURSE, "name": "luck"},
        files={"file": ("luck.ipynb", luck_source())},
    ).json()
    sid = api.post(
        f"{server}/api/v1/assignments/{assignment['id']}/submissions",
        data={"learner": "alice"},
        files={"file": ("luck.ipynb", luck_learner_copy())},
    ).json()["id"]
    worker = start_worker(settings.replace(warm_pool_size=1, warm_pool_reserve=0), tmp_path / "worker.log")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        graded = wait_graded(api, f"{server}/api/v1/submissions/{sid}")
        luck = next(c for c in graded["cells"] if c["grade_id"] == "test_luck")

        # The learner asks from the feedback page.
        log_in(page, server, "alice")
        page.goto(f"{server}/submissions/{sid}")
        page.get_by_label("Test or cell to look at again").select_option("test_luck")
        page.get_by_label("Why should it be regraded?").fill(
            "the same notebook scored differently for a friend"
        )
        page.get_by_role("button", name="Ask for a regrade").click()
        expect(page.locator("#my-requests")).to_contain_text("waiting for staff")
        screenshot(page, "regrade-request-learner")
        log_out(page)

        # The instructor finds it in the queue; the triage shows up without a reload by hand.
        log_in(page, server, "prof")
        page.get_by_role("link", name="Regrade requests").click()
        page.get_by_role("link", name="Answer alice's request on test_luck").click()
        expect(page.locator("#triage-status")).to_contain_text("Nondeterministic test", timeout=240_000)
        expect(page.locator("#triage-runs tbody tr")).to_have_count(3)  # the stored grade and both re-runs
        expect(page.locator("#widen")).to_contain_text("This affects 1 learner")
        screenshot(page, "regrade-request-staff")
        page.get_by_label("Upheld: give the cell a new score").check()
        page.get_by_label("New score for test_luck if upheld (0 to 2 points)").fill("2")
        page.get_by_label("Reason, shown to the learner").fill("the test draws unseeded numbers: full marks")
        page.get_by_role("button", name="Send the answer").click()
        expect(page.locator("#request-status")).to_contain_text("upheld")
        page.set_viewport_size(PHONE)  # the request's page and the queue fit a phone's width
        assert overflow(page) == 0
        page.goto(f"{server}/teach/regrade-requests")
        expect(page.locator("#request-queue-empty")).to_be_visible()
        assert overflow(page) == 0
        log_out(page)

        # The learner reads the answer and the new score.
        log_in(page, server, "alice")
        page.goto(f"{server}/submissions/{sid}")
        expect(page.locator("#my-requests")).to_contain_text("upheld")
        expect(page.locator("#my-requests")).to_contain_text("new score 2 / 2")
        expected = graded["score"] - luck["score"] + 2
        expect(page.locator("#score")).to_have_text(f"{expected:g} / 4")
        assert overflow(page) == 0
        screenshot(page, "regrade-request-answered")
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        context.close()
        worker.terminate()
        worker.wait(timeout=30)
