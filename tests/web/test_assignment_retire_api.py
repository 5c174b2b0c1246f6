"""Retiring an assignment: no new work is taken (410, saying why), the grades it has stay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from grader.errors import AssignmentRetired
from store import Store
from tests.web.api.test_webhook import platform, send  # noqa: F401  (fixtures)
from tests.web.builders_attempts import add_attempt_assignment
from tests.web.fakes import FakeClock
from tests.web.reports import grade

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]
Counts = Callable[[], dict[str, int]]


def retire(client: FlaskClient, assignment: dict[str, Any], headers: dict[str, str], body: Any = None) -> Any:
    return client.post(
        f"/api/v1/assignments/{assignment['id']}/retire",
        headers=headers,
        json={"reason": "replaced by hw1b"} if body is None else body,
    )


def test_a_retired_assignment_says_when_and_its_history_says_who_and_why(
    client: FlaskClient, assignment: dict[str, Any], instructor: dict[str, str], clock: FakeClock
) -> None:
    retired = retire(client, assignment, instructor)
    assert retired.status_code == 200, retired.json
    assert retired.json["assignment"]["retired_at"] == clock().isoformat()
    assert (
        client.get(f"/api/v1/assignments/{assignment['id']}", headers=instructor).json["retired_at"]
        == clock().isoformat()
    )
    [entry] = client.get(f"/api/v1/assignments/{assignment['id']}/history", headers=instructor).json
    assert (entry["kind"], entry["author"], entry["reason"]) == ("retire", "prof", "replaced by hw1b")
    assert entry["fields"] == {"retired": {"old": None, "new": clock().isoformat()}}


def test_new_work_for_a_retired_assignment_is_refused_with_a_410_that_says_why(
    client: FlaskClient,
    assignment: dict[str, Any],
    post_submission: Post,
    instructor: dict[str, str],
    row_counts: Counts,
) -> None:
    retire(client, assignment, instructor)
    before = row_counts()
    refused = post_submission()
    assert refused.status_code == 410, refused.json
    assert refused.json["error"] == "assignment_retired" and "retired" in refused.json["message"]
    assert "no longer takes submissions" in refused.json["message"]
    assert row_counts() == before


def test_a_platform_submission_to_a_retired_assignment_is_refused_too(
    client: FlaskClient,
    assignment: dict[str, Any],
    instructor: dict[str, str],
    send: Post,
) -> None:
    retire(client, assignment, instructor)
    refused = send()
    assert (refused.status_code, refused.json["error"]) == (410, "assignment_retired")


def test_the_grades_stay_readable_and_regradable_after_retiring(
    client: FlaskClient,
    assignment: dict[str, Any],
    post_submission: Post,
    store: Store,
    instructor: dict[str, str],
    alice: dict[str, str],
) -> None:
    sid = post_submission().json["id"]
    grade(store, sid, 1.5)
    retire(client, assignment, instructor)
    assert client.get(f"/api/v1/submissions/{sid}", headers=alice).json["score"] == 1.5
    gradebook = client.get(f"/api/v1/assignments/{assignment['id']}/gradebook.csv", headers=instructor)
    assert gradebook.status_code == 200 and sid in gradebook.get_data(as_text=True)
    assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=instructor).status_code == 202


def test_a_retired_assignment_is_listed_as_retired(
    client: FlaskClient, assignment: dict[str, Any], instructor: dict[str, str]
) -> None:
    retire(client, assignment, instructor)
    [listed] = client.get("/api/v1/assignments", headers=instructor).json
    assert listed["retired_at"] is not None


def test_retiring_twice_or_changing_a_retired_assignment_is_a_409(
    client: FlaskClient, assignment: dict[str, Any], instructor: dict[str, str]
) -> None:
    retire(client, assignment, instructor)
    again = retire(client, assignment, instructor)
    assert again.status_code == 409 and "already retired" in again.json["message"]
    changed = client.patch(
        f"/api/v1/assignments/{assignment['id']}",
        headers=instructor,
        json={"runtime": "runsc", "reason": "r"},
    )
    assert changed.status_code == 409 and "retired" in changed.json["message"]


@pytest.mark.parametrize("body", [{}, {"reason": " "}, {"reason": 3}, [1]])
def test_retiring_needs_a_reason(
    client: FlaskClient, assignment: dict[str, Any], instructor: dict[str, str], body: Any, row_counts: Counts
) -> None:
    before = row_counts()
    refused = retire(client, assignment, instructor, body)
    assert refused.status_code == 400
    assert row_counts() == before


def test_only_staff_of_the_course_retire(
    client: FlaskClient,
    assignment: dict[str, Any],
    alice: dict[str, str],
    token: Callable[..., dict[str, str]],
) -> None:
    for headers in (alice, token("instructor", "other-prof", ["ds999"]), token("platform", "lms", ["ds101"])):
        assert retire(client, assignment, headers).status_code == 403
    assert client.get(f"/api/v1/assignments/{assignment['id']}", headers=alice).json["retired_at"] is None


def test_the_store_refuses_work_for_a_retired_assignment_even_past_the_web_check(
    client: FlaskClient,
    assignment: dict[str, Any],
    instructor: dict[str, str],
    store: Store,
    clock: FakeClock,
) -> None:
    """A submission that passed the web's check just before the assignment was retired."""
    retire(client, assignment, instructor)
    with pytest.raises(AssignmentRetired):
        store.add_submission(assignment["id"], "alice", "hw.ipynb", b"{}", clock(), True, 1.0)


def test_an_exam_attempts_questions_cannot_be_retired(client: FlaskClient, store: Store) -> None:
    record = add_attempt_assignment(store)
    assert (
        client.post(
            f"/api/v1/assignments/{record.id}/retire", headers=ADMIN, json={"reason": "r"}
        ).status_code
        == 409
    )
