"""In a real browser against the real app and a real worker: an instructor uploads an assignment,
a learner submits and watches it go from queued to graded, and the instructor sees it in the gradebook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES
from tests.e2e.browser.helpers import PHONE, log_in, log_out, overflow, screenshot
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
COURSE = "intro-data-science"
MANIFEST = json.loads((EXAMPLES / "course.json").read_text())
OTHERS = ("bob", "carol", "erin")  # submitted through the API, so the chart has a spread


def expected(learner: str) -> dict[str, Any]:
    return next(
        s["expect"]
        for s in MANIFEST["submissions"]
        if s["learner"] == learner and s["assignment"] == "arrays"
    )


def test_upload_submit_feedback_and_gradebook_in_chromium(
    browser: Any, server: str, settings: Settings, accounts: Store, tmp_path: Path
) -> None:
    worker = start_worker(settings, tmp_path / "worker.log")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # The instructor uploads the source notebook and sees the rubric it yields.
        log_in(page, server, "prof")
        screenshot(page, "courses")
        page.get_by_label("Course").fill(COURSE)
        page.get_by_label("Assignment name").fill("arrays")
        page.get_by_label("Source notebook or zip").set_input_files(
            str(EXAMPLES / "assignments" / "arrays" / "arrays.ipynb")
        )
        page.get_by_role("button", name="Upload").click()
        page.wait_for_selector("#rubric")
        assignment_id = page.url.rstrip("/").rsplit("/", 1)[1]
        rubric = page.locator("#rubric tbody tr")
        assert rubric.count() == len(accounts.get_assignment(assignment_id).rubric) > 0
        log_out(page)

        # A learner submits and watches the status go from queued to graded without reloading by hand.
        log_in(page, server, "alice")
        page.get_by_role("link", name="arrays").click()
        page.get_by_label("Your notebook (.ipynb or .zip)").set_input_files(
            str(EXAMPLES / "submissions" / "alice" / "arrays.ipynb")
        )
        page.get_by_role("button", name="Submit").click()
        page.wait_for_selector("#status [data-status]")
        page.wait_for_selector('#status [data-status="graded"]', timeout=180_000)
        score = expected("alice")
        assert page.locator("#score").inner_text() == f"{score['score']:g} / {score['max_score']:g}"
        assert page.locator("#cells tbody tr").count() > 0
        assert "BEGIN HIDDEN TESTS" not in page.content()
        page.frame_locator("iframe.feedback").locator("body").wait_for()
        screenshot(page, "submission")

        # Others submit through the API meanwhile; the instructor's table and chart show everyone.
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {settings.admin_token}"
        urls = []
        for learner in OTHERS:
            path = EXAMPLES / "submissions" / learner / "arrays.ipynb"
            reply = api.post(
                f"{server}/api/v1/assignments/{assignment_id}/submissions",
                data={"learner": learner},
                files={"file": (path.name, path.read_bytes())},
            )
            assert reply.status_code == 202, reply.text
            urls.append(server + reply.json()["url"])
        page.goto(f"{server}/learn/")
        screenshot(page, "learner-home")
        log_out(page)

        log_in(page, server, "prof")
        page.goto(f"{server}/teach/assignments/{assignment_id}")
        page.wait_for_selector("#submissions tbody tr[data-submission]")
        for url in urls:
            assert wait_graded(api, url)["status"] == "graded"
        expect(page.locator("#submissions .status-graded")).to_have_count(
            1 + len(OTHERS), timeout=30_000
        )  # no reload
        screenshot(page, "assignment")

        page.get_by_role("link", name="Gradebook").click()
        chart = page.locator("#score-chart")
        chart.wait_for()
        counts = [
            int(c) for c in chart.locator("g.bin").evaluate_all("bins => bins.map(b => b.dataset.count)")
        ]
        assert sum(counts) == 1 + len(OTHERS)
        assert page.locator("#learners tbody tr").count() == 1 + len(OTHERS)
        assert page.locator("#pass-rates tbody tr").count() > 0
        screenshot(page, "gradebook")
        # The instructor's pages fit a phone's width too: wide tables scroll inside their box.
        gradebook = page.url
        page.set_viewport_size(PHONE)
        for url in (f"{server}/teach/", f"{server}/teach/assignments/{assignment_id}", gradebook):
            page.goto(url)
            assert overflow(page) == 0, url
        screenshot(page, "phone-gradebook")
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        context.close()
        worker.terminate()
        worker.wait(timeout=30)
