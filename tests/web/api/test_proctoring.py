"""Proctoring reviews (web/api/proctoring.py): signed by the provider, kept until the attempt is graded, then decided by staff with a reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from integrations.signing import signed_headers
from store import Store
from tests.web.api.test_exams import ADMIN, Post, exam, start  # noqa: F401  (exam, start: fixtures)
from tests.web.fakes import FakeClock


def test_proctoring_reviews_and_instructor_decisions(
    client: FlaskClient,
    start: Post,
    store: Store,
    clock: FakeClock,
    instructor: dict[str, str],
    token: Callable[..., dict[str, str]],
) -> None:
    provider = client.post(
        "/api/v1/platforms", headers=ADMIN, json={"id": "proctorio", "courses": ["ds101"]}
    ).json
    clean_one, flagged = start("alice").json, start("bob").json
    for learner, attempt in (("alice", clean_one), ("bob", flagged)):
        client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=token("learner", learner, ["ds101"]))

    def review(attempt_id: str, review_id: str, outcome: str) -> Any:
        body = json.dumps(
            {
                "review_id": review_id,
                "attempt_id": attempt_id,
                "outcome": outcome,
                "evidence": [{"kind": "video", "at": "00:12:31"}],
                "comments": "looked away",
            }
        ).encode()
        return client.post(
            "/api/v1/proctoring/proctorio/reviews",
            data=body,
            content_type="application/json",
            headers=signed_headers(provider["secret"], int(clock().timestamp()), body),
        )

    early = review(clean_one["id"], "r1", "clean")
    assert early.status_code == 202 and early.json["attempt_state"] == "submitted"  # kept until graded
    from service.attempts import attempt_graded

    for attempt in (clean_one, flagged):
        sid = store.get_attempt(attempt["id"]).submission_id or ""
        store.claim_submission(sid)
        store.save_grade(sid, {"score": 1.0, "max_score": 3.0, "cells": []}, "", {})
        attempt_graded(store, sid, clock())
    assert store.get_attempt(clean_one["id"]).state == "verified"
    assert review(clean_one["id"], "r1", "clean").json["repeat"] is True
    assert review(flagged["id"], "r2", "violation").json["attempt_state"] == "second_review"
    unsigned = client.post("/api/v1/proctoring/proctorio/reviews", json={"review_id": "x"})
    assert unsigned.status_code == 401
    no_reason = client.post(
        f"/api/v1/attempts/{flagged['id']}/review", headers=instructor, json={"decision": "reject"}
    )
    assert no_reason.status_code == 400
    rejected = client.post(
        f"/api/v1/attempts/{flagged['id']}/review",
        headers=instructor,
        json={"decision": "reject", "reason": "phone visible"},
    )
    assert rejected.json["state"] == "rejected" and rejected.json["counts_for_credit"] is False
    reopened = client.post(
        f"/api/v1/attempts/{flagged['id']}/review",
        headers=instructor,
        json={"decision": "reopen", "reason": "appeal"},
    ).json
    verified = client.post(
        f"/api/v1/attempts/{flagged['id']}/review",
        headers=instructor,
        json={"decision": "verify", "reason": "appeal upheld"},
    ).json
    assert (reopened["state"], verified["state"], verified["counts_for_credit"]) == (
        "second_review",
        "verified",
        True,
    )
    trail = [
        (e["to"], e["actor"])
        for e in client.get(f"/api/v1/attempts/{flagged['id']}/events", headers=instructor).json
    ]
    assert trail[-4:] == [
        ("second_review", "proctoring:proctorio"),
        ("rejected", "prof"),
        ("second_review", "prof"),
        ("verified", "prof"),
    ]
