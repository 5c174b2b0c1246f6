"""A whole term in a real browser, against the real app and a real worker (issue 25).

An instructor uploads an assignment with an essay a person grades and tests the machine
runs; learners submit (one through the page, others through the API) and the worker grades
them; the instructor grades the essay by hand, then regrades everyone against a fixed source
sent under another file name, compares and accepts. The hand grade and the notebook's name
survive; an admin creates a programme after all this, and the learner's record shows the
grade, and their signed record verifies against the published key.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests
import yaml
from playwright.sync_api import expect

from grader.cells import grade_id_of
from grader.errors import RecordVerificationFailed
from records.signing import decode_signed, public_keys_from, verify_document
from service.settings import Settings
from store import Store
from tests.builders import make_answer_cell, make_manual_cell, make_notebook, make_test_cell, to_bytes
from tests.e2e.browser.helpers import PASSWORD, log_in, log_out, screenshot
from tests.e2e.services import start_worker, wait_graded
from tests.web.notebook_builders import HIDDEN_TEST, SOLUTION, VISIBLE_TEST

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
COURSE = "intro-data-science"
ASSIGNMENT = "week-3"
NOTEBOOK = "week3.ipynb"  # not the assignment's name, so a download named after either is told apart
FIXED_NAME = "week3-fixed.ipynb"
ESSAY = f"essay in {NOTEBOOK}"
WRONG_TYPE_TEST = "assert isinstance(answer(), str)\n"  # the mistake: every right answer fails it
FIXED_TYPE_TEST = "assert isinstance(answer(), int)\n"
OTHERS = {"bob": SOLUTION, "carol": "def answer():\n    return 41"}  # submitted through the API
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
    "policies": {"attempts": "latest", "rounding": 1},
}


def source(type_test: str) -> bytes:
    """The instructor's notebook: an answer, two tests (2 and 1 points) and an essay worth 5 that a person grades."""
    return to_bytes(
        make_notebook(
            make_answer_cell("answer", SOLUTION),
            make_test_cell("test_answer", VISIBLE_TEST + HIDDEN_TEST, points=2),
            make_test_cell("test_type", type_test, points=1),
            make_manual_cell("essay", points=5),
        )
    )


def filled(release: bytes, answer: str, essay: str = "YOUR ANSWER HERE") -> bytes:
    """The downloaded release with a learner's answer and essay typed in."""
    nb = nbformat.reads(release.decode(), as_version=4)
    for cell in nb.cells:
        cell.source = {"answer": answer, "essay": essay}.get(grade_id_of(cell) or "", cell.source)
    return nbformat.writes(nb).encode()


def upload(name: str, data: bytes, mime: str = "application/x-ipynb+json") -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def download(page: Any, link: str) -> tuple[str, bytes]:
    """Click a download link; the file's suggested name and its bytes."""
    with page.expect_download() as started:
        page.get_by_role("link", name=link, exact=True).click()
    return started.value.suggested_filename, Path(started.value.path()).read_bytes()


