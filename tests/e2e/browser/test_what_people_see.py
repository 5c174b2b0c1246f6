"""What learners and instructors read on the pages, in a real browser (no worker: the work stays queued).

The exam room's clock is driven on both sides: the server runs on a settable clock, and the
browser's own clock is Playwright's, paused and moved by the test, so the countdown reaches
zero when the test says so and not a second of real waiting is needed. The sweeper is called
directly against the store, as the RQ scheduler would call it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from playwright.sync_api import expect
from werkzeug.serving import make_server

from records.signing import decode_signed, public_keys_from, verify_document
from service.attempts import close_expired
from service.settings import Settings
from store import Store
from tests.builders import report_cell, report_dict
from tests.e2e import faults
from tests.e2e.browser.helpers import log_in, screenshot, wait_until
from tests.exam_bank.bank import as_yaml
from tests.exam_bank.bank import question as param_question
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.notebook_builders import essay_source_bytes, learner_bytes, source_bytes
from tests.web.reports import essay_report

pytestmark = [pytest.mark.browser, pytest.mark.redis]
COURSE = "intro-data-science"
START = datetime.now(UTC).replace(microsecond=0)
DEVICE = START - timedelta(
    hours=3
)  # the learner's device is three hours slow: only the server's clock counts


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
    spec = {
        "title": "Quiz",
        "time_limit_minutes": 30,
        "grace_seconds": 60,
        "requires_proctoring": False,
        "window": {
            "opens": (START - timedelta(hours=1)).isoformat(),
            "closes": (START + timedelta(hours=3)).isoformat(),
        },
        "pools": [
            {
                "name": "only",
                "draw": 1,
                "questions": [{"file": "q1.ipynb", "params": {"k": {"choices": [3]}}}],
            }
        ],
    }
    reply = admin.post(
        f"{server}/api/v1/exams",
        data={"course": COURSE, "name": "quiz"},
        files=[("spec", ("exam.yaml", as_yaml(spec))), ("questions", ("q1.ipynb", param_question(2)))],
    )
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
    page.clock.pause_at(
        DEVICE + timedelta(seconds=1)
    )  # from here the device's time moves only when the test says
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


def test_submitting_the_exam_works_without_javascript(
    browser: Any, server: str, exam_id: str, accounts: Store
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, server, "bob")
        page.get_by_role("link", name="My exams").click()
        page.get_by_role("button", name="Start an attempt").click()
        page.get_by_role("button", name="Submit the exam").click()
        page.get_by_role("button", name="Yes, submit the exam").click()
        page.wait_for_selector("#handed-in")
        assert re.match(
            r"Submitted at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.", page.locator("#handed-in").inner_text()
        )
        assert page.locator("#attempt-state").inner_text() == "handed in, being graded"
    finally:
        context.close()


PROGRAMME = {
    "id": "ds-cert",
    "title": "Data Science Certificate",
    "courses": [
        {
            "course": COURSE,
            "required": True,
            "credits": 4,
            "weights": {"assignments": 1.0, "exam": 0.0},
            "pass_threshold": 60,
        }
    ],
    "policies": {
        "attempts": "best",
        "rounding": 1,
        "letters": [{"letter": "A", "min": 90}, {"letter": "C", "min": 60}],
    },
}


def graded_submission(
    server: str, admin: requests.Session, store: Store, source: bytes, report: dict[str, Any]
) -> str:
    """alice's submission to a new assignment of ``source``, graded with ``report`` as the worker would store it."""
    uploaded = admin.post(
        f"{server}/api/v1/assignments",
        data={"course": COURSE, "name": "hw1"},
        files={"file": ("hw.ipynb", source)},
    )
    assert uploaded.status_code == 201, uploaded.text
    token, _ = store.create_token("learner", "alice", [COURSE])
    submitted = requests.post(
        f"{server}/api/v1/assignments/{uploaded.json()['id']}/submissions",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("hw.ipynb", learner_bytes())},
    )
    assert submitted.status_code == 202, submitted.text
    submission_id = str(submitted.json()["id"])
    store.claim_submission(submission_id)
    assert store.save_grade(submission_id, report, "<h1>Feedback</h1>", {"sandbox_image": "sha256:abc"})
    return submission_id


