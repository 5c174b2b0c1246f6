"""Grades reach an LTI platform's line item through the outbox: in order, retried, dead-lettered, redelivered.

The app and the delivery job run for real on one SQLite database; the platform is the
joserfc simulator over HTTP (tests/lti/simulator.py). A learner launches with the AGS claim
(the line item is recorded), submits, and each stored grade version is sent as a score.
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
from tests.lti.simulator import Platform
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import Launcher
from tests.web.multipart import upload
from tests.web.notebook_builders import essay_source_bytes, learner_bytes
from tests.web.reports import essay_report, report

ADMIN = {"Authorization": "Bearer admin-secret"}
LEARNER = "lti:lms:user-7"


@pytest.fixture
def job(settings: Settings, app: Flask, platform: Platform, client: FlaskClient) -> Iterator[JobContext]:
    fast = quick_retries(settings, attempts=4, cap=2.0)
    with installed(JobContext(fast), platform, client) as ctx:
        yield ctx


@pytest.fixture
def submit(
    launch: Launcher,
    platform: Platform,
    client: FlaskClient,
    token: Callable[..., dict[str, str]],
    assignment: dict[str, Any],
) -> Callable[..., str]:
    """The learner launches (the line item is recorded), then submits; returns the submission id."""

    def run(**claims: Any) -> str:
        assert launch(**{**platform.ags_claim(), **claims}).status_code == 303
        headers = token("learner", LEARNER, ["ds101"])
        assignment_id = claims.get("custom", {}).get("assignment_id", assignment["id"])
        reply = upload(
            client, f"/api/v1/assignments/{assignment_id}/submissions", headers, learner_bytes(), "hw.ipynb"
        )
        assert reply.status_code == 202, reply.json
        return str(reply.json["id"])

    return run


def grade(store: Store, submission_id: str, graded: dict[str, Any]) -> None:
    store.claim_submission(submission_id)
    assert store.save_grade(submission_id, graded, "<p>feedback</p>", {})


def test_a_grade_reaches_the_line_item_with_its_version_time_and_progress(
    job: JobContext, submit: Callable[..., str], store: Store, platform: Platform
) -> None:
    sid = submit()
    grade(store, sid, report(2.0))
    drain(store)
    [score] = platform.scores
    graded_at = store.report_history(sid)[-1].created_at
    assert score["userId"] == "user-7" and score["line_item"] == platform.line_item()
    assert (score["scoreGiven"], score["scoreMaximum"]) == (2.0, 2.0)
    assert score["gradingProgress"] == "FullyGraded" and score["activityProgress"] == "Completed"
    assert score["timestamp"] == graded_at.isoformat()
    assert platform.gradebook(platform.line_item(), "user-7") == "2/2"
    [delivery] = store.list_deliveries(platform_id="lti:lms")
    assert delivery.status == "delivered" and delivery.url == platform.line_item() + "/scores"


def test_a_cell_waiting_for_a_person_is_pending_manual_until_graded(
    job: JobContext,
    submit: Callable[..., str],
    store: Store,
    platform: Platform,
    client: FlaskClient,
    post_assignment: Callable[..., Any],
    instructor: dict[str, str],
) -> None:
    assert post_assignment(essay_source_bytes(), name="essay").status_code == 201
    essay_id = next(
        a["id"] for a in client.get("/api/v1/assignments", headers=ADMIN).json if a["name"] == "essay"
    )
    sid = submit(custom={"assignment_id": essay_id})
    grade(store, sid, essay_report())
    drain(store)
    assert platform.scores[-1]["gradingProgress"] == "PendingManual"
    assert platform.gradebook(platform.line_item(), "user-7") == "needs grading"
    changed = client.put(
        f"/api/v1/submissions/{sid}/cells/essay", headers=instructor, json={"score": 5, "reason": "clear"}
    )
    assert changed.status_code == 200
    drain(store)
    assert [s["gradingProgress"] for s in platform.scores] == ["PendingManual", "FullyGraded"]
    assert platform.gradebook(platform.line_item(), "user-7") == "7/7"


@pytest.mark.parametrize("platform", [{"profile": "canvas"}], indirect=True)
def test_a_real_zero_is_a_zero_on_canvas_not_needs_grading(
    job: JobContext, submit: Callable[..., str], store: Store, platform: Platform
) -> None:
    sid = submit()
    grade(store, sid, report(0.0))
    drain(store)
    assert platform.scores[-1]["scoreGiven"] == 0.0
    assert platform.gradebook(platform.line_item(), "user-7") == "0/2"


@pytest.mark.parametrize("platform", [{"profile": "flaky"}], indirect=True)
def test_five_grades_through_a_flaky_platform_arrive_in_order_with_one_token(
    job: JobContext, submit: Callable[..., str], store: Store, platform: Platform, client: FlaskClient
) -> None:
    sid = submit()
    grade(store, sid, report(0.0))
    for _ in range(4):  # regrades: each a new version with its own score
        assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=ADMIN).status_code == 202
        grade(store, sid, report(2.0))
    drain(store)
    versions = [s["timestamp"] for s in platform.scores]
    assert len(versions) == 5 and versions == sorted(versions)
    assert platform.score_requests > 5  # some were refused and retried
    assert platform.token_requests == 1  # cached across every score
    assert {d.status for d in store.list_deliveries(platform_id="lti:lms")} == {"delivered"}
    assert platform.gradebook(platform.line_item(), "user-7") == "2/2"


def test_a_platform_that_stays_down_dead_letters_and_an_admin_redelivers(
    job: JobContext,
    submit: Callable[..., str],
    store: Store,
    platform: Platform,
    client: FlaskClient,
    clock: FakeClock,
) -> None:
    sid = submit()
    platform.refusing = True
    grade(store, sid, report(2.0))
    drain(store)
    [dead] = store.list_deliveries(platform_id="lti:lms")
    assert dead.status == "dead" and dead.attempts == 4 and "HTTP 500" in (dead.last_error or "")
    platform.refusing = False
    clock.now = datetime.now(UTC)  # the web's clock, which dates the redelivery, on the worker's time
    assert client.post(f"/api/v1/deliveries/{dead.id}/redeliver", headers=ADMIN).status_code == 202
    drain(store)
    assert store.get_delivery(dead.id).status == "delivered"
    assert platform.gradebook(platform.line_item(), "user-7") == "2/2"


def test_a_launch_without_the_score_scope_sends_nothing(
    job: JobContext, submit: Callable[..., str], store: Store, platform: Platform
) -> None:
    claim = platform.ags_claim()
    claim[next(iter(claim))]["scope"] = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"]
    sid = submit(**claim)
    grade(store, sid, report(2.0))
    assert store.list_deliveries(platform_id="lti:lms") == []
