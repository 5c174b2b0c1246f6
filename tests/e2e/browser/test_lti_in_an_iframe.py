"""An LMS course page frames the tool: the launch runs inside the iframe and lands the learner on the assignment.

The LMS is the joserfc simulator (tests/lti/simulator.py) on its own port; its course page
posts the OIDC login into an iframe, its authorisation endpoint answers with the auto-posted
``id_token``, and the tool's pages must then render inside that frame, which their
``frame-ancestors`` allows for registered platforms only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from service.settings import Settings
from tests.conftest import EXAMPLES
from tests.e2e.browser.helpers import screenshot
from tests.lti.simulator import Platform

pytestmark = [pytest.mark.browser, pytest.mark.redis]
SOURCE = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
COURSE = "intro-data-science"


@pytest.fixture
def lms(server: str, settings: Settings) -> Iterator[tuple[Platform, str]]:
    platform = Platform().start()
    platform.tool_url = server
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {settings.admin_token}"
    reply = api.post(
        f"{server}/api/v1/assignments",
        data={"course": COURSE, "name": "arrays"},
        files={"file": (SOURCE.name, SOURCE.read_bytes())},
    )
    assert reply.status_code == 201, reply.text
    registered = api.post(f"{server}/api/v1/lti/registrations", json=platform.registration(courses=(COURSE,)))
    assert registered.status_code == 201, registered.text
    platform.browser_launch = {"custom": {"assignment_id": reply.json()["id"]}, "sub": "learner-in-frame"}
    yield platform, str(reply.json()["id"])
    platform.stop()


def test_the_lms_page_launches_the_tool_in_an_iframe_onto_the_assignment(
    browser: Any, lms: tuple[Platform, str], server: str
) -> None:
    platform, assignment_id = lms
    page = browser.new_page()
    page.goto(f"{platform.issuer}/course")
    # Playwright's view of the frame, not the page's script: once the frame is on the tool's
    # origin, the LMS page may no longer read its location (a cross-origin SecurityError).
    frame = page.frame(name="tool")
    for _ in range(150):
        frame = page.frame(name="tool")
        if frame is not None and frame.url not in ("", "about:blank"):
            break
        page.wait_for_timeout(100)
    assert frame is not None
    frame.wait_for_url(f"{server}/learn/assignments/{assignment_id}", timeout=15000)
    frame.wait_for_selector("input[type=file]", timeout=15000)
    assert "arrays" in frame.content()
    screenshot(page, "lti-launch-in-an-iframe")
    page.close()


def framed_login_form(browser: Any, platform: Platform, server: str) -> bool:
    """Whether the tool's login page, framed by ``platform``'s course page, shows its form."""
    platform.tool_url, platform.frame_src = server, f"{server}/login"
    page = browser.new_page()
    try:
        page.goto(f"{platform.issuer}/course")
        page.wait_for_timeout(1500)
        frame = page.frame(name="tool")
        assert frame is not None
        return bool(frame.query_selector("input[type=password]"))
    finally:
        page.close()


def test_only_registered_platforms_may_frame_the_pages(
    browser: Any, lms: tuple[Platform, str], server: str
) -> None:
    registered, _ = lms
    stranger = Platform().start()  # never registered
    try:
        assert framed_login_form(browser, registered, server)
        assert not framed_login_form(browser, stranger, server)
    finally:
        stranger.stop()


def test_deep_linking_three_times_in_the_frame_makes_three_links_and_one_line_item(
    browser: Any, lms: tuple[Platform, str], server: str
) -> None:
    """The chooser and the self-posting answer run in a real browser, under their own CSP."""
    platform, _ = lms
    platform.tool_keys = requests.get(f"{server}/lti/jwks", timeout=10).json()
    platform.browser_deep_link = True
    for placed in range(1, 4):
        page = browser.new_page()
        page.goto(f"{platform.issuer}/course")
        frame = None
        for _ in range(150):  # Playwright's view of the frame, as above
            frame = page.frame(name="tool")
            if frame is not None and frame.url == f"{server}/lti/launch":
                break
            page.wait_for_timeout(100)
        assert frame is not None
        frame.wait_for_selector("button[name=item]", timeout=15000)  # the chooser, rendered by the launch
        frame.click("button[name=item]")
        frame.wait_for_url(f"{platform.issuer}/deep_link_return", timeout=15000)
        assert "Saved." in frame.content()
        if placed == 1:
            screenshot(page, "lti-deep-linking-saved")
        page.close()
    assert platform.deep_link_refusals == []
    assert len(platform.links) == 3 and len(platform.line_items) == 1