def verified(download: Any, keys: dict[str, bytes]) -> dict[str, Any]:
    """The downloaded file's signed envelope, once its signature checks out."""
    envelope = decode_signed(Path(download.path()).read_bytes())
    verify_document(envelope, keys)
    return envelope


def test_a_share_link_opens_as_a_readable_record_and_learners_download_their_signed_record(
    browser: Any, server: str, admin: requests.Session, accounts: Store
) -> None:
    created = admin.post(
        f"{server}/api/v1/programmes", files={"spec": ("programme.yaml", yaml.safe_dump(PROGRAMME))}
    )
    assert created.status_code == 201, created.text
    graded_submission(
        server,
        admin,
        accounts,
        source_bytes(),
        report_dict(report_cell("test_answer", 1.5, 2.0, "partial"), score=1.5, max_score=2.0),
    )
    keys = public_keys_from(requests.get(f"{server}/api/v1/records/public-key", timeout=30).content)
    context = browser.new_context(viewport={"width": 1024, "height": 900}, accept_downloads=True)
    page = context.new_page()
    stranger = browser.new_context(viewport={"width": 1024, "height": 900}, accept_downloads=True)
    try:
        log_in(page, server, "alice")
        page.goto(f"{server}/learn/records")
        with page.expect_download() as mine:
            page.get_by_role("link", name="Download my signed record (JSON)").click()
        assert "alice" in json.dumps(verified(mine.value, keys)["document"]["credentialSubject"])
        page.get_by_label("Label for a new link (who it is for)").fill("admissions office")
        page.get_by_role("button", name="Make a share link").click()
        link = page.get_by_label(re.compile("^Share link")).input_value()

        # Someone without an account opens the link in a browser: a page to read, not a file thrown at them.
        reader = stranger.new_page()
        reader.goto(link)
        assert reader.get_by_role("heading", level=1).inner_text() == "Data Science Certificate"
        assert f"{COURSE}\trequired\t4\t75\tC\tpassed" in reader.locator("#courses").inner_text()
        assert "alice" in reader.locator("main").inner_text()
        screenshot(reader, "shared-record")
        with reader.expect_download() as shared:
            reader.get_by_role("link", name="Download the signed record (JSON)").click()
        assert shared.value.suggested_filename == "ds-cert-alice-record.json"
        verified(shared.value, keys)
        # A script still gets the signed JSON at the same address.
        assert decode_signed(requests.get(link, timeout=30).content)["proof"]
    finally:
        stranger.close()
        context.close()


def test_the_hand_grade_form_puts_the_manual_cell_first_and_labels_every_field(
    browser: Any, server: str, admin: requests.Session, accounts: Store
) -> None:
    submission_id = graded_submission(server, admin, accounts, essay_source_bytes(), essay_report())
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    try:
        log_in(page, server, "prof")
        page.goto(f"{server}/submissions/{submission_id}")
        essay = page.get_by_label("Score for essay in hw.ipynb (0 to 5 points)")
        override = page.get_by_label("Score for test_answer in hw.ipynb (0 to 2 points)")
        assert essay.is_visible() and not override.is_visible()  # the override waits, folded
        fields = page.locator("#hand-grading input[name=score]").evaluate_all(
            "inputs => inputs.map(i => i.id)"
        )
        assert fields == ["score-essay", "score-test_answer"]  # the manual cell first
        essay.fill("4")
        page.get_by_label("Reason for the score of essay in hw.ipynb").fill(
            "a clear argument, one step missing"
        )
        page.get_by_role("button", name="Save the score of essay").click()
        expect(page.locator("#score")).to_have_text("6 / 7")  # the page after the save
        page.get_by_text("Override an autograded test (1)").click()
        assert override.is_visible()
        assert page.get_by_label("Reason for the score of test_answer in hw.ipynb").is_visible()
        screenshot(page, "hand-grade")
    finally:
        context.close()
