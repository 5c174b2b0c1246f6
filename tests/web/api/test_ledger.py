"""The deadline ledger API: staff grant (previewed, confirmed), learners read their own and are told
what submitting now means, and that statement is stored with the submission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.api.test_records import PROGRAMME, post_programme
from tests.web.fakes import FakeClock
from tests.web.reports import grade

ADMIN = {"Authorization": "Bearer admin-secret"}
LEDGER = "/api/v1/courses/ds101/ledger"
Post = Callable[..., Any]
Counts = Callable[[], dict[str, int]]


def extension(assignment: dict[str, Any], learner: str = "alice", hours: float = 72) -> dict[str, Any]:
    return {
        "learner": learner,
        "kind": "extension",
        "assignment_id": assignment["id"],
        "extra_hours": hours,
        "reason": "flu",
    }


def granted(client: FlaskClient, *entries: dict[str, Any]) -> Any:
    """Preview, then grant with the preview's confirm code, as staff must when credit moves."""
    preview = client.post(f"{LEDGER}?preview=true", headers=ADMIN, json={"entries": list(entries)})
    assert preview.status_code == 200, preview.json
    reply = client.post(
        LEDGER, headers=ADMIN, json={"entries": list(entries), "confirm": preview.json["confirm"]}
    )
    assert reply.status_code == 200, reply.json
    return reply.json


def told(client: FlaskClient, assignment: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    reply = client.get(f"/api/v1/assignments/{assignment['id']}/deadline", headers=headers)
    assert reply.status_code == 200, reply.json
    body: dict[str, Any] = reply.json
    return body


@pytest.fixture
def learner(token: Callable[..., dict[str, str]]) -> Callable[[str], dict[str, str]]:
    return lambda name: token("learner", name, ["ds101"])


def test_an_extension_is_what_the_learner_is_told_and_what_their_submission_keeps(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    post_submission: Post,
    learner: Callable[[str], dict[str, str]],
    clock: FakeClock,
) -> None:
    granted(client, extension(dated_assignment))
    clock.now = datetime.fromisoformat("2030-03-10T12:00:00+00:00")  # two days after the due date
    alice = told(client, dated_assignment, learner("alice"))
    assert (alice["statement"], alice["due"]) == ("on time", "2030-03-11T12:00:00+00:00")
    assert told(client, dated_assignment, learner("bob"))["statement"] == "50% credit"
    sid = post_submission(assignment_id=dated_assignment["id"], headers=learner("alice")).json["id"]
    body = client.get(f"/api/v1/submissions/{sid}", headers=learner("alice")).json
    assert (body["on_time"], body["late_credit"], body["deadline"]["statement"]) == (True, 1.0, "on time")


def test_late_days_are_offered_before_uploading_and_spent_by_submitting(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    post_submission: Post,
    learner: Callable[[str], dict[str, str]],
    clock: FakeClock,
) -> None:
    granted(client, {"learner": "*", "kind": "policy", "days": 2, "reason": "two late days each"})
    clock.now = datetime.fromisoformat("2030-03-09T13:00:00+00:00")  # 25 hours late
    assert told(client, dated_assignment, learner("alice"))["statement"] == "uses 2 late days"
    sid = post_submission(assignment_id=dated_assignment["id"], headers=learner("alice")).json["id"]
    assert client.get(f"/api/v1/submissions/{sid}", headers=ADMIN).json["deadline"]["late_days_spent"] == 2
    again = told(client, dated_assignment, learner("alice"))
    assert (again["statement"], again["late_days_left"], again["due"]) == (
        "on time",
        0,
        "2030-03-10T12:00:00+00:00",
    )
    own = client.get(LEDGER, headers=learner("alice")).json
    assert [(e["learner"], e["kind"]) for e in own["entries"]] == [("*", "policy"), ("alice", "late_days")]
    assert own["late_days_left"] == 0 and own["deadlines"][0]["your_due"] == "2030-03-10T12:00:00+00:00"


def test_a_grant_that_moves_a_stored_grade_needs_its_preview_and_makes_a_new_version(
    client: FlaskClient,
    store: Store,
    dated_assignment: dict[str, Any],
    post_submission: Post,
    learner: Callable[[str], dict[str, str]],
    clock: FakeClock,
    row_counts: Counts,
) -> None:
    clock.now = datetime.fromisoformat("2030-03-10T12:00:00+00:00")
    sid = post_submission(assignment_id=dated_assignment["id"], headers=learner("alice")).json["id"]
    grade(store, sid, 2.0)
    assert store.get_submission(sid).score == 1.0
    before = row_counts()
    refused = client.post(LEDGER, headers=ADMIN, json={"entries": [extension(dated_assignment)]})
    assert refused.status_code == 409 and "preview" in refused.json["message"]
    assert row_counts() == before
    preview = client.post(
        f"{LEDGER}?preview=true", headers=ADMIN, json={"entries": [extension(dated_assignment)]}
    ).json
    assert [(c["learner"], c["old_score"], c["new_score"]) for c in preview["credit_changes"]] == [
        ("alice", 1.0, 2.0)
    ]
    done = granted(client, extension(dated_assignment))
    assert done["regraded"] == preview["credit_changes"]
    assert [v.report.score for v in store.report_history(sid)] == [1.0, 2.0]
    assert (
        client.get(f"/api/v1/submissions/{sid}", headers=learner("alice")).json["deadline"]["statement"]
        == "50% credit"
    )


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"entries": "alice"}, 400, "non-empty list"),
        ({"entries": [{"learner": "alice", "kind": "extension", "reason": "x"}]}, 422, "row 1: a extension"),
        (
            {"entries": [{"learner": "alice", "kind": "policy", "days": -1, "reason": "x"}]},
            422,
            "row 1: days",
        ),
        (
            {"entries": [{"learner": 3, "kind": "policy", "days": 1, "reason": "x"}]},
            422,
            "learner must be a string",
        ),
        (
            {"entries": [{"learner": "al", "kind": "late_days", "days": 1, "reason": "x"}]},
            422,
            "spent by submitting",
        ),
    ],
)
def test_bad_entries_are_refused_with_json_naming_the_row(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    row_counts: Counts,
    body: dict[str, Any],
    status: int,
    words: str,
) -> None:
    before = row_counts()
    reply = client.post(LEDGER, headers=ADMIN, json=body)
    assert reply.status_code == status and words in reply.json["message"], reply.json
    assert row_counts() == before


