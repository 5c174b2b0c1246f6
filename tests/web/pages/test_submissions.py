"""The instructor's grading pages: a hand grade and a regrade from a submission's page, and the CSV exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeEnqueuer
from tests.web.notebook_builders import essay_source_bytes
from tests.web.pages_client import log_in, post_form
from tests.web.reports import essay_report
from tests.web.reports import grade as store_grade

REASON = "right idea, off by one constant"


@pytest.fixture
def grade(people: None, post_submission: Callable[..., Any], store: Store) -> Callable[[float], str]:
    """``grade(score)``: a new submission of alice's, graded as the worker would, by id."""

    def make(score: float) -> str:
        reply = post_submission()
        assert reply.status_code == 202, reply.json
        submission_id = str(reply.json["id"])
        store_grade(store, submission_id, score)
        return submission_id

    return make


@pytest.fixture
def graded(grade: Callable[[float], str]) -> str:
    """alice's submission, its test failed: 0 of 2."""
    return grade(0.0)


def grade_by_hand(client: FlaskClient, submission_id: str, score: str, reason: str = REASON) -> Any:
    page = f"/submissions/{submission_id}"
    return post_form(
        client, page, f"/teach/submissions/{submission_id}/cells/test_answer", score=score, reason=reason
    )


def test_a_hand_grade_is_kept_as_a_new_version_and_the_page_shows_the_new_score(
    client: FlaskClient, store: Store, graded: str
) -> None:
    log_in(client, "prof")
    reply = grade_by_hand(client, graded, "1.5")
    assert reply.status_code == 302 and reply.headers["Location"] == f"/submissions/{graded}"
    assert store.get_submission(graded).score == 1.5
    first, latest = store.report_history(graded)
    assert first.report.score == 0.0  # the autograder's version stays as it was
    assert latest.report.to_dict()["change"] == {
        "kind": "manual",
        "grade_id": "test_answer",
        "previous_score": 0.0,
        "previous_status": "failed",
        "score": 1.5,
        "author": "prof",
        "reason": REASON,
    }
    html = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert '<dd id="score">1.5 / 2</dd>' in html
    assert "graded by instructor" in html and f"graded by prof: {REASON}" in html
    assert 'id="score-test_answer" name="score" inputmode="decimal" size="4" value="1.5"' in html


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("2.5", "score must be between 0 and 2 for cell &#39;test_answer&#39;"),
        ("-1", "score must be between 0 and 2"),
        ("two", "the score must be a number"),
        ("", "the score must be a number"),
        ("nan", "score must be a number"),
    ],
)
def test_a_bad_hand_grade_is_explained_beside_its_score_field_and_stores_nothing(
    client: FlaskClient, store: Store, graded: str, score: str, message: str
) -> None:
    log_in(client, "prof")
    reply = grade_by_hand(client, graded, score)
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert f'<p class="field-error" id="err-score-test_answer" role="alert">{message}' in html
    assert 'aria-invalid="true" aria-describedby="err-score-test_answer"' in html
    assert store.get_submission(graded).score == 0.0
    assert len(store.report_history(graded)) == 1


def test_regrading_from_the_page_queues_the_submission_again_and_the_page_follows_it(
    client: FlaskClient, store: Store, enqueuer: FakeEnqueuer, graded: str
) -> None:
    assert store.get_submission(graded).attempts == 1
    log_in(client, "prof")
    before = len(enqueuer.calls)
    reply = post_form(client, f"/submissions/{graded}", f"/teach/submissions/{graded}/regrade")
    assert reply.status_code == 302 and reply.headers["Location"] == f"/submissions/{graded}"
    assert enqueuer.calls[before:] == [(graded, "regrades")]
    record = store.get_submission(graded)
    assert (record.status, record.priority, record.attempts) == ("queued", "regrades", 0)
    html = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert 'data-status="queued"' in html and f'data-poll-url="/submissions/{graded}/status"' in html


def test_a_submission_waiting_for_its_regrade_refuses_a_second_regrade_and_a_hand_grade(
    client: FlaskClient, store: Store, enqueuer: FakeEnqueuer, graded: str
) -> None:
    log_in(client, "prof")
    assert (
        post_form(client, f"/submissions/{graded}", f"/teach/submissions/{graded}/regrade").status_code == 302
    )
    before = len(enqueuer.calls)
    again = post_form(client, f"/submissions/{graded}", f"/teach/submissions/{graded}/regrade")
    assert again.status_code == 409 and "only a finished grade can be regraded" in again.get_data(
        as_text=True
    )
    assert len(enqueuer.calls) == before
    by_hand = grade_by_hand(client, graded, "1")
    assert by_hand.status_code == 422
    assert "only a graded submission can be changed" in by_hand.get_data(as_text=True)
    assert len(store.report_history(graded)) == 1


def csv_rows(reply: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))


