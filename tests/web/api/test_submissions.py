from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.notebook_builders import BAD_NOTEBOOKS, learner_bytes, make_zip

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]
Counts = Callable[[], dict[str, int]]
Token = Callable[..., dict[str, str]]
REPORT = {
    "score": 2.0,
    "raw_score": 2.0,
    "max_score": 2.0,
    "on_time": True,
    "late_credit": 1.0,
    "needs_manual_grading": False,
    "rubric_version": "v",
    "events": ["hw.ipynb ran in 0.4 s"],
    "cells": [
        {
            "notebook": "hw.ipynb",
            "grade_id": "test_answer",
            "score": 2.0,
            "max_score": 2.0,
            "status": "passed",
            "message": "",
        }
    ],
}


def grade(store: Store, submission_id: str) -> None:
    """What the worker does, without the sandbox."""
    store.claim_submission(submission_id)
    assert store.save_grade(submission_id, REPORT, "<h1>Well done</h1>", {"image": "sha256:1"})


def test_a_learner_submits_and_the_stored_submission_is_enqueued(
    post_submission: Post, store: Store, enqueuer: FakeEnqueuer, assignment: dict[str, Any]
) -> None:
    content = learner_bytes()
    response = post_submission(content)
    assert response.status_code == 202
    body = response.json
    assert body == {"id": body["id"], "status": "queued", "url": f"/api/v1/submissions/{body['id']}"}
    assert response.headers["Location"] == body["url"]
    stored = store.get_submission(body["id"])
    assert (stored.learner, stored.assignment_id, stored.status) == ("alice", assignment["id"], "queued")
    assert store.submission_content(body["id"]) == content
    assert enqueuer.calls == [(body["id"], "assignments")]


def test_a_learner_may_name_themselves_but_nobody_else(
    post_submission: Post, store: Store, row_counts: Counts, enqueuer: FakeEnqueuer
) -> None:
    assert post_submission(learner="alice").status_code == 202
    before = row_counts()
    response = post_submission(learner="bob")
    assert (response.status_code, response.json["error"]) == (403, "forbidden")
    assert row_counts() == before
    assert len(enqueuer.calls) == 1


def test_instructors_and_platforms_submit_for_a_named_learner_of_their_course(
    post_submission: Post, store: Store, instructor: dict[str, str], token: Token
) -> None:
    by_instructor = post_submission(headers=instructor, learner="bob")
    by_platform = post_submission(headers=token("platform", "lms", ["ds101"]), learner="carol")
    by_admin = post_submission(headers=ADMIN, learner="dave")
    assert [r.status_code for r in (by_instructor, by_platform, by_admin)] == [202, 202, 202]
    assert [store.get_submission(r.json["id"]).learner for r in (by_instructor, by_platform, by_admin)] == [
        "bob",
        "carol",
        "dave",
    ]


def test_a_submission_for_nobody_in_particular_is_400(
    post_submission: Post, instructor: dict[str, str], row_counts: Counts
) -> None:
    before = row_counts()
    response = post_submission(headers=instructor)
    assert (response.status_code, response.json["error"]) == (400, "bad_input")
    assert "learner" in response.json["message"]
    assert row_counts() == before


def test_a_platform_of_another_course_may_not_submit(
    post_submission: Post, token: Token, row_counts: Counts
) -> None:
    headers = token("platform", "other-lms", ["ds999"])
    before = row_counts()
    assert post_submission(headers=headers, learner="bob").status_code == 403
    assert row_counts() == before


BAD_SUBMISSIONS = {
    **{name: (content, "hw.ipynb", 422, "invalid_notebook") for name, content in BAD_NOTEBOOKS.items()},
    "no notebook at all": (b"print('hi')\n", "answers.py", 422, "invalid_submission"),
    "a zip without the notebook": (make_zip({"notes.txt": b"hi"}), "hw.zip", 422, "invalid_submission"),
    "a broken zip": (b"PK\x03\x04 broken", "hw.zip", 400, "bad_input"),
    "over the size limit": (b"x" * 100_001, "hw.ipynb", 413, "upload_too_large"),
    "far over the size limit": (b"x" * 300_000, "hw.ipynb", 413, "upload_too_large"),
}


@pytest.mark.parametrize(
    ("content", "filename", "status", "code"), BAD_SUBMISSIONS.values(), ids=BAD_SUBMISSIONS.keys()
)
def test_a_bad_submission_is_refused_before_anything_is_stored_or_enqueued(
    post_submission: Post,
    row_counts: Counts,
    enqueuer: FakeEnqueuer,
    content: bytes,
    filename: str,
    status: int,
    code: str,
) -> None:
    before = row_counts()
    response = post_submission(content, filename=filename)
    assert (response.status_code, response.json["error"]) == (status, code)
    assert response.json["message"]
    assert row_counts() == before
    assert enqueuer.calls == []


def test_a_submission_to_an_unknown_assignment_is_404_and_stores_nothing(
    post_submission: Post, row_counts: Counts, enqueuer: FakeEnqueuer
) -> None:
    before = row_counts()
    response = post_submission(assignment_id="0" * 32)
    assert (response.status_code, response.json["error"]) == (404, "not_found")
    assert row_counts() == before and enqueuer.calls == []


def test_a_zipped_submission_is_matched_to_the_notebook(post_submission: Post) -> None:
    response = post_submission(make_zip({"mywork/hw.ipynb": learner_bytes()}), filename="mywork.zip")
    assert response.status_code == 202


