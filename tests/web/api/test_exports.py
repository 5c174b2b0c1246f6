"""The export endpoints over the real app and SQLite store: gradebooks for staff, results.json per submission."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.builders import report_cell, report_dict
from tests.web.fakes import FakeClock
from tests.web.reports import grade

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]
Token = Callable[..., dict[str, str]]


def submit(post_submission: Post, headers: dict[str, str] | None = None, **form: Any) -> str:
    response = post_submission(headers=headers, **form)
    assert response.status_code == 202, response.json
    submission_id: str = response.json["id"]
    return submission_id


def rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def graded(
    post_submission: Post, store: Store, clock: FakeClock, instructor: dict[str, str]
) -> dict[str, str]:
    """alice: graded 2, then a newer one still queued; bob: graded 0; carol: failed only."""
    ids = {"alice": submit(post_submission)}
    grade(store, ids["alice"])
    clock.advance(minutes=5)
    ids["alice-queued"] = submit(post_submission)
    ids["bob"] = submit(post_submission, headers=instructor, learner="bob")
    grade(store, ids["bob"], 0.0)
    ids["carol"] = submit(post_submission, headers=instructor, learner="carol")
    store.claim_submission(ids["carol"])
    store.mark_failed(ids["carol"], "the sandbox image is missing")
    return ids


def test_the_assignment_gradebook_is_a_csv_download_with_one_row_per_learner(
    client: FlaskClient, instructor: dict[str, str], assignment: dict[str, Any], graded: dict[str, str]
) -> None:
    response = client.get(f"/api/v1/assignments/{assignment['id']}/gradebook.csv", headers=instructor)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=ds101-hw1-gradebook.csv"
    assert response.headers["Cache-Control"] == "no-store"
    table = rows(response)
    assert [(r["learner"], r["submission_id"], r["status"], r["test_answer"], r["total"]) for r in table] == [
        ("alice", graded["alice"], "graded", "2", "2"),
        ("bob", graded["bob"], "graded", "0", "0"),
        ("carol", graded["carol"], "failed", "", ""),
    ]
    assert {r["max_score"] for r in table} == {"2"}


def test_the_course_gradebook_has_a_column_per_assignment(
    client: FlaskClient, post_assignment: Post, post_submission: Post, store: Store, graded: dict[str, str]
) -> None:
    hw2 = post_assignment(name="hw2").json["id"]
    grade(store, submit(post_submission, assignment_id=hw2), 1.0)
    response = client.get("/api/v1/courses/ds101/gradebook.csv", headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=ds101-gradebook.csv"
    assert rows(response) == [
        {"learner": "alice", "hw1": "2", "hw2": "1", "total": "3", "max_score": "4"},
        {"learner": "bob", "hw1": "0", "hw2": "", "total": "0", "max_score": "4"},
        {"learner": "carol", "hw1": "", "hw2": "", "total": "", "max_score": "4"},
    ]


def test_a_platform_of_the_course_may_export_its_gradebooks(
    client: FlaskClient, token: Token, assignment: dict[str, Any]
) -> None:
    headers = token("platform", "lms", ["ds101"])
    assert (
        client.get(f"/api/v1/assignments/{assignment['id']}/gradebook.csv", headers=headers).status_code
        == 200
    )
    assert client.get("/api/v1/courses/ds101/gradebook.csv", headers=headers).status_code == 200


@pytest.mark.parametrize("who", ["learner", "other course's instructor"])
def test_learners_and_other_courses_staff_get_no_gradebook(
    client: FlaskClient, token: Token, assignment: dict[str, Any], who: str
) -> None:
    headers = token("learner", "alice") if who == "learner" else token("instructor", "other", ["ds999"])
    for url in (
        f"/api/v1/assignments/{assignment['id']}/gradebook.csv",
        "/api/v1/courses/ds101/gradebook.csv",
    ):
        response = client.get(url, headers=headers)
        assert (response.status_code, response.json["error"]) == (403, "forbidden"), url


def test_a_course_without_assignments_is_a_json_404_but_only_to_those_who_may_see_it(
    client: FlaskClient, token: Token
) -> None:
    response = client.get("/api/v1/courses/empty101/gradebook.csv", headers=ADMIN)
    assert (response.status_code, response.json["error"]) == (404, "not_found")
    assert "empty101" in response.json["message"]
    outsider = token("instructor", "other", ["ds999"])
    assert client.get("/api/v1/courses/empty101/gradebook.csv", headers=outsider).status_code == 403


def test_an_unknown_assignment_has_no_gradebook(client: FlaskClient, instructor: dict[str, str]) -> None:
    response = client.get(f"/api/v1/assignments/{'0' * 32}/gradebook.csv", headers=instructor)
    assert (response.status_code, response.json["error"]) == (404, "not_found")


def test_the_download_name_is_reduced_to_safe_characters(
    client: FlaskClient, post_assignment: Post, instructor: dict[str, str]
) -> None:
    record = post_assignment(name='Week 1/"Intro"; x').json
    response = client.get(f"/api/v1/assignments/{record['id']}/gradebook.csv", headers=instructor)
    assert (
        response.headers["Content-Disposition"] == "attachment; filename=ds101-Week_1_Intro_x-gradebook.csv"
    )


def test_a_learner_reads_their_own_results_json_in_gradescopes_shape(
    client: FlaskClient, alice: dict[str, str], graded: dict[str, str]
) -> None:
    response = client.get(f"/api/v1/submissions/{graded['alice']}/results.json", headers=alice)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {
        "score": 2.0,
        "execution_time": 0.5,
        "output": "hw1: 2 / 2.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"submission_id": graded["alice"], "needs_manual_grading": False},
        "tests": [
            {
                "name": "test_answer",
                "number": "1",
                "score": 2.0,
                "max_score": 2.0,
                "status": "passed",
                "output": "passed",
                "visibility": "visible",
            }
        ],
    }


def test_a_learner_may_not_read_anothers_results_json(
    client: FlaskClient, alice: dict[str, str], graded: dict[str, str]
) -> None:
    response = client.get(f"/api/v1/submissions/{graded['bob']}/results.json", headers=alice)
    assert (response.status_code, response.json["error"]) == (403, "forbidden")


def test_staff_read_results_json_of_their_course_only(
    client: FlaskClient, instructor: dict[str, str], token: Token, graded: dict[str, str]
) -> None:
    url = f"/api/v1/submissions/{graded['bob']}/results.json"
    response = client.get(url, headers=instructor)
    assert response.status_code == 200
    assert response.json["tests"][0]["output"] == "AssertionError raised"
    assert client.get(url, headers=token("instructor", "other", ["ds999"])).status_code == 403


@pytest.mark.parametrize(("key", "status"), [("alice-queued", "queued"), ("carol", "failed")])
def test_results_json_of_an_ungraded_submission_is_a_404_naming_its_status(
    client: FlaskClient, instructor: dict[str, str], graded: dict[str, str], key: str, status: str
) -> None:
    response = client.get(f"/api/v1/submissions/{graded[key]}/results.json", headers=instructor)
    assert (response.status_code, response.json["error"]) == (404, "not_found")
    assert f"status {status}" in response.json["message"]


def test_results_json_of_an_unknown_submission_is_a_404(client: FlaskClient) -> None:
    response = client.get(f"/api/v1/submissions/{'0' * 32}/results.json", headers=ADMIN)
    assert (response.status_code, response.json["error"]) == (404, "not_found")


def test_results_json_says_a_cell_awaits_a_person_and_the_score_may_still_rise(
    client: FlaskClient, alice: dict[str, str], post_submission: Post, store: Store
) -> None:
    sid = submit(post_submission)
    store.claim_submission(sid)
    report = report_dict(
        report_cell("test_answer", 2.0, 2.0, "passed"),
        report_cell("essay", None, 5.0, "needs_manual_grading"),
        score=2.0,
        max_score=7.0,
        needs_manual_grading=True,
    )
    assert store.save_grade(sid, report, "", {})
    results = client.get(f"/api/v1/submissions/{sid}/results.json", headers=alice).json
    essay = next(test for test in results["tests"] if test["name"] == "essay")
    assert (essay["status"], essay["score"], essay["max_score"]) == ("pending", 0.0, 5.0)
    assert "person" in essay["output"]
    assert results["output"].startswith("hw1: 2 / 7.") and "may still rise" in results["output"]
    assert results["extra_data"]["needs_manual_grading"] is True
