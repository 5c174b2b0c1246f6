from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from grader.notebooks import parse_notebook
from tests.builders import make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.web.notebook_builders import BAD_NOTEBOOKS, HIDDEN_TEST, make_zip, read_zip, source_bytes

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]
Counts = Callable[[], dict[str, int]]


def test_an_instructor_uploads_a_notebook_and_gets_its_grade_cells(post_assignment: Post) -> None:
    response = post_assignment()
    assert response.status_code == 201
    body = response.json
    assert (body["course"], body["name"], body["max_score"]) == ("ds101", "hw1", 2.0)
    assert body["grade_cells"] == [
        {"notebook": "hw.ipynb", "grade_id": "test_answer", "points": 2.0, "kind": "test"}
    ]
    assert body["notebooks"] == ["hw.ipynb"]
    assert (body["due"], body["late_policy"]) == (None, [])
    assert response.headers["Location"] == f"/api/v1/assignments/{body['id']}"


def test_due_date_and_late_policy_are_kept_in_utc(post_assignment: Post, client: FlaskClient) -> None:
    policy = json.dumps([{"after": "2030-03-03T00:00:00+01:00", "credit": 50}])
    created = post_assignment(due="2030-03-01T23:59:00+01:00", late_policy=policy).json
    body = client.get(f"/api/v1/assignments/{created['id']}", headers=ADMIN).json
    assert body["due"] == "2030-03-01T22:59:00+00:00"
    assert body["late_policy"] == [{"after": "2030-03-02T23:00:00+00:00", "credit": 50.0}]


def test_an_admin_may_upload_to_any_course(post_assignment: Post) -> None:
    assert post_assignment(headers=ADMIN, course="any-course").status_code == 201


@pytest.mark.parametrize("role", ["learner", "platform"])
def test_only_admins_and_instructors_upload_assignments(
    post_assignment: Post, token: Callable[..., dict[str, str]], row_counts: Counts, role: str
) -> None:
    headers = token(role, "someone", ["ds101"])
    before = row_counts()
    response = post_assignment(headers=headers)
    assert (response.status_code, response.json["error"]) == (403, "forbidden")
    assert row_counts() == before


def test_an_instructor_of_another_course_may_not_upload(
    post_assignment: Post, token: Callable[..., dict[str, str]], row_counts: Counts
) -> None:
    headers = token("instructor", "other-prof", ["ds999"])
    before = row_counts()
    response = post_assignment(headers=headers)
    assert response.status_code == 403
    assert row_counts() == before


def test_the_same_name_twice_in_a_course_is_a_conflict(post_assignment: Post, row_counts: Counts) -> None:
    post_assignment()
    before = row_counts()
    response = post_assignment()
    assert (response.status_code, response.json["error"]) == (409, "conflict")
    assert row_counts() == before


@pytest.mark.parametrize("content", BAD_NOTEBOOKS.values(), ids=BAD_NOTEBOOKS.keys())
def test_an_unreadable_notebook_is_refused_and_nothing_is_stored(
    post_assignment: Post, row_counts: Counts, content: bytes
) -> None:
    before = row_counts()
    response = post_assignment(content)
    assert (response.status_code, response.json["error"]) == (422, "invalid_notebook")
    assert "hw.ipynb" in response.json["message"]
    assert row_counts() == before


def with_schema(cell: Any, version: Any) -> Any:
    cell.metadata["nbgrader"]["schema_version"] = version
    return cell


INVALID_SOURCES = {
    "duplicate grade ids": (
        make_notebook(make_answer_cell("answer"), make_test_cell("t1"), make_test_cell("t1")),
        ["cell 3", "'t1'", "duplicate grade_id"],
    ),
    "test cell without points": (
        make_notebook(make_answer_cell("answer"), make_test_cell("t_nopoints", points=None)),
        ["cell 2", "'t_nopoints'", "without points"],
    ),
    "unknown schema version": (
        make_notebook(make_answer_cell("answer"), with_schema(make_test_cell("t_schema"), 99)),
        ["cell 2", "'t_schema'", "schema_version 99"],
    ),
}


@pytest.mark.parametrize(("notebook", "expected"), INVALID_SOURCES.values(), ids=INVALID_SOURCES.keys())
def test_invalid_nbgrader_metadata_is_refused_naming_the_cell(
    post_assignment: Post, row_counts: Counts, notebook: Any, expected: list[str]
) -> None:
    before = row_counts()
    response = post_assignment(to_bytes(notebook))
    assert (response.status_code, response.json["error"]) == (422, "invalid_assignment")
    for fragment in expected:
        assert fragment in response.json["message"]
    assert row_counts() == before


def test_an_upload_over_the_size_limit_is_413_and_stores_nothing(
    post_assignment: Post, row_counts: Counts, settings: Any
) -> None:
    before = row_counts()
    response = post_assignment(b"x" * (settings.max_upload_bytes + 1))
    assert (response.status_code, response.json["error"]) == (413, "upload_too_large")
    assert row_counts() == before


