"""Exam attempts through the API (web/api/attempts.py): start, deadlines from the server's clock, save, submit, transitions, the sweeper.

The app runs on a real SQLite store with a settable clock and an in-memory queue; the
sweeper is called directly at chosen times, as the RQ scheduler would call it.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from exam_bank.spec import parse_exam
from exam_bank.variants import draw_variant
from service.attempts import close_expired
from store import Store
from tests.exam_bank.bank import as_yaml
from tests.web.api.test_exams import ADMIN, QUESTIONS, Post, exam, spec, start, upload  # noqa: F401  (exam, start: fixtures)
from tests.web.conftest import START
from tests.web.fakes import FakeClock, FakeEnqueuer


def test_the_deadline_is_fixed_at_start_from_the_limit_and_the_accommodation(
    client: FlaskClient, exam: dict[str, Any], start: Post, instructor: dict[str, str], clock: FakeClock
) -> None:
    plain = start("alice").json
    assert plain["state"] == "started" and plain["deadline_at"] == (START + timedelta(minutes=60)).isoformat()
    assert plain["remaining_seconds"] == 3600
    for learner, multiplier in (("bob", 1.5), ("carol", 2.0)):
        reply = client.put(
            f"/api/v1/courses/ds101/accommodations/{learner}",
            headers=instructor,
            json={"time_multiplier": multiplier, "note": "documented"},
        )
        assert reply.status_code == 200
    assert start("bob").json["deadline_at"] == (START + timedelta(minutes=90)).isoformat()
    assert start("carol").json["deadline_at"] == (START + timedelta(minutes=120)).isoformat()


def test_the_window_end_caps_the_deadline_and_a_closed_window_refuses(
    exam: dict[str, Any], start: Post, clock: FakeClock
) -> None:
    clock.advance(hours=2, minutes=30)  # 30 minutes before the window closes
    assert start("alice").json["deadline_at"] == (START + timedelta(hours=3)).isoformat()
    clock.advance(hours=1)
    late = start("bob")
    assert late.status_code == 403 and "closed" in late.json["message"]


def test_grace_at_the_boundary_and_a_late_submission_refused(
    client: FlaskClient,
    exam: dict[str, Any],
    start: Post,
    token: Callable[..., dict[str, str]],
    clock: FakeClock,
    enqueuer: FakeEnqueuer,
    store: Store,
) -> None:
    alice, bob = token("learner", "alice", ["ds101"]), token("learner", "bob", ["ds101"])
    a = start("alice").json
    b = client.post(f"/api/v1/exams/{exam['id']}/attempts", headers=bob).json
    clock.advance(minutes=61)  # deadline + 60 s grace: still on time
    on_time = client.post(f"/api/v1/attempts/{a['id']}/submit", headers=alice)
    assert on_time.status_code == 202 and on_time.json["state"] == "submitted"
    assert (on_time.json["submission_id"], "exams") in enqueuer.calls
    assert store.get_submission(on_time.json["submission_id"]).received_at == clock()
    clock.advance(microseconds=1)
    late = client.post(f"/api/v1/attempts/{b['id']}/submit", headers=bob)
    assert late.status_code == 409 and late.json["error"] == "deadline_passed"
    assert "the deadline was" in late.json["message"] and "grace 60 s" in late.json["message"]
    saved = client.put(
        f"/api/v1/attempts/{b['id']}/answers/{b['questions'][0]['name']}",
        headers=bob,
        data=QUESTIONS["q1.ipynb"],
    )
    assert saved.status_code == 409 and saved.json["error"] == "deadline_passed"


def test_an_extension_during_the_attempt_moves_the_deadline(
    client: FlaskClient,
    start: Post,
    instructor: dict[str, str],
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
    enqueuer: FakeEnqueuer,
) -> None:
    attempt = start("alice").json
    clock.advance(minutes=30)
    no_reason = client.post(
        f"/api/v1/attempts/{attempt['id']}/extend", headers=instructor, json={"minutes": 15}
    )
    assert no_reason.status_code == 400
    extended = client.post(
        f"/api/v1/attempts/{attempt['id']}/extend",
        headers=instructor,
        json={"minutes": 15, "reason": "fire alarm"},
    )
    assert extended.status_code == 200
    assert extended.json["deadline_at"] == (START + timedelta(minutes=75)).isoformat()
    assert enqueuer.sweeps[-1] == START + timedelta(minutes=75, seconds=61)
    clock.advance(minutes=46)  # past the old deadline + grace, inside the new one
    ok = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=token("learner", "alice", ["ds101"]))
    assert ok.status_code == 202
    events = client.get(f"/api/v1/attempts/{attempt['id']}/events", headers=instructor).json
    assert [(e["event"], e["actor"]) for e in events] == [
        ("create", "alice"),
        ("start", "alice"),
        ("extend", "prof"),
        ("submit", "alice"),
    ]
    assert events[2]["reason"] == "fire alarm"


def test_the_sweeper_closes_abandoned_attempts_with_their_saved_work(
    client: FlaskClient,
    start: Post,
    store: Store,
    enqueuer: FakeEnqueuer,
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
) -> None:
    alice, bob = start("alice").json, start("bob").json
    question = alice["questions"][0]["name"]
    answer = json.loads(
        client.get(alice["questions"][0]["url"], headers=token("learner", "alice", ["ds101"])).data
    )
    answer["cells"][0]["source"] = "def f(x):\n    return 0"
    body = json.dumps(answer).encode()
    assert (
        client.put(
            f"/api/v1/attempts/{alice['id']}/answers/{question}",
            headers=token("learner", "alice", ["ds101"]),
            data=body,
        ).status_code
        == 200
    )
    assert close_expired(store, enqueuer, START + timedelta(minutes=61)) == []  # inside the grace
    closed = close_expired(store, enqueuer, START + timedelta(minutes=61, seconds=1))
    assert sorted(closed) == sorted([alice["id"], bob["id"]])
    swept = store.get_attempt(alice["id"])
    assert swept.state == "submitted" and swept.submitted_at == START + timedelta(minutes=60)
    submission = store.get_submission(swept.submission_id or "")
    assert submission.priority == "exams" and submission.received_at == START + timedelta(minutes=60)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(store.submission_content(submission.id))) as archive:
        assert archive.read(question) == body
    assert [e.actor for e in store.attempt_events(alice["id"])][-1] == "sweeper"
    assert close_expired(store, enqueuer, START + timedelta(hours=2)) == []  # nothing twice


def test_an_interrupted_attempt_resumes_with_the_time_it_had_left(
    client: FlaskClient,
    start: Post,
    instructor: dict[str, str],
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
) -> None:
    attempt = start("alice").json
    clock.advance(minutes=20)
    stopped = client.post(
        f"/api/v1/attempts/{attempt['id']}/interrupt", headers=instructor, json={"reason": "power cut"}
    )
    assert stopped.json["state"] == "error" and stopped.json["remaining_when_interrupted"] == 2400
    clock.advance(minutes=30)
    resumed = client.post(
        f"/api/v1/attempts/{attempt['id']}/resume", headers=token("learner", "alice", ["ds101"])
    )
    assert resumed.json["state"] == "started"
    assert resumed.json["deadline_at"] == (clock() + timedelta(minutes=40)).isoformat()


def test_variants_reproduce_from_their_seed_and_spread_over_the_pools(
    exam: dict[str, Any], start: Post, store: Store
) -> None:
    drawn: Counter[str] = Counter()
    parsed = parse_exam("exam.yaml", as_yaml(spec()), QUESTIONS)
    for n in range(40):
        attempt = store.get_attempt(start(f"learner{n}").json["id"])
        assert draw_variant(parsed, attempt.seed).to_dict() == attempt.variant
        drawn.update(q["file"] for q in attempt.variant["questions"])
    assert set(drawn) == set(QUESTIONS), drawn
    assert min(drawn[f] for f in ("q1.ipynb", "q2.ipynb", "q3.ipynb")) >= 5
    assert min(drawn[f] for f in ("p1.ipynb", "p2.ipynb")) >= 10


def test_a_learner_cannot_reach_another_attempt_its_questions_or_any_source(
    client: FlaskClient, start: Post, token: Callable[..., dict[str, str]], store: Store, exam: dict[str, Any]
) -> None:
    alice, bob = token("learner", "alice", ["ds101"]), token("learner", "bob", ["ds101"])
    mine = start("alice").json
    question = mine["questions"][0]
    assert client.get(mine["url"], headers=bob).status_code == 404
    assert client.get(question["url"], headers=bob).status_code == 404
    assert (
        client.put(
            f"/api/v1/attempts/{mine['id']}/answers/{question['name']}", headers=bob, data=b"{}"
        ).status_code
        == 404
    )
    released = client.get(question["url"], headers=alice)
    assert (
        released.status_code == 200
        and b"BEGIN HIDDEN TESTS" not in released.data
        and b"BEGIN SOLUTION" not in released.data
    )
    assignment = store.get_attempt(mine["id"]).assignment_id
    for path in (f"/api/v1/assignments/{assignment}", f"/api/v1/assignments/{assignment}/release"):
        assert client.get(path, headers=alice).status_code == 404
    via_assignment = client.post(
        f"/api/v1/assignments/{assignment}/submissions",
        headers=alice,
        data={"file": (io.BytesIO(b"{}"), "a.ipynb")},
        content_type="multipart/form-data",
    )
    assert via_assignment.status_code in (403, 404)
    assert "seed" not in mine and "variant" not in mine
    assert all(
        "exam_attempt" not in str(a)
        for a in client.get("/api/v1/courses/ds101/gradebook.csv", headers=ADMIN)
        .data.decode()
        .splitlines()[1:]
    )


def test_attempt_limits_access_codes_and_networks(
    client: FlaskClient, instructor: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    coded = upload(client, instructor, spec(access={"code": "owl-42"}), name="coded").json
    walled = upload(client, instructor, spec(access={"networks": ["10.0.0.0/8"]}), name="walled").json
    alice = token("learner", "alice", ["ds101"])
    no_code = client.post(
        f"/api/v1/exams/{coded['id']}/attempts", headers=alice, json={"access_code": "nope"}
    )
    assert no_code.status_code == 403 and "code" in no_code.json["message"]
    assert (
        client.post(
            f"/api/v1/exams/{coded['id']}/attempts", headers=alice, json={"access_code": "owl-42"}
        ).status_code
        == 201
    )
    again = client.post(
        f"/api/v1/exams/{coded['id']}/attempts", headers=alice, json={"access_code": "owl-42"}
    )
    assert again.status_code == 403 and "attempt" in again.json["message"]
    outside = client.post(f"/api/v1/exams/{walled['id']}/attempts", headers=alice)
    assert outside.status_code == 403 and "network" in outside.json["message"]


def test_illegal_transitions_are_409(
    client: FlaskClient, start: Post, token: Callable[..., dict[str, str]], instructor: dict[str, str]
) -> None:
    alice = token("learner", "alice", ["ds101"])
    attempt = start("alice").json
    assert client.post(f"/api/v1/attempts/{attempt['id']}/resume", headers=alice).status_code == 409
    review = client.post(
        f"/api/v1/attempts/{attempt['id']}/review",
        headers=instructor,
        json={"decision": "verify", "reason": "ok"},
    )
    assert review.status_code == 409 and review.json["error"] == "illegal_transition"
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=alice).status_code == 202
    twice = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=alice)
    assert twice.status_code == 409 and "submitted" in twice.json["message"]


def test_other_learners_and_platforms_cannot_start_for_someone(
    client: FlaskClient, exam: dict[str, Any], instructor: dict[str, str], app: Flask
) -> None:
    assert client.post(f"/api/v1/exams/{exam['id']}/attempts", headers=instructor).status_code == 403


def test_an_attempt_left_submitted_after_its_grade_is_reconciled(
    client: FlaskClient, start: Post, store: Store, clock: FakeClock, token: Callable[..., dict[str, str]]
) -> None:
    """A worker that dies between storing the grade and moving the attempt leaves it submitted."""
    from service.attempts import reconcile_graded_attempts

    attempt = start("alice").json
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=token("learner", "alice", ["ds101"]))
    sid = store.get_attempt(attempt["id"]).submission_id or ""
    store.claim_submission(sid)
    store.save_grade(sid, {"score": 1.0, "max_score": 3.0, "cells": []}, "", {})
    assert store.get_attempt(attempt["id"]).state == "submitted"
    assert reconcile_graded_attempts(store, clock()) == 1
    assert store.get_attempt(attempt["id"]).state == "graded"
    assert reconcile_graded_attempts(store, clock()) == 0


def test_an_accommodation_in_the_deadline_ledger_that_covers_exams_lengthens_the_attempt(
    client: FlaskClient, exam: dict[str, Any], start: Post, instructor: dict[str, str]
) -> None:
    entries = [
        {
            "learner": "bob",
            "kind": "accommodation",
            "multiplier": 1.5,
            "applies_to": ["exams"],
            "reason": "plan",
        },
        {
            "learner": "carol",
            "kind": "accommodation",
            "multiplier": 2,
            "applies_to": ["extensions"],
            "reason": "plan",
        },
    ]
    assert (
        client.post("/api/v1/courses/ds101/ledger", headers=instructor, json={"entries": entries}).status_code
        == 200
    )
    assert start("bob").json["deadline_at"] == (START + timedelta(minutes=90)).isoformat()
    assert start("carol").json["deadline_at"] == (START + timedelta(minutes=60)).isoformat()
