"""A regrade re-runs what the machine grades and keeps what a person graded (as nbgrader's
``autograde --force`` keeps manual scores): the per-submission regrade and an accepted
regrade run both store a new version with the instructor's cell, its author and reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from store import Store
from tests.builders import report_cell, report_dict


def machine_report(test_score: float = 2.0) -> dict[str, Any]:
    """What the worker stores: the test scored, the essay waiting for a person."""
    status = "passed" if test_score == 2.0 else "partial"
    return report_dict(
        report_cell("test_answer", test_score, 2.0, status),
        report_cell("essay", None, 5.0, "needs_manual_grading"),
        score=test_score,
        max_score=7.0,
        needs_manual_grading=True,
    )


def hand_graded(
    client: FlaskClient, post_submission: Callable[..., Any], store: Store, instructor: dict[str, str]
) -> str:
    """alice's submission, machine-graded 2/7, then her essay graded 5/5 by prof: 7/7."""
    sid = str(post_submission().json["id"])
    store.claim_submission(sid)
    assert store.save_grade(sid, machine_report(), "<p class='badge'>Score: 2 / 7</p>", {})
    changed = client.put(
        f"/api/v1/submissions/{sid}/cells/essay",
        headers=instructor,
        json={"score": 5, "reason": "a clear argument"},
    )
    assert changed.status_code == 200 and changed.json["score"] == 7.0, changed.json
    return sid


def essay_of(body: dict[str, Any]) -> dict[str, Any]:
    return next(cell for cell in body["cells"] if cell["grade_id"] == "essay")


def test_regrading_one_submission_keeps_the_instructors_score_as_a_new_version(
    client: FlaskClient, post_submission: Callable[..., Any], store: Store, instructor: dict[str, str]
) -> None:
    sid = hand_graded(client, post_submission, store, instructor)
    assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=instructor).status_code == 202
    store.claim_submission(sid)  # the worker re-runs it: the machine knows nothing of the essay's score
    assert store.save_grade(sid, machine_report(), "<p class='badge'>Score: 2 / 7</p>", {})
    body = client.get(f"/api/v1/submissions/{sid}", headers=instructor).json
    assert body["score"] == 7.0 and body["needs_manual_grading"] is False
    essay = essay_of(body)
    assert (essay["score"], essay["status"]) == (5.0, "graded_by_instructor")
    assert "prof" in essay["message"] and "a clear argument" in essay["message"]
    assert len(store.report_history(sid)) == 3  # machine, hand grade, regrade: nothing edited in place
    feedback = client.get(f"/api/v1/submissions/{sid}/feedback", headers=instructor).get_data(as_text=True)
    assert "Score: 7 / 7" in feedback and "a clear argument" in feedback


def test_an_accepted_regrade_run_keeps_the_instructors_score_and_its_comparison_shows_it(
    client: FlaskClient,
    post_submission: Callable[..., Any],
    store: Store,
    instructor: dict[str, str],
    assignment: dict[str, Any],
) -> None:
    sid = hand_graded(client, post_submission, store, instructor)
    run = client.post(
        f"/api/v1/assignments/{assignment['id']}/regrades",
        headers=instructor,
        data={"reason": "the test was too lenient"},
    ).json
    store.save_regrade_result(
        run["id"], sid, machine_report(1.0), "<p class='badge'>Score: 1 / 7</p>", {}, None
    )
    (row,) = client.get(f"/api/v1/regrades/{run['id']}", headers=instructor).json["results"]
    assert (row["old_score"], row["new_score"], row["change"]) == (7.0, 6.0, -1.0)  # only the test changed
    accepted = client.post(f"/api/v1/regrades/{run['id']}/accept", headers=instructor).json
    assert accepted["changed"] == 1
    body = client.get(f"/api/v1/submissions/{sid}", headers=instructor).json
    assert body["score"] == 6.0
    assert (essay_of(body)["score"], essay_of(body)["status"]) == (5.0, "graded_by_instructor")


def test_a_hand_grade_made_while_a_run_was_open_survives_its_acceptance(
    client: FlaskClient,
    post_submission: Callable[..., Any],
    store: Store,
    instructor: dict[str, str],
    assignment: dict[str, Any],
) -> None:
    sid = hand_graded(client, post_submission, store, instructor)
    run = client.post(
        f"/api/v1/assignments/{assignment['id']}/regrades",
        headers=instructor,
        data={"reason": "the test was too lenient"},
    ).json
    store.save_regrade_result(run["id"], sid, machine_report(1.0), "", {}, None)
    lowered = client.put(
        f"/api/v1/submissions/{sid}/cells/essay",
        headers=instructor,
        json={"score": 4, "reason": "second reading"},
    )
    assert lowered.status_code == 200
    client.post(f"/api/v1/regrades/{run['id']}/accept", headers=instructor)
    body = client.get(f"/api/v1/submissions/{sid}", headers=instructor).json
    assert body["score"] == 5.0 and "second reading" in essay_of(body)["message"]
