"""Instructor exam pages (web/pages/exam_admin.py): upload (every problem beside the spec), rules and
pools, accommodations, and every staff page refused to outsiders and without its CSRF token.

One attempt's page is tested in ``test_attempt_admin.py``, the review queue in ``test_review_queue.py``."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.attempts import attempt_graded
from store import Store
from tests.exam_bank.bank import as_yaml
from tests.web.api.test_exams import QUESTIONS, spec, upload
from tests.web.fakes import FakeClock
from tests.web.pages_client import csrf_of, log_in, post_form


@pytest.fixture
def exam(client: FlaskClient, instructor: dict[str, str], people: None) -> dict[str, Any]:
    """The final exam of ds101 (proctored, two pools), uploaded through the API."""
    reply = upload(client, instructor, spec())
    assert reply.status_code == 201, reply.json
    return dict(reply.json)


@pytest.fixture
def attempt(
    client: FlaskClient, people: None, exam: dict[str, Any], token: Callable[..., dict[str, str]]
) -> str:
    """alice's running attempt, started through the API."""
    reply = client.post(f"/api/v1/exams/{exam['id']}/attempts", headers=token("learner", "alice", ["ds101"]))
    assert reply.status_code == 201, reply.json
    return str(reply.json["id"])


def grade(
    client: FlaskClient,
    store: Store,
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
    attempt_id: str,
    learner: str = "alice",
) -> None:
    """Submit the attempt as its learner and store a grade, as the worker would."""
    assert (
        client.post(
            f"/api/v1/attempts/{attempt_id}/submit", headers=token("learner", learner, ["ds101"])
        ).status_code
        == 202
    )
    sid = store.get_attempt(attempt_id).submission_id or ""
    store.claim_submission(sid)
    store.save_grade(sid, {"score": 2.0, "max_score": 3.0, "cells": []}, "", {})
    attempt_graded(store, sid, clock())


def upload_form(
    client: FlaskClient, data: dict[str, Any], questions: dict[str, bytes] | None = None, name: str = "final"
) -> Any:
    form: dict[str, Any] = {
        "name": name,
        "spec": (io.BytesIO(as_yaml(data).encode()), "exam.yaml"),
        "csrf_token": csrf_of(client, "/teach/courses/ds101/exams"),
    }
    form["questions"] = [(io.BytesIO(body), file) for file, body in (questions or QUESTIONS).items()]
    return client.post("/teach/courses/ds101/exams", data=form, content_type="multipart/form-data")


def test_an_instructor_uploads_an_exam_and_sees_its_rules_and_pools(
    client: FlaskClient, people: None
) -> None:
    log_in(client, "prof")
    assert "Exams and accommodations of ds101" in client.get("/teach/").get_data(as_text=True)
    reply = upload_form(client, spec())
    assert reply.status_code == 302, reply.get_data(as_text=True)[:2000]
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Final exam" in page and "60 minutes" in page and "p2.ipynb" in page and "No attempts yet" in page
    assert "Final exam" in client.get("/teach/courses/ds101/exams").get_data(as_text=True)


def test_an_invalid_exam_lists_every_problem_beside_the_spec_and_keeps_nothing(
    client: FlaskClient, people: None, store: Store
) -> None:
    log_in(client, "prof")
    bad = spec(time_limit_minutes=-5)
    bad["pools"][0]["draw"] = 4
    reply = upload_form(client, bad, {**QUESTIONS, "q2.ipynb": b"not a notebook"})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422 and 'id="problems-spec"' in html and 'aria-describedby="err-spec"' in html
    problems = html.split('id="problems-spec">')[1].split("</ul>")[0]
    assert (
        "exam.yaml: time_limit_minutes" in problems
        and "exam.yaml: pools[0].draw" in problems
        and "q2.ipynb" in problems
    )
    assert store.list_exams("ds101") == []
    nameless = upload_form(client, spec(), name="")
    assert nameless.status_code == 422 and 'id="err-exam-name"' in nameless.get_data(as_text=True)