def test_a_term_from_upload_to_a_verified_programme_record_in_chromium(
    browser: Any, server: str, settings: Settings, accounts: Store, tmp_path: Path
) -> None:
    accounts.create_account("admin", "dean", PASSWORD, None)
    worker = start_worker(settings, tmp_path / "worker.log")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {settings.admin_token}"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        # The instructor uploads the source: its rubric has the essay as a manual cell.
        log_in(page, server, "prof")
        page.get_by_label("Course").fill(COURSE)
        page.get_by_label("Assignment name").fill(ASSIGNMENT)
        page.get_by_label("Source notebook or zip").set_input_files(upload(NOTEBOOK, source(WRONG_TYPE_TEST)))
        page.get_by_role("button", name="Upload").click()
        page.wait_for_selector("#rubric")
        assignment_id = page.url.rstrip("/").rsplit("/", 1)[1]
        assert " ".join(page.locator("#rubric").inner_text().split()).endswith(f"{NOTEBOOK} essay manual 5")
        screenshot(page, "term-1-uploaded")
        log_out(page)

        # alice downloads the notebook, fills it in and submits it on the page; the worker grades it.
        log_in(page, server, "alice")
        page.get_by_role("link", name=ASSIGNMENT).click()
        name, release = download(page, "Download the notebook")
        assert name == NOTEBOOK
        essay = "The answer is 42 because the question says so."
        page.get_by_label("Your notebook (.ipynb or .zip)").set_input_files(
            upload(NOTEBOOK, filled(release, SOLUTION, essay))
        )
        page.get_by_role("button", name="Submit").click()
        expect(page.locator("#score")).to_have_text(
            "2 / 8", timeout=180_000
        )  # test_type is wrong for everyone
        screenshot(page, "term-2-learner-graded")
        log_out(page)

        urls = []
        for learner, answer in OTHERS.items():
            sent = api.post(
                f"{server}/api/v1/assignments/{assignment_id}/submissions",
                data={"learner": learner},
                files={"file": (NOTEBOOK, filled(release, answer))},
            )
            assert sent.status_code == 202, sent.text
            urls.append(server + sent.json()["url"])
        for url in urls:
            assert wait_graded(api, url)["status"] == "graded", (tmp_path / "worker.log").read_text()[-3000:]

        # The instructor grades alice's essay by hand on her submission's page.
        log_in(page, server, "prof")
        page.goto(f"{server}/teach/assignments/{assignment_id}")
        expect(page.locator("#submissions .status-graded")).to_have_count(1 + len(OTHERS), timeout=30_000)
        page.locator("#submissions").get_by_role("link", name="alice", exact=True).click()
        page.get_by_label(f"Score for {ESSAY} (0 to 5 points)").fill("4")
        page.get_by_label(f"Reason for the score of {ESSAY}").fill("clear, but the reasoning skips a step")
        page.get_by_role("button", name="Save the score of essay").click()
        expect(page.locator("#score")).to_have_text("6 / 8")
        expect(page.locator("#hand-grading form.hand-grade").first).to_contain_text("Now 4 of 5 points")
        screenshot(page, "term-3-hand-graded")

        # A regrade run against the fixed source, sent under a new file name: compare, then accept.
        page.goto(f"{server}/teach/assignments/{assignment_id}")
        page.get_by_label("Why (kept with every grade it changes)").fill(
            "test_type wanted a string, not a number"
        )
        page.get_by_label("Fixed source notebook or zip (optional)").set_input_files(
            upload(FIXED_NAME, source(FIXED_TYPE_TEST))
        )
        page.get_by_role("button", name="Start the regrade run").click()
        page.wait_for_url("**/teach/regrades/*")
        page.locator("#accept-form").wait_for(
            timeout=180_000
        )  # the rows poll; the page reloads once all re-ran
        assert page.locator("#run-progress").inner_text() == f"{1 + len(OTHERS)} of {1 + len(OTHERS)}"
        assert (
            " ".join(page.locator("#run-alice").inner_text().split()) == "alice graded 6 7 +1"
        )  # her essay's 4 kept
        assert " ".join(page.locator("#run-carol").inner_text().split()) == "carol graded 0 1 +1"
        screenshot(page, "term-4-regrade-compared")
        page.get_by_role("button", name="Accept the new scores").click()
        expect(page.locator("#run-status")).to_contain_text("accepted")

        # The hand grade survived: alice's essay keeps its 4 points, and the fixed test adds 1.
        page.goto(f"{server}/teach/assignments/{assignment_id}")
        page.locator("#submissions").get_by_role("link", name="alice", exact=True).click()
        expect(page.locator("#score")).to_have_text("7 / 8")
        hand = page.locator("#hand-grading form.hand-grade").first
        expect(hand).to_contain_text("Now 4 of 5 points · graded by instructor")
        assert (
            page.get_by_label(f"Score for {ESSAY} (0 to 5 points)").input_value() == "4"
        )  # as given, not "4.0"
        screenshot(page, "term-5-hand-grade-kept")

        # The notebook kept its name: the rubric, the release and source downloads, the gradebook's columns.
        page.goto(f"{server}/teach/assignments/{assignment_id}")
        notebooks = page.locator("#rubric tbody tr td:first-child").all_inner_texts()
        assert notebooks == [NOTEBOOK] * 3
        assert download(page, "Download the release")[0] == NOTEBOOK
        name, fixed = download(page, "Download the source")
        assert name == NOTEBOOK and FIXED_TYPE_TEST.strip() in fixed.decode()
        page.get_by_role("link", name="Gradebook").click()
        test_type = page.locator("#pass-rates tbody tr", has_text="test_type")
        assert "3 / 3" in test_type.inner_text()  # every re-run report is keyed by the kept notebook name
        _, table = download(page, "Export CSV")
        rows = {row["learner"]: row for row in csv.DictReader(io.StringIO(table.decode()))}
        assert list(rows["alice"])[6:9] == ["test_answer", "test_type", "essay"]
        assert [float(rows["alice"][c]) for c in ("test_answer", "test_type", "essay", "total")] == [
            2,
            1,
            4,
            7,
        ]
        screenshot(page, "term-6-gradebook")
        log_out(page)

        # An admin creates the programme after all the grading; it takes in the grades already made.
        log_in(page, server, "dean")
        page.get_by_role("link", name="Programmes", exact=True).click()
        page.get_by_label("Programme spec").set_input_files(
            upload("programme.yaml", yaml.safe_dump(PROGRAMME).encode(), "application/x-yaml")
        )
        page.get_by_role("button", name="Upload the programme").click()
        page.wait_for_url(f"**/teach/programmes/{PROGRAMME['id']}")
        alice_row = page.locator("#learners tbody tr", has_text="alice")
        assert "87.5" in alice_row.inner_text()  # 7 of 8 points
        screenshot(page, "term-7-programme")
        log_out(page)

        # alice's record shows the grade, and her signed record verifies against the published key.
        log_in(page, server, "alice")
        page.get_by_role("link", name="My records", exact=True).click()
        explanation = page.locator(".explanation").first.inner_text()
        assert (
            f"{COURSE} (required, 4 credits): grade 87.5" in explanation
            and "not yet graded" not in explanation
        )
        assert "cell essay graded by prof" in explanation  # the hand grade, named in the record
        screenshot(page, "term-8-learner-record")
        _, signed = download(page, "Download my signed record (JSON)")
        keys = public_keys_from(page.request.get(f"{server}/api/v1/records/public-key").body())
        envelope = decode_signed(signed)
        verify_document(envelope, keys)  # raises unless a published key signed exactly these bytes
        (course,) = envelope["document"]["autogradeRecord"]["courses"]
        assert (course["course"], course["grade"]) == (COURSE, 87.5)
        tampered = json.loads(signed)
        tampered["document"]["autogradeRecord"]["courses"][0]["grade"] = 100.0
        with pytest.raises(RecordVerificationFailed, match="does not match"):
            verify_document(tampered, keys)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        context.close()
        worker.terminate()
        worker.wait(timeout=30)
