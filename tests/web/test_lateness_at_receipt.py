"""On-time status is judged when the submission arrives, by the server's clock, never at grading."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeClock

ADMIN = {"Authorization": "Bearer admin-secret"}
DUE = "2030-03-01T12:00:00+00:00"
POLICY = json.dumps(
    [{"after": "2030-03-02T12:00:00Z", "credit": 50}, {"after": "2030-03-04T12:00:00Z", "credit": 0}]
)
REPORT = {"score": 1.0, "max_score": 2.0, "cells": [], "events": [], "needs_manual_grading": False}


@pytest.fixture
def due_assignment(post_assignment: Callable[..., Any]) -> dict[str, Any]:
    body: dict[str, Any] = post_assignment(name="due", due=DUE, late_policy=POLICY).json
    return body


@pytest.mark.parametrize(
    ("hours_after_due", "on_time", "credit"),
    [(-1, True, 1.0), (0, True, 1.0), (1, False, 1.0), (25, False, 0.5), (49, False, 0.5), (73, False, 0.0)],
)
def test_lateness_follows_the_policy_at_the_moment_of_receipt(
    post_submission: Callable[..., Any],
    store: Store,
    clock: FakeClock,
    due_assignment: dict[str, Any],
    hours_after_due: int,
    on_time: bool,
    credit: float,
) -> None:
    clock.now = clock.now.fromisoformat(DUE)
    clock.advance(hours=hours_after_due)
    submitted = post_submission(assignment_id=due_assignment["id"]).json
    stored = store.get_submission(submitted["id"])
    assert (stored.on_time, stored.late_credit) == (on_time, credit)
    assert stored.received_at == clock.now


def test_work_received_on_time_stays_on_time_however_late_it_is_graded(
    post_submission: Callable[..., Any],
    client: FlaskClient,
    store: Store,
    clock: FakeClock,
    due_assignment: dict[str, Any],
) -> None:
    clock.now = clock.now.fromisoformat(DUE)
    clock.advance(minutes=-1)
    submitted = post_submission(assignment_id=due_assignment["id"]).json
    clock.advance(days=10)  # the queue was stuck for ten days
    store.claim_submission(submitted["id"])
    store.save_grade(submitted["id"], REPORT, "", {})
    body = client.get(submitted["url"], headers=ADMIN).json
    assert (body["status"], body["on_time"], body["late_credit"]) == ("graded", True, 1.0)


def test_an_assignment_without_a_due_date_is_always_on_time(
    post_submission: Callable[..., Any], store: Store, clock: FakeClock
) -> None:
    clock.advance(days=3650)
    stored = store.get_submission(post_submission().json["id"])
    assert (stored.on_time, stored.late_credit) == (True, 1.0)