def test_accommodations_are_set_with_a_note_and_bad_multipliers_are_refused(
    client: FlaskClient, people: None, store: Store
) -> None:
    log_in(client, "prof")
    page = "/teach/courses/ds101/exams"
    for value in ("abc", "0", "-1", "20"):
        bad = post_form(
            client, page, "/teach/courses/ds101/accommodations", learner="bob", time_multiplier=value
        )
        assert bad.status_code == 422 and 'id="err-multiplier"' in bad.get_data(as_text=True), value
    assert store.accommodation("ds101", "bob") == 1.0
    made = post_form(
        client,
        page,
        "/teach/courses/ds101/accommodations",
        learner="bob",
        time_multiplier="1.5",
        note="documented",
    )
    assert made.status_code == 302 and store.accommodation("ds101", "bob") == 1.5
    listed = client.get(page).get_data(as_text=True).split('id="accommodations"')[1]
    assert "bob" in listed and "× 1.5" in listed and "documented" in listed


def test_a_learner_gets_403_or_404_on_every_staff_exam_page_and_action(
    client: FlaskClient, exam: dict[str, Any], attempt: str, store: Store
) -> None:
    log_in(client, "alice")
    for page in (
        "/teach/courses/ds101/exams",
        f"/teach/exams/{exam['id']}",
        f"/teach/attempts/{attempt}",
        "/teach/review",
    ):
        assert client.get(page).status_code == 403, page
    for url, form in (
        (f"/teach/attempts/{attempt}/extend", {"minutes": "600", "reason": "me"}),
        (f"/teach/attempts/{attempt}/interrupt", {"reason": "me"}),
        (f"/teach/attempts/{attempt}/resume", {}),
        (f"/teach/attempts/{attempt}/review", {"decision": "verify", "reason": "me"}),
        ("/teach/courses/ds101/accommodations", {"learner": "alice", "time_multiplier": "9"}),
    ):
        assert post_form(client, "/learn/", url, **form).status_code in (403, 404), url
    assert client.get("/teach/attempts/no-such-attempt").status_code in (403, 404)
    assert store.get_attempt(attempt).extension_seconds == 0 and store.get_attempt(attempt).state == "started"
    assert store.accommodation("ds101", "alice") == 1.0


def test_an_instructor_of_another_course_cannot_see_or_act_on_this_courses_exams(
    client: FlaskClient,
    exam: dict[str, Any],
    attempt: str,
    store: Store,
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
) -> None:
    grade(client, store, clock, token, attempt)
    log_in(client, "other-prof")
    for page in ("/teach/courses/ds101/exams", f"/teach/exams/{exam['id']}", f"/teach/attempts/{attempt}"):
        assert client.get(page).status_code == 403, page
    assert attempt not in client.get("/teach/review").get_data(as_text=True)
    review = post_form(
        client, "/teach/", f"/teach/attempts/{attempt}/review", decision="verify", reason="mine now"
    )
    assert review.status_code == 403 and store.get_attempt(attempt).state == "graded"
    upload_reply = upload_form(client, spec())
    assert (
        upload_reply.status_code == 403
        and store.list_exams("ds101") != []
        and len(store.list_exams("ds101")) == 1
    )
    accommodation = post_form(
        client, "/teach/", "/teach/courses/ds101/accommodations", learner="alice", time_multiplier="3"
    )
    assert accommodation.status_code == 403 and store.accommodation("ds101", "alice") == 1.0


def test_every_staff_exam_post_needs_the_csrf_token(client: FlaskClient, attempt: str, store: Store) -> None:
    log_in(client, "prof")
    for url, form in (
        (f"/teach/attempts/{attempt}/extend", {"minutes": "10", "reason": "r"}),
        (f"/teach/attempts/{attempt}/interrupt", {"reason": "r"}),
        (f"/teach/attempts/{attempt}/resume", {}),
        (f"/teach/attempts/{attempt}/review", {"decision": "verify", "reason": "r"}),
        ("/teach/courses/ds101/exams", {"name": "x"}),
        ("/teach/courses/ds101/accommodations", {"learner": "bob", "time_multiplier": "2"}),
    ):
        assert client.post(url, data=form).status_code == 403, url
    assert store.get_attempt(attempt).extension_seconds == 0 and store.get_attempt(attempt).state == "started"
    assert store.accommodation("ds101", "bob") == 1.0
