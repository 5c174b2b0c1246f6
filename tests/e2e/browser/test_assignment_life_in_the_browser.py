"""An assignment's life on the instructor's pages, in a real browser: change its terms (preview,
then apply), regrade it (compare, accept) and retire it; the learner then finds it closed.

No worker runs: the regrade run's re-runs stay queued, and their results are put in the
store directly, as the worker would (``save_regrade_result``).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES
from tests.e2e.browser.helpers import PHONE, log_in, log_out, overflow, screenshot, wait_until
from tests.web.reports import report

pytestmark = [pytest.mark.browser, pytest.mark.redis]
SOURCE = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
WORK = EXAMPLES / "submissions" / "alice" / "arrays.ipynb"


@pytest.fixture
def late_work(server: str, settings: Settings, accounts: Store) -> tuple[str, str]:
    """An assignment due long ago (half credit a day after), and alice's work for it graded 2 raw points."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {settings.admin_token}"
    created = api.post(
        f"{server}/api/v1/assignments",
        files={"file": (SOURCE.name, SOURCE.read_bytes())},
        data={
            "course": "intro-data-science",
            "name": "arrays",
            "due": "2024-01-01T00:00:00Z",
            "late_policy": '[{"after": "2024-01-02T00:00:00Z", "credit": 50}]',
        },
    )
    assert created.status_code == 201, created.text
    assignment_id = str(created.json()["id"])
    sent = api.post(
        f"{server}/api/v1/assignments/{assignment_id}/submissions",
        data={"learner": "alice"},
        files={"file": (WORK.name, WORK.read_bytes())},
    )
    assert sent.status_code == 202, sent.text
    submission_id = str(sent.json()["id"])
    accounts.claim_submission(submission_id)
    assert accounts.save_grade(submission_id, report(2.0), "<p class='badge'>Score: 2 / 2</p>", {})
    assert accounts.get_submission(submission_id).score == 1.0  # late: half the credit
    return assignment_id, submission_id


def test_an_instructor_changes_regrades_and_retires_an_assignment_in_the_browser(
    browser: Any, server: str, accounts: Store, late_work: tuple[str, str]
) -> None:
    assignment_id, submission_id = late_work
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    try:
        log_in(page, server, "prof")
        page.get_by_role("link", name="arrays").click()
        assert page.locator("h1").inner_text() == "arrays"

        # the terms: a later due date and no late policy, previewed, then applied
        page.get_by_label("Due (ISO 8601").fill("2099-01-01T00:00:00Z")
        page.get_by_label("Late policy (JSON").fill("")
        page.locator("#reason").fill("the deadline moved for everyone")
        page.get_by_role("button", name="Preview the change").click()
        row = page.locator("#credit-alice")
        assert " ".join(row.inner_text().split()) == "alice late → on time 50% → 100% 1 → 2"
        assert accounts.get_submission(submission_id).score == 1.0  # a preview changes nothing
        screenshot(page, "assignment-terms-preview")
        page.get_by_role("button", name="Apply the change").click()
        page.wait_for_url(f"**/teach/assignments/{assignment_id}#history")
        history = page.locator("#history").inner_text()
        assert "the deadline moved for everyone" in history and "alice: 1 → 2" in history
        assert accounts.get_submission(submission_id).score == 2.0

        # an assignment-wide regrade run with a fixed source: compare, then accept
        page.locator("#regrade-reason").fill("a test was too strict")
        page.locator("#regrade-file").set_input_files(str(SOURCE))
        page.get_by_role("button", name="Start the regrade run").click()
        page.wait_for_url("**/teach/regrades/*")
        assert page.locator("#run-progress").inner_text() == "0 of 1"
        assert page.locator("#accept-form").count() == 0
        run_id = page.url.rsplit("/", 1)[1]
        accounts.save_regrade_result(
            run_id, submission_id, report(1.5), "<p class='badge'>Score: 1.5 / 2</p>", {}, None
        )
        page.locator(
            "#accept-form"
        ).wait_for()  # the rows were polled, and the page reloaded once all were done
        assert " ".join(page.locator("#run-alice").inner_text().split()) == "alice graded 2 1.5 -0.5"
        screenshot(page, "regrade-run-compare")
        page.get_by_role("button", name="Accept the new scores").click()
        wait_until(page, "document.querySelector('#run-status').textContent.includes('accepted')")
        assert accounts.get_submission(submission_id).score == 1.5

        # retiring: refused until the box is ticked (the browser says so), then the assignment is closed
        page.goto(f"{server}/teach/assignments/{assignment_id}")
        page.locator("#retire-reason").fill("replaced by arrays-2")
        page.get_by_role("button", name="Retire this assignment").click()
        assert page.evaluate("document.querySelector('#retire-confirm').validity.valueMissing")
        page.get_by_label("Stop taking submissions for arrays").check()
        page.get_by_role("button", name="Retire this assignment").click()
        page.wait_for_url(f"**/teach/assignments/{assignment_id}#history")
        assert "Retired" in page.locator(".facts").inner_text()
        assert page.locator("#terms-form").count() == 0 and page.locator("#retire-form").count() == 0
        screenshot(page, "assignment-retired")
        log_out(page)

        log_in(page, server, "alice")
        page.goto(f"{server}/learn/assignments/{assignment_id}")
        assert "no longer takes submissions" in page.locator("#retired").inner_text()
        assert page.locator("#submit-form").count() == 0
    finally:
        context.close()


def test_the_assignment_and_preview_pages_fit_a_phone_screen(
    browser: Any, server: str, late_work: tuple[str, str]
) -> None:
    assignment_id, _ = late_work
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        log_in(page, server, "prof")
        page.goto(f"{server}/teach/assignments/{assignment_id}")
        assert overflow(page) == 0
        page.get_by_label("Due (ISO 8601").fill("2099-01-01T00:00:00Z")
        page.get_by_label("Late policy (JSON").fill("")
        page.locator("#reason").fill("moved")
        page.get_by_role("button", name="Preview the change").click()
        page.locator("#credit-alice").wait_for()
        assert overflow(page) == 0
        screenshot(page, "phone-assignment-terms-preview")
    finally:
        context.close()
