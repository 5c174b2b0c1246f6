"""An exam from upload to verified credit, in a real browser against the real app and a real worker:
the instructor uploads it, a learner sits it in the exam room and submits, the worker grades it, the
instructor verifies it from the review queue, and the programme record shows it."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from service.settings import Settings
from store import Store
from tests.e2e.browser.helpers import log_in, log_out, screenshot, wait_until
from tests.e2e.services import start_worker
from tests.exam_bank.bank import as_yaml
from tests.exam_bank.bank import question as param_question

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
COURSE = "intro-data-science"
PROGRAMME = {
    "id": "ds-cert",
    "title": "Data Science Certificate",
    "courses": [
        {
            "course": COURSE,
            "required": True,
            "credits": 4,
            "weights": {"assignments": 0.0, "exam": 1.0},
            "pass_threshold": 60,
            "requires_verified_exam": True,
        }
    ],
    "policies": {"attempts": "best", "rounding": 1},
}


SECONDS_LEFT = (
    "document.getElementById('countdown').textContent.split(':').reduce((a, x) => a * 60 + Number(x), 0)"
)


def countdown_seconds(page: Any) -> int:
    """What the room's countdown shows, in seconds, once its script has taken over from the page's text."""
    wait_until(page, "document.getElementById('countdown').textContent.includes(':')")
    return int(page.evaluate(SECONDS_LEFT))


def exam_files(folder: Path) -> tuple[Path, Path]:
    """A proctored one-question exam whose window is open now (by the real clock the server uses)."""
    now = time.time()
    stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    spec = {
        "title": "Midterm",
        "time_limit_minutes": 30,
        "requires_proctoring": True,
        "window": {"opens": stamp(now - 60), "closes": stamp(now + 7200)},
        "pools": [
            {
                "name": "only",
                "draw": 1,
                "questions": [{"file": "q1.ipynb", "params": {"k": {"choices": [3]}}}],
            }
        ],
    }
    (folder / "exam.yaml").write_text(as_yaml(spec))
    (folder / "q1.ipynb").write_bytes(param_question(2))
    return folder / "exam.yaml", folder / "q1.ipynb"


def test_an_exam_from_upload_to_verified_in_the_review_queue(
    browser: Any, server: str, settings: Settings, accounts: Store, tmp_path: Path
) -> None:
    worker = start_worker(settings.replace(warm_pool_size=1, warm_pool_reserve=0), tmp_path / "worker.log")
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {settings.admin_token}"
    created = admin.post(
        f"{server}/api/v1/programmes", files={"spec": ("programme.yaml", yaml.safe_dump(PROGRAMME))}
    )
    assert created.status_code == 201, created.text
    spec, question = exam_files(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # The instructor uploads the exam: its rules and pools are shown.
        log_in(page, server, "prof")
        page.get_by_role("link", name=f"Exams and accommodations of {COURSE}").click()
        page.get_by_label("Exam name").fill("midterm")
        page.get_by_label("Exam spec").set_input_files(str(spec))
        page.get_by_label("Question notebooks").set_input_files(str(question))
        page.get_by_role("button", name="Upload the exam").click()
        page.wait_for_selector("#pools")
        exam_url = page.url
        log_out(page)

        page.clock.install(time=datetime.now(UTC) - timedelta(hours=3))
        # A learner starts an attempt, saves the released question as their answer, and submits.
        log_in(page, server, "alice")
        page.get_by_role("link", name="My exams").click()
        page.get_by_role("button", name="Start an attempt").click()
        page.wait_for_selector("#countdown")
        # The countdown goes by the server's clock, not the device's (three hours slow here), and
        # an extension granted during the attempt shows in the open room without a reload.
        assert 29 * 60 <= countdown_seconds(page) <= 30 * 60
        extended = admin.post(
            f"{server}/api/v1/attempts/{page.url.rsplit('/', 1)[1]}/extend",
            json={"minutes": 45, "reason": "accommodation: extra time"},
        )
        assert extended.status_code == 200, extended.text
        wait_until(page, f"({SECONDS_LEFT}) >= 74 * 60")
        assert countdown_seconds(page) <= 75 * 60
        released = page.request.get(
            server + (page.get_by_role("link", name="Download").get_attribute("href") or "")
        )
        page.get_by_label(re.compile("^My answer to")).set_input_files(
            {"name": "answer.ipynb", "mimeType": "application/x-ipynb+json", "buffer": released.body()}
        )
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector(
            r"text=/^saved \d\d:\d\d:\d\d UTC$/"
        )  # the answer's saved time, not the hidden time-up words
        page.get_by_role("button", name="Submit the exam").click()
        page.get_by_role("button", name="Yes, submit the exam").click()  # it asks first
        page.wait_for_selector("text=Submitted at")
        log_out(page)

        # Graded by the worker, the proctored attempt waits in the review queue until verified.
        log_in(page, server, "prof")
        page.get_by_role("link", name="Review queue").click()
        deadline = time.monotonic() + 180
        while page.locator("#queue tbody tr").count() == 0:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(1)
            page.reload()
        assert "graded" in page.locator("#queue").inner_text()
        screenshot(page, "review-queue")
        page.get_by_role("link", name="Review attempt 1 of alice").click()
        page.get_by_label("Decision", exact=True).select_option("verify")
        page.get_by_label("Reason", exact=True).fill("recording reviewed: nothing of note")
        page.get_by_role("button", name="Record the decision").click()
        page.wait_for_selector("text=Nothing is waiting for review")

        page.goto(exam_url)
        assert "verified" in page.locator("#attempts").inner_text()
        screenshot(page, "exam")
        page.goto(f"{server}/teach/programmes/ds-cert/records/alice")
        assert "hash chain verified" in page.locator("#chain").inner_text()
        assert "(verified)" in page.locator("#explanation").inner_text()
        screenshot(page, "programme-record")
        log_out(page)

        # The learner reads the record and shares it: the link works for anyone until revoked.
        log_in(page, server, "alice")
        page.get_by_role("link", name="My records").click()
        assert "(verified)" in page.locator(".explanation").first.inner_text()
        page.get_by_label("Label for a new link (who it is for)").fill("admissions office")
        page.get_by_role("button", name="Make a share link").click()
        link = page.get_by_label(re.compile("^Share link")).input_value()
        assert requests.get(link, timeout=30).status_code == 200  # no session: the link alone
        screenshot(page, "learner-records")
        page.goto(f"{server}/learn/records")
        assert "1 time" in page.locator("table").inner_text()
        page.get_by_role("button", name="Revoke").click()
        assert "revoked" in page.locator("table").inner_text()
        assert requests.get(link, timeout=30).status_code == 404
    finally:
        context.close()
        worker.terminate()
        worker.wait(timeout=60)
