"""Learners' regrade requests through the API: who may ask about what, when, at what cost, and
what an answer changes (a new grade version, the token back, the learner told)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from integrations.signing import signed_headers
from store import Store
from tests.web.api.test_records import PROGRAMME, post_programme
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.notebook_builders import learner_bytes
from tests.web.reports import grade, graded_since

Headers = dict[str, str]


@pytest.fixture
def graded(post_submission: Callable[..., Any], store: Store, clock: FakeClock) -> str:
    """alice's submission, its test failed (0 of 2), graded an hour ago."""
    sid = str(post_submission().json["id"])
    graded_since(store, sid, clock, hours=1)
    return sid


def ask(client: FlaskClient, sid: str, headers: Headers, **body: Any) -> Any:
    body = {"grade_id": "test_answer", "reason": "my answer is right", **body}
    return client.post(f"/api/v1/submissions/{sid}/regrade-requests", headers=headers, json=body)


def reply(client: FlaskClient, request_id: str, headers: Headers, **body: Any) -> Any:
    return client.post(f"/api/v1/regrade-requests/{request_id}/answer", headers=headers, json=body)


def set_policy(client: FlaskClient, headers: Headers, window_days: int = 7, tokens: int = 0) -> None:
    response = client.put(
        "/api/v1/courses/ds101/regrade-policy",
        headers=headers,
        json={"window_days": window_days, "tokens": tokens},
    )
    assert response.status_code == 200, response.json


# Attacks first: nobody asks about another's grade, and nobody but staff answers.


def test_a_learner_cannot_ask_about_another_learners_submission(
    client: FlaskClient, graded: str, bob: Headers, store: Store
) -> None:
    response = ask(client, graded, bob)
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert store.list_regrade_requests() == []


def test_staff_and_platforms_cannot_open_a_learners_request(
    client: FlaskClient, graded: str, instructor: Headers, token: Callable[..., Headers], store: Store
) -> None:
    for headers in (
        instructor,
        token("platform", "lms", ["ds101"]),
        {"Authorization": "Bearer admin-secret"},
    ):
        assert ask(client, graded, headers).status_code == 403
    assert store.list_regrade_requests() == []


def test_a_learner_cannot_read_or_answer_another_learners_request(
    client: FlaskClient, graded: str, alice: Headers, bob: Headers
) -> None:
    opened = ask(client, graded, alice).json
    assert client.get(f"/api/v1/regrade-requests/{opened['id']}", headers=bob).status_code == 403
    assert client.get(f"/api/v1/submissions/{graded}/regrade-requests", headers=bob).status_code == 403
    for headers in (alice, bob):
        answer = reply(client, opened["id"], headers, decision="upheld", score=2, reason="mine")
        assert answer.status_code == 403
    assert client.get("/api/v1/regrade-requests", headers=alice).status_code == 403


def test_staff_of_another_course_see_and_answer_nothing(
    client: FlaskClient, graded: str, alice: Headers, token: Callable[..., Headers]
) -> None:
    opened = ask(client, graded, alice).json
    other = token("instructor", "other-prof", ["ds999"])
    assert client.get(f"/api/v1/regrade-requests/{opened['id']}", headers=other).status_code == 403
    assert client.get("/api/v1/regrade-requests", headers=other).json["requests"] == []
    answer = reply(client, opened["id"], other, decision="denied", reason="no")
    assert answer.status_code == 403
    assert (
        client.put(
            "/api/v1/courses/ds101/regrade-policy", headers=other, json={"window_days": 99, "tokens": 9}
        ).status_code
        == 403
    )


def test_a_learner_cannot_see_the_triage_runs(
    client: FlaskClient, graded: str, alice: Headers, store: Store
) -> None:
    opened = ask(client, graded, alice).json
    store.save_triage(opened["id"], "nondeterministic", {"runs": [{"report": {"hidden": "secret test"}}]})
    mine = client.get(f"/api/v1/regrade-requests/{opened['id']}", headers=alice).json
    assert "triage" not in mine and mine["triage_status"] == "nondeterministic"
    listed = client.get(f"/api/v1/submissions/{graded}/regrade-requests", headers=alice).json["requests"]
    assert "secret test" not in str(listed)


# The rules of asking.


def test_a_request_is_opened_on_one_cell_and_its_triage_queued(
    client: FlaskClient, graded: str, alice: Headers, enqueuer: FakeEnqueuer
) -> None:
    response = ask(client, graded, alice)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["status"], body["grade_id"], body["old_score"], body["max_score"]) == (
        "open",
        "test_answer",
        0.0,
        2.0,
    )
    assert body["triage_status"] == "queued" and enqueuer.triages == [body["id"]]


def test_after_the_window_a_request_is_refused_as_json(
    client: FlaskClient, graded: str, alice: Headers, instructor: Headers, clock: FakeClock, store: Store
) -> None:
    set_policy(client, instructor, window_days=2)
    clock.advance(days=2)  # graded 2 days and 1 hour ago
    response = ask(client, graded, alice)
    assert response.status_code == 409 and response.json["error"] == "request_window_closed"
    assert "closed" in response.json["message"]
    assert store.list_regrade_requests() == []


