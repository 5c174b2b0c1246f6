"""Programme records through the API: grades become hash-chained events, the record is derived
from them and explains itself, overrides and freezes need a reason, exports are signed and
verifiable, share links are logged and revocable, and one altered event is caught."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import text

from records.signing import RecordVerificationFailed, decode_signed, public_keys_from, verify_document
from store import Store
from tests.web.fakes import FakeClock

ADMIN = {"Authorization": "Bearer admin-secret"}
PROGRAMME = {
    "id": "mm-ds",
    "title": "MicroMasters in Data Science",
    "courses": [
        {
            "course": "ds101",
            "required": True,
            "credits": 4,
            "weights": {"assignments": 1.0, "exam": 0.0},
            "pass_threshold": 60,
        },
    ],
    "policies": {
        "attempts": "latest",
        "rounding": 1,
        "letters": [{"letter": "A", "min": 90}, {"letter": "C", "min": 60}],
    },
}


def post_programme(client: FlaskClient, data: dict[str, Any]) -> Any:
    spec = (io.BytesIO(yaml.safe_dump(data).encode()), "programme.yaml")
    return client.post(
        "/api/v1/programmes", headers=ADMIN, data={"spec": spec}, content_type="multipart/form-data"
    )


def test_a_programme_needing_more_electives_than_it_lists_is_a_422_and_stores_nothing(
    client: FlaskClient, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    elective = {**PROGRAMME["courses"][0], "course": "ds102", "required": False}
    reply = post_programme(
        client, {**PROGRAMME, "courses": [*PROGRAMME["courses"], elective], "electives_needed": 2}
    )
    assert (reply.status_code, reply.json["error"]) == (422, "invalid_programme")
    assert reply.json["problems"] == [
        "programme.yaml: electives_needed: the programme requires 2 electives but lists only 1 elective course "
        "(required: false)"
    ]
    assert row_counts() == before


@pytest.fixture
def graded(client: FlaskClient, post_submission: Callable[..., Any], store: Store) -> Callable[[float], str]:
    assert post_programme(client, PROGRAMME).status_code == 201

    def grade(score: float) -> str:
        sid = str(post_submission().json["id"])
        store.claim_submission(sid)
        report = {"score": score, "max_score": 2.0, "rubric_version": "r1", "cells": []}
        assert store.save_grade(sid, report, "", {"sandbox_image": "sha256:abc"})
        return sid

    return grade


def test_a_bad_programme_lists_every_problem(client: FlaskClient) -> None:
    reply = post_programme(client, {**PROGRAMME, "id": "Bad Id", "electives_needed": -1})
    assert reply.status_code == 422 and reply.json["error"] == "invalid_programme"
    assert (
        all(p.startswith("programme.yaml") for p in reply.json["problems"])
        and len(reply.json["problems"]) >= 2
    )


def test_a_grade_becomes_an_event_and_the_record_explains_it(
    client: FlaskClient,
    graded: Callable[[float], str],
    alice: dict[str, str],
    instructor: dict[str, str],
    store: Store,
) -> None:
    sid = graded(1.5)
    body = client.get("/api/v1/programmes/mm-ds/records/alice", headers=alice).json
    course = body["record"]["courses"][0]
    assert body["history_intact"] is True
    assert (course["grade"], course["letter"], course["passed"]) == (75.0, "C", True)
    assert body["record"]["credits_earned"] == 4 and body["record"]["complete"] is True
    sha = store.get_submission(sid).sha256
    assert any(sha in line or sha[:12] in line for line in body["explanation"]), body["explanation"]
    history = client.get("/api/v1/programmes/mm-ds/records/alice/history", headers=instructor).json
    assert [e["kind"] for e in history["events"]] == ["grade"] and history["events"][0]["body"][
        "sandbox_image"
    ] == "sha256:abc"


def test_a_learner_cannot_read_another_record(
    client: FlaskClient, graded: Callable[[float], str], bob: dict[str, str]
) -> None:
    graded(2.0)
    assert client.get("/api/v1/programmes/mm-ds/records/alice", headers=bob).status_code == 404
    assert client.get("/api/v1/programmes/mm-ds/records/alice/export.json", headers=bob).status_code == 404


def test_overrides_and_freezes_need_a_reason_and_are_kept(
    client: FlaskClient, graded: Callable[[float], str], instructor: dict[str, str], alice: dict[str, str]
) -> None:
    graded(1.0)
    base = "/api/v1/programmes/mm-ds/records/alice"
    assert (
        client.post(
            f"{base}/overrides", headers=instructor, json={"course": "ds101", "value": 95}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"{base}/overrides", headers=alice, json={"course": "ds101", "value": 95, "reason": "me"}
        ).status_code
        == 403
    )
    done = client.post(
        f"{base}/overrides", headers=instructor, json={"course": "ds101", "value": 95, "reason": "appeal"}
    )
    assert done.status_code == 201
    record = client.get(base, headers=alice).json["record"]
    assert record["courses"][0]["grade"] == 95.0 and record["courses"][0]["overridden"] is True
    assert client.post(f"{base}/freeze", headers=instructor, json={}).status_code == 400
    assert (
        client.post(f"{base}/freeze", headers=instructor, json={"reason": "degree conferred"}).status_code
        == 201
    )


def test_a_freeze_stops_silent_changes(
    client: FlaskClient,
    graded: Callable[[float], str],
    instructor: dict[str, str],
    alice: dict[str, str],
    clock: FakeClock,
) -> None:
    graded(1.0)
    base = "/api/v1/programmes/mm-ds/records/alice"
    before = client.get(base, headers=alice).json["record"]["courses"][0]["grade"]
    clock.now = datetime.now(UTC)  # the store stamps grade events with the real clock
    client.post(f"{base}/freeze", headers=instructor, json={"reason": "term closed"})
    time.sleep(0.01)
    graded(2.0)  # a later, better grade arrives without an instructor's reason
    after = client.get(base, headers=alice).json
    assert after["record"]["courses"][0]["grade"] == before and after["record"]["frozen"] is True
    assert [e["kind"] for e in client.get(f"{base}/history", headers=instructor).json["events"]] == [
        "grade",
        "freeze",
        "grade",
    ]


def test_the_export_is_signed_and_one_changed_byte_fails(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str]
) -> None:
    graded(2.0)
    signed = client.get("/api/v1/programmes/mm-ds/records/alice/export.json", headers=alice)
    assert signed.status_code == 200
    keys = public_keys_from(json.dumps(client.get("/api/v1/records/public-key").json).encode())
    envelope = decode_signed(signed.data)
    verify_document(envelope, keys)
    assert envelope["document"]["credentialSubject"]
    position = signed.data.index(b'"learner"')
    tampered = signed.data[:position] + signed.data[position:].replace(b"alice", b"alicf", 1)
    with pytest.raises(RecordVerificationFailed):
        verify_document(decode_signed(tampered), keys)
    csv = client.get("/api/v1/programmes/mm-ds/records/alice/export.csv", headers=alice)
    assert csv.status_code == 200 and b"ds101" in csv.data


def test_altering_one_stored_event_is_caught_and_blocks_export(
    client: FlaskClient,
    graded: Callable[[float], str],
    store: Store,
    alice: dict[str, str],
    instructor: dict[str, str],
) -> None:
    graded(1.0)
    graded(2.0)
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE record_events SET body = :body WHERE seq = 1"),
            {"body": json.dumps({"course": "ds101", "item": "hw1", "score": 2.0})},
        )
    history = client.get("/api/v1/programmes/mm-ds/records/alice/history", headers=instructor).json
    assert history["intact"] is False and history["first_broken_seq"] == 1
    refused = client.get("/api/v1/programmes/mm-ds/records/alice", headers=alice)
    assert refused.status_code == 409 and "fails verification at event 1" in refused.json["message"]
    assert client.get("/api/v1/programmes/mm-ds/records/alice/export.json", headers=alice).status_code == 409


def test_share_links_are_logged_and_revocable(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str], bob: dict[str, str]
) -> None:
    graded(2.0)
    base = "/api/v1/programmes/mm-ds/records/alice/shares"
    assert client.post(base, headers=bob, json={"label": "x"}).status_code == 404
    share = client.post(base, headers=alice, json={"label": "for MIT admissions"}).json
    opened = client.get(share["url"], headers={"User-Agent": "admissions-bot"})
    assert opened.status_code == 200 and decode_signed(opened.data)["proof"]
    assert client.delete(f"{base}/{share['id']}", headers=alice).json["revoked_at"]
    assert client.get(share["url"]).status_code == 404
    [listed] = client.get(base, headers=alice).json
    assert "token" not in listed and [a["granted"] for a in listed["access_log"]] == [True, False]
    assert listed["access_log"][0]["user_agent"] == "admissions-bot"


def test_an_instructor_of_other_courses_cannot_read_or_change_the_record(
    client: FlaskClient, graded: Callable[[float], str], token: Callable[..., dict[str, str]]
) -> None:
    graded(2.0)
    outsider = token("instructor", "other-prof", ["ds999"])
    base = "/api/v1/programmes/mm-ds/records/alice"
    assert client.get(base, headers=outsider).status_code == 403
    assert client.post(f"{base}/freeze", headers=outsider, json={"reason": "x"}).status_code == 403


def test_grades_stored_before_the_programme_existed_are_brought_into_its_history(
    client: FlaskClient,
    post_submission: Callable[..., Any],
    store: Store,
    alice: dict[str, str],
    instructor: dict[str, str],
) -> None:
    sid = str(post_submission().json["id"])
    store.claim_submission(sid)
    assert store.save_grade(
        sid,
        {"score": 2.0, "max_score": 2.0, "rubric_version": "r1", "cells": []},
        "",
        {"sandbox_image": "sha256:abc"},
    )
    assert post_programme(client, PROGRAMME).status_code == 201  # created after the grade
    course = client.get("/api/v1/programmes/mm-ds/records/alice", headers=alice).json["record"]["courses"][0]
    assert (course["grade"], course["passed"]) == (100.0, True)
    (event,) = client.get("/api/v1/programmes/mm-ds/records/alice/history", headers=instructor).json["events"]
    assert event["kind"] == "grade" and event["body"]["imported"] is True and event["body"]["version"] == 1
    assert (
        event["body"]["submission_sha256"] == store.get_submission(sid).sha256
        and "created" in event["body"]["note"]
    )
