"""Changing a grade through the API (web/api/grades.py): staff set one cell by hand with a reason, or regrade;
every bad score, reason or caller is refused and leaves the grade as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeEnqueuer
from tests.web.test_openapi import grade

Graded = Callable[[], str]


@pytest.fixture
def graded(post_submission: Callable[..., Any], store: Store) -> Graded:
    """alice's submission, graded 2 out of 2 on its one test cell ``test_answer``."""

    def make() -> str:
        sid = str(post_submission().json["id"])
        grade(store, sid)
        return sid

    return make


def put_cell(
    client: FlaskClient, sid: str, headers: dict[str, str], body: Any, cell: str = "test_answer"
) -> Any:
    return client.put(f"/api/v1/submissions/{sid}/cells/{cell}", headers=headers, json=body)


def test_a_hand_grade_is_a_new_version_naming_its_author_and_reason(
    client: FlaskClient, graded: Graded, store: Store, instructor: dict[str, str]
) -> None:
    sid = graded()
    before = store.latest_report(sid)
    reply = put_cell(client, sid, instructor, {"score": 1.5, "reason": "partly right"})
    assert reply.status_code == 200, reply.json
    [cell] = reply.json["cells"]
    assert (cell["score"], cell["status"]) == (1.5, "graded_by_instructor") and "partly right" in cell[
        "message"
    ]
    after = store.latest_report(sid)
    assert after is not None and before is not None and after.id != before.id
    assert (
        after.provenance["based_on_report"] == before.id
        and after.report.change is not None
        and after.report.change.reason == "partly right"
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"score": 3, "reason": "x"}, 400, "between 0 and 2"),
        ({"score": -0.5, "reason": "x"}, 400, "between 0 and 2"),
        ({"score": "2", "reason": "x"}, 400, "must be a number"),
        ({"score": True, "reason": "x"}, 400, "must be a number"),
        ({"score": None, "reason": "x"}, 400, "must be a number"),
        ({"score": 1}, 400, "'reason' must be a string"),
        ({"score": 1, "reason": "   "}, 400, "needs a reason"),
        ({"score": 1, "reason": ["x"]}, 400, "'reason' must be a string"),
        ({"score": 1, "reason": "x" * 2001}, 400, "at most 2000"),
    ],
)
def test_a_bad_hand_grade_is_a_400_and_stores_nothing(
    client: FlaskClient,
    graded: Graded,
    store: Store,
    instructor: dict[str, str],
    enqueuer: FakeEnqueuer,
    body: dict[str, Any],
    status: int,
    message: str,
) -> None:
    sid = graded()
    before = store.latest_report(sid)
    reply = put_cell(client, sid, instructor, body)
    assert reply.status_code == status and message in reply.json["message"], reply.json
    assert store.latest_report(sid) == before and enqueuer.deliveries == []


@pytest.mark.parametrize(
    "raw", [b'{"score": NaN, "reason": "x"}', b'{"score": Infinity, "reason": "x"}', b'[1.5, "x"]', b"1.5"]
)
def test_a_score_that_is_no_finite_number_or_a_body_that_is_no_object_is_refused(
    client: FlaskClient, graded: Graded, store: Store, instructor: dict[str, str], raw: bytes
) -> None:
    sid = graded()
    before = store.latest_report(sid)
    reply = client.put(
        f"/api/v1/submissions/{sid}/cells/test_answer",
        headers=instructor,
        data=raw,
        content_type="application/json",
    )
    assert reply.status_code == 400 and reply.json["error"] == "bad_input"
    assert store.latest_report(sid) == before


def test_an_unknown_cell_or_submission_is_a_404(
    client: FlaskClient, graded: Graded, instructor: dict[str, str]
) -> None:
    sid = graded()
    assert put_cell(client, sid, instructor, {"score": 1, "reason": "x"}, cell="nope").status_code == 404
    assert put_cell(client, "no-such-id", instructor, {"score": 1, "reason": "x"}).status_code == 404
    assert client.post("/api/v1/submissions/no-such-id/regrade", headers=instructor).status_code == 404


def test_learners_and_other_courses_staff_may_not_change_a_grade(
    client: FlaskClient,
    graded: Graded,
    store: Store,
    alice: dict[str, str],
    token: Callable[..., dict[str, str]],
    enqueuer: FakeEnqueuer,
) -> None:
    sid = graded()
    before, queued = store.latest_report(sid), list(enqueuer.calls)
    stranger = token("instructor", "other", ["ma201"])
    for headers in (alice, stranger, {}):
        assert put_cell(client, sid, headers, {"score": 2, "reason": "mine"}).status_code in (401, 403, 404)
        assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=headers).status_code in (
            401,
            403,
            404,
        )
    assert store.latest_report(sid) == before and enqueuer.calls == queued
    assert store.get_submission(sid).status == "graded"


def test_a_regrade_queues_the_submission_again_and_it_cannot_be_hand_graded_meanwhile(
    client: FlaskClient, graded: Graded, store: Store, instructor: dict[str, str], enqueuer: FakeEnqueuer
) -> None:
    sid = graded()
    reply = client.post(f"/api/v1/submissions/{sid}/regrade", headers=instructor)
    assert reply.status_code == 202 and reply.json["status"] == "queued"
    assert enqueuer.calls[-1] == (sid, reply.json["priority"])
    waiting = put_cell(client, sid, instructor, {"score": 1, "reason": "x"})
    assert waiting.status_code == 409 and "only a graded submission" in waiting.json["message"]


def test_an_ungraded_submission_cannot_be_hand_graded(
    client: FlaskClient, post_submission: Callable[..., Any], instructor: dict[str, str]
) -> None:
    sid = post_submission().json["id"]
    assert put_cell(client, sid, instructor, {"score": 1, "reason": "x"}).status_code == 409