def test_the_window_ends_exactly_when_the_course_says(
    client: FlaskClient, graded: str, alice: Headers, instructor: Headers, clock: FakeClock, store: Store
) -> None:
    set_policy(client, instructor, window_days=3)
    graded_at = store.get_submission(graded).graded_at
    assert graded_at is not None
    clock.now = graded_at + timedelta(days=3, seconds=1)
    assert ask(client, graded, alice).status_code == 409
    clock.now = graded_at + timedelta(days=3)  # the last moment of the window still counts
    assert ask(client, graded, alice).status_code == 201
    set_policy(client, instructor, window_days=0)  # no requests at all after the grade
    other = ask(client, graded, alice, grade_id="test_answer")
    assert other.status_code == 409 and other.json["error"] == "request_window_closed"


def test_a_cell_has_at_most_one_open_request(client: FlaskClient, graded: str, alice: Headers) -> None:
    assert ask(client, graded, alice).status_code == 201
    again = ask(client, graded, alice, reason="really")
    assert again.status_code == 409 and "already has an open" in again.json["message"]


def test_bad_requests_are_refused_and_nothing_is_stored(
    client: FlaskClient, graded: str, alice: Headers, store: Store
) -> None:
    for body, status in (
        ({"reason": ""}, 400),
        ({"reason": "x" * 2001}, 400),
        ({"reason": 5}, 400),
        ({"grade_id": ""}, 400),
        ({"grade_id": ["test_answer"]}, 400),
        ({"grade_id": "no_such_cell"}, 404),
    ):
        response = ask(client, graded, alice, **body)
        assert response.status_code == status and "message" in response.json, (body, response.json)
    assert store.list_regrade_requests() == []


def test_an_ungraded_submission_cannot_be_asked_about(
    client: FlaskClient, post_submission: Callable[..., Any], alice: Headers
) -> None:
    sid = post_submission().json["id"]
    assert ask(client, sid, alice).status_code == 409


def test_tokens_are_spent_never_below_zero_and_refunded_when_upheld(
    client: FlaskClient,
    graded: str,
    alice: Headers,
    instructor: Headers,
    post_submission: Callable[..., Any],
    store: Store,
) -> None:
    set_policy(client, instructor, tokens=1)
    second = str(post_submission().json["id"])
    grade(store, second, 0.0)
    first = ask(client, graded, alice).json
    assert first["token_spent"] is True
    policy = client.get("/api/v1/courses/ds101/regrade-policy", headers=alice).json
    assert policy["tokens_left"] == 0
    refused = ask(client, second, alice)
    assert refused.status_code == 409 and "no regrade tokens left" in refused.json["message"]

    upheld = reply(
        client, first["id"], instructor, decision="upheld", score=2, reason="the test was wrong"
    ).json
    assert upheld["status"] == "upheld" and upheld["token_refunded"] is True
    assert client.get("/api/v1/courses/ds101/regrade-policy", headers=alice).json["tokens_left"] == 1
    denied = ask(client, second, alice).json
    reply(client, denied["id"], instructor, decision="denied", reason="the test is right")
    set_policy(client, instructor, tokens=0)  # lowered under what was spent: still not negative
    assert client.get("/api/v1/courses/ds101/regrade-policy", headers=alice).json["tokens_left"] == 0


def test_a_course_name_no_course_could_have_is_refused_not_stored(client: FlaskClient) -> None:
    admin = {"Authorization": "Bearer admin-secret"}
    for course in ("c" * 201, "ds%01"):
        response = client.put(
            f"/api/v1/courses/{course}/regrade-policy", headers=admin, json={"window_days": 1, "tokens": 0}
        )
        assert response.status_code == 400 and response.json["error"] == "bad_input", course


def test_policy_values_out_of_range_are_refused(client: FlaskClient, instructor: Headers) -> None:
    for body in ({"window_days": -1, "tokens": 0}, {"window_days": 7, "tokens": True}, {"window_days": "7"}):
        response = client.put("/api/v1/courses/ds101/regrade-policy", headers=instructor, json=body)
        assert response.status_code == 400 and response.json["error"] == "bad_input"


# Answers.


def test_an_upheld_request_is_a_new_grade_version_the_learner_sees(
    client: FlaskClient, graded: str, alice: Headers, instructor: Headers, store: Store
) -> None:
    opened = ask(client, graded, alice).json
    queue = client.get("/api/v1/regrade-requests", headers=instructor).json["requests"]
    assert [r["id"] for r in queue] == [opened["id"]]
    answered = reply(client, opened["id"], instructor, decision="upheld", score=1.5, reason="partly right")
    assert answered.status_code == 200, answered.json
    assert (answered.json["status"], answered.json["new_score"], answered.json["answered_by"]) == (
        "upheld",
        1.5,
        "prof",
    )
    history = store.report_history(graded)
    assert len(history) == 2 and history[-1].report.to_dict()["change"]["request"] == opened["id"]
    mine = client.get(f"/api/v1/regrade-requests/{opened['id']}", headers=alice).json
    assert (mine["status"], mine["answer"], mine["new_score"]) == ("upheld", "partly right", 1.5)
    assert client.get(f"/api/v1/submissions/{graded}", headers=alice).json["score"] == 1.5
    assert client.get("/api/v1/regrade-requests", headers=instructor).json["requests"] == []
    twice = reply(client, opened["id"], instructor, decision="denied", reason="changed my mind")
    assert twice.status_code == 409
    assert ask(client, graded, alice).status_code == 201  # answered: the cell may be asked about again


