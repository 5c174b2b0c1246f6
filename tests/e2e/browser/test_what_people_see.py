"""What learners and instructors read on the pages, in a real browser (no worker: the work stays queued).

The exam room's clock is driven on both sides: the server runs on a settable clock, and the
browser's own clock is Playwright's, paused and moved by the test, so the countdown reaches
zero when the test says so and not a second of real waiting is needed. The sweeper is called
directly against the store, as the RQ scheduler would call it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from autograde.settings import Settings
from store import Store
from tests.e2e import faults
from tests.e2e.browser.helpers import log_in, screenshot, wait_until
from tests.exam_bank.bank import as_yaml
from tests.exam_bank.bank import question as param_question
from tests.web.fakes import FakeClock, FakeEnqueuer
from worker.attempts import close_expired

pytestmark = [pytest.mark.browser, pytest.mark.redis]
COURSE = "intro-data-science"
START = datetime.now(UTC).replace(microsecond=0)
DEVICE = START - timedelta(hours=3)  # the learner's device is three hours slow: only the server's clock counts


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def server(settings: Settings, clock: FakeClock) -> Iterator[str]:
    """The real app over HTTP, as in tests/e2e/conftest.py, but on a clock the test moves."""
    from web.app import create_app

    httpd = make_server("127.0.0.1", 0, create_app(settings, clock=clock), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture
def admin(server: str, settings: Settings) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {settings.admin_token}"
    return session


@pytest.fixture
def exam_id(server: str, admin: requests.Session, accounts: Store) -> str:
    """A one-question, unproctored exam of 30 minutes with a minute's grace, open around START."""
    spec = {"title": "Quiz", "time_limit_minutes": 30, "grace_seconds": 60, "requires_proctoring": False,
            "window": {"opens": (START - timedelta(hours=1)).isoformat(), "closes": (START + timedelta(hours=3)).isoformat()},
            "pools": [{"name": "only", "draw": 1, "questions": [{"file": "q1.ipynb", "params": {"k": {"choices": [3]}}}]}]}  # fmt: skip
    reply = admin.post(f"{server}/api/v1/exams", data={"course": COURSE, "name": "quiz"},
                       files=[("spec", ("exam.yaml", as_yaml(spec))), ("questions", ("q1.ipynb", param_question(2)))])
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def visible(page: Any, selector: str) -> bool:
    return bool(page.evaluate(f"!document.querySelector({selector!r}).hidden"))


def test_the_exam_room_asks_before_submitting_and_says_when_time_is_up(
    browser: Any, server: str, exam_id: str, accounts: Store, clock: FakeClock
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.clock.install(time=DEVICE)
    page.clock.pause_at(DEVICE + timedelta(seconds=1))  # from here the device's time moves only when the test says
    device = DEVICE + timedelta(seconds=1)
    try:
        log_in(page, server, "alice")
        page.get_by_role("link", name="My exams").click()
        page.get_by_role("button", name="Start an attempt").click()
        page.wait_for_selector("#countdown")
        room = page.url
        assert page.locator("#countdown").inner_text() == "30:00" and not visible(page, "#time-up")

        # Submitting asks first, and going back changes nothing.
        page.get_by_role("button", name="Submit the exam").click()
        page.wait_for_selector("#confirm")
        assert page.get_by_role("heading", level=1).inner_text() == "Submit the exam now?"
        assert "0 of 1 question saved" in page.locator("#confirm").inner_text()
        screenshot(page, "exam-submit-confirm")
        page.get_by_role("link", name="Back to the exam").click()
        page.wait_for_url(room)
        assert page.locator("#attempt-state").inner_text() == "in progress"

        # The countdown reaches zero: time is up, and the grace left is shown, counting down.
        clock.advance(minutes=30, seconds=10)
        device += timedelta(minutes=30, seconds=10)
        page.clock.pause_at(device)
        wait_until(page, "!document.getElementById('time-up').hidden")
        assert page.locator("#countdown").inner_text() == "00:00"
        assert page.locator("#grace-left").inner_text() == "50 s"
        assert visible(page, "#grace-open") and not visible(page, "#grace-over")
        screenshot(page, "exam-time-up")
        clock.advance(seconds=60)
        device += timedelta(seconds=60)
        page.clock.pause_at(device)
        wait_until(page, "!document.getElementById('grace-over').hidden")
        assert "handed in for you automatically" in page.locator("#grace-over").inner_text()

        # The sweeper hands the saved work in; the open room notices and says so in words.
        assert close_expired(accounts, FakeEnqueuer(), clock()) == [room.rsplit("/", 1)[1]]

        def handed_in() -> bool:
            page.clock.run_for(10_000)  # the room asks the server's clock every 10 s
            return page.locator("#handed-in").count() > 0

        faults.wait_until(handed_in, 30, "the room reloads once the attempt is handed in", every=0.2)
        text = page.locator("main").inner_text()
        assert "Time ran out before you submitted" in page.locator("#handed-in").inner_text()
        assert "Submitted at" not in text
        assert page.locator("#attempt-state").inner_text() == "handed in, being graded"
        screenshot(page, "exam-handed-in-automatically")
        page.goto(f"{server}/learn/exams")
        assert "Attempt 1: handed in, being graded" in page.locator("#my-exams").inner_text()
    finally:
        context.close()


def test_submitting_the_exam_works_without_javascript(browser: Any, server: str, exam_id: str, accounts: Store) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, server, "bob")
        page.get_by_role("link", name="My exams").click()
        page.get_by_role("button", name="Start an attempt").click()
        page.get_by_role("button", name="Submit the exam").click()
        page.get_by_role("button", name="Yes, submit the exam").click()
        page.wait_for_selector("#handed-in")
        assert re.match(r"Submitted at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.", page.locator("#handed-in").inner_text())
        assert page.locator("#attempt-state").inner_text() == "handed in, being graded"
    finally:
        context.close()
