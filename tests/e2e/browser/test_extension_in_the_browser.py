"""A deadline extension in a real browser: the instructor grants one on the course's deadlines page
(preview of the grade it moves, then grant), the gradebook shows it, and the learner sees their
own deadline and that submitting now is on time.

No worker runs: alice's earlier late work is graded in the store directly, as the worker would.
"""

from __future__ import annotations

from typing import Any

import pytest

from store import Store
from tests.e2e.browser.helpers import PHONE, log_in, log_out, overflow, screenshot
from tests.e2e.browser.test_assignment_life_in_the_browser import late_work  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.redis]


def test_an_instructor_grants_an_extension_and_the_learner_sees_it(
    browser: Any, server: str, accounts: Store, late_work: tuple[str, str]
) -> None:
    assignment_id, submission_id = late_work
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    try:
        log_in(page, server, "prof")
        page.get_by_role("link", name="Deadlines and extensions").click()
        page.get_by_label("Learner", exact=True).fill("alice")
        page.get_by_label("Assignment", exact=True).select_option(label="arrays")
        page.get_by_label("New deadline").fill("2099-01-01T00:00:00Z")
        page.get_by_label("Reason", exact=True).fill("medical note")
        page.get_by_role("button", name="Preview", exact=True).click()
        row = page.locator("#credit-alice")
        assert " ".join(row.inner_text().split()) == "alice arrays late → on time 50% → 100% 1 → 2"
        assert accounts.get_submission(submission_id).score == 1.0  # a preview changes nothing
        screenshot(page, "extension-preview")
        page.get_by_role("button", name="Grant").click()
        page.wait_for_url("**/teach/courses/intro-data-science/extensions#ledger")
        assert "medical note" in page.locator("#ledger-entries").inner_text()
        assert accounts.get_submission(submission_id).score == 2.0
        page.goto(f"{server}/teach/assignments/{assignment_id}/gradebook")
        assert "2099-01-01 00:00 UTC" in page.locator("#deadline-alice").inner_text()
        log_out(page)

        context.close()
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        log_in(page, server, "alice")
        page.goto(f"{server}/learn/assignments/{assignment_id}")
        assert "your deadline: 2099-01-01 00:00 UTC" in page.locator("#my-due").inner_text()
        assert page.locator("#submit-now").inner_text().startswith("Submitting now: on time")
        assert overflow(page) == 0
        screenshot(page, "learner-extended-deadline")
        log_out(page)

        page.goto(f"{server}/login")
        log_in(page, server, "bob")
        page.goto(f"{server}/learn/assignments/{assignment_id}")
        assert page.locator("#submit-now").inner_text() == "Submitting now: 50% credit"
    finally:
        context.close()
