"""Brightspace stores a score only for someone enrolled in a gradable (learner) role: any other is refused for good.

D2L documents that a score for a user whose role cannot be graded is not stored and "an
error message is sent to the submitting tool"; tools that met it in the field match a 403
(hypothesis/lms: "User in requested score is not enrolled in the org unit"). Sending the
same score again gets the same answer, so the tool sends it once, marks it ``refused`` with
the platform's words, and moves the learner's line on: no retries, no dead letter as if the
LMS were down. Staff never cause one: they launch into a staff account, whose work sends no
score. The simulator's ``brightspace`` profile keeps each user's enrolment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.lti.outbox import JobContext, drain, installed, quick_retries
from tests.lti.simulator import LEARNER, TEACHING_ASSISTANT, Platform
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import GradedSubmission, Launcher
from tests.web.reports import report

ADMIN = {"Authorization": "Bearer admin-secret"}
ACCOUNT = "lti:lms:user-7"
pytestmark = pytest.mark.parametrize("platform", [{"profile": "brightspace"}], indirect=True)


@pytest.fixture
def job(settings: Settings, app: Flask, platform: Platform, client: FlaskClient) -> Iterator[JobContext]:
    fast = quick_retries(settings, attempts=4)
    with installed(JobContext(fast), platform, client) as ctx:
        yield ctx


@pytest.fixture
def graded(
    launch: Launcher,
    platform: Platform,
    graded_submission: GradedSubmission,
    store: Store,
    job: JobContext,
) -> str:
    """The learner launched as a learner, submitted, was graded 1 of 2, and the score reached Brightspace."""
    assert launch(**platform.ags_claim()).status_code == 303
    sid = graded_submission(ACCOUNT, 1.0)
    drain(store)
    assert platform.gradebook(platform.line_item(), "user-7") == "1/2"
    return sid


def regrade(client: FlaskClient, store: Store, sid: str, points: float) -> None:
    assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=ADMIN).status_code == 202
    store.claim_submission(sid)
    assert store.save_grade(sid, report(points), "<p>regraded</p>", {})


def lti_deliveries(client: FlaskClient, sid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(f"/api/v1/submissions/{sid}", headers=ADMIN).json[
        "lti_deliveries"
    ]
    return found


def test_a_score_for_someone_no_longer_in_a_gradable_role_is_sent_once_and_shown_as_refused(
    graded: str, client: FlaskClient, store: Store, platform: Platform
) -> None:
    platform.enrol("user-7", TEACHING_ASSISTANT)  # made a TA of the course: D2L grades them no more
    requests_before = platform.score_requests
    regrade(client, store, graded, 2.0)
    drain(store)
    assert platform.score_requests == requests_before + 1  # not retried: the same score meets the same 403
    refused, delivered = lti_deliveries(client, graded)
    assert (refused["state"], refused["attempts"], refused["last_status_code"]) == ("refused", 1, 403)
    assert refused["dead_lettered"] is False and refused["next_attempt_at"] is None
    assert "cannot be graded" in refused["last_error"] and "gradable" in refused["summary"]
    assert delivered["state"] == "delivered"
    assert "dead" not in store.delivery_counts("lti:")  # nothing in the dead-letter list, no alarm
    page = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert "cannot be graded" in page and "out of retries" not in page
    assert platform.gradebook(platform.line_item(), "user-7") == "1/2"


def test_a_refusal_holds_nothing_back_and_an_admin_redelivers_it_once_the_role_is_fixed(
    graded: str, client: FlaskClient, store: Store, platform: Platform, clock: FakeClock
) -> None:
    platform.enrol("user-7", TEACHING_ASSISTANT)
    regrade(client, store, graded, 2.0)
    drain(store)
    [refused, _] = lti_deliveries(client, graded)
    assert refused["state"] == "refused"
    platform.enrol("user-7", LEARNER)  # the registrar puts them back as a student
    clock.now = datetime.now(UTC)  # the web's clock, which dates the redelivery, on the worker's time
    redelivered = client.post(f"/api/v1/deliveries/{refused['delivery_id']}/redeliver", headers=ADMIN)
    assert redelivered.status_code == 202, redelivered.json
    drain(store)
    assert lti_deliveries(client, graded)[0]["state"] == "delivered"
    assert platform.gradebook(platform.line_item(), "user-7") == "2/2"


def test_a_newer_grade_goes_through_after_a_refused_one_which_it_supersedes(
    graded: str, client: FlaskClient, store: Store, platform: Platform
) -> None:
    platform.enrol("user-7", TEACHING_ASSISTANT)
    regrade(client, store, graded, 2.0)
    drain(store)
    assert lti_deliveries(client, graded)[0]["state"] == "refused"
    platform.enrol("user-7", LEARNER)
    regrade(client, store, graded, 1.5)
    drain(store)
    newest, refused, _ = lti_deliveries(client, graded)
    assert (newest["state"], refused["state"]) == ("delivered", "superseded")
    assert platform.gradebook(platform.line_item(), "user-7") == "1.5/2"


def test_a_platform_that_is_down_is_still_retried_not_taken_for_a_refusal(
    graded: str, client: FlaskClient, store: Store, platform: Platform
) -> None:
    platform.refusing = True  # 500: the LMS is down, not refusing the score
    regrade(client, store, graded, 2.0)
    drain(store)
    [dead, _] = lti_deliveries(client, graded)
    assert (dead["state"], dead["attempts"]) == ("dead", 4)