def test_an_upheld_score_out_of_range_changes_nothing(
    client: FlaskClient, graded: str, alice: Headers, instructor: Headers, store: Store
) -> None:
    opened = ask(client, graded, alice).json
    for body in ({"score": 3}, {"score": "2"}, {"decision": "maybe", "score": 1}, {"score": 1, "reason": ""}):
        response = client.post(
            f"/api/v1/regrade-requests/{opened['id']}/answer",
            headers=instructor,
            json={"decision": "upheld", "reason": "why", **body},
        )
        assert response.status_code == 400, (body, response.json)
    assert len(store.report_history(graded)) == 1
    assert store.get_regrade_request(opened["id"])["status"] == "open"


def test_a_denied_request_keeps_the_grade_and_tells_the_learner_why(
    client: FlaskClient, graded: str, alice: Headers, instructor: Headers, store: Store
) -> None:
    opened = ask(client, graded, alice).json
    reply(client, opened["id"], instructor, decision="denied", reason="the test checks the specification")
    mine = client.get(f"/api/v1/submissions/{graded}/regrade-requests", headers=alice).json["requests"]
    assert [(r["status"], r["answer"]) for r in mine] == [("denied", "the test checks the specification")]
    assert len(store.report_history(graded)) == 1


def test_a_request_becomes_the_assignment_wide_regrade_run(
    client: FlaskClient,
    graded: str,
    alice: Headers,
    bob: Headers,
    instructor: Headers,
    post_submission: Callable[..., Any],
    store: Store,
    enqueuer: FakeEnqueuer,
) -> None:
    bobs = str(post_submission(headers=bob).json["id"])
    grade(store, bobs, 0.0)
    opened = ask(client, graded, alice).json
    staff_view = client.get(f"/api/v1/regrade-requests/{opened['id']}", headers=instructor).json
    assert staff_view["affects"] == 2
    run = client.post(f"/api/v1/regrade-requests/{opened['id']}/regrade-run", headers=instructor)
    assert run.status_code == 202, run.json
    assert run.json["total"] == 2 and "test_answer" in run.json["reason"]
    assert {s for _, s in enqueuer.regrades} == {graded, bobs}
    assert store.get_regrade_request(opened["id"])["run_id"] == run.json["id"]
    again = client.post(f"/api/v1/regrade-requests/{opened['id']}/regrade-run", headers=instructor)
    assert again.status_code == 409


def test_an_upheld_request_reaches_the_platform_and_the_programme_record_with_its_reason(
    client: FlaskClient, assignment: dict[str, Any], store: Store, clock: FakeClock, enqueuer: FakeEnqueuer
) -> None:
    admin = {"Authorization": "Bearer admin-secret"}
    assert post_programme(client, PROGRAMME).status_code == 201
    lms = client.post(
        "/api/v1/platforms",
        headers=admin,
        json={
            "id": "lms",
            "name": "The LMS",
            "callback_url": "https://lms.example/results",
            "courses": ["ds101"],
        },
    ).json
    call = json.dumps(
        {
            "external_id": "lms-1",
            "assignment_id": assignment["id"],
            "learner": "alice",
            "notebook": json.loads(learner_bytes()),
        }
    ).encode()
    sent = client.post(
        "/api/v1/platforms/lms/submissions",
        data=call,
        headers=signed_headers(lms["secret"], int(clock().timestamp()), call),
        content_type="application/json",
    )
    assert sent.status_code == 202, sent.json
    sid = sent.json["id"]
    graded_since(store, sid, clock)
    alice = {"Authorization": f"Bearer {store.create_token('learner', 'alice', ['ds101'])[0]}"}
    opened = ask(client, sid, alice).json
    prof = {"Authorization": f"Bearer {store.create_token('instructor', 'prof', ['ds101'])[0]}"}
    reply(client, opened["id"], prof, decision="upheld", score=2, reason="the test was too strict")

    deliveries = store.list_deliveries(submission_id=sid)
    assert [(d.event, d.version) for d in deliveries] == [("grade.final", 1), ("grade.updated", 2)]
    assert enqueuer.deliveries[-1][0].learner == "alice"  # sent now, not at the next recovery
    events = client.get("/api/v1/programmes/mm-ds/records/alice/history", headers=admin).json["events"]
    assert [e["body"]["version"] for e in events] == [1, 2]
    assert (events[1]["body"]["score"], events[1]["body"]["reason"], events[1]["body"]["author"]) == (
        2.0,
        "the test was too strict",
        "prof",
    )
