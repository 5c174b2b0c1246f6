"""Phone-sized screens and the keyboard, in a real browser (no worker needed: the work stays queued)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES
from tests.e2e.browser.helpers import PASSWORD, PHONE, log_in, overflow, screenshot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.redis]
SOURCE = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"


@pytest.fixture
def assignment_id(server: str, settings: Settings, accounts: Store) -> str:
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {settings.admin_token}"
    reply = api.post(
        f"{server}/api/v1/assignments",
        data={"course": "intro-data-science", "name": "arrays", "due": "2030-03-01T12:00:00Z"},
        files={"file": (SOURCE.name, SOURCE.read_bytes())},
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def test_the_learner_pages_fit_a_phone_screen(browser: Any, server: str, assignment_id: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        log_in(page, server, "alice")
        assert page.url.endswith("/learn/")
        assert overflow(page) == 0
        screenshot(page, "phone-learner-home")
        page.goto(f"{server}/learn/assignments/{assignment_id}")
        assert overflow(page) == 0
        page.get_by_label("Your notebook (.ipynb or .zip)").set_input_files(
            str(EXAMPLES / "submissions" / "alice" / "arrays.ipynb")
        )
        page.get_by_role("button", name="Submit").click()
        page.wait_for_selector("#status [data-status]")
        assert overflow(page) == 0
        screenshot(page, "phone-submission")
    finally:
        context.close()


def test_log_in_and_submit_with_the_keyboard_alone(browser: Any, server: str, assignment_id: str) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{server}/login")
        # The name field takes focus by itself (autofocus), but Chromium applies autofocus at its
        # next rendering step, which may come after the load event: typing before it is lost.
        wait_until(page, "document.activeElement && document.activeElement.id === 'name'")
        page.keyboard.type("alice")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/learn/")
        page.goto(f"{server}/learn/assignments/{assignment_id}")
        for _ in range(30):  # Tab until the file field has focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "file":
                break
        assert page.evaluate("document.activeElement.id") == "file"
        # Space on the field opens the browser's own file dialog, which is the browser's part,
        # not the page's, and headless Chromium does not always hand it to Playwright (a CI run
        # waited 30 s for it in vain). So the file is put in the focused field directly, and
        # everything the page is responsible for, the focus order and submitting with a key,
        # stays driven by the keyboard.
        page.locator("#file").set_input_files(str(EXAMPLES / "submissions" / "alice" / "arrays.ipynb"))
        assert page.evaluate("document.activeElement.id") == "file"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "submit-button"
        page.keyboard.press("Enter")
        page.wait_for_selector('#status [data-status="queued"]')
        assert "/submissions/" in page.url
    finally:
        context.close()


def test_an_instructor_uploads_an_assignment_with_the_keyboard(
    browser: Any, server: str, accounts: Store
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        log_in(page, server, "prof")
        page.goto(f"{server}/teach/")
        for _ in range(30):  # Tab until the upload form's first field has focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "course":
                break
        typed = {
            "course": "intro-data-science",
            "name": "arrays-by-keyboard",
            "due": "2030-03-01T12:00:00Z",
            "late_policy": '[{"after": "2030-03-02T12:00:00Z", "credit": 50}]',
        }
        for field, text in typed.items():  # the fields come in the order they are read
            assert page.evaluate("document.activeElement.id") == field
            page.keyboard.type(text)
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "file"
        page.locator("#file").set_input_files(str(SOURCE))  # the file dialog is the browser's (see above)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Upload"
        page.keyboard.press("Enter")
        page.wait_for_selector("#rubric")
        assert "arrays-by-keyboard" in page.locator("h1").inner_text()
    finally:
        context.close()


def test_a_wrong_password_is_refused_in_the_browser(browser: Any, server: str, accounts: Store) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{server}/learn/")
        assert "/login?next=" in page.url
        page.get_by_label("Name").fill("alice")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        assert page.get_by_role("alert").inner_text() == "wrong name or password"
        assert "/login" in page.url
    finally:
        page.close()
