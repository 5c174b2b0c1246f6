"""Listing assignments: each caller sees the assignments of the courses their token opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.web.builders_attempts import add_attempt_assignment

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]


def names(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.json
    return [(a["course"], a["name"]) for a in response.json]


def test_an_instructor_lists_the_assignments_of_their_courses_only(
    client: FlaskClient, post_assignment: Post, instructor: dict[str, str]
) -> None:
    post_assignment(name="hw1")
    post_assignment(name="hw2")
    post_assignment(headers=ADMIN, course="ds999", name="elsewhere")
    assert names(client.get("/api/v1/assignments", headers=instructor)) == [
        ("ds101", "hw1"),
        ("ds101", "hw2"),
    ]


def test_an_admin_lists_every_course_and_may_filter_by_one(
    client: FlaskClient, post_assignment: Post
) -> None:
    post_assignment(name="hw1")
    post_assignment(headers=ADMIN, course="ds999", name="elsewhere")
    assert names(client.get("/api/v1/assignments", headers=ADMIN)) == [
        ("ds101", "hw1"),
        ("ds999", "elsewhere"),
    ]
    assert names(client.get("/api/v1/assignments?course=ds999", headers=ADMIN)) == [("ds999", "elsewhere")]
    assert names(client.get("/api/v1/assignments?course=nothing-here", headers=ADMIN)) == []


def test_a_course_filter_outside_the_callers_courses_is_refused(
    client: FlaskClient, post_assignment: Post, instructor: dict[str, str]
) -> None:
    post_assignment(headers=ADMIN, course="ds999", name="elsewhere")
    refused = client.get("/api/v1/assignments?course=ds999", headers=instructor)
    assert (refused.status_code, refused.json["error"]) == (403, "forbidden")


def test_a_learner_lists_what_they_may_read_and_each_entry_reads_like_the_single_assignment(
    client: FlaskClient, assignment: dict[str, Any], alice: dict[str, str]
) -> None:
    listed = client.get("/api/v1/assignments", headers=alice).json
    one = client.get(f"/api/v1/assignments/{assignment['id']}", headers=alice).json
    assert listed == [one]
    assert one["id"] == assignment["id"]


def test_the_assignments_built_for_exam_attempts_are_not_listed(
    client: FlaskClient, post_assignment: Post, store: Any
) -> None:
    post_assignment(name="hw1")
    add_attempt_assignment(store)
    assert names(client.get("/api/v1/assignments", headers=ADMIN)) == [("ds101", "hw1")]


def test_an_empty_course_filter_is_a_400_naming_the_field(
    client: FlaskClient, instructor: dict[str, str]
) -> None:
    refused = client.get("/api/v1/assignments?course=", headers=instructor)
    assert refused.status_code == 400 and "course" in refused.json["message"]


def test_listing_needs_a_token(client: FlaskClient) -> None:
    assert client.get("/api/v1/assignments").status_code == 401