def test_extensions_by_csv_name_every_bad_row_and_keep_nothing_until_all_are_good(
    client: FlaskClient, dated_assignment: dict[str, Any], row_counts: Counts
) -> None:
    bad = "learner,assignment,extra_hours,due,reason\nalice,due,24,,flu\nbob,nope,24,,flu\ncarol,due,,,flu\ndan,due,x,,flu\n"
    before = row_counts()
    reply = client.post(f"{LEDGER}/extensions.csv", headers=ADMIN, data=bad, content_type="text/csv")
    assert reply.status_code == 422
    assert [p.split(":")[0] for p in reply.json["problems"]] == ["row 2", "row 3", "row 4"]
    assert row_counts() == before
    good = (
        "learner,assignment,extra_hours,due,reason\nalice,due,24,,flu\nbob,due,,2030-03-12T00:00:00Z,visa\n"
    )
    preview = client.post(
        f"{LEDGER}/extensions.csv?preview=true", headers=ADMIN, data=good, content_type="text/csv"
    )
    assert preview.status_code == 200 and preview.json["needs_confirmation"] is False
    kept = client.post(f"{LEDGER}/extensions.csv", headers=ADMIN, data=good, content_type="text/csv")
    assert kept.status_code == 200, kept.json
    assert [(e["learner"], e["terms"]) for e in kept.json["entries"]] == [
        ("alice", {"extra_hours": 24.0}),
        ("bob", {"due": "2030-03-12T00:00:00+00:00"}),
    ]


def test_learners_read_only_their_own_ledger_and_grant_nothing(
    client: FlaskClient, dated_assignment: dict[str, Any], learner: Callable[[str], dict[str, str]]
) -> None:
    granted(client, extension(dated_assignment, "bob"))
    assert client.get(LEDGER, headers=learner("alice")).json["entries"] == []
    assert client.get(f"{LEDGER}?learner=bob", headers=learner("alice")).status_code == 403
    assert (
        client.post(
            LEDGER, headers=learner("alice"), json={"entries": [extension(dated_assignment)]}
        ).status_code
        == 403
    )
    assert (
        client.get(
            f"/api/v1/assignments/{dated_assignment['id']}/deadline?learner=bob", headers=learner("alice")
        ).status_code
        == 403
    )
    staff = client.get(f"{LEDGER}?learner=bob", headers=ADMIN).json
    assert staff["deadlines"][0]["your_due"] == "2030-03-11T12:00:00+00:00"


def test_a_retired_assignment_says_not_accepted(
    client: FlaskClient, dated_assignment: dict[str, Any], learner: Callable[[str], dict[str, str]]
) -> None:
    client.post(
        f"/api/v1/assignments/{dated_assignment['id']}/retire", headers=ADMIN, json={"reason": "replaced"}
    )
    assert told(client, dated_assignment, learner("alice"))["kind"] == "not_accepted"


def test_programme_records_see_the_grade_an_extension_restates_with_its_reason(
    client: FlaskClient,
    store: Store,
    dated_assignment: dict[str, Any],
    post_submission: Post,
    learner: Callable[[str], dict[str, str]],
    clock: FakeClock,
    instructor: dict[str, str],
) -> None:
    assert post_programme(client, PROGRAMME).status_code == 201
    clock.now = datetime.fromisoformat("2030-03-10T12:00:00+00:00")
    sid = post_submission(assignment_id=dated_assignment["id"], headers=learner("alice")).json["id"]
    grade(store, sid, 2.0)
    granted(client, extension(dated_assignment))
    history = client.get("/api/v1/programmes/mm-ds/records/alice/history", headers=instructor).json
    grades = [e["body"] for e in history["events"] if e["kind"] == "grade"]
    assert [(g["score"], g.get("reason")) for g in grades] == [(1.0, None), (2.0, "flu")]
