"""Every write to a programme record checks the course itself and names a learner who exists (issue 18)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.api.test_records import PROGRAMME, post_programme
from tests.web.pages_client import log_in, post_form

JOINT = {
    **PROGRAMME,
    "id": "joint",
    "courses": [
        {**PROGRAMME["courses"][0], "course": "ds101"},
        {**PROGRAMME["courses"][0], "course": "ds999", "required": False},
    ],
}
BASE = "/api/v1/programmes/joint/records"
PAGE = "/teach/programmes/joint/records"


@pytest.fixture
def joint(client: FlaskClient, post_submission: Callable[..., Any], store: Store) -> None:
    """alice has one graded ds101 assignment in programme ``joint``, which also holds ds999."""
    assert post_programme(client, JOINT).status_code == 201
    sid = str(post_submission().json["id"])
    store.claim_submission(sid)
    assert store.save_grade(
        sid, {"score": 2.0, "max_score": 2.0, "rubric_version": "r1", "cells": []}, "", {}
    )


def test_an_instructor_cannot_override_a_course_they_do_not_teach(
    client: FlaskClient, joint: None, instructor: dict[str, str], store: Store
) -> None:
    reply = client.post(
        f"{BASE}/alice/overrides", headers=instructor, json={"course": "ds999", "value": 100, "reason": "x"}
    )
    assert (reply.status_code, reply.json["error"]) == (403, "forbidden")
    assert [e.kind for e in store.record_history("joint", "alice")] == ["grade"]


def test_an_instructor_can_override_the_course_they_teach(
    client: FlaskClient, joint: None, instructor: dict[str, str]
) -> None:
    reply = client.post(
        f"{BASE}/alice/overrides", headers=instructor, json={"course": "ds101", "value": 90, "reason": "x"}
    )
    assert reply.status_code == 201


def test_an_instructor_of_some_courses_cannot_freeze_a_record_that_spans_others(
    client: FlaskClient, joint: None, instructor: dict[str, str], store: Store
) -> None:
    reply = client.post(f"{BASE}/alice/freeze", headers=instructor, json={"reason": "term closed"})
    assert (reply.status_code, reply.json["error"]) == (403, "forbidden")
    assert [e.kind for e in store.record_history("joint", "alice")] == ["grade"]


@pytest.mark.parametrize(
    ("action", "body"),
    [("overrides", {"course": "ds101", "value": 90, "reason": "x"}), ("freeze", {"reason": "x"})],
)
def test_a_record_write_naming_a_learner_without_a_record_is_not_found(
    client: FlaskClient, joint: None, store: Store, action: str, body: dict[str, Any]
) -> None:
    admin = {"Authorization": "Bearer admin-secret"}
    reply = client.post(f"{BASE}/nobody/{action}", headers=admin, json=body)
    assert (reply.status_code, reply.json["error"]) == (404, "not_found")
    assert store.record_history("joint", "nobody") == []


def test_the_override_form_refuses_a_course_the_instructor_does_not_teach(
    client: FlaskClient, joint: None, people: None, store: Store
) -> None:
    log_in(client, "prof")
    reply = post_form(
        client, f"{PAGE}/alice", f"{PAGE}/alice/overrides", course="ds999", value="100", reason="x"
    )
    assert reply.status_code == 403
    assert [e.kind for e in store.record_history("joint", "alice")] == ["grade"]
