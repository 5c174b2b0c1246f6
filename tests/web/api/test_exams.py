"""The exam bank through the API (web/api/exams.py): an upload names every problem, learners see the
rules but not the bank, accommodations refuse names the store cannot keep.

Its ``spec``, ``upload``, ``exam`` and ``start`` are what the attempt, proctoring, page and LTI
tests start from: a real SQLite store with a settable clock and an in-memory queue.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.exam_bank.bank import as_yaml
from tests.exam_bank.bank import question as param_question
from tests.web.conftest import START

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]


def spec(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Final exam",
        "time_limit_minutes": 60,
        "window": {
            "opens": (START - timedelta(hours=1)).isoformat(),
            "closes": (START + timedelta(hours=3)).isoformat(),
        },
        "attempts_allowed": 1,
        "grace_seconds": 60,
        "requires_proctoring": True,
        "pools": [
            {
                "name": "basics",
                "draw": 1,
                "questions": [
                    {"file": "q1.ipynb", "params": {"k": {"choices": [2, 3, 5]}}},
                    {"file": "q2.ipynb", "params": {"k": {"range": [1, 9]}}},
                    {"file": "q3.ipynb", "params": {"k": {"choices": [7]}}},
                ],
            },
            {
                "name": "proofs",
                "draw": 1,
                "questions": [
                    {"file": "p1.ipynb", "params": {"k": {"choices": [1, 2]}}},
                    {"file": "p2.ipynb", "params": {"k": {"choices": [3, 4]}}},
                ],
            },
        ],
    }
    data.update(changes)
    return data


QUESTIONS = {
    name: param_question(1 if name.startswith("q") else 2)
    for name in ("q1.ipynb", "q2.ipynb", "q3.ipynb", "p1.ipynb", "p2.ipynb")
}


def upload(
    client: FlaskClient,
    headers: dict[str, str],
    data: dict[str, Any],
    questions: dict[str, bytes] | None = None,
    name: str = "final",
) -> Any:
    form: dict[str, Any] = {
        "course": "ds101",
        "name": name,
        "spec": (io.BytesIO(as_yaml(data).encode()), "exam.yaml"),
    }
    form["questions"] = [(io.BytesIO(body), file) for file, body in (questions or QUESTIONS).items()]
    return client.post("/api/v1/exams", headers=headers, data=form, content_type="multipart/form-data")


@pytest.fixture
def exam(client: FlaskClient, instructor: dict[str, str]) -> dict[str, Any]:
    reply = upload(client, instructor, spec())
    assert reply.status_code == 201, reply.json
    body: dict[str, Any] = reply.json
    return body


@pytest.fixture
def start(client: FlaskClient, exam: dict[str, Any], token: Callable[..., dict[str, str]]) -> Post:
    def post(learner: str = "alice", **body: Any) -> Any:
        return client.post(
            f"/api/v1/exams/{exam['id']}/attempts",
            headers=token("learner", learner, ["ds101"]),
            json=body or None,
        )

    return post


def test_an_exam_upload_reports_every_problem_naming_file_and_field(
    client: FlaskClient, instructor: dict[str, str], row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    bad = spec(time_limit_minutes=-5)
    bad["pools"][0]["draw"] = 4
    reply = upload(client, instructor, bad)
    assert reply.status_code == 422 and reply.json["error"] == "invalid_exam"
    problems = reply.json["problems"]
    assert any(p.startswith("exam.yaml: time_limit_minutes") for p in problems)
    assert any(p.startswith("exam.yaml: pools[0].draw") for p in problems)
    broken = upload(client, instructor, spec(), {**QUESTIONS, "q2.ipynb": b"not a notebook"})
    assert broken.status_code == 422 and any(p.startswith("q2.ipynb") for p in broken.json["problems"])
    assert row_counts() == before


def test_learners_see_the_rules_but_not_the_bank(
    client: FlaskClient, exam: dict[str, Any], alice: dict[str, str], instructor: dict[str, str]
) -> None:
    mine = client.get(exam["url"], headers=alice).json
    assert "pools" not in mine and mine["questions"] == 2 and mine["time_limit_minutes"] == 60
    assert {p["name"] for p in client.get(exam["url"], headers=instructor).json["pools"]} == {
        "basics",
        "proofs",
    }


def test_names_longer_than_the_store_keeps_are_400s_not_storage_errors(
    client: FlaskClient, instructor: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    long = "x" * 201
    reply = client.put(
        f"/api/v1/courses/ds101/accommodations/{long}", headers=instructor, json={"time_multiplier": 1.5}
    )
    assert reply.status_code == 400 and "longer than 200" in reply.json["message"]
    exam = upload(client, instructor, spec(), name="n" * 200).json  # the longest exam name allowed
    started = client.post(
        f"/api/v1/exams/{exam['id']}/attempts", headers=token("learner", "alice", ["ds101"])
    )
    assert started.status_code == 201, started.json