def test_when_redis_is_down_the_submission_is_still_accepted_and_stays_queued(
    post_submission: Post, store: Store, enqueuer: FakeEnqueuer
) -> None:
    enqueuer.down = True
    response = post_submission()
    assert (response.status_code, response.json["status"]) == (202, "queued")
    assert [s.id for s in store.unfinished_submissions()] == [response.json["id"]]


def test_a_submission_reads_as_queued_with_no_cells_before_grading(
    post_submission: Post, client: FlaskClient, alice: dict[str, str]
) -> None:
    url = post_submission().json["url"]
    body = client.get(url, headers=alice).json
    assert (body["status"], body["score"], body["cells"], body["events"]) == ("queued", None, [], [])
    assert (body["needs_manual_grading"], body["graded_at"], body["error"]) == (None, None, None)
    assert (body["learner"], body["max_score"], body["on_time"], body["late_credit"]) == (
        "alice",
        2.0,
        True,
        1.0,
    )
    feedback = client.get(url + "/feedback", headers=alice)
    assert (feedback.status_code, feedback.json["error"]) == (404, "not_found")


def test_a_graded_submission_shows_its_cells_score_and_feedback(
    post_submission: Post, client: FlaskClient, store: Store, alice: dict[str, str]
) -> None:
    submitted = post_submission().json
    grade(store, submitted["id"])
    body = client.get(submitted["url"], headers=alice).json
    assert (body["status"], body["score"], body["max_score"]) == ("graded", 2.0, 2.0)
    assert body["cells"] == REPORT["cells"]
    assert (body["needs_manual_grading"], body["events"]) == (False, REPORT["events"])
    assert body["graded_at"] is not None
    feedback = client.get(submitted["url"] + "/feedback", headers=alice)
    assert (feedback.status_code, feedback.mimetype) == (200, "text/html")
    assert feedback.get_data(as_text=True) == "<h1>Well done</h1>"
    assert "sandbox" in feedback.headers["Content-Security-Policy"]


def test_a_failed_submission_says_why(post_submission: Post, client: FlaskClient, store: Store) -> None:
    submitted = post_submission().json
    store.mark_failed(submitted["id"], "the submission could not be graded: no notebook")
    body = client.get(submitted["url"], headers=ADMIN).json
    assert (body["status"], body["score"], body["error"]) == (
        "failed",
        None,
        "the submission could not be graded: no notebook",
    )


def test_a_learner_may_not_read_another_learners_submission(
    post_submission: Post, client: FlaskClient, store: Store, bob: dict[str, str], row_counts: Counts
) -> None:
    submitted = post_submission().json
    grade(store, submitted["id"])
    before = row_counts()
    for url in (submitted["url"], submitted["url"] + "/feedback"):
        response = client.get(url, headers=bob)
        assert (response.status_code, response.json["error"]) == (403, "forbidden")
    assert row_counts() == before


def test_staff_read_submissions_of_their_courses_only(
    post_submission: Post, client: FlaskClient, instructor: dict[str, str], token: Token
) -> None:
    url = post_submission().json["url"]
    assert client.get(url, headers=instructor).status_code == 200
    assert client.get(url, headers=token("platform", "lms", ["ds101"])).status_code == 200
    assert client.get(url, headers=ADMIN).status_code == 200
    assert client.get(url, headers=token("instructor", "other", ["ds999"])).status_code == 403
    assert client.get(url, headers=token("platform", "other-lms", ["ds999"])).status_code == 403


@pytest.mark.parametrize("suffix", ["", "/feedback"])
def test_an_unknown_submission_is_a_json_404(client: FlaskClient, suffix: str) -> None:
    response = client.get(f"/api/v1/submissions/{'0' * 32}{suffix}", headers=ADMIN)
    assert (response.status_code, response.json["error"]) == (404, "not_found")


def test_staff_list_an_assignments_submissions_and_learners_may_not(
    post_submission: Post,
    client: FlaskClient,
    assignment: dict[str, Any],
    instructor: dict[str, str],
    alice: dict[str, str],
    bob: dict[str, str],
    token: Token,
    clock: FakeClock,
) -> None:
    first = post_submission(headers=alice).json
    clock.advance(seconds=1)
    second = post_submission(headers=bob).json
    url = f"/api/v1/assignments/{assignment['id']}/submissions"
    listed = client.get(url, headers=instructor).json
    assert [(s["id"], s["learner"], s["status"]) for s in listed] == [
        (first["id"], "alice", "queued"),
        (second["id"], "bob", "queued"),
    ]
    assert client.get(url, headers=token("platform", "lms", ["ds101"])).status_code == 200
    assert client.get(url, headers=alice).status_code == 403
    assert client.get(url, headers=token("instructor", "other", ["ds999"])).status_code == 403


def test_a_learner_does_not_see_the_staff_review_note_of_a_cell(
    post_submission: Any, client: Any, store: Any, alice: dict[str, str], instructor: dict[str, str]
) -> None:
    sid = post_submission().json["id"]
    store.claim_submission(sid)
    cell = {
        "notebook": "hw.ipynb",
        "grade_id": "test_answer",
        "score": 0.0,
        "max_score": 2.0,
        "status": "failed",
        "message": "failed",
        "review": "attestation forged: the hook saw a rewritten assert",
    }
    report = {"score": 0.0, "max_score": 2.0, "cells": [cell], "needs_review": True, "flags": ["tampering"]}
    assert store.save_grade(sid, report, "<p>x</p>", {})
    own = client.get(f"/api/v1/submissions/{sid}", headers=alice).json
    staff = client.get(f"/api/v1/submissions/{sid}", headers=instructor).json
    assert "review" not in own["cells"][0] and own["needs_review"] is True
    assert staff["cells"][0]["review"].startswith("attestation forged")
