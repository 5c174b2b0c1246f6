"""A change of due date or late policy restates the stored grades it affects, as new versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.api.test_records import PROGRAMME, post_programme
from tests.web.fakes import FakeClock
from tests.web.reports import grade, report

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]
DUE = "2030-03-08T12:00:00+00:00"
EXTENDED = {"due": "2030-03-10T12:00:00Z", "late_policy": [{"after": "2030-03-11T12:00:00Z", "credit": 50}]}


@pytest.fixture
def submit_at(
    post_submission: Post,
    dated_assignment: dict[str, Any],
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
) -> Callable[[str, str], str]:
    """``submit_at("bob", "2030-03-09T18:00:00+00:00")``: the learner's submission, received then."""

    def submit(learner: str, when: str) -> str:
        clock.now = datetime.fromisoformat(when)
        reply = post_submission(
            assignment_id=dated_assignment["id"], headers=token("learner", learner, ["ds101"])
        )
        assert reply.status_code == 202, reply.json
        return str(reply.json["id"])

    return submit


@pytest.fixture
def late_sid(submit_at: Callable[[str, str], str]) -> str:
    """alice's work, received 30 hours after the due date: half credit."""
    return submit_at("alice", "2030-03-09T18:00:00+00:00")


def apply(client: FlaskClient, assignment_id: str, edit: dict[str, Any], reason: str = "snow day") -> Any:
    """Preview the change, then apply it with the preview's confirmation, as staff must."""
    url = f"/api/v1/assignments/{assignment_id}"
    preview = client.patch(f"{url}?preview=true", headers=ADMIN, json=edit)
    assert preview.status_code == 200, preview.json
    return client.patch(
        url, headers=ADMIN, json={**edit, "reason": reason, "confirm": preview.json["confirm"]}
    )


def test_work_late_under_the_old_due_date_gets_its_full_credit_back_as_a_new_version(
    client: FlaskClient,
    store: Store,
    dated_assignment: dict[str, Any],
    submit_at: Callable[[str, str], str],
    clock: FakeClock,
) -> None:
    late = submit_at("alice", "2030-03-09T18:00:00+00:00")  # 30 hours late: half credit
    on_time = submit_at("bob", "2030-03-07T12:00:00+00:00")
    grade(store, late, 2.0)
    grade(store, on_time, 2.0)
    assert store.get_submission(late).score == 1.0
    clock.now = datetime.fromisoformat("2030-03-12T09:00:00+00:00")

    changed = apply(client, dated_assignment["id"], EXTENDED)
    assert changed.status_code == 200, changed.json
    assert [
        (r["learner"], r["old_score"], r["new_score"], r["new_on_time"])
        for r in changed.json["change"]["regraded"]
    ] == [("alice", 1.0, 2.0, True)]
    body = client.get(f"/api/v1/submissions/{late}", headers=ADMIN).json
    assert (body["score"], body["on_time"], body["late_credit"]) == (2.0, True, 1.0)
    versions = store.report_history(late)
    assert [v.report.score for v in versions] == [1.0, 2.0]
    assert versions[-1].report.to_dict()["change"] == {
        "kind": "terms",
        "author": "admin",
        "reason": "snow day",
        "previous_score": 1.0,
        "score": 2.0,
    }
    assert versions[-1].created_at == clock()
    assert "deadline" not in client.get(f"/api/v1/submissions/{late}/feedback", headers=ADMIN).get_data(
        as_text=True
    )
    assert len(store.report_history(on_time)) == 1  # untouched


def test_an_earlier_due_date_costs_credit_and_the_feedback_says_so(
    client: FlaskClient, store: Store, dated_assignment: dict[str, Any], submit_at: Callable[[str, str], str]
) -> None:
    sid = submit_at("alice", "2030-03-07T12:00:00+00:00")
    grade(store, sid, 2.0)
    changed = apply(
        client,
        dated_assignment["id"],
        {"due": "2030-03-06T12:00:00Z", "late_policy": [{"after": "2030-03-06T12:00:00Z", "credit": 25}]},
        "the date on the syllabus was a typo",
    )
    assert changed.status_code == 200, changed.json
    assert store.get_submission(sid).score == 0.5
    feedback = client.get(f"/api/v1/submissions/{sid}/feedback", headers=ADMIN).get_data(as_text=True)
    assert "Score: 0.5 / 2" in feedback and "Received after the deadline: 25% of the credit kept." in feedback


def test_work_not_yet_graded_is_graded_with_the_new_lateness(
    client: FlaskClient, store: Store, dated_assignment: dict[str, Any], late_sid: str
) -> None:
    sid = late_sid
    changed = apply(client, dated_assignment["id"], EXTENDED)
    assert [(r["status"], r["old_score"], r["new_score"]) for r in changed.json["change"]["regraded"]] == [
        ("queued", None, None)
    ]
    assert (store.get_submission(sid).on_time, store.get_submission(sid).late_credit) == (True, 1.0)
    grade(store, sid, 2.0)
    assert store.get_submission(sid).score == 2.0


def test_a_grade_saved_after_a_change_made_while_it_ran_follows_the_change(
    client: FlaskClient, store: Store, dated_assignment: dict[str, Any], late_sid: str
) -> None:
    """The worker read the submission's lateness when it claimed it; the change came before it saved."""
    sid = late_sid
    store.claim_submission(sid)
    apply(client, dated_assignment["id"], EXTENDED)
    stale = {**report(2.0), "on_time": False, "late_credit": 0.5, "score": 1.0, "raw_score": 2.0}
    assert store.save_grade(sid, stale, "<p class='badge'>Score: 1 / 2</p>", {})
    saved = store.latest_report(sid)
    assert saved is not None
    assert (saved.report.score, saved.report.on_time, store.get_submission(sid).score) == (
        2.0,
        True,
        2.0,
    )
    assert "Score: 2 / 2" in saved.feedback_html


def test_hand_grades_stay_when_the_credit_changes(
    client: FlaskClient,
    store: Store,
    dated_assignment: dict[str, Any],
    late_sid: str,
    instructor: dict[str, str],
) -> None:
    sid = late_sid
    grade(store, sid, 0.0)
    client.put(
        f"/api/v1/submissions/{sid}/cells/test_answer",
        headers=instructor,
        json={"score": 1.5, "reason": "right idea"},
    )
    assert store.get_submission(sid).score == 0.75
    apply(client, dated_assignment["id"], EXTENDED)
    cell = client.get(f"/api/v1/submissions/{sid}", headers=ADMIN).json["cells"][0]
    assert (store.get_submission(sid).score, cell["score"], cell["status"]) == (
        1.5,
        1.5,
        "graded_by_instructor",
    )


def test_programme_records_see_the_restated_grade_with_its_reason(
    client: FlaskClient,
    store: Store,
    dated_assignment: dict[str, Any],
    late_sid: str,
    instructor: dict[str, str],
) -> None:
    assert post_programme(client, PROGRAMME).status_code == 201
    grade(store, late_sid, 2.0)
    apply(client, dated_assignment["id"], EXTENDED)
    history = client.get("/api/v1/programmes/mm-ds/records/alice/history", headers=instructor).json
    grades = [e["body"] for e in history["events"] if e["kind"] == "grade"]
    assert [(g["score"], g.get("reason")) for g in grades] == [(1.0, None), (2.0, "snow day")]