def test_a_request_far_over_the_size_limit_is_413_before_it_is_read(
    post_assignment: Post, row_counts: Counts, settings: Any
) -> None:
    before = row_counts()
    response = post_assignment(b"x" * (settings.max_upload_bytes * 3))
    assert (response.status_code, response.json["error"]) == (413, "upload_too_large")
    assert row_counts() == before


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"course": None}, "'course'"),
        ({"name": "  "}, "'name'"),
        ({"name": "n" * 201}, "longer than 200"),
        ({"due": "next tuesday"}, "due"),
        ({"late_policy": "[{"}, "late_policy"),
        ({"late_policy": json.dumps([{"after": "2030-03-03T00:00:00Z", "credit": 50}])}, "due date"),
        (
            {"due": "2030-03-01T00:00:00Z", "late_policy": json.dumps([{"after": "2030-03-03T00:00:00Z"}])},
            "credit",
        ),
    ],
)
def test_bad_form_fields_are_400_and_store_nothing(
    post_assignment: Post, row_counts: Counts, form: dict[str, Any], message: str
) -> None:
    before = row_counts()
    response = post_assignment(**form)
    assert (response.status_code, response.json["error"]) == (400, "bad_input")
    assert message in response.json["message"]
    assert row_counts() == before


def test_a_form_without_a_file_is_400(client: FlaskClient, instructor: dict[str, str]) -> None:
    response = client.post("/api/v1/assignments", headers=instructor, data={"course": "ds101", "name": "hw1"})
    assert (response.status_code, response.json["error"]) == (400, "bad_input")


def test_the_release_has_no_solutions_and_no_hidden_tests(
    client: FlaskClient, assignment: dict[str, Any], alice: dict[str, str]
) -> None:
    response = client.get(f"/api/v1/assignments/{assignment['id']}/release", headers=alice)
    assert response.status_code == 200
    assert response.mimetype == "application/x-ipynb+json"
    assert "attachment; filename=hw.ipynb" in response.headers["Content-Disposition"]
    release = parse_notebook(response.data, "hw.ipynb")
    text = "\n".join(cell.source for cell in release.cells)
    assert "return 42" not in text and "BEGIN SOLUTION" not in text
    assert "4242" not in text and "HIDDEN" not in text
    assert "assert answer() == 42" in text and "raise NotImplementedError" in text


def test_a_zip_assignment_with_data_is_released_as_a_zip(
    post_assignment: Post, client: FlaskClient, alice: dict[str, str], instructor: dict[str, str]
) -> None:
    upload = make_zip({"hw2/hw.ipynb": source_bytes(), "hw2/data/values.csv": b"a,b\n1,2\n"})
    created = post_assignment(upload, filename="hw2.zip", name="hw2").json
    assert created["notebooks"] == ["hw.ipynb"]
    release = client.get(f"/api/v1/assignments/{created['id']}/release", headers=alice)
    assert (release.status_code, release.mimetype) == (200, "application/zip")
    files = read_zip(release.data)
    assert set(files) == {"hw.ipynb", "data/values.csv"}
    assert files["data/values.csv"] == b"a,b\n1,2\n"
    assert b"return 42" not in files["hw.ipynb"] and b"HIDDEN" not in files["hw.ipynb"]
    source = client.get(f"/api/v1/assignments/{created['id']}/source", headers=instructor)
    assert b"return 42" in read_zip(source.data)["hw.ipynb"]


def test_the_source_is_for_instructors_and_admins_only(
    client: FlaskClient,
    assignment: dict[str, Any],
    instructor: dict[str, str],
    token: Callable[..., dict[str, str]],
) -> None:
    url = f"/api/v1/assignments/{assignment['id']}/source"
    source = client.get(url, headers=instructor)
    assert source.status_code == 200
    text = "".join(cell.source for cell in parse_notebook(source.data).cells)
    assert HIDDEN_TEST in text and "return 42" in text
    assert client.get(url, headers=ADMIN).status_code == 200
    assert client.get(url, headers=token("learner", "alice")).status_code == 403
    assert client.get(url, headers=token("platform", "lms", ["ds101"])).status_code == 403
    assert client.get(url, headers=token("instructor", "other", ["ds999"])).status_code == 403


def test_learners_read_assignment_metadata_but_other_courses_instructors_do_not(
    client: FlaskClient, assignment: dict[str, Any], token: Callable[..., dict[str, str]]
) -> None:
    url = f"/api/v1/assignments/{assignment['id']}"
    assert client.get(url, headers=token("learner", "alice")).json["grade_cells"] == assignment["grade_cells"]
    assert client.get(url, headers=token("platform", "lms", ["ds101"])).status_code == 200
    assert client.get(url, headers=token("learner", "carol", ["ds999"])).status_code == 403
    assert client.get(url, headers=token("instructor", "other", ["ds999"])).status_code == 403
    assert client.get(url + "/release", headers=token("instructor", "other", ["ds999"])).status_code == 403


@pytest.mark.parametrize("suffix", ["", "/release", "/source", "/submissions"])
def test_an_unknown_assignment_is_a_json_404(client: FlaskClient, suffix: str) -> None:
    response = client.get(f"/api/v1/assignments/{'0' * 32}{suffix}", headers=ADMIN)
    assert (response.status_code, response.json["error"]) == (404, "not_found")


def test_an_assignment_may_choose_its_sandbox_runtime(post_assignment: Post, client: FlaskClient) -> None:
    created = post_assignment(runtime="runsc").json
    assert client.get(f"/api/v1/assignments/{created['id']}", headers=ADMIN).json["runtime"] == "runsc"


def test_an_unknown_runtime_is_400_and_stores_nothing(post_assignment: Post, row_counts: Counts) -> None:
    before = row_counts()
    response = post_assignment(runtime="docker-in-docker")
    assert response.status_code == 400 and "runtime must be runc or runsc" in response.json["message"]
    assert row_counts() == before
