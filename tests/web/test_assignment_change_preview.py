"""A change that moves credit is previewed first (whose scores change, old -> new) and applied only when confirmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeClock
from tests.web.reports import grade

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]
Counts = Callable[[], dict[str, int]]
EARLIER = {"due": "2030-03-06T12:00:00Z", "late_policy": [{"after": "2030-03-07T00:00:00Z", "credit": 50}]}


@pytest.fixture
def graded_work(
    post_submission: Post,
    dated_assignment: dict[str, Any],
    store: Store,
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
) -> dict[str, str]:
    """alice and bob both on time for the due date of 2030-03-08 and graded 2/2; carol not yet graded."""
    ids = {}
    for learner, when in (
        ("alice", "2030-03-07T12:00:00"),
        ("bob", "2030-03-05T12:00:00"),
        ("carol", "2030-03-07T13:00:00"),
    ):
        clock.now = datetime.fromisoformat(when + "+00:00")
        reply = post_submission(
            assignment_id=dated_assignment["id"], headers=token("learner", learner, ["ds101"])
        )
        ids[learner] = str(reply.json["id"])
    grade(store, ids["alice"], 2.0)
    grade(store, ids["bob"], 2.0)
    return ids


def url(assignment: dict[str, Any], preview: bool = False) -> str:
    return f"/api/v1/assignments/{assignment['id']}" + ("?preview=true" if preview else "")


def test_the_preview_names_whose_scores_change_old_to_new_and_changes_nothing(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    graded_work: dict[str, str],
    instructor: dict[str, str],
    row_counts: Counts,
) -> None:
    before = row_counts()
    preview = client.patch(url(dated_assignment, True), headers=instructor, json=EARLIER)
    assert preview.status_code == 200, preview.json
    body = preview.json
    assert body["fields"]["due"] == {"old": "2030-03-08T12:00:00+00:00", "new": "2030-03-06T12:00:00+00:00"}
    assert [
        (c["learner"], c["old_score"], c["new_score"], c["new_credit"]) for c in body["credit_changes"]
    ] == [("alice", 2.0, 1.0, 0.5), ("carol", None, None, 0.5)]
    assert body["needs_confirmation"] is True and body["confirm"]
    assert row_counts() == before
    assert client.get(url(dated_assignment), headers=instructor).json == dated_assignment


def test_a_change_of_credit_without_its_confirmation_is_refused_and_says_how_to_confirm(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    graded_work: dict[str, str],
    instructor: dict[str, str],
    row_counts: Counts,
    store: Store,
) -> None:
    before = row_counts()
    refused = client.patch(url(dated_assignment), headers=instructor, json={**EARLIER, "reason": "typo"})
    assert refused.status_code == 409, refused.json
    assert "2 submissions" in refused.json["message"] and "preview" in refused.json["message"]
    assert row_counts() == before and store.get_submission(graded_work["alice"]).score == 2.0


def test_the_confirmed_change_applies_what_the_preview_showed(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    graded_work: dict[str, str],
    instructor: dict[str, str],
    store: Store,
) -> None:
    preview = client.patch(url(dated_assignment, True), headers=instructor, json=EARLIER).json
    applied = client.patch(
        url(dated_assignment),
        headers=instructor,
        json={**EARLIER, "reason": "typo", "confirm": preview["confirm"]},
    )
    assert applied.status_code == 200, applied.json
    assert applied.json["change"]["regraded"] == preview["credit_changes"]
    assert [store.get_submission(graded_work[n]).score for n in ("alice", "bob")] == [1.0, 2.0]


def test_a_preview_gone_stale_is_refused_and_nothing_changes(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    graded_work: dict[str, str],
    instructor: dict[str, str],
    store: Store,
    post_submission: Post,
    clock: FakeClock,
    row_counts: Counts,
    token: Callable[..., dict[str, str]],
) -> None:
    preview = client.patch(url(dated_assignment, True), headers=instructor, json=EARLIER).json
    clock.now = datetime.fromisoformat("2030-03-07T18:00:00+00:00")  # dave submits after the preview
    post_submission(assignment_id=dated_assignment["id"], headers=token("learner", "dave", ["ds101"]))
    before = row_counts()
    stale = client.patch(
        url(dated_assignment),
        headers=instructor,
        json={**EARLIER, "reason": "typo", "confirm": preview["confirm"]},
    )
    assert stale.status_code == 409 and "preview again" in stale.json["message"]
    assert row_counts() == before and store.get_submission(graded_work["alice"]).score == 2.0


def test_a_change_that_moves_no_credit_needs_no_confirmation(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    graded_work: dict[str, str],
    instructor: dict[str, str],
) -> None:
    later = {
        "due": "2030-03-08T18:00:00Z",
        "reason": "an extra six hours for everyone",
    }  # everyone was on time
    preview = client.patch(url(dated_assignment, True), headers=instructor, json=later).json
    assert (preview["credit_changes"], preview["needs_confirmation"]) == ([], False)
    assert client.patch(url(dated_assignment), headers=instructor, json=later).status_code == 200


@pytest.mark.parametrize(
    ("query", "status"), [("preview=yes", 400), ("preview=false", 409), ("preview=1", 200)]
)
def test_the_preview_flag_is_true_or_false(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    graded_work: dict[str, str],
    instructor: dict[str, str],
    query: str,
    status: int,
) -> None:
    reply = client.patch(
        f"{url(dated_assignment)}?{query}", headers=instructor, json={**EARLIER, "reason": "r"}
    )
    assert reply.status_code == status, reply.json
    if status == 400:
        assert "preview" in reply.json["message"]


def test_a_preview_is_for_staff_of_the_course_and_refuses_what_a_change_would(
    client: FlaskClient, dated_assignment: dict[str, Any], alice: dict[str, str], instructor: dict[str, str]
) -> None:
    assert client.patch(url(dated_assignment, True), headers=alice, json=EARLIER).status_code == 403
    refused = client.patch(url(dated_assignment, True), headers=instructor, json={"due": "soon"})
    assert refused.status_code == 400 and "due" in refused.json["message"]
    assert (
        client.patch(
            url(dated_assignment, True), headers=instructor, json={"confirm": 5, **EARLIER}
        ).status_code
        == 400
    )
