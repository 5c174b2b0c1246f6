"""Learners and instructors see whether each grade reached the LMS, and why not: in the API and on the page.

The grade travels through the real outbox and delivery job to the joserfc platform
simulator; what the submission's JSON and page say is read back after each outcome:
delivered, refused and retried, dead-lettered, and redelivered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.lti.outbox import JobContext, drain, installed, quick_retries
from tests.lti.simulator import INSTRUCTOR, Platform
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import GradedSubmission, Launcher
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes
from tests.web.reports import report
from worker.deliveries import deliver_results

ADMIN = {"Authorization": "Bearer admin-secret"}
LEARNER = "lti:lms:user-7"


@pytest.fixture
def job(settings: Settings, app: Flask, platform: Platform, client: FlaskClient) -> Iterator[JobContext]:
    fast = quick_retries(settings, attempts=3)
    with installed(JobContext(fast), platform, client) as ctx:
        yield ctx


@pytest.fixture
def graded(launch: Launcher, platform: Platform, graded_submission: GradedSubmission, job: JobContext) -> str:
    """The learner launched (this client is now their browser), submitted, and was graded 2 of 2."""
    assert launch(**platform.ags_claim()).status_code == 303
    return graded_submission(LEARNER, 2.0)


def api_view(client: FlaskClient, sid: str) -> list[dict[str, Any]]:
    reply = client.get(f"/api/v1/submissions/{sid}", headers=ADMIN)
    assert reply.status_code == 200, reply.json
    found: list[dict[str, Any]] = reply.json["lti_deliveries"]
    return found


def instructor_browser(app: Flask, launch: Launcher) -> FlaskClient:
    browser = app.test_client()
    assert launch(browser=browser, roles=[INSTRUCTOR], sub="teacher-1").status_code == 303
    return browser


def test_a_delivered_grade_says_when_it_reached_the_lms_to_learner_and_instructor(
    graded: str,
    store: Store,
    client: FlaskClient,
    app: Flask,
    launch: Launcher,
    token: Callable[..., dict[str, str]],
) -> None:
    [waiting] = api_view(client, graded)
    assert (waiting["state"], waiting["attempts"], waiting["delivered_at"]) == ("pending", 0, None)
    drain(store)
    [sent] = api_view(client, graded)
    assert sent["state"] == "delivered" and sent["attempts"] == 1 and sent["delivered_at"]
    assert (sent["registration"], sent["version"], sent["score_given"]) == ("lms", 1, 2.0)
    assert sent["dead_lettered"] is False and sent["last_error"] is None
    own = client.get(f"/api/v1/submissions/{graded}", headers=token("learner", LEARNER, ["ds101"])).json
    assert own["lti_deliveries"] == [sent]  # the learner sees the same
    for browser in (client, instructor_browser(app, launch)):
        page = browser.get(f"/submissions/{graded}").get_data(as_text=True)
        assert 'id="lti-deliveries"' in page and "in the LMS gradebook" in page
        assert sent["delivered_at"][:16].replace("T", " ") in page


def test_a_refused_grade_says_why_then_dead_letters_and_redelivers(
    graded: str,
    store: Store,
    client: FlaskClient,
    app: Flask,
    launch: Launcher,
    platform: Platform,
    clock: FakeClock,
) -> None:
    platform.refusing = True
    key = store.pending_delivery_keys()[0][0]
    deliver_results(key.platform_id, key.assignment_id, key.learner)  # one attempt, refused
    [retrying] = api_view(client, graded)
    assert retrying["state"] == "retrying" and retrying["attempts"] == 1
    assert retrying["last_status_code"] == 500 and "down" in retrying["last_error"]
    assert retrying["next_attempt_at"] and retrying["delivered_at"] is None
    drain(store)  # out of retries
    [dead] = api_view(client, graded)
    assert dead["state"] == "dead" and dead["dead_lettered"] is True and dead["attempts"] == 3
    learner_page = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert "out of retries" in learner_page and "HTTP 500" in learner_page and "down" in learner_page
    staff_page = instructor_browser(app, launch).get(f"/submissions/{graded}").get_data(as_text=True)
    assert f"<code>{dead['delivery_id']}</code> can be redelivered" in staff_page
    assert f"<code>{dead['delivery_id']}</code>" not in learner_page
    platform.refusing = False
    clock.now = datetime.now(UTC)  # the web's clock, which dates the redelivery, on the worker's time
    assert (
        client.post(f"/api/v1/deliveries/{dead['delivery_id']}/redeliver", headers=ADMIN).status_code == 202
    )
    drain(store)
    [again] = api_view(client, graded)
    assert again["state"] == "delivered" and again["dead_lettered"] is False


def test_a_learner_from_no_lms_has_no_lti_deliveries(
    client: FlaskClient, assignment: dict[str, Any], alice: dict[str, str], store: Store
) -> None:
    url = f"/api/v1/assignments/{assignment['id']}/submissions"
    reply = upload(client, url, alice, learner_bytes(), "hw.ipynb")
    store.claim_submission(reply.json["id"])
    assert store.save_grade(reply.json["id"], report(2.0), "<p>feedback</p>", {})
    assert client.get(f"/api/v1/submissions/{reply.json['id']}", headers=alice).json["lti_deliveries"] == []