def test_the_assignment_gradebook_csv_has_the_learners_score(
    client: FlaskClient, assignment: dict[str, Any], grade: Callable[[float], str]
) -> None:
    submission_id = grade(1.0)
    log_in(client, "prof")
    reply = client.get(f"/teach/assignments/{assignment['id']}/gradebook.csv")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert reply.headers["Content-Disposition"] == "attachment; filename=ds101-hw1-gradebook.csv"
    assert reply.get_data(as_text=True).splitlines()[0] == (
        "learner,submission_id,received_at,on_time,late_credit,status,test_answer,total,max_score"
    )
    assert [
        (r["learner"], r["submission_id"], r["status"], r["test_answer"], r["total"], r["max_score"])
        for r in csv_rows(reply)
    ] == [("alice", submission_id, "graded", "1", "1", "2")]


def test_the_course_gradebook_csv_has_the_learners_total_after_a_hand_grade(
    client: FlaskClient, graded: str
) -> None:
    log_in(client, "prof")
    assert grade_by_hand(client, graded, "1.5").status_code == 302
    reply = client.get("/teach/courses/ds101/gradebook.csv")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert reply.headers["Content-Disposition"] == "attachment; filename=ds101-gradebook.csv"
    assert reply.get_data(as_text=True).splitlines()[0] == "learner,hw1,total,max_score"
    assert csv_rows(reply) == [{"learner": "alice", "hw1": "1.5", "total": "1.5", "max_score": "2"}]


def test_a_hand_grade_without_a_reason_is_explained_beside_the_reason_field(
    client: FlaskClient, store: Store, graded: str
) -> None:
    log_in(client, "prof")
    reply = grade_by_hand(client, graded, "1", reason="   ")
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert (
        '<p class="field-error" id="err-reason-test_answer" role="alert">a score change needs a reason'
        in html
    )
    assert 'id="reason-test_answer" name="reason" required aria-invalid="true"' in html
    assert 'id="err-score-test_answer"' not in html
    assert store.get_submission(graded).score == 0.0
    assert len(store.report_history(graded)) == 1


@pytest.fixture
def with_essay(
    people: None, post_assignment: Callable[..., Any], post_submission: Callable[..., Any], store: Store
) -> str:
    """alice's submission to an assignment with a test (2 points) and an essay graded by hand (5 points)."""
    assignment = post_assignment(essay_source_bytes(), name="hw2")
    assert assignment.status_code == 201, assignment.json
    submission_id = str(post_submission(assignment_id=assignment.json["id"]).json["id"])
    store.claim_submission(submission_id)
    assert store.save_grade(submission_id, essay_report(), "<h1>Feedback</h1>", {})
    return submission_id


LABEL = re.compile(r'<label for="([^"]+)">(.*?)</label>', re.S)
INPUT = re.compile(r'<input id="((?:score|reason)-[^"]+)"')


def test_every_hand_grade_field_is_labelled_with_its_notebook_cell_and_points(
    client: FlaskClient, with_essay: str
) -> None:
    log_in(client, "prof")
    html = client.get(f"/submissions/{with_essay}").get_data(as_text=True)
    labels = {field: " ".join(text.split()) for field, text in LABEL.findall(html)}
    assert sorted(INPUT.findall(html)) == [
        "reason-essay",
        "reason-test_answer",
        "score-essay",
        "score-test_answer",
    ]
    assert labels["score-essay"] == "Score for essay in hw.ipynb (0 to 5 points)"
    assert labels["reason-essay"] == "Reason for the score of essay in hw.ipynb"
    assert labels["score-test_answer"] == "Score for test_answer in hw.ipynb (0 to 2 points)"
    assert labels["reason-test_answer"] == "Reason for the score of test_answer in hw.ipynb"


def test_the_manual_cell_comes_first_and_overrides_of_tests_are_one_step_away(
    client: FlaskClient, with_essay: str
) -> None:
    log_in(client, "prof")
    html = client.get(f"/submissions/{with_essay}").get_data(as_text=True)
    essay, details, test = (
        html.index('id="score-essay"'),
        html.index('<details id="overrides">'),
        html.index('id="score-test_answer"'),
    )
    assert essay < details < test < html.index("</details>")
    assert "Override an autograded test (1)" in html
    # A refused override is shown with its field, so the folded section opens by itself.
    reply = post_form(
        client,
        f"/submissions/{with_essay}",
        f"/teach/submissions/{with_essay}/cells/test_answer",
        score="9",
        reason="generous",
    )
    assert reply.status_code == 422 and '<details id="overrides" open>' in reply.get_data(as_text=True)
    graded = post_form(
        client,
        f"/submissions/{with_essay}",
        f"/teach/submissions/{with_essay}/cells/essay",
        score="4",
        reason="a clear argument",
    )
    assert graded.status_code == 302
    assert '<details id="overrides">' in client.get(f"/submissions/{with_essay}").get_data(as_text=True)
