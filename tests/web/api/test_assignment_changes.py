"""Changing an assignment's terms (due date, late policy, runtime): validated, recorded, readable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.builders_attempts import add_attempt_assignment
from tests.web.fakes import FakeClock

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]
Counts = Callable[[], dict[str, int]]
DUE = "2030-03-08T12:00:00+00:00"
STEP = [{"after": "2030-03-09T12:00:00+00:00", "credit": 50.0}]


def patch(client: FlaskClient, assignment_id: str, headers: dict[str, str], body: Any) -> Any:
    return client.patch(f"/api/v1/assignments/{assignment_id}", headers=headers, json=body)


def test_a_change_is_kept_and_its_history_says_who_when_what_and_why(
    client: FlaskClient, dated_assignment: dict[str, Any], instructor: dict[str, str], clock: FakeClock
) -> None:
    aid = dated_assignment["id"]
    changed = patch(
        client, aid, instructor, {"runtime": "runsc", "reason": "the tests import a kernel module"}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["assignment"]["runtime"] == "runsc"
    assert client.get(f"/api/v1/assignments/{aid}", headers=instructor).json["runtime"] == "runsc"
    history = client.get(f"/api/v1/assignments/{aid}/history", headers=instructor)
    assert history.status_code == 200, history.json
    [entry] = history.json
    assert entry == changed.json["change"]
    assert (entry["kind"], entry["author"], entry["at"], entry["reason"]) == (
        "terms",
        "prof",
        clock().isoformat(),
        "the tests import a kernel module",
    )
    assert entry["fields"] == {"runtime": {"old": None, "new": "runsc"}}
    assert entry["regraded"] == []


def test_the_due_date_and_late_policy_change_together_and_the_history_keeps_old_and_new(
    client: FlaskClient, dated_assignment: dict[str, Any], instructor: dict[str, str]
) -> None:
    aid = dated_assignment["id"]
    later = [{"after": "2030-03-11T12:00:00Z", "credit": 25}]
    changed = patch(
        client, aid, instructor, {"due": "2030-03-10T12:00:00Z", "late_policy": later, "reason": "snow day"}
    )
    assert changed.status_code == 200, changed.json
    body = changed.json["assignment"]
    assert (body["due"], body["late_policy"]) == (
        "2030-03-10T12:00:00+00:00",
        [{"after": "2030-03-11T12:00:00+00:00", "credit": 25.0}],
    )
    assert changed.json["change"]["fields"] == {
        "due": {"old": DUE, "new": "2030-03-10T12:00:00+00:00"},
        "late_policy": {"old": STEP, "new": [{"after": "2030-03-11T12:00:00+00:00", "credit": 25.0}]},
    }


def test_each_change_is_a_new_history_entry_oldest_first(
    client: FlaskClient, dated_assignment: dict[str, Any], instructor: dict[str, str], clock: FakeClock
) -> None:
    aid = dated_assignment["id"]
    patch(client, aid, instructor, {"runtime": "runsc", "reason": "one"})
    clock.advance(hours=1)
    patch(client, aid, ADMIN, {"runtime": None, "reason": "two"})
    history = client.get(f"/api/v1/assignments/{aid}/history", headers=ADMIN).json
    assert [(e["reason"], e["author"], e["fields"]["runtime"]) for e in history] == [
        ("one", "prof", {"old": None, "new": "runsc"}),
        ("two", "admin", {"old": "runsc", "new": None}),
    ]
    assert history[0]["at"] < history[1]["at"]


def test_a_change_that_changes_nothing_records_nothing(
    client: FlaskClient, dated_assignment: dict[str, Any], instructor: dict[str, str]
) -> None:
    aid = dated_assignment["id"]
    same = patch(client, aid, instructor, {"due": DUE, "reason": "no-op"})
    assert same.status_code == 200 and same.json["change"] is None
    assert client.get(f"/api/v1/assignments/{aid}/history", headers=instructor).json == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"runtime": "runsc"}, "reason"),
        ({"runtime": "runsc", "reason": "  "}, "reason"),
        ({"runtime": "runsc", "reason": "x" * 2001}, "reason"),
        ({"runtime": "runsc", "reason": 5}, "reason"),
        ({"due": "soon", "reason": "r"}, "due"),
        ({"due": "2030-03-10T12:00:00Z", "reason": "r"}, "late_policy"),  # the step would come before it
        (
            {"late_policy": [{"after": "2030-03-09T12:00:00Z", "credit": 101}], "reason": "r"},
            "late_policy[0].credit",
        ),
        ({"late_policy": {"after": "x"}, "reason": "r"}, "late_policy"),
        ({"runtime": "kata", "reason": "r"}, "runtime"),
        ({"max_score": 10, "reason": "r"}, "max_score"),
        ({"reason": "r"}, "due, late_policy, runtime"),
        ([1, 2], "JSON object"),
    ],
)
def test_a_refused_change_names_its_field_and_changes_nothing(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    instructor: dict[str, str],
    row_counts: Counts,
    body: Any,
    field: str,
) -> None:
    before = row_counts()
    refused = patch(client, dated_assignment["id"], instructor, body)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"] == "bad_input" and field in refused.json["message"]
    assert row_counts() == before
    assert (
        client.get(f"/api/v1/assignments/{dated_assignment['id']}", headers=instructor).json
        == dated_assignment
    )


def test_a_body_that_is_not_json_is_a_400(
    client: FlaskClient, dated_assignment: dict[str, Any], instructor: dict[str, str]
) -> None:
    refused = client.patch(
        f"/api/v1/assignments/{dated_assignment['id']}",
        headers=instructor,
        data=b"runtime=runsc",
        content_type="application/x-www-form-urlencoded",
    )
    assert refused.status_code == 400


def test_only_staff_of_the_course_change_an_assignment_or_read_its_history(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    token: Callable[..., dict[str, str]],
    alice: dict[str, str],
) -> None:
    aid = dated_assignment["id"]
    other = token("instructor", "other-prof", ["ds999"])
    platform = token("platform", "lms", ["ds101"])
    for headers in (alice, other, platform):
        assert patch(client, aid, headers, {"runtime": "runsc", "reason": "r"}).status_code == 403
        assert client.get(f"/api/v1/assignments/{aid}/history", headers=headers).status_code == 403
    assert patch(client, "nope", ADMIN, {"runtime": "runsc", "reason": "r"}).status_code == 404
    assert client.get("/api/v1/assignments/nope/history", headers=ADMIN).status_code == 404


def test_an_exam_attempts_questions_have_no_terms_to_change(client: FlaskClient, store: Store) -> None:
    record = add_attempt_assignment(store)
    refused = patch(client, record.id, ADMIN, {"runtime": "runsc", "reason": "r"})
    assert refused.status_code == 409 and "exam" in refused.json["message"]
